// 4 MiB mappings (Pentium PSE superpages) in the page tables and the mapping database:
// whole-superpage map, grant and flush; parts of a superpage mapped on, flushed,
// write-protected and granted (the superpage is split, only the named pages change).
import { AddressSpace, PageDirectories, SmallSpaceAllocator, PDE_PS, PTE_P, PTE_RW, LARGE_PAGE_SIZE } from './address-space';
import { FramePool } from './frame-pool';
import { MappingDatabase } from './mapping-db';
import { ArrayMemory } from './testing/array-memory';
import { bootL4, TEST_MARK } from './testing/boot';
import { Asm, R } from './testing/asm';
import { NO_PHASE, receiveWindow } from './ipc-abi';
import { fpage } from './fpage';
import { threadId } from './thread-id';

const M4 = LARGE_PAGE_SIZE;
const ROOT = 0x1000000; // a 4 MiB-aligned physical superpage (frames are never touched: only entries)

function setup() {
  const mem = new ArrayMemory(4 << 20);
  const frames = new FramePool(mem, 0x100000, 0x300000);
  const dirs = new PageDirectories(mem, frames, frames.alloc());
  const invalidated: [number, number][] = [];
  const alloc = new SmallSpaceAllocator(4);
  const space = (task: number, smallBytes = 0) => new AddressSpace(task, dirs, smallBytes ? alloc.alloc(smallBytes) : null, (s, lin) => invalidated.push([s.task, lin]));
  const db = new MappingDatabase();
  /** the MMU's view: physical address and writability of user address v, or null */
  const walk = (s: AddressSpace, v: number): { phys: number; rw: boolean; large: boolean } | null => {
    const lin = s.linear(v);
    const pde = mem.read32(s.pdir + (lin >>> 22) * 4);
    if (!(pde & PTE_P)) return null;
    if (pde & PDE_PS) return { phys: ((pde & 0xffc00000) | (lin & 0x3fffff)) >>> 0, rw: (pde & PTE_RW) !== 0, large: true };
    const pte = mem.read32((pde & 0xfffff000) + ((lin >>> 12) & 0x3ff) * 4);
    if (!(pte & PTE_P)) return null;
    return { phys: ((pte & 0xfffff000) | (lin & 0xfff)) >>> 0, rw: (pte & PTE_RW) !== 0 && (pde & PTE_RW) !== 0, large: false };
  };
  return { mem, frames, db, space, walk, invalidated };
}

