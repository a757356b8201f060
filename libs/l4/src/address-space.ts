// An address space: a real i386 two-level page table in emulated physical memory.
// Every page directory carries the kernel window (4 MiB supervisor pages) and the
// small-space region, whose page tables are shared by all directories; a space is
// either large (its own user part 0–3 GiB, switched by loading CR3) or small (a slot of
// the small-space region, reached through segment base and limit: no CR3 load).
//
// User mappings are 4 KiB pages (PTEs) or 4 MiB superpages (a PDE with PS set, CR4.PSE:
// the P54C has PSE and a separate 8-entry data TLB for 4 MiB pages, pentium-p54c.md).
// Which one a region has is the mapping database's decision (mapping-db.ts): a superpage
// is entered only over a region without 4 KiB mappings, and split into 1024 PTEs before
// a part of it changes.
import type { GuestMemory } from '@mklab/pentium';
import type { FramePool } from './frame-pool';
import { KERNEL_BASE, PAGE_SIZE, SMALL_REGION, SMALL_REGION_BYTES, USER_TOP } from './layout';

export const PTE_P = 1,
  PTE_RW = 2,
  PTE_US = 4,
  PTE_A = 0x20,
  PTE_D = 0x40,
  PDE_PS = 0x80;

/** A superpage: 4 MiB (PSE). */
export const LARGE_PAGE_LOG2 = 22;
export const LARGE_PAGE_SIZE = 1 << LARGE_PAGE_LOG2;

export interface SmallSlot {
  /** small-space number (1..), selects its GDT descriptors */
  number: number;
  /** offset of the slot inside the small-space region */
  offset: number;
  bytes: number;
}

/** The page directories that exist: small-region page tables are entered in all of them. */
export class PageDirectories {
  readonly all = new Set<AddressSpace>();
  /** PDE values of the small-space region (index 0x300..0x37F), shared by every directory */
  readonly smallPdes = new Map<number, number>();
  constructor(
    readonly memory: GuestMemory,
    readonly frames: FramePool,
    /** physical address of the kernel's template directory (kernel window PDEs) */
    readonly kernelPdir: number,
  ) {}
}

export class AddressSpace {
  readonly pdir: number;

  constructor(
    readonly task: number,
    private readonly dirs: PageDirectories,
    readonly small: SmallSlot | null,
    /** called with the linear address of every user mapping removed or write-protected */
    private readonly invalidate: (space: AddressSpace, linear: number) => void,
  ) {
    const mem = dirs.memory;
    this.pdir = dirs.frames.alloc();
    // kernel window: copied from the template
    for (let i = KERNEL_BASE >>> 22; i < 1024; i++) mem.write32(this.pdir + i * 4, mem.read32(dirs.kernelPdir + i * 4));
    for (const [i, pde] of dirs.smallPdes) mem.write32(this.pdir + i * 4, pde);
    dirs.all.add(this);
  }

  /** Bytes of user address space (3 GiB large, the slot size small). */
  get userBytes(): number {
    return this.small ? this.small.bytes : USER_TOP;
  }

  /** Linear address of user virtual address `v` (segment offset for small spaces). */
  linear(v: number): number {
    return this.small ? (SMALL_REGION + this.small.offset + (v >>> 0)) >>> 0 : v >>> 0;
  }

  checkUser(v: number): void {
    if (!(Number.isInteger(v) && v >= 0 && v < this.userBytes)) {
      throw new Error(`address space ${this.task}: 0x${(v >>> 0).toString(16)} is outside its user range (0–0x${this.userBytes.toString(16)})`);
    }
  }

  /** PDE index and value covering user address `v`. */
  private pdeOf(v: number): { di: number; pde: number } {
    const di = this.linear(v) >>> 22;
    return { di, pde: this.dirs.memory.read32(this.pdir + di * 4) >>> 0 };
  }

  /** True when user address `v` lies in a 4 MiB superpage of this space. */
  isLarge(v: number): boolean {
    const { pde } = this.pdeOf(v);
    return (pde & PTE_P) !== 0 && (pde & PDE_PS) !== 0;
  }

  /**
   * Physical address of the entry that maps user address `v`: its PTE, or the PDE of a
   * superpage; -1 when no page table covers it.
   */
  ptePhys(v: number): number {
    const lin = this.linear(v);
    const { di, pde } = this.pdeOf(v);
    if (!(pde & PTE_P)) return -1;
    if (pde & PDE_PS) return this.pdir + di * 4;
    return ((pde & 0xfffff000) >>> 0) + ((lin >>> 12) & 0x3ff) * 4;
  }

