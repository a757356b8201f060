import { PhysicalMemory } from '@mklab/pentium';
import { PageAllocator } from './page-allocator';
import { PDE_PS, PTE_P, PTE_RW, PTE_US, ensurePte, forEachUserPte, freeUserPageTables, readPte, translate, writePte } from './page-table';

describe('i386 page tables in guest memory', () => {
  const setup = () => {
    const mem = new PhysicalMemory(4 << 20);
    const pages = new PageAllocator(mem, 0x100000, 0x400000);
    const pgd = pages.alloc(true);
    return { mem, pages, pgd };
  };

  test('writePte allocates the page table and the MMU-format walk finds the frame', () => {
    const { mem, pages, pgd } = setup();
    const frame = pages.alloc();
    writePte(mem, pages, pgd, 0x08048123, frame | PTE_P | PTE_US);
    const pde = mem.read32(pgd + (0x08048123 >>> 22) * 4);
    expect(pde & (PTE_P | PTE_RW | PTE_US)).toBe(PTE_P | PTE_RW | PTE_US);
    expect(readPte(mem, pgd, 0x08048000) & 0xfffff000).toBe(frame);
    expect(translate(mem, pgd, 0x08048123, true, false)).toBe(frame + 0x123);
    // read-only for user writes; supervisor writes ignore R/W (no CR0.WP)
    expect(translate(mem, pgd, 0x08048123, true, true)).toBe(-1);
    expect(translate(mem, pgd, 0x08048123, false, true)).toBe(frame + 0x123);
    expect(translate(mem, pgd, 0x08049000, true, false)).toBe(-1);
  });

  test('supervisor-only entries are invisible to user accesses; 4 MiB pages translate', () => {
    const { mem, pages, pgd } = setup();
    const frame = pages.alloc();
    writePte(mem, pages, pgd, 0x1000, frame | PTE_P | PTE_RW);
    expect(translate(mem, pgd, 0x1000, true, false)).toBe(-1);
    expect(translate(mem, pgd, 0x1000, false, false)).toBe(frame);
    mem.write32(pgd + 768 * 4, 0x000000 | PTE_P | PTE_RW | PDE_PS);
    expect(translate(mem, pgd, 0xc0123456, false, false)).toBe(0x123456);
    expect(translate(mem, pgd, 0xc0123456, true, false)).toBe(-1);
    expect(() => ensurePte(mem, pages, pgd, 0xc0000000)).toThrow(/4 MiB/);
  });

  test('forEachUserPte visits present entries in order; freeUserPageTables returns the tables', () => {
    const { mem, pages, pgd } = setup();
    const addrs = [0x1000, 0x3000, 0x400000, 0xbfffe000];
    for (const a of addrs) writePte(mem, pages, pgd, a, pages.alloc() | PTE_P | PTE_US);
    const seen: number[] = [];
    forEachUserPte(mem, pgd, 0, 0xc0000000, (l) => seen.push(l));
    expect(seen).toEqual(addrs);
    const seenPart: number[] = [];
    forEachUserPte(mem, pgd, 0x2000, 0x401000, (l) => seenPart.push(l));
    expect(seenPart).toEqual([0x3000, 0x400000]);
    const before = pages.freePages;
    freeUserPageTables(mem, pages, pgd);
    expect(pages.freePages).toBe(before + 3); // three page tables (0–4M, 4–8M, top)
    expect(readPte(mem, pgd, 0x1000)).toBe(0);
  });
});
