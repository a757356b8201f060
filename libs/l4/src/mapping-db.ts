// The mapping database: for every physical frame handed out, the tree of mappings
// derived from sigma0's root mapping of it. Map adds a child (the receiver's mapping
// depends on the sender's), grant moves a node to the receiver (the sender loses it,
// the derived mappings stay), flush revokes everything derived from a mapping,
// recursively (Liedtke, "On µ-Kernel Construction", SOSP'95, section 3: the recursive
// construction of address spaces). Every change is written into the real page tables
// of the spaces involved (AddressSpace), so the hardware sees exactly the database.
//
// A node maps 4 KiB or 4 MiB (a superpage: the Pentium's PSE pages, which L4/x86 hands
// out as 4 MiB fpages). A 4 MiB node can have 4 MiB children (the whole superpage
// mapped on, to a 4 MiB-aligned place) and 4 KiB children (a part of it mapped on); a
// 4 KiB node has only 4 KiB children. Within one space mappings never overlap.
// An operation on a part of a superpage — flush or write-protect of some of its pages,
// grant of a page, a 4 KiB mapping received over it — first splits it: the node becomes
// 1024 nodes of 4 KiB with the same parent and rights, its 4 KiB children move to the
// piece they map, its 4 MiB children are split the same way (recursively), and its PDE
// becomes a page table. Only the pages named are affected; the rest stays mapped.
import type { AddressSpace } from './address-space';
import { LARGE_PAGE_LOG2, LARGE_PAGE_SIZE } from './address-space';
import { PAGE_SIZE } from './layout';

const PAGE_LOG2 = 12;

export class MappingNode {
  readonly children: MappingNode[] = [];
  constructor(
    public space: AddressSpace,
    /** user virtual address of the mapping's first byte in `space` */
    public vaddr: number,
    /** physical address of its first byte */
    readonly frame: number,
    public writable: boolean,
    public parent: MappingNode | null,
    /** 12 (a 4 KiB page) or 22 (a 4 MiB superpage) */
    readonly log2: number = PAGE_LOG2,
  ) {}

  get large(): boolean {
    return this.log2 === LARGE_PAGE_LOG2;
  }

  get bytes(): number {
    return 2 ** this.log2;
  }

  get depth(): number {
    let d = 0;
    for (let p = this.parent; p; p = p.parent) d++;
    return d;
  }
}

/** A mapping found in a range: its start and size (a superpage only when the range covers it whole). */
export interface MappingRun {
  vaddr: number;
  log2: number;
}

export interface MapResult {
  /** PTE writes done (for the path profile's data addresses) */
  pages: number;
}

interface SpaceIndex {
  /** 4 KiB nodes by page address */
  small: Map<number, MappingNode>;
  /** 4 MiB nodes by superpage address */
  large: Map<number, MappingNode>;
}

export class MappingDatabase {
  private readonly bySpace = new Map<AddressSpace, SpaceIndex>();
  /** counts of operations, for tests and counters */
  flushedPages = 0;
  /** superpages split into 4 KiB pages */
  splits = 0;

  private index(space: AddressSpace): SpaceIndex {
    let m = this.bySpace.get(space);
    if (!m) {
      m = { small: new Map(), large: new Map() };
      this.bySpace.set(space, m);
    }
    return m;
  }

  /** The mapping covering `vaddr` in `space` (a 4 KiB node or a superpage). */
  lookup(space: AddressSpace, vaddr: number): MappingNode | undefined {
    const m = this.bySpace.get(space);
    if (!m) return undefined;
    return m.small.get(pageOf(vaddr)) ?? (m.large.size ? m.large.get(largeOf(vaddr)) : undefined);
  }

  private insert(node: MappingNode): void {
    const m = this.index(node.space);
    if (node.large) {
      m.large.set(node.vaddr, node);
      node.space.setLarge(node.vaddr, node.frame, node.writable);
    } else {
      m.small.set(node.vaddr, node);
      node.space.setPte(node.vaddr, node.frame, node.writable);
    }
  }