describe('superpages (4 MiB mappings)', () => {
  it('a superpage root maps on whole as one PDE with PS, and its pages map on as 4 KiB children', () => {
    const { db, space, walk, frames } = setup();
    const sigma0 = space(2);
    const a = space(4);
    const b = space(5);
    const free0 = frames.available;
    db.addRoot(sigma0, ROOT, ROOT, true, 22);
    expect(frames.available).toBe(free0); // no page table for a superpage
    expect(walk(sigma0, ROOT + 0x123456)).toEqual({ phys: ROOT + 0x123456, rw: true, large: true });
    expect(db.mapLarge(sigma0, ROOT, a, 0x800000, true)).toBe(true);
    expect(walk(a, 0x800000 + 0x3ff004)).toEqual({ phys: ROOT + 0x3ff004, rw: true, large: true });
    expect(db.largeCount(a)).toBe(1);
    // a 4 KiB part of a's superpage, mapped on to b
    expect(db.map(a, 0x800000 + 0x5000, b, 0x7000, false)).toBe(true);
    expect(walk(b, 0x7010)).toEqual({ phys: ROOT + 0x5010, rw: false, large: false });
    expect(db.lookup(b, 0x7000)?.parent).toBe(db.lookup(a, 0x800000));
    // a superpage needs a 4 MiB-aligned place
    expect(() => db.mapLarge(sigma0, ROOT, b, 0x801000, true)).toThrow(/no superpage place/);
    expect(db.mapLarge(sigma0, ROOT + 0x1000, b, 0x400000, true)).toBe(false); // not a superpage's start
  });

  it('flushing one page of a superpage splits it: only that page and what derives from it go, recursively', () => {
    const { db, space, walk } = setup();
    const sigma0 = space(2);
    const a = space(4);
    const b = space(5);
    const c = space(6);
    db.addRoot(sigma0, ROOT, ROOT, true, 22);
    db.mapLarge(sigma0, ROOT, a, 0x400000, true);
    db.mapLarge(a, 0x400000, b, 0xc00000, true); // b's superpage derives from a's
    db.map(b, 0xc00000 + 0x2000, c, 0x1000, true); // c has one page of b's superpage
    db.map(b, 0xc00000 + 0x3000, c, 0x2000, true); // and the next one
    // a flushes the page at offset 0x2000 of its superpage (not its own mapping)
    const changed = db.flush(a, 0x400000 + 0x2000, false, false);
    expect(changed).toBe(2); // b's page and c's page derived from it
    // a keeps its whole superpage; b's superpage was split and lost only that page
    expect(walk(a, 0x402000)).toEqual({ phys: ROOT + 0x2000, rw: true, large: true });
    expect(walk(b, 0xc02000)).toBeNull();
    expect(walk(b, 0xc01000)).toEqual({ phys: ROOT + 0x1000, rw: true, large: false });
    expect(walk(b, 0xc03000)).toEqual({ phys: ROOT + 0x3000, rw: true, large: false });
    expect(walk(b, 0xfff000)).toEqual({ phys: ROOT + 0x3ff000, rw: true, large: false });
    expect(db.count(b)).toBe(1023);
    expect(db.largeCount(b)).toBe(0);
    expect(db.splits).toBe(1);
    // c lost the page derived from the flushed one, keeps the other, now a child of b's piece
    expect(walk(c, 0x1000)).toBeNull();
    expect(walk(c, 0x2000)).toEqual({ phys: ROOT + 0x3000, rw: true, large: false });
    expect(db.lookup(c, 0x2000)?.parent).toBe(db.lookup(b, 0xc03000));
    expect(db.lookup(b, 0xc03000)?.parent).toBe(db.lookup(a, 0x400000));
    // flushing the root's whole superpage (own = false) takes everything below it
    expect(db.flushRange(sigma0, ROOT, M4, false, false)).toBe(1 + 1023 + 1);
    expect(db.count(a) + db.count(b) + db.count(c)).toBe(0);
    expect(walk(sigma0, ROOT)).not.toBeNull();
  });

  it('flushing a whole superpage does not split it; a range over part of it does', () => {
    const { db, space, walk, invalidated } = setup();
    const sigma0 = space(2);
    const a = space(4);
    db.addRoot(sigma0, ROOT, ROOT, true, 22);
    db.mapLarge(sigma0, ROOT, a, 0x400000, true);
    invalidated.length = 0;
    expect(db.flushRange(a, 0x400000, M4, true, true)).toBe(1); // write-protect own, whole
    expect(walk(a, 0x400000)).toEqual({ phys: ROOT, rw: false, large: true });
    expect(invalidated).toEqual([[4, 0x400000]]); // one INVLPG drops the 4 MiB TLB entry
    expect(db.splits).toBe(0);
    // map it writable again (a re-map from the same parent upgrades the rights)
    db.mapLarge(sigma0, ROOT, a, 0x400000, true);
    expect(walk(a, 0x400000)?.rw).toBe(true);
    // write-protect the upper half: split, 512 pages read-only, 512 still writable
    expect(db.flushRange(a, 0x600000, M4 / 2, true, true)).toBe(512);
    expect(walk(a, 0x5ff000)).toEqual({ phys: ROOT + 0x1ff000, rw: true, large: false });
    expect(walk(a, 0x600000)).toEqual({ phys: ROOT + 0x200000, rw: false, large: false });
    // remove own pages of the lower half
    expect(db.flushRange(a, 0x400000, M4 / 2, true, false)).toBe(512);
    expect(walk(a, 0x400000)).toBeNull();
    expect(walk(a, 0x700000)).not.toBeNull();
    expect(walk(sigma0, ROOT)).toEqual({ phys: ROOT, rw: true, large: true }); // the root is untouched
  });

  it('a 4 KiB mapping received over a superpage replaces only that page; a superpage received over pages replaces them', () => {
    const { db, space, walk, frames } = setup();
    const sigma0 = space(2);
    const a = space(4);
    db.addRoot(sigma0, ROOT, ROOT, true, 22);
    db.addRoot(sigma0, 0x2000000, 0x2000000, true, 22);
    db.mapLarge(sigma0, ROOT, a, 0x400000, true);
    db.map(sigma0, 0x2000000 + 0x9000, a, 0x401000, true);
    expect(walk(a, 0x401000)).toEqual({ phys: 0x2009000, rw: true, large: false });
    expect(walk(a, 0x402000)).toEqual({ phys: ROOT + 0x2000, rw: true, large: false });
    const before = frames.available;
    expect(db.mapLarge(sigma0, 0x2000000, a, 0x400000, true)).toBe(true);
    expect(walk(a, 0x401000)).toEqual({ phys: 0x2001000, rw: true, large: true });
    expect(db.count(a)).toBe(1);
    expect(frames.available).toBe(before + 1); // the emptied page table went back to the pool
  });

  it('grants a whole superpage, or one page of it (split), keeping what derives from it', () => {
    const { db, space, walk } = setup();
    const sigma0 = space(2);
    const a = space(4);
    const b = space(5);
    const c = space(6);
    db.addRoot(sigma0, ROOT, ROOT, true, 22);
    db.mapLarge(sigma0, ROOT, a, 0x400000, true);
    db.map(a, 0x404000, c, 0x1000, true);
    expect(db.grantLarge(a, 0x400000, b, 0x800000, true)).toBe(true);
    expect(walk(a, 0x400000)).toBeNull();
    expect(walk(b, 0x804000)).toEqual({ phys: ROOT + 0x4000, rw: true, large: true });
    expect(db.lookup(c, 0x1000)?.parent).toBe(db.lookup(b, 0x800000));
    expect(db.grant(b, 0x804000, a, 0x10000, true)).toBe(true);
    expect(walk(b, 0x804000)).toBeNull();
    expect(walk(b, 0x805000)).toEqual({ phys: ROOT + 0x5000, rw: true, large: false });
    expect(walk(a, 0x10000)).toEqual({ phys: ROOT + 0x4000, rw: true, large: false });
    expect(db.lookup(c, 0x1000)?.parent).toBe(db.lookup(a, 0x10000));
    expect(() => db.grantLarge(sigma0, ROOT, a, 0x400000, true)).toThrow(/cannot be granted/);
  });

  it('small spaces: a superpage in the small region is entered in every page directory', () => {
    const { db, space, walk } = setup();
    const sigma0 = space(2);
    const other = space(7);
    const s = space(4, 16 << 20);
    db.addRoot(sigma0, ROOT, ROOT, true, 22);
    db.mapLarge(sigma0, ROOT, s, 0x400000, true);
    const late = space(8);
    for (const dir of [sigma0, other, late]) {
      const view = { linear: () => s.linear(0x400010), pdir: dir.pdir } as unknown as AddressSpace;
      expect(walk(view, 0)).toEqual({ phys: ROOT + 0x10, rw: true, large: true });
    }
    db.flush(s, 0x400000, true, false); // one page: split in the shared region, for everyone
    const view = { linear: () => s.linear(0x401000), pdir: late.pdir } as unknown as AddressSpace;
    expect(walk(view, 0)).toEqual({ phys: ROOT + 0x1000, rw: true, large: false });
    db.removeSpace(s);
    expect(walk({ linear: () => s.linear(0x401000), pdir: other.pdir } as unknown as AddressSpace, 0)).toBeNull();
  });

  it('refuses misaligned superpages', () => {
    const { db, space } = setup();
    const sigma0 = space(2);
    expect(() => db.addRoot(sigma0, ROOT + 0x1000, ROOT + 0x1000, true, 22)).toThrow(/not aligned/);
    expect(() => db.addRoot(sigma0, ROOT, ROOT, true, 16)).toThrow(/2\^12 or 2\^22/);
    db.addRoot(sigma0, ROOT, ROOT, true, 22);
    expect(() => db.addRoot(sigma0, ROOT + 0x3000, ROOT + 0x3000)).toThrow(/already maps/);
  });
});

