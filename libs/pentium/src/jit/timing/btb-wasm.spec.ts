// Differential test of the Wasm twin of the branch predictor against the TypeScript model
// (timing/btb.ts): the same random stream of branches (taken and not, changing targets,
// set conflicts beyond 4 ways, every kind and pipe, tight-loop repeats) and resets goes to
// both; every penalty must agree after every step, and every counter, scalar and table
// periodically.
import { LinearMemory } from '../../memory/linear-memory';
import { BranchPredictor, type Pipe } from '../../timing/btb';
import { Counters } from '../../timing/counters';
import { P54C_CONFIG } from '../../timing/p54c-config';
import type { BranchKind } from '../../timing/timing-info';
import { Prng } from '../../util/prng';
import { BS, BS_COUNTERS, btbLayout, emitBtb } from './btb-wasm';
import { instantiateTwin } from './twin-testing';

type Twin = { branch(eip: number, taken: number, target: number, kind: number, pipe: number): number; reset(): void };
type Private = { repeatEip: number; repeatTarget: number };

async function twinOf(p: BranchPredictor, lin: LinearMemory): Promise<{ twin: Twin; view: DataView; base: number }> {
  const layout = btbLayout(p, lin);
  const twin = await instantiateTwin<Twin>(lin, (m) => ({ ...emitBtb(m, layout, P54C_CONFIG) }));
  const view = new DataView(lin.buffer);
  const base = layout.scalars;
  // the model's initial scalars
  view.setFloat64(base + BS.repeatEip, -1, true);
  return { twin, view, base };
}

/** the TypeScript model's state that the twin mirrors, as plain values */
function tsState(p: BranchPredictor, c: Counters): Record<string, number> {
  const q = p as unknown as Private;
  const out: Record<string, number> = { repeatEip: q.repeatEip, repeatTarget: q.repeatTarget };
  for (const k of BS_COUNTERS) out[k] = c[k];
  return out;
}
function twinState(v: DataView, base: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, off] of Object.entries(BS)) out[k] = v.getFloat64(base + off, true);
  return out;
}
/** the tables, each as the index of its first difference from the reference's (-1: equal) */
function tableDiffs(p: BranchPredictor, ref: BranchPredictor): Record<string, number> {
  const mine = p.arrays;
  const theirs = ref.arrays;
  const out: Record<string, number> = {};
  for (const k of ['tags', 'targets', 'state', 'plru'] as const) {
    out[k] = mine[k].length === theirs[k].length ? -1 : -2;
    for (let i = 0; i < mine[k].length; i++) if (mine[k][i] !== theirs[k][i]) { out[k] = i; break; }
  }
  return out;
}

const STEPS = 40000;

