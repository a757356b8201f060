// The buffer cache (Linux 2.0 fs/buffer.c): 1 KiB block buffers in guest physical
// memory (four to a page, pages from the kernel's page allocator), found by block
// number, read and written by the block driver. getblk finds or makes a buffer
// without reading it; bread reads it when it is not up to date (starting the read and
// throwing IoWait when a read must happen); dirty buffers go back to the disk on sync
// (sorted by block, so the driver's elevator can merge neighbours into one command),
// fsync, O_SYNC writes, or when too many are dirty. Clean, unpinned buffers are
// evicted least-recently-used, but only between operations (trim, at each system
// call): an operation's buffers stay put from its reads to its changes.

import { IoWait, IoWaitQueue } from './io-wait';
import type { PhysMem } from '../phys-mem';
import { PAGE_SIZE } from '../phys-mem';

export const BUFFER_SIZE = 1024;

export class BufferHead {
  uptodate = false;
  dirty = false;
  /** I/O in flight */
  locked = false;
  /** pins: the file system holds it (bitmaps, superblock, an open file's indirect blocks) */
  pins = 0;
  lastUse = 0;
  /** jiffies when it became dirty (bdflush's age) */
  dirtySince = 0;
  readonly wait: IoWaitQueue;
  constructor(
    readonly block: number,
    /** guest physical address of the buffer's 1 KiB */
    readonly phys: number,
  ) {
    this.wait = new IoWaitQueue(`buffer-${block}`);
  }
}

/** What the cache needs of the block driver. */
export interface BlockDriver {
  /** Starts reading or writing the buffers (locked by the cache); the driver unlocks and wakes them when done. */
  submit(write: boolean, bhs: BufferHead[]): void;
  /** Boot time (no process runs yet, no interrupts): read synchronously. */
  readNow?(bh: BufferHead): void;
}

export interface BufferEnv {
  mem: PhysMem;
  allocPage(): number;
  count(name: string, n?: number): void;
  charge(path: 'fs.getblk', units?: number): void;
  /** the timer's jiffies (the age of dirty buffers) */
  jiffies?(): number;
}

export class BufferCache {
  private readonly map = new Map<number, BufferHead>();
  private readonly freeSlots: number[] = [];
  private clock = 0;
  private dirtyCount = 0;
  /** before the first process runs: reads complete synchronously (the boot loader's disk access) */
  booting = true;