  /** The PTE mapping user address `v` (0 when none; for a superpage its PDE). */
  pte(v: number): number {
    const at = this.ptePhys(v);
    return at < 0 ? 0 : this.dirs.memory.read32(at) >>> 0;
  }

  /** Physical frame (4 KiB page) and permission of user address `v`, or null. */
  lookup(v: number): { frame: number; writable: boolean } | null {
    const e = this.pte(v);
    if (!(e & PTE_P)) return null;
    if (e & PDE_PS && this.isLarge(v)) return { frame: ((e & 0xffc00000) + (this.linear(v) & 0x3ff000)) >>> 0, writable: (e & PTE_RW) !== 0 };
    return { frame: (e & 0xfffff000) >>> 0, writable: (e & PTE_RW) !== 0 };
  }

  /** Writes PDE `di`: small-region PDEs are shared, so they go into every directory. */
  private writePde(di: number, pde: number): void {
    const mem = this.dirs.memory;
    if (this.small) {
      if (pde & PTE_P) this.dirs.smallPdes.set(di, pde >>> 0);
      else this.dirs.smallPdes.delete(di);
      for (const s of this.dirs.all) mem.write32(s.pdir + di * 4, pde);
    } else {
      mem.write32(this.pdir + di * 4, pde);
    }
  }

  /** Enters frame → v (4 KiB, user). Allocates the page table on first use. Returns the PTE's physical address. */
  setPte(v: number, frame: number, writable: boolean): number {
    this.checkUser(v);
    const mem = this.dirs.memory;
    const lin = this.linear(v);
    const di = lin >>> 22;
    let pde = mem.read32(this.pdir + di * 4);
    if (pde & PTE_P && pde & PDE_PS) throw new Error(`address space ${this.task}: 0x${(v >>> 0).toString(16)} is inside a superpage (split it first)`);
    if (!(pde & PTE_P)) {
      const pt = this.dirs.frames.alloc();
      pde = (pt | PTE_P | PTE_RW | PTE_US) >>> 0;
      this.writePde(di, pde);
    }
    const at = ((pde & 0xfffff000) >>> 0) + ((lin >>> 12) & 0x3ff) * 4;
    const old = mem.read32(at);
    mem.write32(at, (frame & 0xfffff000) | PTE_P | PTE_US | (writable ? PTE_RW : 0));
    if (old & PTE_P) this.invalidate(this, lin);
    return at;
  }

  /** Removes the mapping of `v` (no-op when none). */
  clearPte(v: number): void {
    if (this.isLarge(v)) throw new Error(`address space ${this.task}: clearPte of 0x${(v >>> 0).toString(16)} inside a superpage`);
    const at = this.ptePhys(v);
    if (at < 0) return;
    const mem = this.dirs.memory;
    if (mem.read32(at) & PTE_P) {
      mem.write32(at, 0);
      this.invalidate(this, this.linear(v));
    }
  }

  /** Clears the write permission of `v`. */
  writeProtect(v: number): void {
    if (this.isLarge(v)) throw new Error(`address space ${this.task}: writeProtect of 0x${(v >>> 0).toString(16)} inside a superpage`);
    const at = this.ptePhys(v);
    if (at < 0) return;
    const mem = this.dirs.memory;
    const e = mem.read32(at);
    if (e & PTE_P && e & PTE_RW) {
      mem.write32(at, e & ~(PTE_RW | PTE_D));
      this.invalidate(this, this.linear(v));
    }
  }

  // ---- superpages (4 MiB, PSE)

  private checkLarge(v: number): void {
    if (!(Number.isInteger(v) && v >= 0 && v % LARGE_PAGE_SIZE === 0 && v + LARGE_PAGE_SIZE <= this.userBytes)) {
      throw new Error(`address space ${this.task}: 0x${(v >>> 0).toString(16)} is not a 4 MiB-aligned superpage inside its user range (0–0x${this.userBytes.toString(16)})`);
    }
  }

