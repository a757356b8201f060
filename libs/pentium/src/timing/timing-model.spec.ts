import { TimingModel } from './timing-model';
import { EAX } from './test-rows';
import * as r from './test-rows';

// End to end through the pipeline and the memory hierarchy, the way the CPU drives them:
// lmbench's lat_mem_rd inner loop is a chain of `mov eax, [eax]`.
function pointerChase(workingSetBytes: number, stride: number, loads: number): number {
  const m = new TimingModel();
  const chase = r.row({ regsRead: EAX, regsWritten: EAX, addrRegs: EAX, memRead: true });
  const base = 0x400000;
  const n = workingSetBytes / stride;
  let clocks = 0;
  // warm up one pass, then measure
  for (let pass = 0; pass < 2; pass++) {
    if (pass === 1) clocks = 0;
    for (let i = 0; i < loads; i++) {
      const phys = base + (i % n) * stride;
      const stall = m.hierarchy.fetch(0x1000, 2) + m.hierarchy.read(phys, 4);
      clocks += m.pipeline.issue(chase, stall, false, phys);
    }
  }
  return clocks / loads;
}

describe('dependent-load latency plateaus (lat_mem_rd shape)', () => {
  const cfg = new TimingModel().config;
  test('in L1: 1 clock + the AGI of the chase', () => {
    expect(pointerChase(4096, 32, 4096)).toBe(2);
  });
  test('in L2: the L2 line fill on every load', () => {
    expect(pointerChase(128 * 1024, 32, 4096)).toBe(2 + cfg.l2LineFillClocks);
  });
  test('beyond L2: a DRAM line fill on every load', () => {
    expect(pointerChase(1 << 20, 32, 32768)).toBe(2 + cfg.dramLineFillClocks);
  });
  test('two loads per line: every second load hits', () => {
    expect(pointerChase(1 << 20, 16, 65536)).toBe(2 + cfg.dramLineFillClocks / 2);
  });
});
