// A task's address map (Mach's vm_map): sorted entries, each a range of the task's
// address space backed by (object, offset) with a protection and a needs-copy flag.
// A needs-copy entry shares its object with another map's entry (a virtual copy made
// by an out-of-line message or vm_copy): both sides' hardware mappings are
// write-protected, and the first write fault on either side gives that side a shadow
// object holding its own copy of the page (vm-fault.ts) — Mach's symmetric
// copy-on-write.
import { Pmap } from './pmap';
import { VmObject, VmObjects } from './vm-object';
import { PAGE_SIZE, USER_TOP } from './layout';

export const VM_PROT_READ = 1,
  VM_PROT_WRITE = 2,
  VM_PROT_EXECUTE = 4,
  VM_PROT_DEFAULT = 3,
  VM_PROT_ALL = 7;

export interface VmMapEntry {
  start: number;
  end: number;
  object: VmObject;
  offset: number;
  protection: number;
  maxProtection: number;
  needsCopy: boolean;
}

/** A range of memory in transit (Mach's vm_map_copy): entries detached from any map. */
export interface VmMapCopy {
  size: number;
  entries: { delta: number; size: number; object: VmObject; offset: number }[];
}

export class VmError extends Error {
  constructor(
    readonly kr: number,
    message: string,
  ) {
    super(message);
  }
}

export const truncPage = (a: number): number => Math.floor(a / PAGE_SIZE) * PAGE_SIZE;
export const roundPage = (a: number): number => Math.ceil(a / PAGE_SIZE) * PAGE_SIZE;

export class VmMap {
  /** sorted by start, non-overlapping */
  readonly entries: VmMapEntry[] = [];
  /** where vm_allocate(anywhere) starts looking (Mach i386: above the first pages) */
  minAddress = 0x10000;

  constructor(
    readonly pmap: Pmap,
    private readonly objects: VmObjects,
  ) {}

  lookup(va: number): VmMapEntry | undefined {
    for (const e of this.entries) if (va >= e.start && va < e.end) return e;
    return undefined;
  }

  private insert(e: VmMapEntry): void {
    let i = 0;
    while (i < this.entries.length && this.entries[i].start < e.start) i++;
    this.entries.splice(i, 0, e);
  }

  private isFree(start: number, end: number): boolean {
    return start >= 0 && end <= USER_TOP && this.entries.every((e) => end <= e.start || e.end <= start);
  }

  private findSpace(size: number): number {
    let at = this.minAddress;
    for (const e of this.entries) {
      if (e.end <= at) continue;
      if (e.start >= at + size) break;
      at = e.end;
    }
    if (at + size > USER_TOP) throw new VmError(3, 'vm_allocate: no space'); // KERN_NO_SPACE
    return at;
  }

  /** vm_allocate: zero-fill memory (a fresh object of the default pager); returns its address. */
  allocate(address: number | null, size: number, object?: VmObject, offset = 0, protection = VM_PROT_DEFAULT): number {
    if (!(size > 0)) throw new VmError(4, `vm_allocate: bad size ${size}`); // KERN_INVALID_ARGUMENT
    size = roundPage(size);
    let start: number;
    if (address === null) start = this.findSpace(size);
    else {
      start = truncPage(address);
      if (!this.isFree(start, start + size)) throw new VmError(3, `vm_allocate: 0x${start.toString(16)}+0x${size.toString(16)} is in use`);
    }
    this.insert({ start, end: start + size, object: object ?? this.objects.create(size), offset, protection, maxProtection: VM_PROT_ALL, needsCopy: false });
    return start;
  }

  /** Splits entries so that `start` and `end` are entry boundaries. */
  private clip(start: number, end: number): void {
    for (const at of [start, end]) {
      const e = this.entries.find((x) => at > x.start && at < x.end);
      if (!e) continue;
      const tail: VmMapEntry = { ...e, start: at, offset: e.offset + (at - e.start) };
      e.end = at;
      this.objects.reference(e.object);
      this.insert(tail);
    }
  }

