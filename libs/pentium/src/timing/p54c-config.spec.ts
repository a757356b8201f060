import { P54C_CONFIG as C } from './p54c-config';

// The configuration against the facts in shared/reference/pentium-p54c.md: a change to
// any of these is a change of the emulated machine and must be deliberate.
describe('P54C_CONFIG', () => {
  test('cache geometry: 8 KiB 2-way L1s with 32-byte lines, 256 KiB direct-mapped L2', () => {
    expect(C.l1i.sets * C.l1i.ways * C.l1i.lineBytes).toBe(8 * 1024);
    expect(C.l1d.sets * C.l1d.ways * C.l1d.lineBytes).toBe(8 * 1024);
    expect([C.l1d.ways, C.l1d.lineBytes, C.l1d.sets]).toEqual([2, 32, 128]);
    expect(C.l1dWriteAllocate).toBe(false);
    expect(C.l2.sets * C.l2.ways * C.l2.lineBytes).toBe(256 * 1024);
    expect(C.l2.ways).toBe(1);
  });

  test('TLBs: code 32×4-way, data 64×4-way + 8 for 4 MiB pages; BTB 256×4-way', () => {
    expect([C.itlb.entries, C.itlb.ways]).toEqual([32, 4]);
    expect([C.dtlb.entries, C.dtlb.ways, C.dtlb.largeEntries]).toEqual([64, 4, 8]);
    expect([C.btb.entries, C.btb.ways]).toEqual([256, 4]);
  });

  test('clocks and penalties within the reference ranges', () => {
    expect(C.coreClockHz / C.busMultiplier).toBeCloseTo(66.5e6, -5);
    expect(C.l2LineFillClocks).toBe(12);
    expect(C.dramLineFillClocks).toBeGreaterThanOrEqual(26);
    expect(C.dramLineFillClocks).toBeLessThanOrEqual(36);
    expect([C.mispredictJccU, C.mispredictJccV, C.mispredictJmp]).toEqual([4, 5, 3]);
    expect([C.agiClocks, C.prefixClocks, C.misalignedClocks, C.bankConflictClocks]).toEqual([1, 1, 3, 1]);
  });

  test('is frozen, nested objects too', () => {
    expect(Object.isFrozen(C)).toBe(true);
    expect(Object.isFrozen(C.l1d)).toBe(true);
    expect(Object.isFrozen(C.dtlb)).toBe(true);
  });
});
