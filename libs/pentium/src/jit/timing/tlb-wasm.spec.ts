// Differential test of the Wasm twin of a TLB against the TypeScript model (timing/tlb.ts):
// the same random stream of lookups (4 KiB and 4 MiB pages, repeats, set conflicts beyond
// 4 ways), presence checks, invalidations and flushes goes to both; every result must
// agree after every step, and every counter, scalar and table periodically.
import { LinearMemory } from '../../memory/linear-memory';
import { Counters } from '../../timing/counters';
import { P54C_CONFIG } from '../../timing/p54c-config';
import type { TlbGeometry } from '../../timing/p54c-config';
import { Tlb } from '../../timing/tlb';
import { TimingModel } from '../../timing/timing-model';
import { BS, btbLayout, emitBtb } from './btb-wasm';
import { Prng } from '../../util/prng';
import { WasmModuleBuilder } from '../wasm-emitter';
import { TLBS, TLBS_FIRST_I32, emitTlb, tlbLayout } from './tlb-wasm';
import { instantiateTwin } from './twin-testing';

type Twin = { lookup(linear: number, large: number): number; contains(linear: number, large: number): number; invalidate(linear: number): void; flush(): void };

async function twinOf(tlb: Tlb, lin: LinearMemory): Promise<{ twin: Twin; view: DataView; base: number; counter: 'itlbMisses' | 'dtlbMisses' }> {
  const layout = tlbLayout(tlb, lin);
  const twin = await instantiateTwin<Twin>(lin, (m) => ({ ...emitTlb(m, layout) }));
  const view = new DataView(lin.buffer);
  const base = layout.scalars;
  // the model's initial scalars
  view.setInt32(base + TLBS.lastPage, -1, true);
  view.setInt32(base + TLBS.lastLargePage, -1, true);
  return { twin, view, base, counter: layout.counter };
}

/** the TypeScript model's state that the twin mirrors, as plain values */
function tsState(t: Tlb, c: Counters, counter: 'itlbMisses' | 'dtlbMisses'): Record<string, number> {
  const p = t as unknown as { lastPage: number; lastLargePage: number };
  return { misses: t.misses, counter: c[counter], flushes: t.flushes, lastPage: p.lastPage, lastLargePage: p.lastLargePage };
}
function twinState(v: DataView, base: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, off] of Object.entries(TLBS)) out[k] = off < TLBS_FIRST_I32 ? v.getFloat64(base + off, true) : v.getInt32(base + off, true);
  return out;
}
/** the tables, each as the index of its first difference from the reference's (-1: equal) */
function tableDiffs(t: Tlb, ref: Tlb): Record<string, number> {
  const pick = (x: Tlb): ArrayLike<number>[] => {
    const a = x.arrays;
    return a.large !== null ? [a.small.tags, a.small.plru, a.large.tags, a.large.plru] : [a.small.tags, a.small.plru];
  };
  const names = ['small.tags', 'small.plru', 'large.tags', 'large.plru'];
  const mine = pick(t);
  const theirs = pick(ref);
  const out: Record<string, number> = {};
  mine.forEach((arr, k) => {
    out[names[k]] = arr.length === theirs[k].length ? -1 : -2;
    for (let i = 0; i < arr.length; i++) if (arr[i] !== theirs[k][i]) { out[names[k]] = i; break; }
  });
  return out;
}

const STEPS = 30000;

