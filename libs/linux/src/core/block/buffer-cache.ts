// The buffer cache (Linux 2.0 fs/buffer.c): 1 KiB block buffers in guest physical
// memory (four to a page, pages from the kernel's page allocator), found by block
// number, read and written by the block driver. getblk finds or makes a buffer
// without reading it; bread reads it when it is not up to date (starting the read and
// throwing IoWait when a read must happen); dirty buffers go back to the disk on sync
// (sorted by block, so the driver's elevator can merge neighbours into one command),
// fsync, O_SYNC writes, or when memory runs short.
//
// Its size follows free memory, as 2.0's does (no fixed size): a buffer that needs a
// slot takes a new page while the allocator has more than 2 x min_free_pages free
// (refill_freelist's grow_buffers loop), and otherwise recycles the least recently used
// clean, idle buffers, nrefill (64) at a time. When the allocator falls to
// min_free_pages it asks the cache for pages back (try_to_free_page -> shrink_mmap ->
// try_to_free_buffer: a page goes when all four of its buffers can), and between system
// calls below free_pages_low the cache gives pages back up to free_pages_high (kswapd),
// starting the write-back of the oldest dirty buffers when they are in the way (bdflush).
// A buffer the current operation touched (since the last system call's entry) is never
// taken: an operation's buffers stay put from its reads to its changes.
//
// With a fixed size (a test's small cache), trim brings the cache back under it between
// operations instead.

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
  /**
   * The page allocator (nr_free_pages, free_page and its watermarks): with it and no
   * fixed size the cache grows into free memory and gives pages back under pressure.
   */
  pages?: {
    readonly freePages: number;
    readonly minFreePages: number;
    readonly freePagesLow: number;
    readonly freePagesHigh: number;
    put(addr: number): void;
    addShrinker(fn: (pages: number) => number): void;
  };
}

/** 2.0 fs/buffer.c bdf_prm: nrefill, "Number of clean buffers to try to obtain each time we call refill" (64). */
export const NREFILL = 64;
/** 2.0 fs/buffer.c bdf_prm: ndirty, "Maximum number of dirty blocks to write out per wake-cycle" (500). */
export const NDIRTY = 500;
const BUFFERS_PER_PAGE = PAGE_SIZE / BUFFER_SIZE;

export class BufferCache {
  /** block -> buffer, in least-recently-used order (a use moves a buffer to the end) */
  private readonly map = new Map<number, BufferHead>();
  private readonly freeSlots: number[] = [];
  /** slot address -> its buffer (slots of the cache's pages that are in use) */
  private readonly owner = new Map<number, BufferHead>();
  /** pages the cache holds */
  private readonly pagesHeld = new Set<number>();
  private clock = 0;
  /** the clock at the current operation's start: buffers used after it are the operation's */
  private opStart = 0;
  private dirtyCount = 0;
  /** before the first process runs: reads complete synchronously (the boot loader's disk access) */
  booting = true;

  constructor(
    private readonly env: BufferEnv,
    readonly driver: BlockDriver,
    /**
     * A fixed soft limit on the number of buffers (trim brings the cache back to it
     * between operations). Without it the cache is sized by free memory (env.pages).
     */
    readonly maxBuffers?: number,
  ) {
    if (maxBuffers === undefined && !env.pages) throw new Error('BufferCache: needs a fixed size or the page allocator');
    if (maxBuffers === undefined) env.pages!.addShrinker((n) => this.shrink(n));
  }

  get size(): number {
    return this.map.size;
  }

