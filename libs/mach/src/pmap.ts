// The physical map (Mach's pmap, i386): one real two-level page table per task in
// emulated memory, with the kernel window (4 MiB supervisor pages) copied into every
// directory. Mach's machine-independent VM (vm-map.ts) decides; the pmap only enters,
// protects and removes hardware mappings — and may forget them at any time.
import type { GuestMemory } from '@mklab/pentium';
import { KERNEL_BASE, PAGE_SIZE, USER_TOP } from './layout';

export const PTE_P = 1,
  PTE_RW = 2,
  PTE_US = 4,
  PTE_D = 0x40,
  PDE_PS = 0x80;

/** A pool of kernel page frames (page directories and tables), lowest address first. */
export class FramePool {
  private readonly free: number[] = [];
  constructor(
    private readonly memory: GuestMemory,
    readonly start: number,
    readonly end: number,
  ) {
    if (start % PAGE_SIZE || end % PAGE_SIZE || end <= start || end > memory.size) throw new Error(`mach FramePool: bad range 0x${start.toString(16)}–0x${end.toString(16)}`);
    for (let a = end - PAGE_SIZE; a >= start; a -= PAGE_SIZE) this.free.push(a);
  }
  get available(): number {
    return this.free.length;
  }
  alloc(): number {
    const f = this.free.pop();
    if (f === undefined) throw new Error(`mach: out of frames in 0x${this.start.toString(16)}–0x${this.end.toString(16)}`);
    this.memory.fill(f, PAGE_SIZE, 0);
    return f;
  }
  release(frame: number): void {
    if (frame < this.start || frame >= this.end || frame % PAGE_SIZE) throw new Error(`mach FramePool.release: 0x${frame.toString(16)} is not a pool frame`);
    this.free.push(frame);
  }
}

export class Pmap {
  readonly pdir: number;
  constructor(
    private readonly memory: GuestMemory,
    private readonly tables: FramePool,
    kernelPdir: number,
    /** called with the linear address of every mapping removed or write-protected */
    private readonly invalidate: (pmap: Pmap, va: number) => void,
  ) {
    this.pdir = tables.alloc();
    for (let i = KERNEL_BASE >>> 22; i < 1024; i++) memory.write32(this.pdir + i * 4, memory.read32(kernelPdir + i * 4));
  }

  /** Physical address of the PTE of `va`, or -1 when no page table covers it. */
  ptePhys(va: number): number {
    const pde = this.memory.read32(this.pdir + (va >>> 22) * 4);
    if (!(pde & PTE_P)) return -1;
    return ((pde & 0xfffff000) >>> 0) + ((va >>> 12) & 0x3ff) * 4;
  }

  /** The frame and write permission `va` is mapped with, or null. */
  extract(va: number): { frame: number; writable: boolean } | null {
    const at = this.ptePhys(va);
    if (at < 0) return null;
    const e = this.memory.read32(at);
    return e & PTE_P ? { frame: (e & 0xfffff000) >>> 0, writable: (e & PTE_RW) !== 0 } : null;
  }

  /** pmap_enter: map `frame` at `va` (user). Returns the PTE's physical address. */
  enter(va: number, frame: number, writable: boolean): number {
    if (!(va >= 0 && va < USER_TOP)) throw new Error(`pmap: 0x${(va >>> 0).toString(16)} is outside user space`);
    const di = va >>> 22;
    let pde = this.memory.read32(this.pdir + di * 4);
    if (!(pde & PTE_P)) {
      pde = (this.tables.alloc() | PTE_P | PTE_RW | PTE_US) >>> 0;
      this.memory.write32(this.pdir + di * 4, pde);
    }
    const at = ((pde & 0xfffff000) >>> 0) + ((va >>> 12) & 0x3ff) * 4;
    const old = this.memory.read32(at);
    this.memory.write32(at, ((frame & 0xfffff000) | PTE_P | PTE_US | (writable ? PTE_RW : 0)) >>> 0);
    if (old & PTE_P) this.invalidate(this, va);
    return at;
  }

  /** pmap_remove over [start, end). */
  remove(start: number, end: number): void {
    for (let va = start; va < end; va += PAGE_SIZE) {
      const at = this.ptePhys(va);
      if (at >= 0 && this.memory.read32(at) & PTE_P) {
        this.memory.write32(at, 0);
        this.invalidate(this, va);
      }
    }
  }

  /** pmap_protect: drop write permission over [start, end). */
  writeProtect(start: number, end: number): void {
    for (let va = start; va < end; va += PAGE_SIZE) {
      const at = this.ptePhys(va);
      if (at < 0) continue;
      const e = this.memory.read32(at);
      if (e & PTE_P && e & PTE_RW) {
        this.memory.write32(at, (e & ~(PTE_RW | PTE_D)) >>> 0);
        this.invalidate(this, va);
      }
    }
  }

  destroy(): void {
    for (let i = 0; i < USER_TOP >>> 22; i++) {
      const pde = this.memory.read32(this.pdir + i * 4);
      if (pde & PTE_P) this.tables.release((pde & 0xfffff000) >>> 0);
    }
    this.tables.release(this.pdir);
  }
}
