import { P54C_CONFIG } from './p54c-config';
import { pathIssueClocks, type PathMmu, type PathProfile } from './path-profile';
import { TimingModel } from './timing-model';

const KERNEL = 0xc0000000;
const cfg = P54C_CONFIG;

/** A kernel mapped at 0xC0000000 → physical 0 with 4 KiB pages; page tables at 0x1000 (PD) and 0x2000 (PT). */
function kernelMmu(model: TimingModel, paging = true): PathMmu & { walks: number } {
  return {
    paging,
    largePage: false,
    walks: 0,
    translate(linear: number): number {
      return linear >= KERNEL && linear < KERNEL + (4 << 20) ? linear - KERNEL : -1;
    },
    walk(linear: number): number {
      this.walks++;
      return model.pageWalk(0x1000 + (linear >>> 22) * 4, 0x2000 + ((linear >>> 12) & 0x3ff) * 4, 0);
    },
  };
}

const syscallEntry: PathProfile = {
  name: 'test.syscall-entry',
  instructions: 40,
  pairedFraction: 0.25,
  extraClocks: 5,
  code: { start: KERNEL + 0x1000, bytes: 64 },
  source: 'a test profile',
};

describe('chargePath', () => {
  test('issue clocks are instructions − paired + extraClocks', () => {
    expect(pathIssueClocks(syscallEntry)).toBe(40 - 10 + 5);
  });

  test('cold: code lines, ITLB, DTLB and data misses through the real walk; warm: issue clocks only', () => {
    const m = new TimingModel();
    const mmu = kernelMmu(m);
    m.setPathMmu(mmu);
    const stack = [KERNEL + 0x100000];
    const task = [KERNEL + 0x100010];
    const walkCold = cfg.pageWalkBaseClocks + 2 * cfg.pageWalkEntryClocks + 2 * cfg.dramLineFillClocks;
    // the data walk finds the PDE in the data cache (the code walk loaded it), its PTE line is new
    const walkHalf = cfg.pageWalkBaseClocks + 2 * cfg.pageWalkEntryClocks + cfg.dramLineFillClocks;
    const cold = m.chargePath(syscallEntry, stack, task);
    expect(cold).toBe(35 + walkCold + 2 * cfg.dramLineFillClocks + walkHalf + cfg.dramLineFillClocks);
    expect(m.chargePath(syscallEntry, stack, task)).toBe(35);
    expect(m.counters.itlbMisses).toBe(1);
    expect(m.counters.dtlbMisses).toBe(1);
    expect(m.counters.l1iMisses).toBe(2);
    expect(m.counters.instructions).toBe(80);
    expect(m.counters.pairs).toBe(20);
    expect(m.counters.pathCharges).toBe(2);
    expect(m.counters.cycles).toBe(0); // the caller advances the clock

    // after MOV CR3 the TLBs refill by walking again (page-table lines still cached)
    m.flushTlbs();
    const warmWalk = cfg.pageWalkBaseClocks + 2 * cfg.pageWalkEntryClocks;
    expect(m.chargePath(syscallEntry, stack, task)).toBe(35 + 2 * warmWalk);
    expect(mmu.walks).toBe(4);
  });

  test('user and kernel share the caches: a path evicts a user line', () => {
    const m = new TimingModel();
    m.setPathMmu(kernelMmu(m));
    const userLine = 0x310000; // physical; L1 set 0 like the kernel datum, another L2 set
    m.hierarchy.read(userLine, 4);
    m.hierarchy.read(userLine + 4096, 4);
    m.chargePath({ ...syscallEntry, code: { start: KERNEL, bytes: 0 } }, [KERNEL + 0x200000]); // same set
    m.hierarchy.advance(1000);
    expect(m.hierarchy.read(userLine, 4)).toBe(cfg.l2LineFillClocks);
  });

  test('a kernel mapped with 4 MiB pages uses the large-page DTLB entries: one miss for the whole page', () => {
    const m = new TimingModel();
    const mmu = { ...kernelMmu(m), largePage: true };
    m.setPathMmu(mmu);
    m.chargePath({ ...syscallEntry, code: { start: KERNEL, bytes: 0 } }, [KERNEL + 0x1000, KERNEL + 0x5000, KERNEL + 0x3ff000]);
    expect(m.counters.dtlbMisses).toBe(1);
  });

  test('a code range crossing a page boundary looks up both pages', () => {
    const m = new TimingModel();
    m.setPathMmu(kernelMmu(m));
    m.chargePath({ ...syscallEntry, code: { start: KERNEL + 0x1ff0, bytes: 0x20 } });
    expect(m.counters.itlbMisses).toBe(2);
    expect(m.counters.l1iMisses).toBe(2);
  });

  test('with paging off the addresses are physical and no TLB is used', () => {
    const m = new TimingModel();
    m.setPathMmu(kernelMmu(m, false));
    m.chargePath({ ...syscallEntry, code: { start: 0x1000, bytes: 32 } }, [0x5000]);
    expect(m.counters.itlbMisses + m.counters.dtlbMisses).toBe(0);
    expect(m.counters.l1iMisses).toBe(1);
    expect(m.counters.l1dMisses).toBe(1);
  });

  test('bad profiles and unmapped addresses are clear errors', () => {
    const m = new TimingModel();
    m.setPathMmu(kernelMmu(m));
    expect(() => m.chargePath({ ...syscallEntry, pairedFraction: 0.7 })).toThrow(/pairedFraction/);
    expect(() => m.chargePath({ ...syscallEntry, instructions: -1 })).toThrow(/instructions/);
    expect(() => m.chargePath(syscallEntry, [0x1234])).toThrow(/not mapped/);
  });
});
