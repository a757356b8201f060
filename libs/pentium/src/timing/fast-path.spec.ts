// The hot-path shortcuts ("same line / page / branch as last time ⇒ hit, no state
// change") must be exact: a long pseudo-random access stream through the real model is
// checked against a plain reference model of the same caches, TLB and BTB written here
// without any shortcut (for the 2-way caches, LRU lists: equal to one LRU bit per set).
import { Counters } from './counters';
import { MemoryHierarchy } from './memory-hierarchy';
import { P54C_CONFIG } from './p54c-config';
import { Tlb } from './tlb';
import { BranchPredictor, Pipe } from './btb';
import { BranchKind } from './timing-info';

/** xorshift32: deterministic test input */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

class RefL1 {
  sets = new Map<number, { line: number; dirty: boolean }[]>();
  find(line: number): { line: number; dirty: boolean } | undefined {
    return (this.sets.get(line & 127) ?? []).find((e) => e.line === line);
  }
  touch(line: number): boolean {
    const s = this.sets.get(line & 127) ?? [];
    const i = s.findIndex((e) => e.line === line);
    if (i < 0) return false;
    s.unshift(...s.splice(i, 1));
    return true;
  }
  /** returns true if a dirty line was evicted */
  fill(line: number): boolean {
    const s = this.sets.get(line & 127) ?? [];
    this.sets.set(line & 127, s);
    s.unshift({ line, dirty: false });
    if (s.length > 2) return (s.pop() as { dirty: boolean }).dirty;
    return false;
  }
  drop(line: number): void {
    const s = this.sets.get(line & 127) ?? [];
    const i = s.findIndex((e) => e.line === line);
    if (i >= 0) s.splice(i, 1);
  }
}

class RefHierarchy {
  l1i = new RefL1();
  l1d = new RefL1();
  l2 = new Map<number, number>();
  c = { l1iMisses: 0, l1dMisses: 0, l1dWriteMisses: 0, l1dWritebacks: 0, l2Misses: 0 };
  private l2fill(line: number): void {
    if (this.l2.get(line & 8191) !== line) {
      this.c.l2Misses++;
      this.l2.set(line & 8191, line);
    }
  }
  fetch(phys: number, len: number): void {
    for (const line of lines(phys, len)) {
      if (this.l1i.touch(line)) continue;
      this.c.l1iMisses++;
      this.l2fill(line);
      this.l1i.fill(line);
    }
  }
  read(phys: number, size: number): void {
    for (const line of lines(phys, size)) {
      if (this.l1d.touch(line)) continue;
      this.c.l1dMisses++;
      this.l2fill(line);
      if (this.l1d.fill(line)) this.c.l1dWritebacks++;
    }
  }
  write(phys: number, size: number): void {
    for (const line of lines(phys, size)) {
      this.l1i.drop(line);
      if (this.l1d.touch(line)) (this.l1d.find(line) as { dirty: boolean }).dirty = true;
      else this.c.l1dWriteMisses++;
    }
  }
}

function lines(phys: number, size: number): number[] {
  const a = phys >>> 5;
  const b = (phys + size - 1) >>> 5;
  return a === b ? [a] : [a, b];
}

test('cache fast paths are exact: 200 000 random fetches, reads and writes', () => {
  const c = new Counters();
  const h = new MemoryHierarchy(P54C_CONFIG, c);
  const ref = new RefHierarchy();
  const next = rng(12345);
  const sizes = [1, 2, 4, 8];
  let last = 0x10000;
  for (let i = 0; i < 200_000; i++) {
    const r = next();
    // mostly near the previous address (so the fast paths trigger), sometimes far
    const phys = r % 4 === 0 ? 0x10000 + (next() % (96 * 1024)) : Math.max(0, last + ((next() % 64) - 32));
    last = phys;
    const size = sizes[(r >>> 3) & 3];
    const op = (r >>> 6) % 5;
    if (op === 0) {
      h.fetch(phys, size);
      ref.fetch(phys, size);
    } else if (op <= 2) {
      h.read(phys, size);
      ref.read(phys, size);
    } else {
      h.write(phys, size);
      ref.write(phys, size);
    }
    if (i % 1000 === 0) h.advance(100);
  }
  expect({ l1iMisses: c.l1iMisses, l1dMisses: c.l1dMisses, l1dWriteMisses: c.l1dWriteMisses, l1dWritebacks: c.l1dWritebacks, l2Misses: c.l2Misses }).toEqual(ref.c);
  expect(c.l1dMisses).toBeGreaterThan(1000); // the stream really exercised misses
  expect(c.l1dWritebacks).toBeGreaterThan(100);
});