async function differential(geometry: TlbGeometry, kind: 'code' | 'data', seed: number): Promise<void> {
  const refCounters = new Counters();
  const ref = new Tlb(geometry, refCounters, kind);
  const lin = new LinearMemory(0, 1 << 16);
  const shadow = new Tlb(geometry, new Counters(), kind, lin); // its tables are the twin's
  const { twin, view, base, counter } = await twinOf(shadow, lin);
  expect(counter).toBe(kind === 'code' ? 'itlbMisses' : 'dtlbMisses');
  const rng = new Prng(seed);
  const smallSets = geometry.entries / geometry.ways;
  const largeSets = geometry.largeEntries > 0 ? geometry.largeEntries / geometry.largeWays : 0;
  // 4 KiB pages: 3 sets with 7 candidate tags each (more than 4 ways), low and high halves of the address space
  const smallAddr = (): number =>
    ((rng.nextU32() % 2) * 0x80000000 + ((rng.nextU32() % 7) * smallSets + (rng.nextU32() % 3)) * 4096 + (rng.nextU32() % 4096)) >>> 0;
  // 4 MiB pages: 7 candidates per set of the 4 MiB array (or of the 4 KiB array for the code TLB)
  const largeAddr = (): number => {
    const sets = largeSets > 0 ? largeSets : 2;
    return ((((rng.nextU32() % 7) * sets + (rng.nextU32() % sets) + (rng.nextU32() % 2) * 512) * (4 << 20)) + (rng.nextU32() % (4 << 20))) >>> 0;
  };
  let last = 0;
  let lastLarge = false;
  // what the stream reached, by the reference model
  const seen = { repeatHits: 0, arrayHits: 0, fills: 0, evictions: 0, largeEvictions: 0, containsTrue: 0, containsFalse: 0, invalidations: 0, flushes: 0 };
  for (let step = 0; step < STEPS; step++) {
    const r = rng.nextU32() % 1000;
    let a: number, b: number, what: string;
    if (r < 850) {
      let linear: number, large: boolean;
      if (r < 250) {
        // the same page again (a different offset in it), as most accesses are
        linear = (last & (lastLarge ? 0xffc00000 : 0xfffff000)) | (rng.nextU32() % 4096);
        large = lastLarge;
      } else {
        large = r % 4 === 0;
        linear = large ? largeAddr() : smallAddr();
      }
      last = linear >>> 0;
      lastLarge = large;
      // the twin takes the address as an int32 sometimes (compiled code's view), unsigned others
      const arg = rng.nextU32() % 2 === 0 ? linear | 0 : linear;
      what = `lookup ${linear.toString(16)} ${large}`;
      const p = ref as unknown as { lastPage: number; lastLargePage: number };
      const repeat = (large && geometry.largeEntries > 0 ? p.lastLargePage === linear >>> 22 : p.lastPage === linear >>> 12);
      const validBefore = ref.validEntries();
      a = +ref.lookup(linear, large);
      b = twin.lookup(arg, +large);
      if (repeat) seen.repeatHits++;
      else if (a) seen.arrayHits++;
      else if (ref.validEntries() > validBefore) seen.fills++;
      else if (large && geometry.largeEntries > 0) seen.largeEvictions++;
      else seen.evictions++;
    } else if (r < 940) {
      const large = r % 2 === 0;
      const linear = large ? largeAddr() : smallAddr();
      what = `contains ${linear.toString(16)} ${large}`;
      a = +ref.contains(linear, large);
      b = twin.contains(linear | 0, +large);
      if (a) seen.containsTrue++;
      else seen.containsFalse++;
    } else if (r < 997) {
      const linear = r % 3 === 0 ? largeAddr() : r % 3 === 1 ? smallAddr() : last;
      what = `invalidate ${linear.toString(16)}`;
      ref.invalidate(linear);
      twin.invalidate(linear | 0);
      a = b = 0;
      seen.invalidations++;
    } else {
      what = 'flush';
      ref.flush();
      twin.flush();
      a = b = 0;
      seen.flushes++;
    }
    if (a !== b) throw new Error(`step ${step} (${what}): twin ${b}, model ${a}`);
    if (step % 97 === 0 || step === STEPS - 1) {
      expect([step, twinState(view, base)]).toEqual([step, tsState(ref, refCounters, counter)]);
      if (step % 499 === 0 || step === STEPS - 1) {
        const diffs = tableDiffs(shadow, ref);
        expect([step, diffs]).toEqual([step, Object.fromEntries(Object.keys(diffs).map((k) => [k, -1]))]);
      }
    }
  }
  // the stream reached every path
  for (const [k, n] of Object.entries(seen)) {
    if (k === 'largeEvictions' && geometry.largeEntries === 0) continue;
    expect([k, n > 0]).toEqual([k, true]);
  }
  expect(refCounters[counter]).toBe(ref.misses);
}

