// The whole timing model as one Wasm module against the TypeScript TimingModel: a random
// stream of the calls the CPU makes (fetches, TLB lookups, page walks, reads, writes,
// branches, issues, serializations) runs on a heap model and, in stretches, on the
// runtime between enter() and leave(), with the TypeScript model of the same machine
// taking over between the stretches. Every result and, at every leave(), every counter
// and scalar must equal the reference's.
import { LinearMemory } from '../../memory/linear-memory';
import { Counters } from '../../timing/counters';
import { P54C_CONFIG } from '../../timing/p54c-config';
import { BranchKind } from '../../timing/timing-info';
import { TimingModel } from '../../timing/timing-model';
import { Prng } from '../../util/prng';
import { packTiming } from './pipeline-wasm';
import { TimingRuntime } from './timing-runtime';
import { randomTimingRow } from './twin-testing';

/** the model's state that leave() must restore: counters and every scalar */
function snapshot(tm: TimingModel): unknown {
  const p = tm.pipeline.state();
  return {
    counters: tm.counters.snapshot(),
    hierarchy: tm.hierarchy.scalars(),
    itlb: [tm.itlb.scalars(), tm.itlb.misses, tm.itlb.flushes],
    dtlb: [tm.dtlb.scalars(), tm.dtlb.misses, tm.dtlb.flushes],
    btb: tm.predictor.scalars(),
    pipeline: { ...p, openU: p.openU === null ? null : packTiming(p.openU) },
  };
}

describe('the timing runtime (all twins in one module)', () => {
  it('runs stretches of a random CPU-like call stream exactly as the TypeScript model, handing state back and forth', () => {
    const rng = new Prng(133);
    const ref = new TimingModel(P54C_CONFIG, new Counters());
    const lin = new LinearMemory(0, 1 << 20);
    const tm = new TimingModel(P54C_CONFIG, new Counters(), lin);
    const rt = new TimingRuntime(tm, lin);
    const w = rt.exports;
    const rows = Array.from({ length: 32 }, () => randomTimingRow(rng));
    let inRuntime = false;
    let stretches = 0;
    for (let step = 0; step < 40000; step++) {
      if (rng.nextInt(300) === 0) {
        // hand over: the runtime takes the model's state, or gives it back
        if (inRuntime) {
          rt.leave();
          expect([step, snapshot(tm)]).toEqual([step, snapshot(ref)]);
        } else {
          rt.enter();
          stretches++;
        }
        inRuntime = !inRuntime;
      }
      const phys = 0x10000 + rng.nextInt(6) * 4096 + rng.nextInt(40) * 8 + rng.nextInt(4);
      const lin32 = (0xc0000000 + rng.nextInt(24) * 4096 + rng.nextInt(4096)) | 0;
      const r = rng.nextInt(100);
      let a: number;
      let b: number;
      if (r < 15) {
        const n = 1 + rng.nextInt(7);
        a = ref.hierarchy.fetch(phys, n);
        b = inRuntime ? w.fetch(phys, n) : tm.hierarchy.fetch(phys, n);
      } else if (r < 25) {
        const large = rng.nextInt(4) === 0;
        a = +ref.dtlb.lookup(lin32, large);
        b = inRuntime ? w.dtlbLookup(lin32, +large) : +tm.dtlb.lookup(lin32, large);
      } else if (r < 30) {
        // the code TLB stays in TypeScript (compiled code does not use it), whichever side runs
        a = +ref.itlb.lookup(lin32, false);
        b = +tm.itlb.lookup(lin32, false);
      } else if (r < 33) {
        const pde = 0x20000 + rng.nextInt(64) * 4;
        const pte = rng.nextInt(4) === 0 ? -1 : 0x30000 + rng.nextInt(512) * 4;
        const ad = rng.nextInt(3);
        a = ref.pageWalk(pde, pte, ad);
        b = inRuntime ? w.pageWalk(pde, pte, ad) : tm.pageWalk(pde, pte, ad);
      } else if (r < 50) {
        a = ref.hierarchy.read(phys, 4);
        b = inRuntime ? w.read(phys, 4) : tm.hierarchy.read(phys, 4);
      } else if (r < 62) {
        a = ref.hierarchy.write(phys, 4);
        b = inRuntime ? w.write(phys, 4) : tm.hierarchy.write(phys, 4);
      } else {
        const info = rows[rng.nextInt(rows.length)];
        if (info.branch !== BranchKind.None) {
          const eip = 0x8048000 + 16 * rng.nextInt(200);
          const taken = rng.nextInt(3) !== 0;
          const target = 0x8048000 + 16 * rng.nextInt(30);
          ref.pipeline.branch(eip, taken, target, info.branch);
          if (inRuntime) w.branch(eip, +taken, target, info.branch);
          else tm.pipeline.branch(eip, taken, target, info.branch);
        }
        const stall = rng.nextInt(5) === 0 ? rng.nextInt(20) : 0;
        const first = rng.nextInt(10) === 0;
        const dataPhys = rng.nextInt(2) === 0 ? -1 : phys;
        a = ref.pipeline.issue(info, stall, first, dataPhys);
        const [w0, w1] = packTiming(info);
        b = inRuntime ? w.issue(w0, w1, stall, +first, dataPhys) : tm.pipeline.issue(info, stall, first, dataPhys);
      }
      if (a !== b) throw new Error(`step ${step} (${inRuntime ? 'runtime' : 'model'}): ${b}, reference ${a}`);
    }
    if (inRuntime) rt.leave();
    expect(snapshot(tm)).toEqual(snapshot(ref));
    expect(stretches).toBeGreaterThan(40);
    for (const k of ['l1dMisses', 'l2Misses', 'dtlbMisses', 'itlbMisses', 'pageWalks', 'mispredictions', 'pairs', 'agiStalls'] as const) {
      expect([k, ref.counters[k] > 0]).toEqual([k, true]);
    }
  });
});