  /** Takes a node out of its space's index and page table. */
  private unlink(node: MappingNode): void {
    const m = this.index(node.space);
    if (node.large) {
      m.large.delete(node.vaddr);
      node.space.clearLarge(node.vaddr);
    } else {
      m.small.delete(node.vaddr);
      node.space.clearPte(node.vaddr);
    }
  }

  /** sigma0's root mapping of `frame` at `vaddr` (idempotent: sigma0 maps physical memory 1:1); `log2` 22 for a superpage. */
  addRoot(space: AddressSpace, vaddr: number, frame: number, writable = true, log2 = PAGE_LOG2): MappingNode {
    if (log2 !== PAGE_LOG2 && log2 !== LARGE_PAGE_LOG2) throw new Error(`mapping database: a mapping is 2^12 or 2^22 bytes, not 2^${log2}`);
    const size = 2 ** log2;
    if (vaddr % size !== 0 || frame % size !== 0) throw new Error(`mapping database: root 0x${vaddr.toString(16)} → 0x${frame.toString(16)} is not aligned to 2^${log2}`);
    if (this.overlaps(space, vaddr, size)) throw new Error(`mapping database: space ${space.task} already maps 0x${vaddr.toString(16)}`);
    const node = new MappingNode(space, vaddr >>> 0, frame, writable, null, log2);
    this.insert(node);
    return node;
  }

  /** True when `space` has a mapping anywhere in [v, v + bytes). */
  private overlaps(space: AddressSpace, v: number, bytes: number): boolean {
    if (bytes <= PAGE_SIZE) return this.lookup(space, v) !== undefined;
    return this.mappingsIn(space, v, bytes).length > 0;
  }

  /**
   * Map the 4 KiB page at `fromV` in `from` to `toV` in `to` (writable only if both the
   * sender's mapping and the request allow it). The sender's mapping may be a page or a
   * part of a superpage. An existing mapping at `toV` is first flushed (a superpage
   * there is split and only its page at `toV` goes), unless it already is this page
   * derived from the sender's mapping, in which case only its rights change (L4:
   * remapping upgrades or keeps the mapping). Returns false when the sender has no
   * mapping at `fromV` (nothing is sent).
   */
  map(from: AddressSpace, fromV: number, to: AddressSpace, toV: number, writable: boolean): boolean {
    const src = this.lookup(from, fromV);
    if (!src) return false;
    const frame = src.frame + (pageOf(fromV) - src.vaddr);
    const w = writable && src.writable;
    const v = pageOf(toV);
    to.checkUser(v);
    let existing = this.lookup(to, v);
    if (existing && existing.large) {
      if (existing.parent === src && existing.frame === frame - (v - existing.vaddr) && existing.writable === w) return true;
      if (isAncestor(existing, src)) throw new Error(`mapping database: mapping page 0x${v.toString(16)} of space ${to.task} onto itself`);
      this.split(existing);
      existing = this.lookup(to, v);
    }
    if (existing) {
      if (existing.frame === frame && existing.parent === src) {
        this.setRights(existing, w);
        return true;
      }
      if (isAncestor(existing, src)) throw new Error(`mapping database: mapping page 0x${v.toString(16)} of space ${to.task} onto itself`);
      this.removeSubtree(existing);
    }
    const node = new MappingNode(to, v, frame, w, src);
    src.children.push(node);
    this.insert(node);
    return true;
  }

