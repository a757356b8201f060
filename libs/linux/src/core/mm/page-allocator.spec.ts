import { PhysicalMemory } from '@mklab/pentium';
import { PageAllocator, freeWatermarks } from './page-allocator';
import { KernelError } from '../errno';

describe('PageAllocator', () => {
  const mem = new PhysicalMemory(1 << 20);

  test('hands out each managed page once, lowest first, and refuses when empty', () => {
    const a = new PageAllocator(mem, 0x10000, 0x14000);
    expect(a.totalPages).toBe(4);
    const pages = [a.alloc(), a.alloc(), a.alloc(), a.alloc()];
    expect(pages).toEqual([0x10000, 0x11000, 0x12000, 0x13000]);
    expect(a.freePages).toBe(0);
    expect(() => a.alloc()).toThrow(KernelError);
    expect(a.tryAlloc()).toBe(-1);
  });

  test('reference counts: a page returns to the free list only at zero', () => {
    const a = new PageAllocator(mem, 0x10000, 0x12000);
    const p = a.alloc();
    a.get(p);
    expect(a.refCount(p)).toBe(2);
    a.put(p);
    expect(a.freePages).toBe(1);
    a.put(p);
    expect(a.freePages).toBe(2);
    expect(() => a.put(p)).toThrow(/double free/);
    // LIFO: the page freed last comes back first
    expect(a.alloc()).toBe(p);
  });

  test('alloc(true) clears the page; reserved memory is not managed', () => {
    const a = new PageAllocator(mem, 0x10000, 0x11000);
    mem.fill(0x10000, 4096, 0xaa);
    const p = a.alloc(true);
    expect(mem.readBytes(p, 4096).every((b) => b === 0)).toBe(true);
    expect(a.isManaged(0x0f000)).toBe(false);
    expect(() => a.get(0x0f000)).toThrow(/not a managed page/);
  });

  test('rejects a bad range', () => {
    expect(() => new PageAllocator(mem, 0x10001, 0x20000)).toThrow();
    expect(() => new PageAllocator(mem, 0x20000, 0x10000)).toThrow();
    expect(() => new PageAllocator(mem, 0, 2 << 20)).toThrow();
  });

  test("2.0's watermarks: min_free_pages = memory pages / 128, at least 48; low 1.5x, high 2x", () => {
    expect(freeWatermarks(16384)).toEqual({ minFreePages: 128, freePagesLow: 192, freePagesHigh: 256 }); // 64 MiB
    expect(freeWatermarks(1024)).toEqual({ minFreePages: 48, freePagesLow: 72, freePagesHigh: 96 }); // 4 MiB
  });

  test('a shrinker is asked for pages at min_free_pages, up to free_pages_high, before an allocation fails', () => {
    const big = new PhysicalMemory(2 << 20);
    const a = new PageAllocator(big, 0x100000, 0x200000); // 256 pages, min 48, high 96
    const cached: number[] = [];
    while (a.freePages > 60) cached.push(a.alloc()); // a cache's pages
    const asked: number[] = [];
    a.addShrinker((n) => {
      asked.push(n);
      let k = 0;
      while (k < n && cached.length) {
        a.put(cached.pop()!);
        k++;
      }
      return k;
    });
    while (a.freePages > 49) a.alloc();
    expect(asked).toEqual([]); // above min_free_pages: not asked
    a.alloc(); // 49 free: allocated, 48 left
    a.alloc(); // at min_free_pages: reclaim up to free_pages_high first
    expect(asked).toEqual([96 - 48]);
    expect(a.freePages).toBe(95);
    // everything taken: the shrinker gives what it has, then the allocator refuses
    const held: number[] = [];
    expect(() => {
      for (;;) held.push(a.alloc());
    }).toThrow(KernelError);
    expect(cached).toEqual([]);
  });
});