test('TLB fast path is exact: 100 000 random lookups against the plain pseudo-LRU algorithm', () => {
  // the reference: the same tree pseudo-LRU, without the last-page shortcut
  const c = new Counters();
  const tlb = new Tlb(P54C_CONFIG.dtlb, c, 'data');
  const sets = new Map<number, { pages: (number | undefined)[]; bits: number }>();
  let refMisses = 0;
  const refLookup = (page: number): void => {
    const set = page & 15;
    const s = sets.get(set) ?? { pages: [undefined, undefined, undefined, undefined], bits: 0 };
    sets.set(set, s);
    let way = s.pages.indexOf(page);
    if (way < 0) {
      refMisses++;
      way = s.pages.indexOf(undefined);
      if (way < 0) way = (s.bits & 1) === 0 ? ((s.bits & 2) === 0 ? 0 : 1) : (s.bits & 4) === 0 ? 2 : 3;
      s.pages[way] = page;
    }
    s.bits = way < 2 ? (s.bits & 4) | 1 | (way === 0 ? 2 : 0) : (s.bits & 2) | (way === 2 ? 4 : 0);
  };
  const next = rng(777);
  let page = 100;
  for (let i = 0; i < 100_000; i++) {
    const r = next();
    page = r % 3 === 0 ? r % 200 : page; // repeat the page two times in three
    tlb.lookup(page * 4096 + (r & 0xfff));
    refLookup(page);
  }
  expect(c.dtlbMisses).toBe(refMisses);
  expect(refMisses).toBeGreaterThan(1000);
});

test('BTB fast path is exact: 100 000 branches against the plain algorithm', () => {
  const c = new Counters();
  const btb = new BranchPredictor(P54C_CONFIG, c);
  // reference: the documented algorithm, no shortcut
  const sets = new Map<number, { eip: (number | undefined)[]; target: number[]; state: number[]; bits: number }>();
  let refMiss = 0;
  const touch = (bits: number, way: number): number => (way < 2 ? (bits & 4) | 1 | (way === 0 ? 2 : 0) : (bits & 2) | (way === 2 ? 4 : 0));
  const refBranch = (eip: number, taken: boolean, target: number): void => {
    const key = eip & 63;
    const s = sets.get(key) ?? { eip: [undefined, undefined, undefined, undefined], target: [0, 0, 0, 0], state: [0, 0, 0, 0], bits: 0 };
    sets.set(key, s);
    let way = s.eip.indexOf(eip);
    if (way < 0) {
      if (taken) {
        refMiss++;
        way = s.eip.indexOf(undefined);
        if (way < 0) way = (s.bits & 1) === 0 ? ((s.bits & 2) === 0 ? 0 : 1) : (s.bits & 4) === 0 ? 2 : 3;
        s.eip[way] = eip;
        s.target[way] = target;
        s.state[way] = 3;
        s.bits = touch(s.bits, way);
      }
      return;
    }
    const st = s.state[way];
    if (st >= 2 ? !taken || s.target[way] !== target : taken) refMiss++;
    if (taken) {
      s.state[way] = Math.min(3, st + 1);
      s.target[way] = target;
    } else s.state[way] = Math.max(0, st - 1);
    s.bits = touch(s.bits, way);
  };
  const next = rng(99);
  let eip = 0x1000;
  for (let i = 0; i < 100_000; i++) {
    const r = next();
    if (r % 4 === 0) eip = 0x1000 + (r % 1000) * 4; // otherwise the same branch again (a loop)
    const taken = r % 7 !== 0;
    const target = (r >>> 8) % 5 === 0 ? 0x2000 : 0x3000;
    btb.branch(eip, taken, target, BranchKind.Jcc, Pipe.U);
    refBranch(eip, taken, target);
  }
  expect(c.mispredictions).toBe(refMiss);
  expect(refMiss).toBeGreaterThan(1000);
});
