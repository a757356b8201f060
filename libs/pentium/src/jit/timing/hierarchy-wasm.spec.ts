// Differential test of the Wasm twin of the memory hierarchy against the TypeScript model:
// the same random stream of fetches, reads, writes, clock advances and taken branches goes
// to both; every returned stall, counter, scalar and table must agree after every step.
import { LinearMemory } from '../../memory/linear-memory';
import { Counters } from '../../timing/counters';
import { MemoryHierarchy } from '../../timing/memory-hierarchy';
import { P54C_CONFIG } from '../../timing/p54c-config';
import { Prng } from '../../util/prng';
import { instantiateTwin } from './twin-testing';
import { HS, HS_COUNTERS, emitHierarchy, hierarchyLayout } from './hierarchy-wasm';

type Twin = { fetch(p: number, n: number): number; read(p: number, n: number): number; write(p: number, n: number): number; advance(c: number): void; noteTakenBranch(): void };

async function twinOf(h: MemoryHierarchy, lin: LinearMemory): Promise<{ twin: Twin; scalars: DataView; base: number }> {
  const layout = hierarchyLayout(h, lin);
  const twin = await instantiateTwin<Twin>(lin, (m) => ({ ...emitHierarchy(m, layout, P54C_CONFIG) }));
  const view = new DataView(lin.buffer);
  const base = layout.scalars;
  // the model's initial scalars
  for (const slot of [HS.lastFetchLine, HS.l1iLastLine, HS.l1dLastLine]) view.setInt32(base + slot, -1, true);
  return { twin, scalars: view, base };
}

/** the TypeScript model's state that the twin mirrors, as plain values */
function tsState(h: MemoryHierarchy, c: Counters): Record<string, number> {
  const p = h as unknown as Record<string, number | boolean>;
  const out: Record<string, number> = {
    now: h.now,
    busFreeAt: p.busFreeAt as number,
    lastFetchLine: p.lastFetchLine as number,
    codeFirstPass: +h.codeFirstPass,
    lastDNotInCode: +(p.lastDNotInCode as boolean),
    wbHead: p.wbHead as number,
    l1iLastLine: h.l1i.lastLine,
    l1iLastDirty: +h.l1i.lastDirty,
    l1dLastLine: h.l1d.lastLine,
    l1dLastDirty: +h.l1d.lastDirty,
  };
  for (const k of HS_COUNTERS) out[k] = c[k];
  return out;
}
function twinState(v: DataView, base: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, off] of Object.entries(HS)) out[k] = off < 80 ? v.getFloat64(base + off, true) : v.getInt32(base + off, true);
  return out;
}
/** the tables, each as the index of its first difference from the reference's (-1: equal) */
function tableDiffs(h: MemoryHierarchy, ref: MemoryHierarchy): Record<string, number> {
  const pick = (x: MemoryHierarchy): ArrayLike<number>[] => [x.l1i.arrays.tags, x.l1i.arrays.dirty, x.l1i.arrays.lru, x.l1d.arrays.tags, x.l1d.arrays.dirty, x.l1d.arrays.lru, x.l2.tagArray, x.writeBufferTimes];
  const names = ['l1i.tags', 'l1i.dirty', 'l1i.lru', 'l1d.tags', 'l1d.dirty', 'l1d.lru', 'l2.tags', 'wbDone'];
  const mine = pick(h);
  const theirs = pick(ref);
  const out: Record<string, number> = {};
  names.forEach((n, t) => {
    out[n] = -1;
    for (let i = 0; i < mine[t].length; i++) if (mine[t][i] !== theirs[t][i]) { out[n] = i; break; }
  });
  return out;
}

describe('the Wasm twin of the memory hierarchy', () => {
  it('gives the TypeScript model\'s stalls, counters, scalars and tables on 20,000 random accesses', async () => {
    const ref = new MemoryHierarchy(P54C_CONFIG, new Counters());
    const refCounters = (ref as unknown as { counters: Counters }).counters;
    const lin = new LinearMemory(0, 1 << 20);
    const shadow = new MemoryHierarchy(P54C_CONFIG, new Counters(), lin); // its tables are the twin's
    const { twin, scalars, base } = await twinOf(shadow, lin);
    const rng = new Prng(1997);
    // addresses that collide: 3 L1 ways' worth of lines per set (4 KiB apart), L2 conflicts (256 KiB apart)
    const addr = (): number => (rng.nextU32() % 3) * 4096 + (rng.nextU32() % 3) * (256 << 10) + (rng.nextU32() % 8) * 32 + (rng.nextU32() % 32) + 0x100000;
    const sizes = [1, 2, 4, 4, 4, 8, 10];
    for (let step = 0; step < 20000; step++) {
      const r = rng.nextU32() % 100;
      let a: number, b: number, what: string;
      if (r < 25) {
        const p = addr();
        const n = 1 + (rng.nextU32() % 15);
        what = `fetch ${p} ${n}`;
        a = ref.fetch(p, n);
        b = twin.fetch(p, n);
      } else if (r < 55) {
        const p = addr();
        const n = sizes[rng.nextU32() % sizes.length];
        what = `read ${p} ${n}`;
        a = ref.read(p, n);
        b = twin.read(p, n);
      } else if (r < 90) {
        const p = addr();
        const n = sizes[rng.nextU32() % sizes.length];
        what = `write ${p} ${n}`;
        a = ref.write(p, n);
        b = twin.write(p, n);
      } else if (r < 97) {
        const k = rng.nextU32() % 12;
        what = `advance ${k}`;
        ref.advance(k);
        twin.advance(k);
        a = b = 0;
      } else {
        what = 'taken branch';
        ref.noteTakenBranch();
        twin.noteTakenBranch();
        a = b = 0;
      }
      if (a !== b) throw new Error(`step ${step} (${what}): stall ${b}, model ${a}`);
      if (step % 97 === 0 || step === 19999) {
        expect([step, twinState(scalars, base)]).toEqual([step, tsState(ref, refCounters)]);
        if (step % 997 === 0 || step === 19999) {
          const diffs = tableDiffs(shadow, ref);
          expect([step, diffs]).toEqual([step, Object.fromEntries(Object.keys(diffs).map((k) => [k, -1]))]);
        }
      }
    }
    // the stream reached every path: misses to DRAM, L2 hits, write-buffer stalls, write-backs, misalignment
    for (const k of HS_COUNTERS) expect([k, refCounters[k] > 0]).toEqual([k, true]);
  });
});
