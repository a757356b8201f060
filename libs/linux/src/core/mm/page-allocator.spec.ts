import { PhysicalMemory } from '@mklab/pentium';
import { PageAllocator } from './page-allocator';
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
});
