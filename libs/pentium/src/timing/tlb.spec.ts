import { Counters } from './counters';
import { P54C_CONFIG } from './p54c-config';
import { Tlb } from './tlb';
import { TimingModel } from './timing-model';

const PAGE = 4096;
const LARGE = 4 << 20;

describe('data TLB (64 entries, 4-way, + 8 for 4 MiB pages)', () => {
  test('64 pages fit; a flush empties it and every page misses again', () => {
    const c = new Counters();
    const tlb = new Tlb(P54C_CONFIG.dtlb, c, 'data');
    for (let i = 0; i < 64; i++) expect(tlb.lookup(0x400000 + i * PAGE)).toBe(false);
    expect(c.dtlbMisses).toBe(64);
    for (let i = 0; i < 64; i++) expect(tlb.lookup(0x400000 + i * PAGE + 0x123)).toBe(true);
    expect(c.dtlbMisses).toBe(64);
    tlb.flush();
    expect(tlb.validEntries()).toBe(0);
    for (let i = 0; i < 64; i++) expect(tlb.lookup(0x400000 + i * PAGE)).toBe(false);
    expect(c.dtlbMisses).toBe(128);
    expect(tlb.flushes).toBe(1);
  });

  test('a fifth page in a set replaces the least recently used one', () => {
    const c = new Counters();
    const tlb = new Tlb(P54C_CONFIG.dtlb, c, 'data');
    const sameSet = [0, 16, 32, 48, 64].map((p) => p * PAGE); // 16 sets
    for (const a of sameSet.slice(0, 4)) tlb.lookup(a);
    tlb.lookup(sameSet[4]);
    expect(tlb.contains(sameSet[0])).toBe(false);
    expect(tlb.contains(sameSet[1])).toBe(true);
    expect(tlb.contains(sameSet[4])).toBe(true);
  });

  test('4 MiB pages use their own 8 entries: one entry covers the whole page', () => {
    const c = new Counters();
    const tlb = new Tlb(P54C_CONFIG.dtlb, c, 'data');
    expect(tlb.lookup(0xc0000000, true)).toBe(false);
    expect(tlb.lookup(0xc0000000 + 0x123456, true)).toBe(true);
    expect(tlb.lookup(0xc0000000 + LARGE - 4, true)).toBe(true);
    for (let i = 1; i < 8; i++) expect(tlb.lookup(0xc0000000 + i * LARGE, true)).toBe(false);
    for (let i = 0; i < 8; i++) expect(tlb.lookup(0xc0000000 + i * LARGE + 8, true)).toBe(true);
    expect(tlb.validEntries()).toBe(8);
    expect(tlb.lookup(0x1000)).toBe(false); // the 4 KiB array is separate
    expect(tlb.lookup(0xc0000000 + 8 * LARGE, true)).toBe(false); // a ninth large page evicts one
    expect(c.dtlbMisses).toBe(10);
  });

  test('INVLPG drops one entry', () => {
    const c = new Counters();
    const tlb = new Tlb(P54C_CONFIG.dtlb, c, 'data');
    tlb.lookup(0x5000);
    tlb.lookup(0x6000);
    tlb.invalidate(0x5abc);
    expect(tlb.lookup(0x5000)).toBe(false);
    expect(tlb.lookup(0x6000)).toBe(true);
  });
});

describe('code TLB (32 entries, 4-way)', () => {
  test('32 pages fit, the 33rd evicts one', () => {
    const c = new Counters();
    const tlb = new Tlb(P54C_CONFIG.itlb, c, 'code');
    for (let i = 0; i < 32; i++) tlb.lookup(i * PAGE);
    for (let i = 0; i < 32; i++) expect(tlb.lookup(i * PAGE)).toBe(true);
    expect(c.itlbMisses).toBe(32);
    expect(c.dtlbMisses).toBe(0);
    tlb.lookup(32 * PAGE);
    expect(tlb.validEntries()).toBe(32);
  });

  test('4 MiB code pages are cached as 4 KiB entries', () => {
    const c = new Counters();
    const tlb = new Tlb(P54C_CONFIG.itlb, c, 'code');
    tlb.lookup(0xc0000000, true);
    expect(tlb.lookup(0xc0000000 + PAGE, true)).toBe(false);
    expect(tlb.lookup(0xc0000000 + 8, true)).toBe(true);
  });
});

describe('TimingModel TLB operations', () => {
  test('MOV CR3 empties both TLBs and counts one flush; refills count misses', () => {
    const m = new TimingModel();
    m.itlb.lookup(0x1000);
    m.dtlb.lookup(0x2000);
    m.dtlb.lookup(0x3000);
    m.flushTlbs();
    expect(m.counters.tlbFlushes).toBe(1);
    expect(m.itlb.lookup(0x1000)).toBe(false);
    expect(m.dtlb.lookup(0x2000)).toBe(false);
    expect(m.dtlb.lookup(0x3000)).toBe(false);
    expect(m.counters.itlbMisses).toBe(2);
    expect(m.counters.dtlbMisses).toBe(4);
  });

  test('a page walk reads PDE and PTE through the data cache', () => {
    const m = new TimingModel();
    const cfg = m.config;
    const cold = m.pageWalk(0x100000, 0x101000, 0);
    expect(cold).toBe(cfg.pageWalkBaseClocks + 2 * cfg.pageWalkEntryClocks + 2 * cfg.dramLineFillClocks);
    const warm = m.pageWalk(0x100000, 0x101000, 1);
    expect(warm).toBe(cfg.pageWalkBaseClocks + 2 * cfg.pageWalkEntryClocks + cfg.pageWalkAdUpdateClocks);
    expect(m.pageWalk(0x100000, -1, 0)).toBe(cfg.pageWalkBaseClocks + cfg.pageWalkEntryClocks); // 4 MiB page: PDE only
    expect(m.counters.pageWalks).toBe(3);
  });
});
