// Physical memory of the emulated PC: one flat little-endian byte array, at address 0
// of the machine's linear memory (linear-memory.ts), whose state region the CPU and the
// timing model allocate their tables from.
//
// The CPU's decode cache registers the pages that hold pre-decoded code
// (`markCode`); any write to such a page, by the CPU, a kernel written in
// TypeScript or a device, calls the write hook so stale decoded code is dropped.
// Reads and writes outside the installed memory read as 0xFF / are ignored,
// like an ISA bus with nothing behind the address.

import { LinearMemory } from './linear-memory';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

export class PhysicalMemory {
  readonly size: number;
  /** the WebAssembly.Memory this RAM starts, with the machine's state region above it */
  readonly linear: LinearMemory;
  readonly u8: Uint8Array;
  /** aligned views for the fast paths (index = address >> 1 / >> 2) */
  readonly u16: Uint16Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  /** 1 for every 4 KiB page that holds decoded code (see markCode) */
  readonly codePages: Uint8Array;
  /** called with the physical page number when a page holding decoded code is written */
  onCodeWrite: (page: number) => void = () => {};

  constructor(sizeBytes: number = 64 << 20, stateBytes: number = LinearMemory.DEFAULT_STATE_BYTES) {
    if (!Number.isInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes % PAGE_SIZE !== 0 || sizeBytes > 1 << 30) {
      throw new Error(`PhysicalMemory: size must be a positive multiple of 4096 up to 1 GiB, got ${sizeBytes}`);
    }
    this.size = sizeBytes;
    this.linear = new LinearMemory(sizeBytes, stateBytes);
    const buf = this.linear.buffer;
    this.u8 = new Uint8Array(buf, 0, sizeBytes);
    this.u16 = new Uint16Array(buf, 0, sizeBytes >>> 1);
    this.u32 = new Uint32Array(buf, 0, sizeBytes >>> 2);
    this.i32 = new Int32Array(buf, 0, sizeBytes >>> 2);
    // compiled code checks it on every store (self-modifying code)
    this.codePages = this.linear.u8(sizeBytes >>> PAGE_SHIFT);
  }

  markCode(page: number): void {
    this.codePages[page] = 1;
  }

  unmarkCode(page: number): void {
    this.codePages[page] = 0;
  }

  private checkCode(addr: number, len: number): void {
    const first = addr >>> PAGE_SHIFT;
    const last = (addr + len - 1) >>> PAGE_SHIFT;
    for (let p = first; p <= last; p++) {
      if (this.codePages[p]) {
        this.codePages[p] = 0;
        this.onCodeWrite(p);
      }
    }
  }

  read8(addr: number): number {
    addr >>>= 0;
    return addr < this.size ? this.u8[addr] : 0xff;
  }

  read16(addr: number): number {
    addr >>>= 0;
    if ((addr & 1) === 0 && addr < this.size) return this.u16[addr >>> 1];
    return this.read8(addr) | (this.read8(addr + 1) << 8);
  }

  read32(addr: number): number {
    addr >>>= 0;
    if ((addr & 3) === 0 && addr < this.size) return this.u32[addr >>> 2];
    return (this.read8(addr) | (this.read8(addr + 1) << 8) | (this.read8(addr + 2) << 16) | (this.read8(addr + 3) << 24)) >>> 0;
  }

  write8(addr: number, v: number): void {
    addr >>>= 0;
    if (addr >= this.size) return;
    if (this.codePages[addr >>> PAGE_SHIFT]) this.checkCode(addr, 1);
    this.u8[addr] = v;
  }

  write16(addr: number, v: number): void {
    addr >>>= 0;
    if ((addr & 1) === 0 && addr < this.size) {
      if (this.codePages[addr >>> PAGE_SHIFT]) this.checkCode(addr, 2);
      this.u16[addr >>> 1] = v;
      return;
    }
    this.write8(addr, v);
    this.write8(addr + 1, v >>> 8);
  }

  write32(addr: number, v: number): void {
    addr >>>= 0;
    if ((addr & 3) === 0 && addr < this.size) {
      if (this.codePages[addr >>> PAGE_SHIFT]) this.checkCode(addr, 4);
      this.u32[addr >>> 2] = v;
      return;
    }
    this.write8(addr, v);
    this.write8(addr + 1, v >>> 8);
    this.write8(addr + 2, v >>> 16);
    this.write8(addr + 3, v >>> 24);
  }

  readBytes(addr: number, len: number): Uint8Array {
    this.checkRange(addr, len);
    return this.u8.slice(addr, addr + len);
  }

  writeBytes(addr: number, bytes: ArrayLike<number>): void {
    this.checkRange(addr, bytes.length);
    this.checkCode(addr, bytes.length || 1);
    this.u8.set(bytes, addr);
  }

  fill(addr: number, len: number, value: number): void {
    this.checkRange(addr, len);
    if (len === 0) return;
    this.checkCode(addr, len);
    this.u8.fill(value, addr, addr + len);
  }

  /** Reads a NUL-terminated string (at most maxLen bytes), decoded as latin1. */
  readCString(addr: number, maxLen = 4096): string {
    let s = '';
    for (let i = 0; i < maxLen; i++) {
      const b = this.read8(addr + i);
      if (b === 0) break;
      s += String.fromCharCode(b);
    }
    return s;
  }

  private checkRange(addr: number, len: number): void {
    if (!Number.isInteger(addr) || !Number.isInteger(len) || addr < 0 || len < 0 || addr + len > this.size) {
      throw new RangeError(`PhysicalMemory: range [${addr}, +${len}) outside 0..${this.size}`);
    }
  }
}
