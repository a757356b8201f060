// What the core needs of guest physical memory. libs/pentium's PhysicalMemory
// satisfies it; the core never holds a host pointer into guest memory beyond this.

export interface PhysMem {
  readonly size: number;
  read8(addr: number): number;
  read16(addr: number): number;
  read32(addr: number): number;
  write8(addr: number, v: number): void;
  write16(addr: number, v: number): void;
  write32(addr: number, v: number): void;
  readBytes(addr: number, len: number): Uint8Array;
  writeBytes(addr: number, bytes: ArrayLike<number>): void;
  fill(addr: number, len: number, value: number): void;
}

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;
export const PAGE_MASK = ~(PAGE_SIZE - 1) >>> 0;

export const pageAlignDown = (a: number): number => (a & PAGE_MASK) >>> 0;
export const pageAlignUp = (a: number): number => (pageAlignDown(a + PAGE_SIZE - 1)) >>> 0;
