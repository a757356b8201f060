// The mapping database: for every physical frame handed out, the tree of mappings
// derived from sigma0's root mapping of it. Map adds a child (the receiver's mapping
// depends on the sender's), grant moves a node to the receiver (the sender loses it,
// the derived mappings stay), flush revokes everything derived from a mapping,
// recursively (Liedtke, "On µ-Kernel Construction", SOSP'95, section 3: the recursive
// construction of address spaces). Every change is written into the real page tables
// of the spaces involved (AddressSpace), so the hardware sees exactly the database.
import type { AddressSpace } from './address-space';
import { PAGE_SIZE } from './layout';

export class MappingNode {
  readonly children: MappingNode[] = [];
  constructor(
    public space: AddressSpace,
    /** user virtual address of the page in `space` */
    public vaddr: number,
    readonly frame: number,
    public writable: boolean,
    public parent: MappingNode | null,
  ) {}

  get depth(): number {
    let d = 0;
    for (let p = this.parent; p; p = p.parent) d++;
    return d;
  }
}

export interface MapResult {
  /** PTE writes done (for the path profile's data addresses) */
  pages: number;
}

export class MappingDatabase {
  /** per space: page address → node */
  private readonly bySpace = new Map<AddressSpace, Map<number, MappingNode>>();
  /** counts of operations, for tests and counters */
  flushedPages = 0;

  private index(space: AddressSpace): Map<number, MappingNode> {
    let m = this.bySpace.get(space);
    if (!m) {
      m = new Map();
      this.bySpace.set(space, m);
    }
    return m;
  }

  lookup(space: AddressSpace, vaddr: number): MappingNode | undefined {
    return this.bySpace.get(space)?.get(pageOf(vaddr));
  }

  /** sigma0's root mapping of `frame` at `vaddr` (idempotent: sigma0 maps physical memory 1:1). */
  addRoot(space: AddressSpace, vaddr: number, frame: number, writable = true): MappingNode {
    const v = pageOf(vaddr);
    if (this.index(space).has(v)) throw new Error(`mapping database: space ${space.task} already maps 0x${v.toString(16)}`);
    const node = new MappingNode(space, v, pageOf(frame), writable, null);
    this.index(space).set(v, node);
    space.setPte(v, node.frame, writable);
    return node;
  }

  /**
   * Map the page at `fromV` in `from` to `toV` in `to` (writable only if both the
   * sender's mapping and the request allow it). An existing mapping at `toV` is first
   * flushed, unless it already is this page derived from the sender's mapping, in
   * which case only its rights change (L4: remapping upgrades or keeps the mapping).
   * Returns false when the sender has no mapping at `fromV` (nothing is sent).
   */
  map(from: AddressSpace, fromV: number, to: AddressSpace, toV: number, writable: boolean): boolean {
    const src = this.lookup(from, fromV);
    if (!src) return false;
    const w = writable && src.writable;
    const v = pageOf(toV);
    to.checkUser(v);
    const existing = this.lookup(to, v);
    if (existing) {
      if (existing.frame === src.frame && existing.parent === src) {
        if (existing.writable !== w) {
          if (!w) this.protectSubtree(existing);
          else {
            existing.writable = true;
            to.setPte(v, existing.frame, true);
          }
        }
        return true;
      }
      if (isAncestor(existing, src)) throw new Error(`mapping database: mapping page 0x${v.toString(16)} of space ${to.task} onto itself`);
      this.removeSubtree(existing);
    }
    const node = new MappingNode(to, v, src.frame, w, src);
    src.children.push(node);
    this.index(to).set(v, node);
    to.setPte(v, node.frame, w);
    return true;
  }

