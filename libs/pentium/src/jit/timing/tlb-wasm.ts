// A P54C TLB (timing/tlb.ts) emitted as WebAssembly functions: the twin that compiled
// guest blocks call without leaving Wasm (docs/design/jit.md, step 3). It works on the
// TypeScript model's own tables in the machine's linear memory (the 4 KiB and 4 MiB
// arrays' page tags and PLRU bits); its scalars (the last-page filters, the misses and
// flushes of this TLB, and the shared counter its misses go to: itlbMisses or dtlbMisses)
// sit in a block of slots, which the run loop exchanges with the TypeScript objects when
// compiled code is entered and left. Like hierarchy-wasm.ts, which it follows.
//
// Every function mirrors the TypeScript method of the same name; the differential test
// (tlb-wasm.spec.ts) drives both with the same random lookups, invalidations and flushes
// and compares every result, counter, scalar and table.
import type { Tlb, TlbTables } from '../../timing/tlb';
import type { LinearMemory } from '../../memory/linear-memory';
import { CodeWriter, I32, OP, WasmModuleBuilder } from '../wasm-emitter';
import { count, geti, seti, tableOffset } from './slots';
import { emitPlru4Touch, emitPlru4Victim } from './plru-wasm';

/** slots of the scalar block (byte offsets from its base): f64 first, then i32 */
export const TLBS = {
  /** Tlb.misses */
  misses: 0,
  /** the shared counter of this TLB's misses (TlbLayout.counter names it) */
  counter: 8,
  /** Tlb.flushes */
  flushes: 16,
  lastPage: 24,
  lastLargePage: 28,
} as const;
export const TLBS_BYTES = 32;
/** the first i32 slot (the ones before it are f64) */
export const TLBS_FIRST_I32 = TLBS.lastPage;

/** one array's tables (byte offsets) and geometry */
export interface TlbArrayLayout {
  tags: number;
  plru: number;
  setMask: number;
  entries: number;
}

/** where the twin finds the model's tables and its scalar block (byte offsets) */
export interface TlbLayout {
  small: TlbArrayLayout;
  /** the 4 MiB array; null when 4 MiB pages share the 4 KiB array (the code TLB) */
  large: TlbArrayLayout | null;
  /** which field of the shared Counters the `counter` slot stands for */
  counter: 'itlbMisses' | 'dtlbMisses';
  scalars: number;
}

/** The layout of `tlb`, whose tables must live in `lin`, with a new scalar block allocated there. */
export function tlbLayout(tlb: Tlb, lin: LinearMemory): TlbLayout {
  const inLin = (a: ArrayBufferView): number => tableOffset(lin, a, 'tlb-wasm');
  const array = (t: TlbTables): TlbArrayLayout => {
    if (t.tags.length !== t.plru.length * 4) throw new Error(`tlb-wasm: ${t.tags.length} entries in ${t.plru.length} sets is not 4-way`);
    return { tags: inLin(t.tags), plru: inLin(t.plru), setMask: t.plru.length - 1, entries: t.tags.length };
  };
  const { small, large } = tlb.arrays;
  return {
    small: array(small),
    large: large !== null ? array(large) : null,
    counter: tlb.kind === 'code' ? 'itlbMisses' : 'dtlbMisses',
    scalars: lin.alloc(TLBS_BYTES, 8),
  };
}

/** the exported functions' indices in the module being built */
export interface TlbFunctions {
  /** (linear, large) → 1 hit, 0 miss (inserted and counted) */
  lookup: number;
  /** (linear, large) → 1 when cached; no state change */
  contains: number;
  /** (linear): INVLPG */
  invalidate: number;
  /** (): MOV CR3 */
  flush: number;
}