  constructor(
    private readonly env: BufferEnv,
    readonly driver: BlockDriver,
    /** soft limit on the number of buffers (the cache grows past it only when nothing can be evicted) */
    readonly maxBuffers: number,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get dirty(): number {
    return this.dirtyCount;
  }

  /** The buffer for `block` (created empty, not read). */
  getblk(block: number): BufferHead {
    this.env.charge('fs.getblk');
    let bh = this.map.get(block);
    if (bh) {
      bh.lastUse = ++this.clock;
      return bh;
    }
    const slot = this.freeSlots.pop() ?? this.newSlots();
    bh = new BufferHead(block, slot);
    bh.lastUse = ++this.clock;
    this.map.set(block, bh);
    return bh;
  }

  /** A buffer that is up to date, or IoWait after starting its read. */
  bread(block: number): BufferHead {
    const bh = this.getblk(block);
    if (bh.uptodate) {
      this.env.count('bufferHits');
      return bh;
    }
    this.env.count('bufferMisses');
    this.startRead([bh]);
    if (bh.uptodate) return bh;
    throw new IoWait(bh.wait, `read block ${block}`);
  }

  /** Makes sure every block is up to date: starts all missing reads at once (one sorted batch), then IoWait on the first. */
  ensure(blocks: number[]): BufferHead[] {
    const bhs = blocks.map((b) => this.getblk(b));
    const missing = bhs.filter((b) => !b.uptodate);
    if (missing.length === 0) {
      this.env.count('bufferHits', bhs.length);
      return bhs;
    }
    this.env.count('bufferMisses', missing.length);
    this.startRead(missing);
    const still = missing.find((b) => !b.uptodate);
    if (still) throw new IoWait(still.wait, `read ${missing.length} blocks`);
    return bhs;
  }

  private startRead(bhs: BufferHead[]): void {
    const todo = bhs.filter((b) => !b.locked && !b.uptodate);
    if (this.booting && this.driver.readNow) {
      for (const b of todo) this.driver.readNow(b);
      return;
    }
    for (const b of todo) b.locked = true;
    if (todo.length) this.driver.submit(false, todo.sort((a, b) => a.block - b.block));
  }

  read(bh: BufferHead): Uint8Array {
    return this.env.mem.readBytes(bh.phys, BUFFER_SIZE);
  }

  /** Writes bytes into an up-to-date (or wholly overwritten) buffer and marks it dirty. */
  write(bh: BufferHead, offset: number, bytes: Uint8Array): void {
    this.env.mem.writeBytes(bh.phys + offset, bytes);
    this.markDirty(bh);
  }

  /** A fresh block: zero-filled, up to date, dirty (getblk + memset in ext2's allocator). */
  zero(bh: BufferHead): void {
    this.env.mem.fill(bh.phys, BUFFER_SIZE, 0);
    bh.uptodate = true;
    this.markDirty(bh);
  }

  markDirty(bh: BufferHead): void {
    bh.uptodate = true;
    if (!bh.dirty) {
      bh.dirty = true;
      bh.dirtySince = this.env.jiffies?.() ?? 0;
      this.dirtyCount++;
    }
  }

  /** The driver finished a buffer. */
  ioDone(bh: BufferHead, write: boolean): void {
    bh.locked = false;
    if (!write) bh.uptodate = true;
  }

  /** Drops a block (freed by the file system): no write-back. */
  forget(block: number): void {
    const bh = this.map.get(block);
    if (!bh || bh.locked || bh.pins > 0) {
      if (bh && bh.dirty && !bh.locked) {
        bh.dirty = false;
        this.dirtyCount--;
      }
      return;
    }
    if (bh.dirty) this.dirtyCount--;
    this.map.delete(block);
    this.freeSlots.push(bh.phys);
  }

  /**
   * Starts writing `bhs` (or every dirty buffer) back, sorted by block; returns the
   * buffers now in flight (wait on them with waitAll).
   */
  writeBack(bhs?: BufferHead[]): BufferHead[] {
    const list = (bhs ?? [...this.map.values()]).filter((b) => b.dirty && !b.locked).sort((a, b) => a.block - b.block);
    for (const b of list) {
      b.dirty = false;
      this.dirtyCount--;
      b.locked = true;
    }
    if (list.length) this.driver.submit(true, list);
    return list;
  }

  /** Starts writing back the buffers dirty since `before` jiffies or earlier (bdflush's aged flush). */
  flushOlderThan(before: number): number {
    if (this.dirtyCount === 0) return 0;
    return this.writeBack([...this.map.values()].filter((b) => b.dirty && b.dirtySince <= before)).length;
  }

  /** Buffers of `blocks` that are dirty. */
  dirtyOf(blocks: Iterable<number>): BufferHead[] {
    const out: BufferHead[] = [];
    for (const b of blocks) {
      const bh = this.map.get(b);
      if (bh && bh.dirty) out.push(bh);
    }
    return out;
  }

  /** Every buffer with I/O in flight. */
  locked(): BufferHead[] {
    return [...this.map.values()].filter((b) => b.locked);
  }

  peek(block: number): BufferHead | undefined {
    return this.map.get(block);
  }

  private newSlots(): number {
    const page = this.env.allocPage();
    for (let i = PAGE_SIZE / BUFFER_SIZE - 1; i >= 1; i--) this.freeSlots.push(page + i * BUFFER_SIZE);
    return page;
  }

  /**
   * Brings the cache back under its size (called between operations): drops the least
   * recently used clean, idle, unpinned buffers down to nine tenths of the size; when
   * dirty buffers are in the way, starts writing the oldest back (bdflush's job).
   */
  trim(): void {
    if (this.map.size <= this.maxBuffers) return;
    const target = Math.floor((this.maxBuffers * 9) / 10);
    const victims = [...this.map.values()].filter((b) => !b.dirty && !b.locked && b.pins === 0).sort((a, b) => a.lastUse - b.lastUse);
    let n = this.map.size - target;
    for (const v of victims) {
      if (n <= 0) break;
      this.map.delete(v.block);
      this.freeSlots.push(v.phys);
      n--;
    }
    if (n > 0) {
      const dirty = [...this.map.values()].filter((b) => b.dirty && !b.locked).sort((a, b) => a.lastUse - b.lastUse);
      this.writeBack(dirty.slice(0, n));
    }
  }
}
