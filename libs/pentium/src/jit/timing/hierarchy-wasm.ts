// The memory side of the P54C timing model (timing/memory-hierarchy.ts, l1-cache.ts,
// l2-cache.ts) emitted as WebAssembly functions: the twin that compiled guest blocks call
// without leaving Wasm (docs/design/jit.md, step 3). It works on the TypeScript model's
// own tables in the machine's linear memory (tags, dirty bits, LRU bits, write-buffer
// times); its scalars (the hierarchy's clock, the bus, the last-line filters, the
// counters it keeps) sit in a block of slots, which the run loop exchanges with the
// TypeScript objects when compiled code is entered and left.
//
// Every function mirrors the TypeScript method of the same name line for line; the
// differential test (hierarchy-wasm.spec.ts) drives both with the same random accesses
// and compares every result, counter, scalar and table after each step.
import type { P54CConfig } from '../../timing/p54c-config';
import type { MemoryHierarchy } from '../../timing/memory-hierarchy';
import type { LinearMemory } from '../../memory/linear-memory';
import { CodeWriter, F64, I32, OP, WasmModuleBuilder } from '../wasm-emitter';
import { count, getf, geti, setf, seti, tableOffset } from './slots';

/** slots of the scalar block (byte offsets from its base): f64 first, then i32 */
export const HS = {
  now: 0,
  busFreeAt: 8,
  l1iMisses: 16,
  l1dMisses: 24,
  l1dWriteMisses: 32,
  l1dWritebacks: 40,
  l2Misses: 48,
  dramAccesses: 56,
  writeBufferStalls: 64,
  misalignedAccesses: 72,
  lastFetchLine: 80,
  codeFirstPass: 84,
  lastDNotInCode: 88,
  wbHead: 92,
  l1iLastLine: 96,
  l1iLastDirty: 100,
  l1dLastLine: 104,
  l1dLastDirty: 108,
} as const;
export const HS_BYTES = 112;
/** the f64 slots that are counters of the shared Counters object */
export const HS_COUNTERS = ['l1iMisses', 'l1dMisses', 'l1dWriteMisses', 'l1dWritebacks', 'l2Misses', 'dramAccesses', 'writeBufferStalls', 'misalignedAccesses'] as const;

interface L1Tables {
  tags: number;
  dirty: number;
  lru: number;
  setMask: number;
  lastLine: number;
  lastDirty: number;
}

/** where the twin finds the model's tables and its scalar block (byte offsets) */
export interface HierarchyLayout {
  l1i: L1Tables;
  l1d: L1Tables;
  l2Tags: number;
  l2SetMask: number;
  wbDone: number;
  writeBuffers: number;
  lineShift: number;
  scalars: number;
}

/** The layout of `h`, whose tables must live in `lin`, with a new scalar block allocated there. */
export function hierarchyLayout(h: MemoryHierarchy, lin: LinearMemory): HierarchyLayout {
  const inLin = (a: ArrayBufferView): number => tableOffset(lin, a, 'hierarchy-wasm');
  const scalars = lin.alloc(HS_BYTES, 8);
  const l1 = (c: MemoryHierarchy['l1i'], last: number, lastDirty: number): L1Tables => {
    const t = c.arrays;
    return { tags: inLin(t.tags), dirty: inLin(t.dirty), lru: inLin(t.lru), setMask: c.sets - 1, lastLine: scalars + last, lastDirty: scalars + lastDirty };
  };
  return {
    l1i: l1(h.l1i, HS.l1iLastLine, HS.l1iLastDirty),
    l1d: l1(h.l1d, HS.l1dLastLine, HS.l1dLastDirty),
    l2Tags: inLin(h.l2.tagArray),
    l2SetMask: h.l2.sets - 1,
    wbDone: inLin(h.writeBufferTimes),
    writeBuffers: h.writeBufferTimes.length,
    lineShift: h.l1d.lineShift,
    scalars,
  };
}

/** the exported functions' indices in the module being built */
export interface HierarchyFunctions {
  fetch: number;
  read: number;
  write: number;
  advance: number;
  noteTakenBranch: number;
}

