// Differential test of the Wasm twin of the pipelines' issue model against pipeline.ts:
// random instruction rows, operand addresses, branches and serializations go to both;
// every issue's clocks, and the pipeline state, counters, BTB and hierarchy clock after
// them, must agree. The twin's BTB and hierarchy are TypeScript models reached through
// imports here, so this test checks the pipeline alone.
import { LinearMemory } from '../../memory/linear-memory';
import { BranchPredictor } from '../../timing/btb';
import { Counters } from '../../timing/counters';
import { MemoryHierarchy } from '../../timing/memory-hierarchy';
import { P54C_CONFIG } from '../../timing/p54c-config';
import { pairable } from '../../timing/pairing';
import { Pipeline } from '../../timing/pipeline';
import { BranchKind, type TimingInfo } from '../../timing/timing-info';
import { Prng } from '../../util/prng';
import { I32, WasmModuleBuilder } from '../wasm-emitter';
import { randomTimingRow } from './twin-testing';
import { PS, PS_COUNTERS, PS_FIRST_I32, emitPipeline, packTiming, pipelineLayout, unpackTiming } from './pipeline-wasm';

function model(): { counters: Counters; pipe: Pipeline; btb: BranchPredictor; hier: MemoryHierarchy } {
  const counters = new Counters();
  const hier = new MemoryHierarchy(P54C_CONFIG, counters);
  const btb = new BranchPredictor(P54C_CONFIG, counters);
  return { counters, hier, btb, pipe: new Pipeline(P54C_CONFIG, counters, btb, hier) };
}

type Twin = { issue(w0: number, w1: number, stall: number, first: number, phys: number): number; branch(eip: number, taken: number, target: number, kind: number): void; serialize(): void };

async function twin(side: ReturnType<typeof model>): Promise<{ t: Twin; view: DataView; base: number }> {
  const lin = new LinearMemory(0, 65536);
  const m = new WasmModuleBuilder();
  m.importMemory('env', 'mem', 1, 1);
  const btbBranch = m.importFunction('env', 'btb', [I32, I32, I32, I32, I32], [I32]);
  const noteTakenBranch = m.importFunction('env', 'taken', [], []);
  const advance = m.importFunction('env', 'advance', [I32], []);
  const layout = pipelineLayout(lin);
  const f = emitPipeline(m, layout, P54C_CONFIG, { btbBranch, noteTakenBranch, advance });
  for (const [name, idx] of Object.entries(f)) m.exportFunction(name, idx);
  const { instance } = await WebAssembly.instantiate(m.build(), {
    env: {
      mem: lin.memory,
      btb: (eip: number, taken: number, target: number, kind: number, pipe: number) => side.btb.branch(eip, taken !== 0, target, kind, pipe),
      taken: () => side.hier.noteTakenBranch(),
      advance: (clocks: number) => side.hier.advance(clocks),
    },
  });
  const view = new DataView(lin.buffer);
  view.setInt32(layout.scalars + PS.openUDataPhys, -1, true);
  return { t: instance.exports as unknown as Twin, view, base: layout.scalars };
}

describe('the Wasm twin of the pipelines', () => {
  it('packs every field issue reads, and refuses rows that do not fit', () => {
    const rng = new Prng(7);
    for (let i = 0; i < 200; i++) {
      const row = randomTimingRow(rng);
      const back = unpackTiming(...packTiming(row));
      expect({ ...back, memRead: row.memRead, memWrite: row.memWrite, length: row.length }).toEqual(row);
    }
    expect(() => packTiming({ ...randomTimingRow(rng), clocks: 70000 })).toThrow(/does not pack/);
  });

  it('issues 30,000 random instructions with the clocks, state and counters of pipeline.ts', async () => {
    const rng = new Prng(526);
    const ref = model();
    const side = model();
    const { t, view, base } = await twin(side);
    const rows = Array.from({ length: 48 }, () => randomTimingRow(rng));
    const refPipe = ref.pipe as unknown as Record<string, unknown>;
    let prev: TimingInfo | null = null;
    for (let step = 0; step < 30000; step++) {
      if (rng.nextInt(200) === 0) {
        ref.pipe.serialize();
        t.serialize();
        prev = null;
      }
      const info = rows[rng.nextInt(rows.length)];
      // a branch row resolves while it executes, before its issue
      if (info.branch !== BranchKind.None || rng.nextInt(100) === 0) {
        const eip = 0x1000 + 16 * rng.nextInt(300);
        const taken = info.branch !== BranchKind.Jcc || rng.nextInt(3) !== 0;
        const target = 0x1000 + 16 * rng.nextInt(40);
        const kind = info.branch === BranchKind.None ? BranchKind.Far : info.branch;
        ref.pipe.branch(eip, taken, target, kind);
        t.branch(eip, +taken, target, kind);
      }
      const stall = rng.nextInt(4) === 0 ? rng.nextInt(30) : 0;
      const first = rng.nextInt(10) === 0;
      const phys = rng.nextInt(3) === 0 ? -1 : 0x4000 + 4 * rng.nextInt(64);
      // the interpreter's issueAfter, with the static decision, must equal issue
      const a =
        rng.nextInt(2) === 0 ? ref.pipe.issueAfter(info, stall, first, phys, prev, prev !== null && pairable(prev, info)) : ref.pipe.issue(info, stall, first, phys);
      const [w0, w1] = packTiming(info);
      const b = t.issue(w0, w1, stall, +first, phys);
      if (a !== b) throw new Error(`step ${step}: twin ${b} clocks, model ${a}`);
      prev = info;
      if (step % 101 === 0 || step === 29999) {
        const openU = refPipe.openU as TimingInfo | null;
        const mine: Record<string, number> = {};
        const theirs: Record<string, number> = {};
        for (const [k, off] of Object.entries(PS)) mine[k] = off < PS_FIRST_I32 ? view.getFloat64(base + off, true) : view.getInt32(base + off, true);
        for (const k of PS_COUNTERS) theirs[k] = ref.counters[k];
        theirs.openU = +(openU !== null);
        // the packed row of an open U is only meaningful while it is open
        [theirs.openUW0, theirs.openUW1] = openU ? packTiming(openU) : [mine.openUW0, mine.openUW1];
        for (const k of ['openUDataPhys', 'groupWrites', 'prevGroupWrites', 'lastPipe', 'branchEip', 'branchTarget', 'branchKind'] as const) theirs[k] = refPipe[k] as number;
        theirs.openUAgi = +(refPipe.openUAgi as boolean);
        theirs.pendingBranch = +(refPipe.pendingBranch as boolean);
        theirs.branchTaken = +(refPipe.branchTaken as boolean);
        expect([step, mine]).toEqual([step, theirs]);
        expect([ref.counters.branches, ref.counters.mispredictions, ref.hier.now, ref.hier.codeFirstPass]).toEqual([
          side.counters.branches,
          side.counters.mispredictions,
          side.hier.now,
          side.hier.codeFirstPass,
        ]);
      }
    }
    // the stream reached every path
    for (const k of PS_COUNTERS) expect([k, ref.counters[k] > 0]).toEqual([k, true]);
    expect(ref.counters.mispredictions).toBeGreaterThan(0);
  });
});