describe('the Wasm twin of a TLB', () => {
  it(`gives the data TLB's results, counters, scalars and tables on ${STEPS} random operations (4 KiB and 4 MiB arrays)`, async () => {
    await differential(P54C_CONFIG.dtlb, 'data', 1997);
  });
  it(`gives the code TLB's (4 MiB pages in the 4 KiB array) on ${STEPS} random operations`, async () => {
    await differential(P54C_CONFIG.itlb, 'code', 133);
  });
  it("builds with the BTB's twin into one module on a TimingModel's tables, each TLB counting its own shared counter", async () => {
    const lin = new LinearMemory(0, 1 << 20);
    const shadow = new TimingModel(P54C_CONFIG, new Counters(), lin);
    const ref = new TimingModel(P54C_CONFIG, new Counters());
    const [il, dl, bl] = [tlbLayout(shadow.itlb, lin), tlbLayout(shadow.dtlb, lin), btbLayout(shadow.predictor, lin)];
    const m = new WasmModuleBuilder();
    const pages = lin.buffer.byteLength / 65536;
    m.importMemory('env', 'mem', pages, pages);
    m.exportFunction('ilookup', emitTlb(m, il).lookup);
    m.exportFunction('dlookup', emitTlb(m, dl).lookup);
    m.exportFunction('branch', emitBtb(m, bl, P54C_CONFIG).branch);
    const { instance } = await WebAssembly.instantiate(m.build(), { env: { mem: lin.memory } });
    const x = instance.exports as unknown as { ilookup: Twin['lookup']; dlookup: Twin['lookup']; branch(e: number, t: number, g: number, k: number, p: number): number };
    const view = new DataView(lin.buffer);
    for (const l of [il, dl]) for (const slot of [TLBS.lastPage, TLBS.lastLargePage]) view.setInt32(l.scalars + slot, -1, true);
    view.setFloat64(bl.scalars + BS.repeatEip, -1, true);
    const rng = new Prng(7);
    const got: number[] = [];
    const want: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const linear = ((rng.nextU32() % 64) << 12) >>> 0;
      const large = rng.nextU32() % 4 === 0;
      const eip = 0x1000 + (rng.nextU32() % 512);
      const taken = rng.nextU32() % 3 !== 0;
      got.push(x.ilookup(linear, +large), x.dlookup(linear ^ 0x400000, +large), x.branch(eip, +taken, eip + 100, 1, i & 1));
      want.push(+ref.itlb.lookup(linear, large), +ref.dtlb.lookup(linear ^ 0x400000, large), ref.predictor.branch(eip, taken, eip + 100, 1, i & 1));
    }
    expect(got).toEqual(want);
    expect([view.getFloat64(il.scalars + TLBS.counter, true), view.getFloat64(dl.scalars + TLBS.counter, true)]).toEqual([ref.counters.itlbMisses, ref.counters.dtlbMisses]);
    expect(view.getFloat64(bl.scalars + BS.mispredictions, true)).toBe(ref.counters.mispredictions);
    expect(ref.counters.itlbMisses * ref.counters.dtlbMisses * ref.counters.mispredictions).toBeGreaterThan(0);
  });
  it('refuses a model whose tables are not in the linear memory', () => {
    const lin = new LinearMemory(0, 1 << 16);
    expect(() => tlbLayout(new Tlb(P54C_CONFIG.dtlb, new Counters(), 'data'), lin)).toThrow(/not in this linear memory/);
  });
});