/** Emits the twin into `m` (whose memory 0 is the machine's linear memory). */
export function emitTlb(m: WasmModuleBuilder, L: TlbLayout): TlbFunctions {
  const S = L.scalars;

  // ---- lookup(linear, large); locals: 0 linear, 1 large, 2 page, 3 set, 4 base (byte offset of the set's tags), 5 way
  const [linear, large, page, set, base, way] = [0, 1, 2, 3, 4, 5];
  const setAndBase = (c: CodeWriter, T: TlbArrayLayout): void => {
    c.localGet(page).i32Const(T.setMask).op(OP.i32_and).localTee(set).i32Const(4).op(OP.i32_shl).localSet(base);
  };
  const tagIs = (c: CodeWriter, T: TlbArrayLayout, w: number, value: (c: CodeWriter) => void): void => {
    c.localGet(base).mem('i32_load', T.tags + 4 * w);
    value(c);
    c.op(OP.i32_eq);
  };
  const plruBits = (T: TlbArrayLayout) => (c: CodeWriter): void => {
    c.localGet(set).mem('i32_load8_u', T.plru);
  };
  const touch = (c: CodeWriter, T: TlbArrayLayout): void => {
    c.localGet(set);
    emitPlru4Touch(c, plruBits(T), (c) => c.localGet(way));
    c.mem('i32_store8', T.plru);
  };
  // TlbArray.lookupInsert(page), inline: a hit returns 1 from the function; a miss
  // inserts the page and falls through
  const lookupInsert = (c: CodeWriter, T: TlbArrayLayout): void => {
    setAndBase(c, T);
    c.block(); // the miss, once inserted
    c.block(); // $hit
    for (let w = 0; w < 4; w++) {
      c.i32Const(w).localSet(way);
      tagIs(c, T, w, (c) => c.localGet(page));
      c.brIf(0);
    }
    // miss: an invalid entry first, else the PLRU victim
    c.block();
    for (let w = 0; w < 4; w++) {
      c.i32Const(w).localSet(way);
      tagIs(c, T, w, (c) => c.i32Const(-1));
      c.brIf(0);
    }
    emitPlru4Victim(c, plruBits(T));
    c.localSet(way);
    c.end();
    c.localGet(base).localGet(way).i32Const(2).op(OP.i32_shl).op(OP.i32_add).localGet(page).mem('i32_store', T.tags);
    touch(c, T);
    c.br(1);
    c.end(); // $hit
    touch(c, T);
    c.i32Const(1).op(OP.return);
    c.end();
  };
  // the filter on the last page, then the array
  const lookupIn = (c: CodeWriter, T: TlbArrayLayout, shift: number, lastSlot: number): void => {
    c.localGet(linear).i32Const(shift).op(OP.i32_shr_u).localTee(page);
    geti(c, S + lastSlot).op(OP.i32_eq).if().i32Const(1).op(OP.return).end();
    seti(c, S + lastSlot, (c) => c.localGet(page));
    lookupInsert(c, T);
  };
  const lookup = m.addFunction([I32, I32], [I32], [I32, I32, I32, I32], (c) => {
    if (L.large !== null) {
      c.localGet(large).if();
      lookupIn(c, L.large, 22, TLBS.lastLargePage);
      c.else();
      lookupIn(c, L.small, 12, TLBS.lastPage);
      c.end();
    } else {
      lookupIn(c, L.small, 12, TLBS.lastPage); // 4 MiB pages go to the 4 KiB array
    }
    count(c, S + TLBS.misses);
    count(c, S + TLBS.counter);
    c.i32Const(0);
  });

  // ---- contains(linear, large): the page in any of its set's 4 ways
  const containsIn = (c: CodeWriter, T: TlbArrayLayout, shift: number): void => {
    c.localGet(linear).i32Const(shift).op(OP.i32_shr_u).localSet(page);
    setAndBase(c, T);
    for (let w = 0; w < 4; w++) {
      tagIs(c, T, w, (c) => c.localGet(page));
      if (w > 0) c.op(OP.i32_or);
    }
  };
  const contains = m.addFunction([I32, I32], [I32], [I32, I32, I32, I32], (c) => {
    if (L.large !== null) {
      c.localGet(large).if(I32);
      containsIn(c, L.large, 22);
      c.else();
      containsIn(c, L.small, 12);
      c.end();
    } else {
      containsIn(c, L.small, 12);
    }
  });

  // ---- invalidate(linear): the page's entry in both arrays, and both filters
  const invalidateIn = (c: CodeWriter, T: TlbArrayLayout, shift: number): void => {
    c.localGet(linear).i32Const(shift).op(OP.i32_shr_u).localSet(page);
    setAndBase(c, T);
    for (let w = 0; w < 4; w++) {
      tagIs(c, T, w, (c) => c.localGet(page));
      c.if().localGet(base).i32Const(-1).mem('i32_store', T.tags + 4 * w).end();
    }
  };
  const invalidate = m.addFunction([I32], [], [I32, I32, I32, I32, I32], (c) => {
    invalidateIn(c, L.small, 12);
    if (L.large !== null) invalidateIn(c, L.large, 22);
    seti(c, S + TLBS.lastPage, (c) => c.i32Const(-1));
    seti(c, S + TLBS.lastLargePage, (c) => c.i32Const(-1));
  });

  // ---- flush(): every tag invalid, every PLRU zero, both filters reset, counted
  const fill = (c: CodeWriter, i: number, from: number, to: number, step: number, store: (c: CodeWriter) => void): void => {
    c.i32Const(from).localSet(i);
    c.block().loop();
    c.localGet(i).i32Const(to).op(OP.i32_ge_u).brIf(1);
    store(c);
    c.localGet(i).i32Const(step).op(OP.i32_add).localSet(i);
    c.br(0).end().end();
  };
  const flushArray = (c: CodeWriter, T: TlbArrayLayout): void => {
    fill(c, 0, T.tags, T.tags + 4 * T.entries, 4, (c) => c.localGet(0).i32Const(-1).mem('i32_store'));
    fill(c, 0, T.plru, T.plru + T.entries / 4, 1, (c) => c.localGet(0).i32Const(0).mem('i32_store8'));
  };
  const flush = m.addFunction([], [], [I32], (c) => {
    flushArray(c, L.small);
    if (L.large !== null) flushArray(c, L.large);
    seti(c, S + TLBS.lastPage, (c) => c.i32Const(-1));
    seti(c, S + TLBS.lastLargePage, (c) => c.i32Const(-1));
    count(c, S + TLBS.flushes);
  });

  return { lookup, contains, invalidate, flush };
}