  private within(start: number, end: number): VmMapEntry[] {
    return this.entries.filter((e) => e.start >= start && e.end <= end);
  }

  /** The range must be fully mapped (no holes). */
  private checkCovered(start: number, end: number): VmMapEntry[] {
    const list = this.entries.filter((e) => e.end > start && e.start < end);
    let at = start;
    for (const e of list) {
      if (e.start > at) break;
      at = Math.max(at, e.end);
    }
    if (at < end) throw new VmError(1, `vm: 0x${at.toString(16)} is not mapped`); // KERN_INVALID_ADDRESS
    return list;
  }

  /** vm_deallocate */
  deallocate(start: number, size: number): void {
    const s = truncPage(start),
      end = roundPage(start + size);
    this.clip(s, end);
    for (const e of this.within(s, end)) {
      this.entries.splice(this.entries.indexOf(e), 1);
      this.objects.release(e.object);
    }
    this.pmap.remove(s, end);
  }

  /** vm_protect (the current protection; set_maximum lowers the maximum too) */
  protect(start: number, size: number, protection: number, setMaximum = false): void {
    const s = truncPage(start),
      end = roundPage(start + size);
    const list = this.checkCovered(s, end);
    for (const e of list) if (!setMaximum && protection & ~e.maxProtection) throw new VmError(2, 'vm_protect: beyond the maximum protection'); // KERN_PROTECTION_FAILURE
    this.clip(s, end);
    for (const e of this.within(s, end)) {
      if (setMaximum) {
        e.maxProtection = protection;
        e.protection &= protection;
      } else e.protection = protection;
    }
    if (!(protection & VM_PROT_READ)) this.pmap.remove(s, end);
    else if (!(protection & VM_PROT_WRITE)) this.pmap.writeProtect(s, end);
  }

  /**
   * vm_map_copyin: a virtual copy of [start, start+size) (page-rounded). The source's
   * entries become needs-copy and its hardware mappings read-only; the copy references
   * the same objects. With `deallocate` the source range is removed instead.
   */
  copyin(start: number, size: number, deallocate: boolean): VmMapCopy {
    const s = truncPage(start),
      end = roundPage(start + size);
    this.checkCovered(s, end);
    this.clip(s, end);
    const copy: VmMapCopy = { size: end - s, entries: [] };
    for (const e of this.within(s, end)) {
      copy.entries.push({ delta: e.start - s, size: e.end - e.start, object: this.objects.reference(e.object), offset: e.offset });
      e.needsCopy = true;
    }
    if (deallocate) this.deallocate(s, end - s);
    else this.pmap.writeProtect(s, end);
    return copy;
  }

  /** vm_map_copyout: places a copy anywhere in this map (needs-copy entries); returns the address. */
  copyout(copy: VmMapCopy): number {
    const at = this.findSpace(copy.size);
    this.place(at, copy);
    return at;
  }

  /** vm_map_copy_overwrite: replaces [address, address+size) with the copy. */
  overwrite(address: number, copy: VmMapCopy): void {
    const at = truncPage(address);
    this.checkCovered(at, at + copy.size);
    this.deallocate(at, copy.size);
    this.place(at, copy);
  }

  private place(at: number, copy: VmMapCopy): void {
    for (const c of copy.entries) {
      this.insert({ start: at + c.delta, end: at + c.delta + c.size, object: c.object, offset: c.offset, protection: VM_PROT_DEFAULT, maxProtection: VM_PROT_ALL, needsCopy: true });
    }
    copy.entries = [];
  }

  /** Frees a copy that was never copied out (a destroyed message). */
  discard(copy: VmMapCopy): void {
    for (const c of copy.entries) this.objects.release(c.object);
    copy.entries = [];
  }

  /** Everything goes (task termination). */
  destroy(): void {
    for (const e of this.entries) this.objects.release(e.object);
    this.entries.length = 0;
    this.pmap.destroy();
  }
}
