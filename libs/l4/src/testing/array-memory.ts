// A plain little-endian memory for unit tests of the kernel parts that need no CPU
// (page tables, the mapping database). Same interface as libs/pentium's PhysicalMemory.
import type { GuestMemory } from '@mklab/pentium';

export class ArrayMemory implements GuestMemory {
  readonly u8: Uint8Array;
  private readonly dv: DataView;
  constructor(readonly size: number) {
    this.u8 = new Uint8Array(size);
    this.dv = new DataView(this.u8.buffer);
  }
  read8(a: number): number {
    return this.u8[a];
  }
  write8(a: number, v: number): void {
    this.u8[a] = v;
  }
  read32(a: number): number {
    return this.dv.getUint32(a, true);
  }
  write32(a: number, v: number): void {
    this.dv.setUint32(a, v >>> 0, true);
  }
  fill(a: number, len: number, v: number): void {
    this.u8.fill(v, a, a + len);
  }
}