describe('the Wasm twin of the branch predictor', () => {
  it(`gives the TypeScript model's penalties, counters, scalars and tables on ${STEPS} random branches`, async () => {
    const refCounters = new Counters();
    const ref = new BranchPredictor(P54C_CONFIG, refCounters);
    const lin = new LinearMemory(0, 1 << 16);
    const shadow = new BranchPredictor(P54C_CONFIG, new Counters(), lin); // its tables are the twin's
    const { twin, view, base } = await twinOf(shadow, lin);
    const rng = new Prng(1997);
    const sets = P54C_CONFIG.btb.entries / P54C_CONFIG.btb.ways;
    // branches: 3 sets with 7 candidate addresses each (more than 4 ways), low and high
    // addresses, and 0xffffffff (the model's empty tag is -1, not its int32 pattern)
    const eips: number[] = [0xffffffff];
    for (const set of [5, 6, sets - 1]) for (let k = 0; k < 7; k++) eips.push(((k % 2 ? 0xc0000000 : 0x1000) + (k >> 1) * 4 * sets + set) >>> 0);
    // each branch: a bias to be taken (a loop, a coin, a rare exit, an unconditional) and two targets
    const biases = [95, 50, 10, 100];
    const bias = eips.map(() => biases[rng.nextU32() % biases.length]);
    const targets = eips.map((e) => [(e + 0x40 + (rng.nextU32() % 0x100)) >>> 0, (e ^ 0x80000000) >>> 0]);
    const which = eips.map(() => 0);
    let prev: [number, boolean, number, BranchKind, Pipe] | null = null;
    const seen = { repeats: 0, missTaken: 0, missNotTaken: 0, evictions: 0, hits: 0, wrongTarget: 0, farOrNone: 0, resets: 0 };
    const penalties = new Map<number, number>();
    for (let step = 0; step < STEPS; step++) {
      const r = rng.nextU32() % 1000;
      if (r < 2) {
        ref.reset();
        twin.reset();
        seen.resets++;
        prev = null;
      } else {
        let call: [number, boolean, number, BranchKind, Pipe];
        if (r < 300 && prev !== null) {
          // a tight loop: the same branch taken to the same target again
          call = [prev[0], true, prev[2], prev[3], (rng.nextU32() % 2) as Pipe];
        } else {
          const i = rng.nextU32() % eips.length;
          if (rng.nextU32() % 10 === 0) which[i] ^= 1; // a target change (RET, indirect jumps)
          const k = rng.nextU32() % 100;
          const kind = (k < 60 ? 1 : k < 95 ? 2 + (k % 4) : k % 2 === 0 ? 0 : 6) as BranchKind;
          call = [eips[i], rng.nextU32() % 100 < bias[i], targets[i][which[i]], kind, (rng.nextU32() % 2) as Pipe];
        }
        prev = call;
        const [eip, taken, target, kind, pipe] = call;
        // what this branch exercises, by the reference model before the call
        const q = ref as unknown as Private;
        const t = ref.arrays;
        const setBase = (eip & (sets - 1)) * 4;
        const ways = [0, 1, 2, 3].map((w) => t.tags[setBase + w]);
        if (kind === 0 || kind === 6) seen.farOrNone++;
        else if (eip === q.repeatEip && taken && target === q.repeatTarget) seen.repeats++;
        else if (!ways.includes(eip)) {
          if (!taken) seen.missNotTaken++;
          else if (ways.includes(-1)) seen.missTaken++;
          else seen.evictions++;
        } else {
          seen.hits++;
          const slot = setBase + ways.indexOf(eip);
          if (taken && t.state[slot] >= 2 && t.targets[slot] !== target) seen.wrongTarget++;
        }
        // the twin takes the addresses as int32 sometimes (compiled code's view), unsigned others
        const signed = rng.nextU32() % 2 === 0;
        const a = ref.branch(eip, taken, target, kind, pipe);
        const b = twin.branch(signed ? eip | 0 : eip, +taken, signed ? target | 0 : target, kind, pipe);
        if (a !== b) throw new Error(`step ${step} (branch ${eip.toString(16)} ${taken} ${target.toString(16)} kind ${kind} pipe ${pipe}): twin ${b}, model ${a}`);
        penalties.set(a, (penalties.get(a) ?? 0) + 1);
      }
      if (step % 97 === 0 || step === STEPS - 1) {
        expect([step, twinState(view, base)]).toEqual([step, tsState(ref, refCounters)]);
        if (step % 499 === 0 || step === STEPS - 1) {
          const diffs = tableDiffs(shadow, ref);
          expect([step, diffs]).toEqual([step, { tags: -1, targets: -1, state: -1, plru: -1 }]);
        }
      }
    }
    // the stream reached every path and every penalty (none, Jmp, Jcc in U, Jcc in V)
    for (const [k, n] of Object.entries(seen)) expect([k, n > 0]).toEqual([k, true]);
    const want = [0, P54C_CONFIG.mispredictJmp - 1, P54C_CONFIG.mispredictJccU - 1, P54C_CONFIG.mispredictJccV - 1];
    expect([...penalties.keys()].sort()).toEqual([...new Set(want)].sort());
    for (const k of BS_COUNTERS) expect([k, refCounters[k] > 0]).toEqual([k, true]);
  });

  it('refuses a model whose tables are not in the linear memory', () => {
    const lin = new LinearMemory(0, 1 << 16);
    expect(() => btbLayout(new BranchPredictor(P54C_CONFIG, new Counters()), lin)).toThrow(/not in this linear memory/);
  });
});