  /**
   * Map the superpage at `fromV` (4 MiB aligned) of `from` to `toV` (4 MiB aligned) in
   * `to` as one 4 MiB mapping. Whatever `to` mapped in that region is flushed first.
   * Returns false when the sender has no superpage there.
   */
  mapLarge(from: AddressSpace, fromV: number, to: AddressSpace, toV: number, writable: boolean): boolean {
    const src = this.lookup(from, fromV);
    if (!src || !src.large || src.vaddr !== fromV >>> 0) return false;
    const w = writable && src.writable;
    const v = toV >>> 0;
    if (v % LARGE_PAGE_SIZE !== 0 || v + LARGE_PAGE_SIZE > to.userBytes) throw new Error(`mapping database: 0x${v.toString(16)} is no superpage place in space ${to.task}`);
    const existing = this.lookup(to, v);
    if (existing && existing.large && existing.parent === src) {
      this.setRights(existing, w);
      return true;
    }
    for (const run of this.mappingsIn(to, v, LARGE_PAGE_SIZE)) {
      const n = this.lookup(to, run.vaddr) as MappingNode;
      if (isAncestor(n, src)) throw new Error(`mapping database: mapping superpage 0x${v.toString(16)} of space ${to.task} onto itself`);
      this.removeSubtree(n);
    }
    const node = new MappingNode(to, v, src.frame, w, src, LARGE_PAGE_LOG2);
    src.children.push(node);
    this.insert(node);
    return true;
  }

  /**
   * Grant the page at `fromV` in `from` to `toV` in `to`: the node moves, the sender's
   * page-table entry is removed, everything derived from it stays derived from it. A page
   * of a superpage is granted by splitting the superpage first.
   */
  grant(from: AddressSpace, fromV: number, to: AddressSpace, toV: number, writable: boolean): boolean {
    let node = this.lookup(from, fromV);
    if (!node) return false;
    if (!node.parent) throw new Error(`mapping database: sigma0's root mapping of 0x${node.frame.toString(16)} cannot be granted`);
    if (node.large) {
      this.split(node);
      node = this.lookup(from, fromV) as MappingNode;
    }
    return this.move(node, to, pageOf(toV), writable);
  }

  /** Grant the whole superpage at `fromV` (4 MiB aligned) to `toV` (4 MiB aligned). */
  grantLarge(from: AddressSpace, fromV: number, to: AddressSpace, toV: number, writable: boolean): boolean {
    const node = this.lookup(from, fromV);
    if (!node || !node.large || node.vaddr !== fromV >>> 0) return false;
    if (!node.parent) throw new Error(`mapping database: sigma0's root mapping of 0x${node.frame.toString(16)} cannot be granted`);
    return this.move(node, to, toV >>> 0, writable);
  }

  private move(node: MappingNode, to: AddressSpace, v: number, writable: boolean): boolean {
    if (node.large) {
      if (v % LARGE_PAGE_SIZE !== 0 || v + LARGE_PAGE_SIZE > to.userBytes) throw new Error(`mapping database: 0x${v.toString(16)} is no superpage place in space ${to.task}`);
    } else to.checkUser(v);
    if (to === node.space && v === node.vaddr) return true;
    for (const run of this.mappingsIn(to, v, node.bytes)) {
      let n = this.lookup(to, run.vaddr) as MappingNode;
      if (n.large && !node.large) {
        this.split(n);
        n = this.lookup(to, v) as MappingNode;
      }
      if (isAncestor(n, node)) throw new Error(`mapping database: granting page 0x${v.toString(16)} of space ${to.task} onto an ancestor`);
      if (n !== node) this.removeSubtree(n);
    }
    this.unlink(node);
    node.space = to;
    node.vaddr = v;
    if (!writable && node.writable) this.protectSubtree(node);
    this.insert(node);
    return true;
  }

  /**
   * Flush (fpage_unmap) the page at `vaddr` of `space`: every mapping derived from it,
   * recursively, is removed (`readOnly` false) or loses its write permission
   * (`readOnly` true); with `own` the space's own mapping is affected too. A page of a
   * superpage is flushed after splitting it. Returns the number of page-table entries
   * changed.
   */
  flush(space: AddressSpace, vaddr: number, own: boolean, readOnly: boolean): number {
    return this.flushRange(space, pageOf(vaddr), PAGE_SIZE, own, readOnly);
  }

