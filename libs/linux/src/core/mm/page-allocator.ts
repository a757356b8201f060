// The physical page allocator: one reference count per page frame (Linux's
// mem_map[].count) and a free list. Linux 2.0 uses a buddy allocator; every
// allocation the core makes is a single page, so a LIFO free list of page frames
// gives the same order-0 behaviour (the most recently freed page, likely still in
// the caches, is reused first, as with 2.0's free_area[0] list).

import { PAGE_SHIFT, PAGE_SIZE, PhysMem } from '../phys-mem';
import { KernelError, ENOMEM } from '../errno';

/** Gives pages back to the allocator (a cache shrinking): returns how many it freed, at most `pages`. */
export type Shrinker = (pages: number) => number;

/**
 * Linux 2.0's free-page watermarks (mm/page_alloc.c, free_area_init): "select nr of pages
 * we try to keep free for important stuff with a minimum of 48 pages. This is totally
 * arbitrary": min_free_pages = end_mem >> (PAGE_SHIFT + 7), at least 48 (64 MiB: 128
 * pages); free_pages_low = 1.5 x and free_pages_high = 2 x that (kswapd's band).
 */
export function freeWatermarks(endFrame: number): { minFreePages: number; freePagesLow: number; freePagesHigh: number } {
  const min = Math.max(48, endFrame >>> 7);
  return { minFreePages: min, freePagesLow: min + (min >>> 1), freePagesHigh: min + min };
}

export class PageAllocator {
  /** reference count per page frame; frames outside [firstFrame, endFrame) are reserved (count 1 forever) */
  private readonly refs: Uint16Array;
  private readonly free: Int32Array;
  private freeTop = 0;
  readonly firstFrame: number;
  readonly endFrame: number;
  /** 2.0's min_free_pages, free_pages_low, free_pages_high (freeWatermarks) */
  readonly minFreePages: number;
  readonly freePagesLow: number;
  readonly freePagesHigh: number;
  private readonly shrinkers: Shrinker[] = [];
  private shrinking = false;

  /** Manages physical memory [start, end); both page aligned. */
  constructor(
    private readonly mem: PhysMem,
    start: number,
    end: number,
  ) {
    if (start % PAGE_SIZE !== 0 || end % PAGE_SIZE !== 0 || start >= end || end > mem.size) {
      throw new Error(`PageAllocator: bad range [0x${start.toString(16)}, 0x${end.toString(16)}) for ${mem.size} bytes of memory`);
    }
    this.firstFrame = start >>> PAGE_SHIFT;
    this.endFrame = end >>> PAGE_SHIFT;
    ({ minFreePages: this.minFreePages, freePagesLow: this.freePagesLow, freePagesHigh: this.freePagesHigh } = freeWatermarks(this.endFrame));
    this.refs = new Uint16Array(mem.size >>> PAGE_SHIFT).fill(1);
    this.free = new Int32Array(this.endFrame - this.firstFrame);
    // push in descending order so the lowest frames are handed out first
    for (let f = this.endFrame - 1; f >= this.firstFrame; f--) {
      this.refs[f] = 0;
      this.free[this.freeTop++] = f;
    }
  }

  get freePages(): number {
    return this.freeTop;
  }

  get totalPages(): number {
    return this.endFrame - this.firstFrame;
  }

  /**
   * A cache that can give pages back (the buffer cache): asked when free pages fall to
   * min_free_pages, before an allocation is refused.
   */
  addShrinker(fn: Shrinker): void {
    this.shrinkers.push(fn);
  }

  /**
   * 2.0's __get_free_pages: at or below min_free_pages (reserved_pages) it calls
   * try_to_free_page, which shrinks the caches (shrink_mmap: buffer pages), and kswapd,
   * woken below free_pages_low, frees up to free_pages_high: here one reclaim asks the
   * shrinkers for pages up to free_pages_high at once (fewer, larger calls; the same
   * pages). When nothing can be freed 2.0 refuses a non-atomic allocation; with no swap
   * and no GFP priorities here, the reserve is handed out and only an empty free list
   * refuses.
   */
  private reclaim(): void {
    if (this.shrinking || this.shrinkers.length === 0) return;
    this.shrinking = true; // a shrinker's own bookkeeping never recurses into reclaim
    try {
      for (const fn of this.shrinkers) {
        while (this.freeTop < this.freePagesHigh) {
          if (fn(this.freePagesHigh - this.freeTop) <= 0) break;
        }
        if (this.freeTop >= this.freePagesHigh) break;
      }
    } finally {
      this.shrinking = false;
    }
  }

  /** Allocates one page (reference count 1) and returns its physical address. `zero` clears it (get_free_page). */
  alloc(zero = false): number {
    if (this.freeTop <= this.minFreePages) this.reclaim();
    if (this.freeTop === 0) throw new KernelError(ENOMEM, 'out of physical pages');
    const f = this.free[--this.freeTop];
    this.refs[f] = 1;
    const addr = f << PAGE_SHIFT;
    if (zero) this.mem.fill(addr, PAGE_SIZE, 0);
    return addr >>> 0;
  }

  /** Like alloc but returns -1 instead of throwing when memory is exhausted. */
  tryAlloc(zero = false): number {
    if (this.freeTop <= this.minFreePages) this.reclaim();
    return this.freeTop === 0 ? -1 : this.alloc(zero);
  }

  get(addr: number): void {
    const f = this.frameOf(addr);
    if (this.refs[f] === 0) throw new Error(`PageAllocator.get: page 0x${addr.toString(16)} is free`);
    if (this.refs[f] === 0xffff) throw new Error(`PageAllocator.get: reference count overflow at 0x${addr.toString(16)}`);
    this.refs[f]++;
  }

  /** Drops one reference (free_page); the page returns to the free list at zero. */
  put(addr: number): void {
    const f = this.frameOf(addr);
    if (this.refs[f] === 0) throw new Error(`PageAllocator.put: double free of page 0x${addr.toString(16)}`);
    if (--this.refs[f] === 0) this.free[this.freeTop++] = f;
  }

  refCount(addr: number): number {
    return this.refs[addr >>> PAGE_SHIFT];
  }

  /** true for frames the allocator manages (as opposed to the kernel image and reserved low memory) */
  isManaged(addr: number): boolean {
    const f = addr >>> PAGE_SHIFT;
    return f >= this.firstFrame && f < this.endFrame;
  }

  private frameOf(addr: number): number {
    const f = addr >>> PAGE_SHIFT;
    if (f < this.firstFrame || f >= this.endFrame) throw new Error(`PageAllocator: 0x${addr.toString(16)} is not a managed page`);
    return f;
  }
}