describe('superpages through IPC (kernel)', () => {
  it('sigma0 grants a 4 MiB fpage on request (w1 = 22); the task maps it on whole by IPC; fpage_unmap of one page splits only the receiver', () => {
    const { machine, kernel, marks, runUntilMarks } = bootL4({ timerHz: 0 });
    const SUPER = 0x2000000; // 32 MiB: a superpage of sigma0's memory
    const CODE = 0x1000;
    const A = threadId(4, 0);
    const B = threadId(5, 0);
    const a = new Asm(CODE);
    // ask sigma0 for the superpage at SUPER, received at 0x800000
    a.movImm(R.EAX, 0).movImm(R.EDX, SUPER).movImm(R.EBX, 22).movImm(R.EDI, 0).movImm(R.ESI, kernel.sigma0.id);
    a.movImm(R.EBP, receiveWindow(fpage(0x800000, 22), false)).movImm(R.ECX, 0).int(0x30).hostcall(TEST_MARK);
    // map it on to B as one 4 MiB fpage (B's window at 0xc00000)
    a.movImm(R.EAX, 2).movImm(R.EDX, 0x800000).movImm(R.EBX, fpage(0x800000, 22, true)).movImm(R.ESI, B).movImm(R.EBP, NO_PHASE).movImm(R.ECX, 0).int(0x30);
    // flush B's mapping of one page (not A's own)
    a.movImm(R.EAX, fpage(0x803000, 12, true)).movImm(R.ECX, 2).int(0x32).hostcall(TEST_MARK).label('end').jmp('end');
    const b = new Asm(CODE);
    b.movImm(R.EAX, NO_PHASE).movImm(R.EBP, receiveWindow(fpage(0xc00000, 22), false)).movImm(R.ESI, A).movImm(R.ECX, 0).int(0x30);
    b.load(R.EDX, 0xc00010).movImm(R.EAX, NO_PHASE).movImm(R.EBP, 0).movImm(R.ESI, A).int(0x30).label('end').jmp('end');
    const tb = kernel.bootTask({ task: 5, image: { at: CODE, bytes: b.assemble() }, prio: 110 });
    const ta = kernel.bootTask({ task: 4, image: { at: CODE, bytes: a.assemble() }, prio: 100 });
    machine.memory.write32(SUPER + 0x10, 0xfeed);
    expect(runUntilMarks(1).reason).toBe('stopped');
    expect(ta.space.isLarge(0x800000)).toBe(true);
    expect(ta.space.lookup(0x9ff000)).toEqual({ frame: SUPER + 0x1ff000, writable: true });
    expect(kernel.sigma0.ownerOf(SUPER + 0x3ff000)).toBe(4);
    expect(machine.counters.kernel.sigma0Superpages).toBe(1);
    expect(runUntilMarks(2).reason).toBe('stopped');
    expect(marks[1].eax).toBe(1); // one mapping changed: B's page at 0xc03000
    expect(ta.space.isLarge(0x800000)).toBe(true); // A's own superpage untouched
    expect(tb.space.isLarge(0xc00000)).toBe(false); // B's was split
    expect(tb.space.lookup(0xc03000)).toBeNull();
    expect(tb.space.lookup(0xc04000)).toEqual({ frame: SUPER + 0x4000, writable: true });
    expect(machine.counters.kernel.superpageMaps).toBe(2); // sigma0's grant of it to A, A's map to B
  });
});
