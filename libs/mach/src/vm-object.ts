// A memory object as the kernel caches it (Mach's vm_object): resident pages by
// offset, an optional shadow (the object this one is a copy-on-write copy of), and
// the pager that supplies pages the object does not hold — the default pager (zero
// fill for anonymous memory) or an external pager, a port the kernel sends
// memory_object_data_request to (vm-fault.ts, pager.ts).
import type { FramePool } from './pmap';
import type { Port } from './port';
import type { Thread } from './thread';
import type { GuestMemory } from '@mklab/pentium';
import { PAGE_SIZE } from './layout';

export class VmObject {
  readonly pages = new Map<number, number>();
  shadow: VmObject | null = null;
  shadowOffset = 0;
  /** null: the default pager (anonymous memory, zero fill) */
  pager: Port | null = null;
  /** the control port the pager answers on (kernel-served) */
  control: Port | null = null;
  /** faults waiting for the pager, by page offset */
  readonly pending = new Map<number, Thread[]>();
  /** access the pager prohibits, by page offset (memory_object lock values: VM_PROT_WRITE = read-only) */
  readonly locks = new Map<number, number>();
  /**
   * Its pages are not Mach's: physical pages its pager owns and supplied in place (as
   * Mach's device pager supplies fictitious pages for device memory). They are never
   * freed into Mach's page pool, and never copied.
   */
  physical = false;
  /** the map its entries live in, for a pager's flush (set by whoever maps it; one map) */
  mappedIn: import('./vm-map').VmMap | null = null;
  refs = 1;

  constructor(
    readonly id: number,
    readonly size: number,
  ) {}

  toString(): string {
    return `vm_object ${this.id}`;
  }
}

export class VmObjects {
  private nextId = 1;
  constructor(
    readonly memory: GuestMemory,
    readonly pages: FramePool,
  ) {}

  create(size: number): VmObject {
    return new VmObject(this.nextId++, size);
  }

  /** A shadow of `backing` for a copy-on-write copy (vm_object_shadow); takes the caller's reference to `backing`. */
  shadow(backing: VmObject, offset: number, size: number): VmObject {
    const o = this.create(size);
    o.shadow = backing;
    o.shadowOffset = offset;
    return o;
  }

  reference(o: VmObject): VmObject {
    o.refs++;
    return o;
  }

  /** Drops a reference; the last one frees the pages and the shadow chain's reference. */
  release(o: VmObject | null): void {
    while (o && --o.refs === 0) {
      if (!o.physical) for (const frame of o.pages.values()) this.pages.release(frame);
      o.pages.clear();
      const next: VmObject | null = o.shadow;
      o.shadow = null;
      o = next;
    }
  }

  /** A fresh page, zero filled. */
  allocPage(): number {
    return this.pages.alloc();
  }

  /** A new page holding a copy of `frame`'s contents (the copy of copy-on-write). */
  copyPage(frame: number): number {
    const f = this.pages.alloc();
    for (let i = 0; i < PAGE_SIZE; i += 4) this.memory.write32(f + i, this.memory.read32(frame + i));
    return f;
  }
}