  /**
   * Enters a 4 MiB superpage frame → v (both 4 MiB aligned). The region must hold no
   * 4 KiB mapping; an empty page table left there is returned to the kernel's pool.
   * Returns the PDE's physical address.
   */
  setLarge(v: number, frame: number, writable: boolean): number {
    this.checkLarge(v);
    if (frame % LARGE_PAGE_SIZE !== 0) throw new Error(`address space ${this.task}: superpage frame 0x${frame.toString(16)} is not 4 MiB aligned`);
    const mem = this.dirs.memory;
    const { di, pde } = this.pdeOf(v);
    if (pde & PTE_P && !(pde & PDE_PS)) {
      const pt = (pde & 0xfffff000) >>> 0;
      for (let i = 0; i < 1024; i++) {
        if (mem.read32(pt + i * 4) & PTE_P) throw new Error(`address space ${this.task}: superpage at 0x${(v >>> 0).toString(16)} over 4 KiB mappings`);
      }
      this.dirs.frames.release(pt);
    }
    this.writePde(di, (frame | PTE_P | PTE_US | PDE_PS | (writable ? PTE_RW : 0)) >>> 0);
    if (pde & PTE_P && pde & PDE_PS) this.invalidate(this, this.linear(v));
    return this.pdir + di * 4;
  }

  /** Removes the superpage at `v`. */
  clearLarge(v: number): void {
    this.checkLarge(v);
    const { di, pde } = this.pdeOf(v);
    if (!(pde & PTE_P && pde & PDE_PS)) throw new Error(`address space ${this.task}: no superpage at 0x${(v >>> 0).toString(16)}`);
    this.writePde(di, 0);
    this.invalidate(this, this.linear(v));
  }

  /** Clears the write permission of the superpage at `v`. */
  writeProtectLarge(v: number): void {
    this.checkLarge(v);
    const { di, pde } = this.pdeOf(v);
    if (!(pde & PTE_P && pde & PDE_PS)) throw new Error(`address space ${this.task}: no superpage at 0x${(v >>> 0).toString(16)}`);
    if (pde & PTE_RW) {
      this.writePde(di, pde & ~(PTE_RW | PTE_D));
      this.invalidate(this, this.linear(v));
    }
  }

  /**
   * Replaces the superpage at `v` by a page table of 1024 PTEs with the same frames and
   * rights (before a part of it is unmapped, protected or remapped).
   */
  splitLarge(v: number): void {
    this.checkLarge(v);
    const mem = this.dirs.memory;
    const { di, pde } = this.pdeOf(v);
    if (!(pde & PTE_P && pde & PDE_PS)) throw new Error(`address space ${this.task}: no superpage at 0x${(v >>> 0).toString(16)}`);
    const pt = this.dirs.frames.alloc();
    const base = (pde & 0xffc00000) >>> 0;
    const rights = PTE_P | PTE_US | (pde & PTE_RW);
    for (let i = 0; i < 1024; i++) mem.write32(pt + i * 4, (base + i * PAGE_SIZE) | rights);
    this.writePde(di, (pt | PTE_P | PTE_RW | PTE_US) >>> 0);
    this.invalidate(this, this.linear(v));
  }

  /** Frees the directory and the private page tables (small-region tables stay: they are shared). */
  destroy(): void {
    const mem = this.dirs.memory;
    if (!this.small) {
      for (let i = 0; i < USER_TOP >>> 22; i++) {
        const pde = mem.read32(this.pdir + i * 4);
        if (pde & PTE_P && !(pde & PDE_PS)) this.dirs.frames.release((pde & 0xfffff000) >>> 0);
      }
    }
    this.dirs.all.delete(this);
    this.dirs.frames.release(this.pdir);
  }
}

/** Hands out slots of the small-space region (first fit, sizes 4 MiB … 512 MiB, naturally aligned). */
export class SmallSpaceAllocator {
  private readonly used: SmallSlot[] = [];

  constructor(private readonly maxSlots: number) {}

  alloc(bytes: number): SmallSlot | null {
    if (!(bytes >= 1 << 22 && bytes <= SMALL_REGION_BYTES && (bytes & (bytes - 1)) === 0)) {
      throw new Error(`small space: size ${bytes} must be a power of two from 4 MiB to 512 MiB`);
    }
    if (this.used.length >= this.maxSlots) return null;
    for (let off = 0; off + bytes <= SMALL_REGION_BYTES; off += bytes) {
      if (this.used.every((s) => off + bytes <= s.offset || s.offset + s.bytes <= off)) {
        let n = 1;
        while (this.used.some((s) => s.number === n)) n++;
        const slot = { number: n, offset: off, bytes };
        this.used.push(slot);
        return slot;
      }
    }
    return null;
  }

  release(slot: SmallSlot): void {
    const i = this.used.indexOf(slot);
    if (i >= 0) this.used.splice(i, 1);
  }
}

export { PAGE_SIZE };
