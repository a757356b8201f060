// Socket buffers (struct sk_buff, include/linux/skbuff.h in 2.0): a packet's bytes
// live in guest physical memory, in pages from the kernel's page allocator (2.0
// kmallocs them: a full loopback frame plus its sk_buff fills one 4 KiB block), so
// every pass over them (the copy from the user, the checksum, the copy to the user)
// goes through the data cache and TLB of the emulated machine. A clone (skb_clone:
// loopback_xmit passes a clone of a segment TCP keeps for retransmission) shares the
// pages: their reference counts keep them until the last user frees them.

import type { PathTouch } from '../../arch/arch';
import type { CorePath } from '../core-paths';
import { PAGE_SIZE, PhysMem } from '../phys-mem';
import type { PageAllocator } from '../mm/page-allocator';

/**
 * Bytes an skb costs its socket beyond its data (skb->truesize - len). Inference: 2.0's
 * loopback MTU of 3924 (see ip.ts) is 4096 - 172, which makes a full frame and its
 * buffer header one 4 KiB kmalloc block; we take those 172 bytes as the per-buffer
 * overhead (struct sk_buff and the hardware-header room). Approx.
 */
export const SKB_OVERHEAD = 172;

export interface SkbEnv {
  readonly mem: PhysMem;
  readonly pages: PageAllocator;
  charge(path: CorePath, units?: number, touch?: PathTouch): void;
}

export class SkBuff {
  /** data length in bytes (from offset 0 of the first page) */
  len: number;
  private freed = false;
  private constructor(
    private readonly env: SkbEnv,
    readonly pages: number[],
    len: number,
  ) {
    this.len = len;
  }

  /** alloc_skb: room for `size` bytes (not cleared: every byte is written before it is read). */
  static alloc(env: SkbEnv, size: number): SkBuff {
    const n = Math.max(1, Math.ceil(size / PAGE_SIZE));
    const pages: number[] = [];
    try {
      for (let i = 0; i < n; i++) pages.push(env.pages.alloc(false));
    } catch (e) {
      for (const p of pages) env.pages.put(p);
      throw e;
    }
    env.charge('net.skb-alloc', 1);
    return new SkBuff(env, pages, size);
  }

  get capacity(): number {
    return this.pages.length * PAGE_SIZE;
  }

  /** what the buffer costs its owner's socket memory (skb->truesize) */
  get truesize(): number {
    return this.len + SKB_OVERHEAD;
  }

  /** skb_clone: a second buffer head over the same data. */
  clone(): SkBuff {
    for (const p of this.pages) this.env.pages.get(p);
    this.env.charge('net.skb-alloc', 1);
    return new SkBuff(this.env, this.pages, this.len);
  }

  /** kfree_skb */
  free(): void {
    if (this.freed) throw new Error('SkBuff: double free');
    this.freed = true;
    for (const p of this.pages) this.env.pages.put(p);
    this.env.charge('net.skb-free', 1);
  }

  get isFreed(): boolean {
    return this.freed;
  }

  write(off: number, bytes: ArrayLike<number>): void {
    if (off + bytes.length > this.capacity) throw new Error(`SkBuff: write of ${bytes.length} at ${off} beyond ${this.capacity}`);
    let done = 0;
    while (done < bytes.length) {
      const o = off + done;
      const chunk = Math.min(bytes.length - done, PAGE_SIZE - (o % PAGE_SIZE));
      const part = bytes instanceof Uint8Array ? bytes.subarray(done, done + chunk) : Array.prototype.slice.call(bytes, done, done + chunk);
      this.env.mem.writeBytes(this.pages[Math.floor(o / PAGE_SIZE)] + (o % PAGE_SIZE), part);
      done += chunk;
    }
  }

  read(off: number, len: number): Uint8Array {
    if (off + len > this.capacity) throw new Error(`SkBuff: read of ${len} at ${off} beyond ${this.capacity}`);
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const o = off + done;
      const chunk = Math.min(len - done, PAGE_SIZE - (o % PAGE_SIZE));
      out.set(this.env.mem.readBytes(this.pages[Math.floor(o / PAGE_SIZE)] + (o % PAGE_SIZE), chunk), done);
      done += chunk;
    }
    return out;
  }

  // header fields in network byte order (big-endian); the memory's 16/32-bit accesses are little-endian
  u8(off: number): number {
    return this.env.mem.read8(this.phys(off));
  }
  u16(off: number): number {
    if (off % PAGE_SIZE > PAGE_SIZE - 2) return (this.u8(off) << 8) | this.u8(off + 1);
    const v = this.env.mem.read16(this.phys(off));
    return ((v & 0xff) << 8) | (v >>> 8);
  }
  u32(off: number): number {
    if (off % PAGE_SIZE > PAGE_SIZE - 4) return ((this.u16(off) << 16) | this.u16(off + 2)) >>> 0;
    const v = this.env.mem.read32(this.phys(off));
    return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
  }
  setU8(off: number, v: number): void {
    this.env.mem.write8(this.phys(off), v & 0xff);
  }
  setU16(off: number, v: number): void {
    this.setU8(off, v >>> 8);
    this.setU8(off + 1, v);
  }
  setU32(off: number, v: number): void {
    this.setU16(off, v >>> 16);
    this.setU16(off + 2, v & 0xffff);
  }

  private phys(off: number): number {
    return this.pages[(off / PAGE_SIZE) | 0] + (off % PAGE_SIZE);
  }

  /** The physical ranges of bytes [off, off+len) (for charging a pass over them). */
  ranges(off: number, len: number): [number, number][] {
    const out: [number, number][] = [];
    let done = 0;
    while (done < len) {
      const o = off + done;
      const chunk = Math.min(len - done, PAGE_SIZE - (o % PAGE_SIZE));
      out.push([this.phys(o), chunk]);
      done += chunk;
    }
    return out;
  }

  /** The 16-bit one's-complement sum of bytes [off, off+len) (csum_partial, unfolded). */
  sum(off: number, len: number, init = 0): number {
    const b = this.read(off, len);
    return onesSum(b, init);
  }
}

/** One's-complement sum of big-endian 16-bit words (an odd last byte is padded with 0). */
export function onesSum(b: Uint8Array, init = 0): number {
  let s = init;
  const n = b.length & ~1;
  for (let i = 0; i < n; i += 2) s += (b[i] << 8) | b[i + 1];
  if (b.length & 1) s += b[b.length - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** Folds and complements a sum: the value that goes into a header's checksum field. */
export function csumFold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}
