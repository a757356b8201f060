// The P54C branch predictor (timing/btb.ts) emitted as WebAssembly functions: the twin
// that compiled guest blocks call without leaving Wasm (docs/design/jit.md, step 3). It
// works on the TypeScript model's own tables in the machine's linear memory (the BTB's
// branch addresses, targets, 2-bit states and PLRU bits); its scalars (the repeat filter
// and the shared counters it keeps: branches, mispredictions) sit in a block of slots,
// which the run loop exchanges with the TypeScript objects when compiled code is entered
// and left. Like hierarchy-wasm.ts, which it follows.
//
// The model keeps branch addresses and targets as unsigned numbers in Float64Arrays, with
// -1 for an empty entry and for "no repeat": so does the twin (f64 slots and tables, the
// i32 arguments converted unsigned), which keeps 0xffffffff a branch address distinct
// from -1 as in the model.
//
// branch() mirrors BranchPredictor.branch line for line; the differential test
// (btb-wasm.spec.ts) drives both with the same random branches and compares every
// penalty, counter, scalar and table.
import { Pipe, type BranchPredictor } from '../../timing/btb';
import { BranchKind } from '../../timing/timing-info';
import type { P54CConfig } from '../../timing/p54c-config';
import type { LinearMemory } from '../../memory/linear-memory';
import { CodeWriter, F64, I32, OP, WasmModuleBuilder } from '../wasm-emitter';
import { count, getf, setf, tableOffset } from './slots';
import { emitPlru4Touch, emitPlru4Victim } from './plru-wasm';

/** slots of the scalar block (byte offsets from its base), all f64 */
export const BS = {
  branches: 0,
  mispredictions: 8,
  /** the repeat filter: the branch's address (-1: none) and target */
  repeatEip: 16,
  repeatTarget: 24,
} as const;
export const BS_BYTES = 32;
/** the slots that are counters of the shared Counters object */
export const BS_COUNTERS = ['branches', 'mispredictions'] as const;

/** where the twin finds the model's tables and its scalar block (byte offsets) */
export interface BtbLayout {
  /** f64 per entry: branch address or -1 */
  tags: number;
  /** f64 per entry */
  targets: number;
  /** u8 per entry: the 2-bit counter */
  state: number;
  /** u8 per set */
  plru: number;
  setMask: number;
  entries: number;
  scalars: number;
}

/** The layout of `p`, whose tables must live in `lin`, with a new scalar block allocated there. */
export function btbLayout(p: BranchPredictor, lin: LinearMemory): BtbLayout {
  const inLin = (a: ArrayBufferView): number => tableOffset(lin, a, 'btb-wasm');
  const t = p.arrays;
  const entries = t.tags.length;
  if (t.targets.length !== entries || t.state.length !== entries || entries !== t.plru.length * 4) {
    throw new Error(`btb-wasm: ${entries} entries in ${t.plru.length} sets is not a 4-way BTB`);
  }
  return {
    tags: inLin(t.tags),
    targets: inLin(t.targets),
    state: inLin(t.state),
    plru: inLin(t.plru),
    setMask: t.plru.length - 1,
    entries,
    scalars: lin.alloc(BS_BYTES, 8),
  };
}

/** the exported functions' indices in the module being built */
export interface BtbFunctions {
  /** (eip, taken, target, kind: BranchKind, pipe: Pipe) → the misprediction penalty in clocks */
  branch: number;
  /** (): forget everything, as BranchPredictor.reset */
  reset: number;
}

type Penalties = Pick<P54CConfig, 'mispredictJccU' | 'mispredictJccV' | 'mispredictJmp'>;