type Clocks = Pick<
  P54CConfig,
  'l2LineFillClocks' | 'dramLineFillClocks' | 'l2WriteClocks' | 'dramWriteClocks' | 'l2LineWriteClocks' | 'dramLineWriteClocks' | 'misalignedClocks'
>;

/** Emits the twin into `m` (whose memory 0 is the machine's linear memory). */
export function emitHierarchy(m: WasmModuleBuilder, L: HierarchyLayout, cfg: Clocks): HierarchyFunctions {
  const S = L.scalars;
  const countSlot = (c: CodeWriter, slot: number): void => count(c, S + slot);

  // ---- L1Cache (l1-cache.ts), one set of functions per cache
  const emitL1 = (T: L1Tables): { access: number; write: number; fill: number; contains: number; invalidate: number } => {
    // locals: 0 line, 1 set, 2 base (entry index), 3 way
    const setAndBase = (c: CodeWriter): void => {
      c.localGet(0).i32Const(T.setMask).op(OP.i32_and).localSet(1);
      c.localGet(1).i32Const(1).op(OP.i32_shl).localSet(2);
    };
    const tagAt = (c: CodeWriter, way: number): CodeWriter => c.localGet(2).i32Const(2).op(OP.i32_shl).mem('i32_load', T.tags + 4 * way);
    // way = the way holding `line`, else return `miss`
    const findWay = (c: CodeWriter, miss: number): void => {
      tagAt(c, 0).localGet(0).op(OP.i32_eq).if().i32Const(0).localSet(3).else();
      tagAt(c, 1).localGet(0).op(OP.i32_eq).if().i32Const(1).localSet(3).else().i32Const(miss).op(OP.return).end();
      c.end();
    };
    const touch = (c: CodeWriter): void => {
      c.localGet(1).localGet(3).i32Const(1).op(OP.i32_xor).mem('i32_store8', T.lru);
    };
    const access = m.addFunction([I32], [I32], [I32, I32, I32], (c) => {
      setAndBase(c);
      findWay(c, 0);
      touch(c);
      seti(c, T.lastLine, (c) => c.localGet(0));
      seti(c, T.lastDirty, (c) => c.localGet(2).localGet(3).op(OP.i32_add).mem('i32_load8_u', T.dirty).i32Const(1).op(OP.i32_eq));
      c.i32Const(1);
    });
    const write = m.addFunction([I32], [I32], [I32, I32, I32], (c) => {
      setAndBase(c);
      findWay(c, 0);
      touch(c);
      c.localGet(2).localGet(3).op(OP.i32_add).i32Const(1).mem('i32_store8', T.dirty);
      seti(c, T.lastLine, (c) => c.localGet(0));
      seti(c, T.lastDirty, (c) => c.i32Const(1));
      c.i32Const(1);
    });
    // returns the dirty victim's line, or -1
    const fill = m.addFunction([I32], [I32], [I32, I32, I32, I32, I32, I32], (c) => {
      const [slot, victim] = [4, 5];
      setAndBase(c);
      tagAt(c, 0).i32Const(-1).op(OP.i32_eq).if().i32Const(0).localSet(3).else();
      tagAt(c, 1).i32Const(-1).op(OP.i32_eq).if().i32Const(1).localSet(3).else().localGet(1).mem('i32_load8_u', T.lru).localSet(3).end();
      c.end();
      c.localGet(2).localGet(3).op(OP.i32_add).localSet(slot);
      c.localGet(slot).i32Const(2).op(OP.i32_shl).mem('i32_load', T.tags).localSet(victim);
      // not dirty: no victim to write back
      c.localGet(slot).mem('i32_load8_u', T.dirty).i32Const(1).op(OP.i32_ne).if().i32Const(-1).localSet(victim).end();
      c.localGet(slot).i32Const(2).op(OP.i32_shl).localGet(0).mem('i32_store', T.tags);
      c.localGet(slot).i32Const(0).mem('i32_store8', T.dirty);
      touch(c);
      seti(c, T.lastLine, (c) => c.localGet(0));
      seti(c, T.lastDirty, (c) => c.i32Const(0));
      c.localGet(victim);
    });
    const contains = m.addFunction([I32], [I32], [I32, I32, I32], (c) => {
      setAndBase(c);
      tagAt(c, 0).localGet(0).op(OP.i32_eq);
      tagAt(c, 1).localGet(0).op(OP.i32_eq).op(OP.i32_or);
    });
    // returns whether the dropped line was dirty
    const invalidate = m.addFunction([I32], [I32], [I32, I32, I32, I32], (c) => {
      const slot = 4;
      setAndBase(c);
      findWay(c, 0);
      c.localGet(2).localGet(3).op(OP.i32_add).localSet(slot);
      c.localGet(slot).i32Const(2).op(OP.i32_shl).i32Const(-1).mem('i32_store', T.tags);
      c.localGet(slot).mem('i32_load8_u', T.dirty); // the result
      c.localGet(slot).i32Const(0).mem('i32_store8', T.dirty);
      geti(c, T.lastLine).localGet(0).op(OP.i32_eq).if();
      seti(c, T.lastLine, (c) => c.i32Const(-1));
      c.end();
    });
    return { access, write, fill, contains, invalidate };
  };
  const l1i = emitL1(L.l1i);
  const l1d = emitL1(L.l1d);

  // ---- L2Cache (l2-cache.ts): direct mapped
  const l2Addr = (c: CodeWriter): CodeWriter => c.localGet(0).i32Const(L.l2SetMask).op(OP.i32_and).i32Const(2).op(OP.i32_shl);
  const l2Contains = m.addFunction([I32], [I32], [], (c) => l2Addr(c).mem('i32_load', L.l2Tags).localGet(0).op(OP.i32_eq));
  const l2Fill = m.addFunction([I32], [], [], (c) => l2Addr(c).localGet(0).mem('i32_store', L.l2Tags));

  // ---- MemoryHierarchy (memory-hierarchy.ts)
  // lineFill(line) → stall: a fill from L2 or DRAM once the bus is free
  const lineFill = m.addFunction([I32], [I32], [F64, F64, F64, F64], (c) => {
    const [t, busWait, fill, stall] = [1, 2, 3, 4];
    getf(c, S + HS.now).localSet(t);
    c.f64Const(0).localSet(busWait);
    getf(c, S + HS.busFreeAt).localGet(t).op(OP.f64_gt).if();
    getf(c, S + HS.busFreeAt).localGet(t).op(OP.f64_sub).localSet(busWait).end();
    c.localGet(0).call(l2Contains).if().f64Const(cfg.l2LineFillClocks).localSet(fill).else();
    c.f64Const(cfg.dramLineFillClocks).localSet(fill);
    countSlot(c, HS.l2Misses);
    countSlot(c, HS.dramAccesses);
    c.localGet(0).call(l2Fill).end();
    c.localGet(busWait).f64Const(0).op(OP.f64_gt).if();
    setf(c, S + HS.writeBufferStalls, (c) => getf(c, S + HS.writeBufferStalls).localGet(busWait).op(OP.f64_add));
    c.end();
    c.localGet(busWait).localGet(fill).op(OP.f64_add).localSet(stall);
    setf(c, S + HS.busFreeAt, (c) => c.localGet(t).localGet(stall).op(OP.f64_add));
    setf(c, S + HS.now, (c) => c.localGet(t).localGet(stall).op(OP.f64_add));
    c.localGet(stall).op(OP.i32_trunc_f64_s);
  });
  // writeBack(line): the dirty victim leaves through the replacement buffer (bus time only)
  const writeBack = m.addFunction([I32], [], [F64], (c) => {
    const cost = 1;
    countSlot(c, HS.l1dWritebacks);
    c.localGet(0).call(l2Contains).if().f64Const(cfg.l2LineWriteClocks).localSet(cost).else();
    c.f64Const(cfg.dramLineWriteClocks).localSet(cost);
    countSlot(c, HS.dramAccesses);
    c.end();
    // max(busFreeAt, now) + cost
    setf(c, S + HS.busFreeAt, (c) => {
      getf(c, S + HS.busFreeAt);
      getf(c, S + HS.now);
      getf(c, S + HS.busFreeAt);
      getf(c, S + HS.now).op(OP.f64_gt).op(OP.select);
      c.localGet(cost).op(OP.f64_add);
    });
  });
  const fetchCodeLine = m.addFunction([I32], [I32], [I32], (c) => {
    geti(c, S + HS.lastFetchLine).localGet(0).op(OP.i32_eq).if().i32Const(0).op(OP.return).end();
    seti(c, S + HS.lastFetchLine, (c) => c.localGet(0));
    c.localGet(0).call(l1i.access).if();
    seti(c, S + HS.codeFirstPass, (c) => c.i32Const(0));
    c.i32Const(0).op(OP.return).end();
    countSlot(c, HS.l1iMisses);
    c.localGet(0).call(lineFill).localSet(1);
    c.localGet(0).call(l1i.fill).op(OP.drop); // the code cache is never dirty
    seti(c, S + HS.codeFirstPass, (c) => c.i32Const(1));
    seti(c, S + HS.lastDNotInCode, (c) => c.i32Const(0));
    c.localGet(1);
  });
  // (phys, length) → the first and last line of the access, in locals 2 and 3
  const lines = (c: CodeWriter): void => {
    c.localGet(0).i32Const(L.lineShift).op(OP.i32_shr_u).localSet(2);
    c.localGet(0).localGet(1).op(OP.i32_add).i32Const(1).op(OP.i32_sub).i32Const(L.lineShift).op(OP.i32_shr_u).localSet(3);
  };
  const fetch = m.addFunction([I32, I32], [I32], [I32, I32, I32], (c) => {
    lines(c);
    c.localGet(2);
    geti(c, S + HS.lastFetchLine).op(OP.i32_eq).localGet(3).localGet(2).op(OP.i32_eq).op(OP.i32_and).if().i32Const(0).op(OP.return).end();
    c.localGet(2).call(fetchCodeLine).localSet(4);
    c.localGet(3).localGet(2).op(OP.i32_ne).if().localGet(4).localGet(3).call(fetchCodeLine).op(OP.i32_add).localSet(4).end();
    c.localGet(4);
  });
  // misaligned (memory-hierarchy.ts misaligned()): the access's stall, counted
  const misalignedStall = (c: CodeWriter, into: number): void => {
    c.i32Const(0).localSet(into);
    c.localGet(1).i32Const(4).op(OP.i32_le_u).if(I32);
    c.localGet(0).i32Const(3).op(OP.i32_and).localGet(1).op(OP.i32_add).i32Const(4).op(OP.i32_gt_u);
    c.else().localGet(0).i32Const(7).op(OP.i32_and).i32Const(0).op(OP.i32_ne).end();
    c.if();
    countSlot(c, HS.misalignedAccesses);
    c.i32Const(cfg.misalignedClocks).localSet(into).end();
  };
  const readLine = m.addFunction([I32], [I32], [I32, I32], (c) => {
    seti(c, S + HS.lastDNotInCode, (c) => c.i32Const(0));
    c.localGet(0).call(l1d.access).if().i32Const(0).op(OP.return).end();
    countSlot(c, HS.l1dMisses);
    c.localGet(0).call(lineFill).localSet(1);
    c.localGet(0).call(l1d.fill).localTee(2).i32Const(0).op(OP.i32_ge_s).if().localGet(2).call(writeBack).end();
    c.localGet(1);
  });
  const read = m.addFunction([I32, I32], [I32], [I32, I32, I32], (c) => {
    lines(c);
    misalignedStall(c, 4);
    c.localGet(2);
    geti(c, L.l1d.lastLine).op(OP.i32_eq).localGet(3).localGet(2).op(OP.i32_eq).op(OP.i32_and).if().localGet(4).op(OP.return).end();
    c.localGet(4).localGet(2).call(readLine).op(OP.i32_add).localSet(4);
    c.localGet(3).localGet(2).op(OP.i32_ne).if().localGet(4).localGet(3).call(readLine).op(OP.i32_add).localSet(4).end();
    c.localGet(4);
  });
  const writeLine = m.addFunction([I32], [I32], [F64, I32, F64, F64, F64, F64], (c) => {
    const [cost, slot, t, stall, oldest, start] = [1, 2, 3, 4, 5, 6];
    // the code cache snoops writes
    c.localGet(0).call(l1i.contains).if();
    c.localGet(0).call(l1i.invalidate).op(OP.drop);
    geti(c, S + HS.lastFetchLine).localGet(0).op(OP.i32_eq).if();
    seti(c, S + HS.lastFetchLine, (c) => c.i32Const(-1));
    c.end().end();
    c.localGet(0).call(l1d.write).if();
    seti(c, S + HS.lastDNotInCode, (c) => c.i32Const(1));
    c.i32Const(0).op(OP.return).end();
    // a write miss goes to a write buffer
    countSlot(c, HS.l1dWriteMisses);
    c.localGet(0).call(l2Contains).if().f64Const(cfg.l2WriteClocks).localSet(cost).else();
    c.f64Const(cfg.dramWriteClocks).localSet(cost);
    countSlot(c, HS.dramAccesses);
    c.end();
    geti(c, S + HS.wbHead).i32Const(3).op(OP.i32_shl).localSet(slot);
    getf(c, S + HS.now).localSet(t);
    c.f64Const(0).localSet(stall);
    c.localGet(slot).mem('f64_load', L.wbDone).localTee(oldest).localGet(t).op(OP.f64_gt).if();
    c.localGet(oldest).localGet(t).op(OP.f64_sub).localSet(stall);
    c.localGet(oldest).localSet(t);
    setf(c, S + HS.writeBufferStalls, (c) => getf(c, S + HS.writeBufferStalls).localGet(stall).op(OP.f64_add));
    c.end();
    getf(c, S + HS.busFreeAt).localGet(t);
    getf(c, S + HS.busFreeAt).localGet(t).op(OP.f64_gt).op(OP.select).localSet(start);
    setf(c, S + HS.busFreeAt, (c) => c.localGet(start).localGet(cost).op(OP.f64_add));
    c.localGet(slot).localGet(start).localGet(cost).op(OP.f64_add).mem('f64_store', L.wbDone);
    seti(c, S + HS.wbHead, (c) => {
      geti(c, S + HS.wbHead).i32Const(1).op(OP.i32_add).localTee(slot);
      c.i32Const(0).localGet(slot).i32Const(L.writeBuffers).op(OP.i32_ne).op(OP.select);
    });
    setf(c, S + HS.now, (c) => c.localGet(t));
    c.localGet(stall).op(OP.i32_trunc_f64_s);
  });
  const write = m.addFunction([I32, I32], [I32], [I32, I32, I32], (c) => {
    lines(c);
    misalignedStall(c, 4);
    c.localGet(2);
    geti(c, L.l1d.lastLine).op(OP.i32_eq);
    geti(c, L.l1d.lastDirty).op(OP.i32_and);
    geti(c, S + HS.lastDNotInCode).op(OP.i32_and);
    c.localGet(3).localGet(2).op(OP.i32_eq).op(OP.i32_and).if().localGet(4).op(OP.return).end();
    c.localGet(4).localGet(2).call(writeLine).op(OP.i32_add).localSet(4);
    c.localGet(3).localGet(2).op(OP.i32_ne).if().localGet(4).localGet(3).call(writeLine).op(OP.i32_add).localSet(4).end();
    c.localGet(4);
  });
  const advance = m.addFunction([I32], [], [], (c) => setf(c, S + HS.now, (c) => getf(c, S + HS.now).localGet(0).op(OP.f64_convert_i32_s).op(OP.f64_add)));
  const noteTakenBranch = m.addFunction([], [], [], (c) => seti(c, S + HS.codeFirstPass, (c) => c.i32Const(0)));
  return { fetch, read, write, advance, noteTakenBranch };
}