  /**
   * Flush every mapping of `space` in [start, start + bytes) (page aligned): superpages
   * the range covers whole are flushed as one; one it covers in part is split and only
   * its pages inside the range are. Returns the number of page-table entries changed.
   */
  flushRange(space: AddressSpace, start: number, bytes: number, own: boolean, readOnly: boolean): number {
    const before = this.flushedPages;
    const lo = start >>> 0;
    const hi = lo + bytes;
    // the mappings in the range, each once: pages, and superpages (whole or in part)
    const pages: MappingNode[] = [];
    const superpages = new Set<MappingNode>();
    for (const run of this.mappingsIn(space, lo, bytes)) {
      const node = this.lookup(space, run.vaddr) as MappingNode;
      if (node.large) superpages.add(node);
      else pages.push(node);
    }
    for (const node of pages) if (this.lookup(space, node.vaddr) === node) this.flushNode(node, own, readOnly);
    for (const node of superpages) if (this.lookup(space, node.vaddr) === node) this.flushPart(node, Math.max(lo, node.vaddr) - node.vaddr, Math.min(hi, node.vaddr + LARGE_PAGE_SIZE) - node.vaddr, own, readOnly);
    return this.flushedPages - before;
  }

  /**
   * Flush the bytes [offLo, offHi) of superpage `node`. The whole of it: as one mapping.
   * A part: the node itself is split only when it loses rights itself (`own`); else the
   * part is flushed in its children — 4 KiB children mapping a page of the part go with
   * their subtrees, 4 MiB children get the same partial flush of their own mapping.
   */
  private flushPart(node: MappingNode, offLo: number, offHi: number, own: boolean, readOnly: boolean): void {
    if (offLo <= 0 && offHi >= LARGE_PAGE_SIZE) {
      this.flushNode(node, own, readOnly);
      return;
    }
    if (own) {
      for (const piece of this.split(node)) {
        const off = piece.vaddr - node.vaddr;
        if (off >= offLo - (offLo % PAGE_SIZE) && off < offHi) this.flushNode(piece, true, readOnly);
      }
      return;
    }
    for (const c of [...node.children]) {
      if (c.large) this.flushPart(c, offLo, offHi, true, readOnly);
      else {
        const off = c.frame - node.frame;
        if (off >= offLo - (offLo % PAGE_SIZE) && off < offHi) {
          if (readOnly) this.protectSubtree(c);
          else this.removeSubtree(c);
        }
      }
    }
  }

  private flushNode(node: MappingNode, own: boolean, readOnly: boolean): void {
    if (readOnly) {
      if (own) this.protectSubtree(node);
      else for (const c of node.children) this.protectSubtree(c);
    } else if (own && node.parent) {
      this.removeSubtree(node);
    } else {
      for (const c of [...node.children]) this.removeSubtree(c);
    }
  }

  /** Removes every mapping of a space (task deletion): its subtrees go with it. */
  removeSpace(space: AddressSpace): void {
    const m = this.bySpace.get(space);
    if (!m) return;
    for (const node of [...m.small.values(), ...m.large.values()]) if (this.lookup(space, node.vaddr) === node) this.removeSubtree(node);
    this.bySpace.delete(space);
  }

  /** The 4 KiB pages of `space` with a mapping inside [start, start + bytes), ascending (superpages counted page by page). */
  pagesIn(space: AddressSpace, start: number, bytes: number): number[] {
    const out: number[] = [];
    for (const run of this.mappingsIn(space, start, bytes)) {
      if (run.log2 === PAGE_LOG2) out.push(run.vaddr);
      else for (let v = run.vaddr; v < run.vaddr + LARGE_PAGE_SIZE; v += PAGE_SIZE) out.push(v);
    }
    return out;
  }