  /** pages of memory the cache holds (buffermem / PAGE_SIZE) */
  get pages(): number {
    return this.pagesHeld.size;
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
      this.map.delete(block); // to the end of the LRU order
      this.map.set(block, bh);
      return bh;
    }
    const slot = this.freeSlots.pop() ?? this.refill();
    bh = new BufferHead(block, slot);
    bh.lastUse = ++this.clock;
    this.map.set(block, bh);
    this.owner.set(slot, bh);
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
    this.drop(bh);
  }

  /** A buffer leaves the cache; its slot becomes free. */
  private drop(bh: BufferHead): void {
    this.map.delete(bh.block);
    this.owner.delete(bh.phys);
    this.freeSlots.push(bh.phys);
  }

  /** Can go: clean, no I/O, not pinned, not used by the current operation. */
  private idle(bh: BufferHead): boolean {
    return !bh.dirty && !bh.locked && bh.pins === 0 && bh.lastUse <= this.opStart;
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
    this.pagesHeld.add(page);
    for (let i = BUFFERS_PER_PAGE - 1; i >= 1; i--) this.freeSlots.push(page + i * BUFFER_SIZE);
    return page;
  }

  /**
   * A slot when none is free (2.0 refill_freelist): a new page while the allocator has
   * more than 2 x min_free_pages free ("while ((nr_free_pages > min_free_pages*2) && ...
   * grow_buffers(GFP_BUFFER, size))"); otherwise up to NREFILL of the least recently
   * used idle buffers are recycled; with none idle, the write-back of the oldest dirty
   * buffers starts (bdflush, woken) so that they can be recycled once written, and a
   * page is taken anyway (the allocator's reclaim may give it from elsewhere).
   */
  private refill(): number {
    const pages = this.env.pages;
    if (this.maxBuffers !== undefined || !pages || pages.freePages > 2 * pages.minFreePages) return this.newSlots();
    const slot = this.recycle() ?? (this.flushOldest(NDIRTY), this.recycle()); // a write-back that completed at once frees them
    return slot ?? this.newSlots();
  }

  /** Frees up to NREFILL of the least recently used idle buffers; one of their slots. */
  private recycle(): number | undefined {
    let n = 0;
    for (const bh of this.map.values()) {
      if (n >= NREFILL) break;
      if (!this.idle(bh)) continue;
      this.drop(bh);
      n++;
    }
    return this.freeSlots.pop();
  }

  /** Starts writing back up to `n` of the least recently used dirty buffers (bdflush's wake-up). */
  private flushOldest(n: number): void {
    if (this.dirtyCount === 0) return;
    const list: BufferHead[] = [];
    for (const bh of this.map.values()) {
      if (list.length >= n) break;
      if (bh.dirty && !bh.locked) list.push(bh);
    }
    this.writeBack(list);
  }

  /**
   * Gives up to `want` pages back to the allocator (shrink_mmap / try_to_free_buffer):
   * first pages whose four slots are all free, then, least recently used first, pages
   * whose every buffer is idle. Returns the number of pages freed.
   */
  shrink(want: number): number {
    const pages = this.env.pages;
    if (!pages || want <= 0) return 0;
    const free = new Set(this.freeSlots);
    const slots = (page: number) => Array.from({ length: BUFFERS_PER_PAGE }, (_, i) => page + i * BUFFER_SIZE);
    const victims: number[] = [];
    for (const page of this.freeSlots.length >= BUFFERS_PER_PAGE ? this.pagesHeld : []) {
      if (victims.length >= want) break;
      if (slots(page).every((s) => free.has(s))) victims.push(page);
    }
    if (victims.length < want) {
      const seen = new Set(victims);
      for (const bh of this.map.values()) {
        if (victims.length >= want) break;
        const page = bh.phys - (bh.phys % PAGE_SIZE);
        if (seen.has(page) || !this.idle(bh)) continue;
        seen.add(page);
        if (
          slots(page).every((s) => {
            const o = this.owner.get(s);
            return o ? this.idle(o) : free.has(s);
          })
        )
          victims.push(page);
      }
    }
    if (victims.length === 0) return 0;
    const gone = new Set<number>();
    for (const page of victims) {
      for (const s of slots(page)) {
        const o = this.owner.get(s);
        if (o) {
          this.map.delete(o.block);
          this.owner.delete(s);
        }
        gone.add(s);
      }
      this.pagesHeld.delete(page);
    }
    let k = 0;
    for (const s of this.freeSlots) if (!gone.has(s)) this.freeSlots[k++] = s;
    this.freeSlots.length = k;
    for (const page of victims) pages.put(page);
    this.env.count('bufferPagesFreed', victims.length);
    return victims.length;
  }

  /**
   * Between operations (at each system call): the current operation's buffers are
   * released. Sized by free memory: below free_pages_low, pages go back up to
   * free_pages_high (kswapd), and when dirty buffers are in the way their write-back
   * starts (bdflush). With a fixed size: drops the least recently used clean, idle,
   * unpinned buffers down to nine tenths of it, starting the write-back of the oldest
   * dirty ones when they are in the way.
   */
  trim(): void {
    this.opStart = this.clock;
    const pages = this.env.pages;
    if (this.maxBuffers === undefined) {
      if (!pages || pages.freePages >= pages.freePagesLow) return;
      const want = pages.freePagesHigh - pages.freePages;
      const got = this.shrink(want);
      if (got < want) this.flushOldest(Math.min(NDIRTY, (want - got) * BUFFERS_PER_PAGE));
      return;
    }
    if (this.map.size <= this.maxBuffers) return;
    const target = Math.floor((this.maxBuffers * 9) / 10);
    let n = this.map.size - target;
    for (const v of [...this.map.values()]) {
      if (n <= 0) break;
      if (v.dirty || v.locked || v.pins > 0) continue;
      this.drop(v);
      n--;
    }
    if (n > 0) this.flushOldest(n);
  }
}