  /**
   * Grant the page at `fromV` in `from` to `toV` in `to`: the node moves, the sender's
   * page-table entry is removed, everything derived from it stays derived from it.
   */
  grant(from: AddressSpace, fromV: number, to: AddressSpace, toV: number, writable: boolean): boolean {
    const node = this.lookup(from, fromV);
    if (!node) return false;
    if (!node.parent) throw new Error(`mapping database: sigma0's root mapping of 0x${node.frame.toString(16)} cannot be granted`);
    const v = pageOf(toV);
    to.checkUser(v);
    if (to === from && v === node.vaddr) return true;
    const existing = this.lookup(to, v);
    if (existing) {
      if (isAncestor(existing, node)) throw new Error(`mapping database: granting page 0x${v.toString(16)} of space ${to.task} onto an ancestor`);
      this.removeSubtree(existing);
    }
    this.index(from).delete(node.vaddr);
    from.clearPte(node.vaddr);
    node.space = to;
    node.vaddr = v;
    this.index(to).set(v, node);
    if (!writable && node.writable) this.protectSubtree(node);
    to.setPte(v, node.frame, node.writable);
    return true;
  }

  /**
   * Flush (fpage_unmap) the page at `vaddr` of `space`: every mapping derived from it,
   * recursively, is removed (`readOnly` false) or loses its write permission
   * (`readOnly` true); with `own` the space's own mapping is affected too. Returns the
   * number of page-table entries changed.
   */
  flush(space: AddressSpace, vaddr: number, own: boolean, readOnly: boolean): number {
    const node = this.lookup(space, vaddr);
    if (!node) return 0;
    const before = this.flushedPages;
    if (readOnly) {
      if (own) this.protectSubtree(node);
      else for (const c of node.children) this.protectSubtree(c);
    } else if (own && node.parent) {
      this.removeSubtree(node);
    } else {
      for (const c of [...node.children]) this.removeSubtree(c);
    }
    return this.flushedPages - before;
  }

  /** Removes every mapping of a space (task deletion): its subtrees go with it. */
  removeSpace(space: AddressSpace): void {
    const m = this.bySpace.get(space);
    if (!m) return;
    for (const node of [...m.values()]) if (this.lookup(space, node.vaddr) === node) this.removeSubtree(node);
    this.bySpace.delete(space);
  }

  /** The pages of `space` with a mapping inside [start, start + bytes), ascending. */
  pagesIn(space: AddressSpace, start: number, bytes: number): number[] {
    const m = this.bySpace.get(space);
    if (!m) return [];
    const lo = start >>> 0;
    const hi = lo + bytes;
    const out: number[] = [];
    if (bytes / PAGE_SIZE <= m.size) {
      // a small region: probe its pages
      for (let v = lo - (lo % PAGE_SIZE); v < hi; v += PAGE_SIZE) if (m.has(v)) out.push(v);
      return out;
    }
    for (const v of m.keys()) if (v >= lo && v < hi) out.push(v);
    return out.sort((a, b) => a - b);
  }

  /** Number of mappings a space holds. */
  count(space: AddressSpace): number {
    return this.bySpace.get(space)?.size ?? 0;
  }

  private removeSubtree(root: MappingNode): void {
    // post-order without recursion: children before their parent
    const stack: MappingNode[] = [root];
    const order: MappingNode[] = [];
    while (stack.length) {
      const n = stack.pop() as MappingNode;
      order.push(n);
      for (const c of n.children) stack.push(c);
    }
    for (let i = order.length - 1; i >= 0; i--) {
      const n = order[i];
      this.index(n.space).delete(n.vaddr);
      n.space.clearPte(n.vaddr);
      n.children.length = 0;
      this.flushedPages++;
    }
    const p = root.parent;
    if (p) p.children.splice(p.children.indexOf(root), 1);
    root.parent = null;
  }

  private protectSubtree(root: MappingNode): void {
    const stack: MappingNode[] = [root];
    while (stack.length) {
      const n = stack.pop() as MappingNode;
      if (n.writable) {
        n.writable = false;
        n.space.writeProtect(n.vaddr);
        this.flushedPages++;
      }
      for (const c of n.children) stack.push(c);
    }
  }
}

function pageOf(v: number): number {
  return (v - ((v >>> 0) % PAGE_SIZE)) >>> 0;
}

function isAncestor(a: MappingNode, b: MappingNode): boolean {
  for (let p: MappingNode | null = b; p; p = p.parent) if (p === a) return true;
  return false;
}