  /**
   * The mappings of `space` inside [start, start + bytes), ascending: a superpage the
   * range covers whole as one 4 MiB run, one it covers in part as its 4 KiB pages inside
   * the range, and the 4 KiB mappings.
   */
  mappingsIn(space: AddressSpace, start: number, bytes: number): MappingRun[] {
    const m = this.bySpace.get(space);
    if (!m) return [];
    const lo = start >>> 0;
    const hi = lo + bytes;
    const out: MappingRun[] = [];
    if (bytes / PAGE_SIZE <= m.small.size) {
      for (let v = lo - (lo % PAGE_SIZE); v < hi; v += PAGE_SIZE) if (m.small.has(v)) out.push({ vaddr: v, log2: PAGE_LOG2 });
    } else {
      for (const v of m.small.keys()) if (v >= lo && v < hi) out.push({ vaddr: v, log2: PAGE_LOG2 });
    }
    for (const [v] of m.large) {
      const end = v + LARGE_PAGE_SIZE;
      if (end <= lo || v >= hi) continue;
      if (v >= lo && end <= hi) out.push({ vaddr: v, log2: LARGE_PAGE_LOG2 });
      else for (let p = Math.max(v, lo - (lo % PAGE_SIZE)); p < Math.min(end, hi); p += PAGE_SIZE) out.push({ vaddr: p, log2: PAGE_LOG2 });
    }
    return out.sort((a, b) => a.vaddr - b.vaddr);
  }

  /** Number of mappings a space holds (a superpage counts once). */
  count(space: AddressSpace): number {
    const m = this.bySpace.get(space);
    return m ? m.small.size + m.large.size : 0;
  }

  /** Number of superpage mappings a space holds. */
  largeCount(space: AddressSpace): number {
    return this.bySpace.get(space)?.large.size ?? 0;
  }

  /**
   * Splits a superpage node into 1024 page nodes with the same parent and rights; its
   * 4 MiB children are split first (their pieces become children of this node), then
   * every child moves to the piece it derives from. Returns the pieces.
   */
  split(node: MappingNode): MappingNode[] {
    if (!node.large) return [node];
    for (const c of [...node.children]) if (c.large) this.split(c);
    const pieces: MappingNode[] = [];
    for (let i = 0; i < LARGE_PAGE_SIZE / PAGE_SIZE; i++) {
      pieces.push(new MappingNode(node.space, node.vaddr + i * PAGE_SIZE, node.frame + i * PAGE_SIZE, node.writable, node.parent));
    }
    for (const c of node.children) {
      const piece = pieces[(c.frame - node.frame) / PAGE_SIZE];
      c.parent = piece;
      piece.children.push(c);
    }
    node.children.length = 0;
    const p = node.parent;
    if (p) p.children.splice(p.children.indexOf(node), 1, ...pieces);
    const m = this.index(node.space);
    m.large.delete(node.vaddr);
    node.space.splitLarge(node.vaddr);
    for (const piece of pieces) m.small.set(piece.vaddr, piece);
    node.parent = null;
    this.splits++;
    return pieces;
  }

  private setRights(n: MappingNode, w: boolean): void {
    if (n.writable === w) return;
    if (!w) this.protectSubtree(n);
    else {
      n.writable = true;
      if (n.large) n.space.setLarge(n.vaddr, n.frame, true);
      else n.space.setPte(n.vaddr, n.frame, true);
    }
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
      this.unlink(n);
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
        if (n.large) n.space.writeProtectLarge(n.vaddr);
        else n.space.writeProtect(n.vaddr);
        this.flushedPages++;
      }
      for (const c of n.children) stack.push(c);
    }
  }
}

function pageOf(v: number): number {
  return (v - ((v >>> 0) % PAGE_SIZE)) >>> 0;
}

function largeOf(v: number): number {
  return (v - ((v >>> 0) % LARGE_PAGE_SIZE)) >>> 0;
}

function isAncestor(a: MappingNode, b: MappingNode): boolean {
  for (let p: MappingNode | null = b; p; p = p.parent) if (p === a) return true;
  return false;
}