/** Emits the twin into `m` (whose memory 0 is the machine's linear memory). */
export function emitBtb(m: WasmModuleBuilder, L: BtbLayout, cfg: Penalties): BtbFunctions {
  const S = L.scalars;
  const countSlot = (c: CodeWriter, slot: number): void => count(c, S + slot);
  // as the model: the table's total clocks less the base clock the issue already charged
  const penaltyJccU = cfg.mispredictJccU - 1;
  const penaltyJccV = cfg.mispredictJccV - 1;
  const penaltyJmp = cfg.mispredictJmp - 1;

  // params: 0 eip, 1 taken, 2 target, 3 kind, 4 pipe
  // locals: 5 eip (f64, unsigned), 6 target (f64, unsigned), 7 set, 8 base (entry index), 9 way, 10 slot, 11 s, 12 mispredicted
  const [eip, taken, target, kind, pipe, eipF, targetF, set, base, way, slot, s, mis] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const tagAt = (c: CodeWriter, w: number): CodeWriter => c.localGet(base).i32Const(3).op(OP.i32_shl).mem('f64_load', L.tags + 8 * w);
  const plruBits = (c: CodeWriter): void => {
    c.localGet(set).mem('i32_load8_u', L.plru);
  };
  const touch = (c: CodeWriter): void => {
    c.localGet(set);
    emitPlru4Touch(c, plruBits, (c) => c.localGet(way));
    c.mem('i32_store8', L.plru);
  };
  const remember = (c: CodeWriter): void => {
    setf(c, S + BS.repeatEip, (c) => c.localGet(eipF));
    setf(c, S + BS.repeatTarget, (c) => c.localGet(targetF));
  };
  const branch = m.addFunction([I32, I32, I32, I32, I32], [I32], [F64, F64, I32, I32, I32, I32, I32, I32], (c) => {
    // far transfers and non-branches are not predicted
    c.localGet(kind).i32Const(BranchKind.None).op(OP.i32_eq).localGet(kind).i32Const(BranchKind.Far).op(OP.i32_eq).op(OP.i32_or);
    c.if().i32Const(0).op(OP.return).end();
    c.localGet(eip).op(OP.f64_convert_i32_u).localSet(eipF);
    c.localGet(target).op(OP.f64_convert_i32_u).localSet(targetF);
    c.localGet(taken).i32Const(0).op(OP.i32_ne).localSet(taken);
    countSlot(c, BS.branches);
    // the repeat filter
    c.localGet(eipF);
    getf(c, S + BS.repeatEip).op(OP.f64_eq).localGet(taken).op(OP.i32_and);
    c.localGet(targetF);
    getf(c, S + BS.repeatTarget).op(OP.f64_eq).op(OP.i32_and);
    c.if().i32Const(0).op(OP.return).end();
    setf(c, S + BS.repeatEip, (c) => c.f64Const(-1));
    c.localGet(eip).i32Const(L.setMask).op(OP.i32_and).localTee(set).i32Const(2).op(OP.i32_shl).localSet(base);

    c.block(); // $mispredicted
    c.block(); // $hit
    for (let w = 0; w < 4; w++) {
      c.i32Const(w).localSet(way);
      tagAt(c, w).localGet(eipF).op(OP.f64_eq).brIf(0);
    }
    // BTB miss: predicted not taken
    c.localGet(taken).op(OP.i32_eqz).if().i32Const(0).op(OP.return).end();
    c.block(); // an invalid entry first, else the PLRU victim
    for (let w = 0; w < 4; w++) {
      c.i32Const(w).localSet(way);
      tagAt(c, w).f64Const(-1).op(OP.f64_eq).brIf(0);
    }
    emitPlru4Victim(c, plruBits);
    c.localSet(way);
    c.end();
    c.localGet(base).localGet(way).op(OP.i32_add).localSet(slot);
    c.localGet(slot).i32Const(3).op(OP.i32_shl).localGet(eipF).mem('f64_store', L.tags);
    c.localGet(slot).i32Const(3).op(OP.i32_shl).localGet(targetF).mem('f64_store', L.targets);
    c.localGet(slot).i32Const(3).mem('i32_store8', L.state);
    touch(c);
    remember(c);
    c.br(1);
    c.end(); // $hit

    c.localGet(base).localGet(way).op(OP.i32_add).localSet(slot);
    c.localGet(slot).mem('i32_load8_u', L.state).localSet(s);
    // predicted taken (s >= 2): wrong when not taken or taken elsewhere; else wrong when taken
    c.localGet(taken).op(OP.i32_eqz);
    c.localGet(slot).i32Const(3).op(OP.i32_shl).mem('f64_load', L.targets).localGet(targetF).op(OP.f64_ne).op(OP.i32_or);
    c.localGet(taken);
    c.localGet(s).i32Const(2).op(OP.i32_ge_u).op(OP.select).localSet(mis);
    c.localGet(taken).if();
    c.localGet(slot);
    c.localGet(s).i32Const(1).op(OP.i32_add).i32Const(3).localGet(s).i32Const(3).op(OP.i32_lt_u).op(OP.select);
    c.mem('i32_store8', L.state);
    c.localGet(slot).i32Const(3).op(OP.i32_shl).localGet(targetF).mem('f64_store', L.targets);
    c.else();
    c.localGet(s).if().localGet(slot).localGet(s).i32Const(1).op(OP.i32_sub).mem('i32_store8', L.state).end();
    c.end();
    touch(c);
    c.localGet(taken).localGet(slot).mem('i32_load8_u', L.state).i32Const(3).op(OP.i32_eq).op(OP.i32_and).if();
    remember(c);
    c.end();
    c.localGet(mis).op(OP.i32_eqz).if().i32Const(0).op(OP.return).end();
    c.end(); // $mispredicted

    countSlot(c, BS.mispredictions);
    c.i32Const(penaltyJccV).i32Const(penaltyJccU).localGet(pipe).i32Const(Pipe.V).op(OP.i32_eq).op(OP.select);
    c.i32Const(penaltyJmp);
    c.localGet(kind).i32Const(BranchKind.Jcc).op(OP.i32_eq).op(OP.select);
  });

  // reset(): no repeat, every tag invalid, every state and PLRU zero (the targets stay)
  const reset = m.addFunction([], [], [I32], (c) => {
    const fill = (from: number, to: number, step: number, store: (c: CodeWriter) => void): void => {
      c.i32Const(from).localSet(0);
      c.block().loop();
      c.localGet(0).i32Const(to).op(OP.i32_ge_u).brIf(1);
      store(c);
      c.localGet(0).i32Const(step).op(OP.i32_add).localSet(0);
      c.br(0).end().end();
    };
    setf(c, S + BS.repeatEip, (c) => c.f64Const(-1));
    fill(L.tags, L.tags + 8 * L.entries, 8, (c) => c.localGet(0).f64Const(-1).mem('f64_store'));
    fill(L.state, L.state + L.entries, 1, (c) => c.localGet(0).i32Const(0).mem('i32_store8'));
    fill(L.plru, L.plru + L.entries / 4, 1, (c) => c.localGet(0).i32Const(0).mem('i32_store8'));
  });

  return { branch, reset };
}
