import { AddressSpace, PageDirectories, SmallSpaceAllocator, PTE_P, PTE_RW, PTE_US } from './address-space';
import { FramePool } from './frame-pool';
import { MappingDatabase } from './mapping-db';
import { ArrayMemory } from './testing/array-memory';
import { SMALL_REGION } from './layout';

function setup() {
  const mem = new ArrayMemory(4 << 20);
  const frames = new FramePool(mem, 0x100000, 0x200000);
  const kernelPdir = frames.alloc();
  mem.write32(kernelPdir + 0x380 * 4, 0x00000083); // a kernel 4 MiB page, to see it copied
  const dirs = new PageDirectories(mem, frames, kernelPdir);
  const invalidated: [number, number][] = [];
  const space = (task: number, small: ReturnType<SmallSpaceAllocator['alloc']> = null) =>
    new AddressSpace(task, dirs, small, (s, lin) => invalidated.push([s.task, lin]));
  const db = new MappingDatabase();
  // hardware view: walk the page tables the way the MMU does
  const walk = (s: AddressSpace, v: number): number | null => {
    const lin = s.linear(v);
    const pde = mem.read32(s.pdir + (lin >>> 22) * 4);
    if (!(pde & PTE_P)) return null;
    const pte = mem.read32((pde & 0xfffff000) + ((lin >>> 12) & 0x3ff) * 4);
    return pte & PTE_P ? pte : null;
  };
  return { mem, frames, dirs, space, db, walk, invalidated };
}

describe('address spaces', () => {
  it('copies the kernel window into every new directory and maps user pages with U/S', () => {
    const { mem, space, walk } = setup();
    const a = space(5);
    expect(mem.read32(a.pdir + 0x380 * 4)).toBe(0x83);
    a.setPte(0x1000, 0x300000, false);
    expect(walk(a, 0x1000)).toBe(0x300000 | PTE_P | PTE_US);
    expect(a.lookup(0x1000)).toEqual({ frame: 0x300000, writable: false });
    expect(() => a.setPte(0xc0000000, 0x300000, true)).toThrow(/outside its user range/);
  });

  it('shares small-region page tables between all directories, including later ones', () => {
    const { space, walk } = setup();
    const alloc = new SmallSpaceAllocator(4);
    const big = space(5);
    const s1 = space(6, alloc.alloc(4 << 20));
    const s2 = space(7, alloc.alloc(8 << 20));
    expect(s1.small?.offset).toBe(0);
    expect(s2.small?.offset).toBe(8 << 20);
    s2.setPte(0x2000, 0x301000, true);
    expect(s2.linear(0x2000)).toBe(SMALL_REGION + (8 << 20) + 0x2000);
    const late = space(8);
    for (const dir of [big, s1, late]) {
      const pte = walk({ linear: () => s2.linear(0x2000), pdir: dir.pdir } as unknown as AddressSpace, 0);
      expect(pte).toBe(0x301000 | PTE_P | PTE_US | PTE_RW);
    }
  });
});

describe('mapping database', () => {
  it('map derives a mapping, grant moves it, flush revokes everything derived, recursively', () => {
    const { space, db, walk } = setup();
    const sigma0 = space(2);
    const a = space(4);
    const b = space(5);
    const c = space(6);
    db.addRoot(sigma0, 0x350000, 0x350000);
    expect(db.map(sigma0, 0x350000, a, 0x10000, true)).toBe(true);
    expect(db.map(a, 0x10000, b, 0x20000, true)).toBe(true);
    expect(db.map(b, 0x20000, c, 0x30000, false)).toBe(true);
    expect(walk(c, 0x30000)! & ~0xfff).toBe(0x350000);
    expect(walk(c, 0x30000)! & PTE_RW).toBe(0);
    expect(db.lookup(c, 0x30000)?.depth).toBe(3);

    // flush a's page (not own): b's and c's mappings go, a keeps its own
    expect(db.flush(a, 0x10000, false, false)).toBe(2);
    expect(walk(a, 0x10000)).not.toBeNull();
    expect(walk(b, 0x20000)).toBeNull();
    expect(walk(c, 0x30000)).toBeNull();
    expect(db.count(b) + db.count(c)).toBe(0);

    // grant: a's page moves to b; a loses it; what a had derived now hangs off b's node
    db.map(a, 0x10000, c, 0x30000, true);
    expect(db.grant(a, 0x10000, b, 0x40000, true)).toBe(true);
    expect(walk(a, 0x10000)).toBeNull();
    expect(walk(b, 0x40000)! & ~0xfff).toBe(0x350000);
    expect(db.lookup(c, 0x30000)?.parent).toBe(db.lookup(b, 0x40000));
    // sigma0 flushes: everything derived from its root goes, sigma0 keeps the root
    expect(db.flush(sigma0, 0x350000, true, false)).toBe(2);
    expect(walk(b, 0x40000)).toBeNull();
    expect(walk(c, 0x30000)).toBeNull();
    expect(walk(sigma0, 0x350000)).not.toBeNull();
  });

  it('write-protects recursively, and a map never widens the sender’s rights', () => {
    const { space, db, walk } = setup();
    const sigma0 = space(2);
    const a = space(4);
    const b = space(5);
    db.addRoot(sigma0, 0x360000, 0x360000);
    db.map(sigma0, 0x360000, a, 0x1000, true);
    db.map(a, 0x1000, b, 0x1000, true);
    db.flush(a, 0x1000, true, true);
    expect(walk(a, 0x1000)! & PTE_RW).toBe(0);
    expect(walk(b, 0x1000)! & PTE_RW).toBe(0);
    db.map(a, 0x1000, b, 0x5000, true);
    expect(walk(b, 0x5000)! & PTE_RW).toBe(0);
    expect(db.map(a, 0x9000, b, 0x9000, true)).toBe(false); // nothing mapped there: nothing sent
  });

  it('a map onto an occupied page flushes what was there first', () => {
    const { space, db, walk, invalidated } = setup();
    const sigma0 = space(2);
    const a = space(4);
    const b = space(5);
    db.addRoot(sigma0, 0x370000, 0x370000);
    db.addRoot(sigma0, 0x371000, 0x371000);
    db.map(sigma0, 0x370000, a, 0x1000, true);
    db.map(a, 0x1000, b, 0x1000, true);
    invalidated.length = 0;
    db.map(sigma0, 0x371000, a, 0x1000, true);
    expect(walk(a, 0x1000)! & ~0xfff).toBe(0x371000);
    expect(walk(b, 0x1000)).toBeNull();
    expect(invalidated).toEqual(expect.arrayContaining([[5, 0x1000], [4, 0x1000]]));
  });

  it('refuses to grant sigma0’s root or to map a page onto its own ancestor', () => {
    const { space, db } = setup();
    const sigma0 = space(2);
    const a = space(4);
    db.addRoot(sigma0, 0x380000, 0x380000);
    expect(() => db.grant(sigma0, 0x380000, a, 0x1000, true)).toThrow(/cannot be granted/);
    db.map(sigma0, 0x380000, a, 0x1000, true);
    expect(() => db.map(a, 0x1000, sigma0, 0x380000, true)).toThrow(/onto itself/);
  });
});
