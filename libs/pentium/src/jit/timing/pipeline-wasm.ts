// The P54C pipelines' issue model (timing/pipeline.ts with pairing.ts) emitted as a
// WebAssembly function: the twin that compiled guest blocks call for every instruction
// (docs/design/jit.md, step 3). A compiled block knows each instruction's TimingInfo when
// it is compiled, so the row arrives packed into two i32 constants (packTiming); the open
// U instruction's row is kept the same way in the scalar block. Branch resolution calls
// the BTB and the memory hierarchy through the function indices it is given, so the twin
// composes with the other twins in one module, or with host functions in a test.
//
// `issue` mirrors Pipeline.issue (Pipeline.issueAfter gives the same result and state);
// `branch` and `serialize` mirror their namesakes. The differential test
// (pipeline-wasm.spec.ts) compares it with the TypeScript model step by step.
import type { P54CConfig } from '../../timing/p54c-config';
import type { LinearMemory } from '../../memory/linear-memory';
import { BranchKind, PairClass, type TimingInfo } from '../../timing/timing-info';
import { CodeWriter, I32, OP, WasmModuleBuilder } from '../wasm-emitter';
import { addf as slotAddf, geti as slotGeti, seti as slotSeti } from './slots';

/** slots of the scalar block (byte offsets): f64 counters first, then i32 state */
export const PS = {
  instructions: 0,
  pairs: 8,
  agiStalls: 16,
  bankConflicts: 24,
  prefixClocks: 32,
  openU: 40, // 1: an instruction in U may take a V partner
  openUW0: 44,
  openUW1: 48,
  openUDataPhys: 52,
  openUAgi: 56,
  groupWrites: 60,
  prevGroupWrites: 64,
  lastPipe: 68,
  pendingBranch: 72,
  branchEip: 76,
  branchTaken: 80,
  branchTarget: 84,
  branchKind: 88,
} as const;
export const PS_BYTES = 96;
/** the slots below this offset are f64 counters, the rest i32 */
export const PS_FIRST_I32 = PS.openU;
export const PS_COUNTERS = ['instructions', 'pairs', 'agiStalls', 'bankConflicts', 'prefixClocks'] as const;

// packed row: w0 = clocks (bits 0–15) | pair (16–19) | prefixes (20–23) | branch (24–27)
//             | readsFlags (28) | writesFlags (29) | dispAndImm (30);
//             w1 = regsRead (0–7) | regsWritten (8–15) | addrRegs (16–23)
/** A TimingInfo as the two i32 words the twin takes. */
export function packTiming(t: TimingInfo): [number, number] {
  if (t.clocks > 0xffff || t.prefixes > 15) throw new Error(`pipeline-wasm: a row with ${t.clocks} clocks and ${t.prefixes} prefixes does not pack`);
  const w0 = t.clocks | (t.pair << 16) | (t.prefixes << 20) | (t.branch << 24) | (+t.readsFlags << 28) | (+t.writesFlags << 29) | (+t.dispAndImm << 30);
  const w1 = t.regsRead | (t.regsWritten << 8) | (t.addrRegs << 16);
  return [w0, w1];
}

/** The row of two packed words (the fields issue reads; the rest zero). */
export function unpackTiming(w0: number, w1: number): TimingInfo {
  return {
    clocks: w0 & 0xffff,
    pair: (w0 >>> 16) & 15,
    prefixes: (w0 >>> 20) & 15,
    branch: (w0 >>> 24) & 15,
    readsFlags: ((w0 >>> 28) & 1) === 1,
    writesFlags: ((w0 >>> 29) & 1) === 1,
    dispAndImm: ((w0 >>> 30) & 1) === 1,
    regsRead: w1 & 0xff,
    regsWritten: (w1 >>> 8) & 0xff,
    addrRegs: (w1 >>> 16) & 0xff,
    memRead: false,
    memWrite: false,
    length: 0,
  };
}

/** The block of slots the twin keeps its state in. */
export function pipelineLayout(lin: LinearMemory): { scalars: number } {
  return { scalars: lin.alloc(PS_BYTES, 8) };
}

/** functions the twin calls (indices in the same module) */
export interface PipelineDeps {
  /** BranchPredictor.branch(eip, taken, target, kind, pipe) → penalty */
  btbBranch: number;
  /** MemoryHierarchy.noteTakenBranch() */
  noteTakenBranch: number;
  /** MemoryHierarchy.advance(clocks) */
  advance: number;
  /** the hierarchy twin's clock slot (f64): issue advances it in place instead of calling advance */
  nowAddr?: number;
}

export interface PipelineFunctions {
  /** issue(w0, w1, memStall, firstFetch, dataPhys) → clocks */
  issue: number;
  /** branch(eip, taken, target, kind) */
  branch: number;
  serialize: number;
}

type Config = Pick<P54CConfig, 'agiClocks' | 'prefixClocks' | 'bankConflictClocks' | 'l1dBanks' | 'l1dBankBytes'>;

const U_CLASSES = (1 << PairClass.UV) | (1 << PairClass.PU);
const V_CLASSES = (1 << PairClass.UV) | (1 << PairClass.PV);

export function emitPipeline(m: WasmModuleBuilder, layout: { scalars: number }, cfg: Config, deps: PipelineDeps): PipelineFunctions {
  const S = layout.scalars;
  const bankMask = (cfg.l1dBanks - 1) * cfg.l1dBankBytes;
  // the slots by their offsets in the block
  const geti = (c: CodeWriter, slot: number): CodeWriter => slotGeti(c, S + slot);
  const seti = (c: CodeWriter, slot: number, value: (c: CodeWriter) => void): void => slotSeti(c, S + slot, value);
  const addf = (c: CodeWriter, slot: number, value: (c: CodeWriter) => void): void => slotAddf(c, S + slot, value);
  // field extraction from a packed word on the stack
  const field = (c: CodeWriter, shift: number, mask: number): CodeWriter => {
    if (shift) c.i32Const(shift).op(OP.i32_shr_u);
    return c.i32Const(mask).op(OP.i32_and);
  };
  const F = { clocks: [0, 0xffff], pair: [16, 15], prefixes: [20, 15], branch: [24, 15], readsFlags: [28, 1], writesFlags: [29, 1], dispAndImm: [30, 1] } as const;
  const G = { regsRead: [0, 0xff], regsWritten: [8, 0xff], addrRegs: [16, 0xff] } as const;
  const w0f = (c: CodeWriter, local: number, f: keyof typeof F): CodeWriter => field(c.localGet(local), F[f][0], F[f][1]);
  const w1f = (c: CodeWriter, local: number, f: keyof typeof G): CodeWriter => field(c.localGet(local), G[f][0], G[f][1]);
  // (1 << pair of the row in `local`) & classes, as 0/1
  const inClasses = (c: CodeWriter, local: number, classes: number): CodeWriter => {
    c.i32Const(1);
    return w0f(c, local, 'pair').op(OP.i32_shl).i32Const(classes).op(OP.i32_and).i32Const(0).op(OP.i32_ne);
  };

  // pairable(u, v) over packed rows (pairing.ts): params uw0, uw1, vw0, vw1
  const pairable = m.addFunction([I32, I32, I32, I32], [I32], [], (c) => {
    const [uw0, uw1, vw0, vw1] = [0, 1, 2, 3];
    w0f(c, vw0, 'pair').i32Const(PairClass.FXCH).op(OP.i32_eq).if();
    w0f(c, uw0, 'pair').i32Const(PairClass.FX).op(OP.i32_eq);
    w0f(c, vw0, 'prefixes').op(OP.i32_eqz).op(OP.i32_and).op(OP.return);
    c.end();
    inClasses(c, uw0, U_CLASSES).op(OP.i32_eqz);
    inClasses(c, vw0, V_CLASSES).op(OP.i32_eqz).op(OP.i32_or);
    w0f(c, uw0, 'dispAndImm').op(OP.i32_or);
    w0f(c, vw0, 'dispAndImm').op(OP.i32_or);
    w0f(c, vw0, 'prefixes').op(OP.i32_or);
    c.if().i32Const(0).op(OP.return).end();
    w1f(c, vw1, 'regsRead');
    w1f(c, vw1, 'regsWritten').op(OP.i32_or);
    w1f(c, uw1, 'regsWritten').op(OP.i32_and).if().i32Const(0).op(OP.return).end();
    w0f(c, vw0, 'readsFlags');
    w0f(c, uw0, 'writesFlags').op(OP.i32_and);
    w0f(c, vw0, 'branch').i32Const(BranchKind.Jcc).op(OP.i32_ne).op(OP.i32_and).op(OP.i32_eqz);
  });
  // opensPair(u): params w0
  // opensPair(u) (pairing.ts) of the row in local w0, as 0/1
  const opensPair = (c: CodeWriter, w0: number): void => {
    inClasses(c, w0, U_CLASSES);
    w0f(c, w0, 'dispAndImm').op(OP.i32_eqz).op(OP.i32_and);
    w0f(c, w0, 'pair').i32Const(PairClass.FX).op(OP.i32_eq).op(OP.i32_or);
  };
  const agi = (c: CodeWriter): void => {
    addf(c, PS.agiStalls, (c) => c.f64Const(1));
  };
  const serialize = m.addFunction([], [], [], (c) => {
    seti(c, PS.openU, (c) => c.i32Const(0));
    seti(c, PS.openUDataPhys, (c) => c.i32Const(-1));
    seti(c, PS.openUAgi, (c) => c.i32Const(0));
    seti(c, PS.groupWrites, (c) => c.i32Const(0));
    seti(c, PS.prevGroupWrites, (c) => c.i32Const(0));
    seti(c, PS.lastPipe, (c) => c.i32Const(0));
    seti(c, PS.pendingBranch, (c) => c.i32Const(0));
  });
  // issueV and issueU are emitted inline in issue (a Wasm call per instruction costs more
  // than their bodies): the locals are issue's
  interface IssueLocals {
    w0: number;
    w1: number;
    firstFetch: number;
    dataPhys: number;
    clocks: number;
    t: number;
    p: number;
  }
  // issueV: the row joins the open U in V; clocks = its clocks beyond U's
  const issueV = (c: CodeWriter, L: IssueLocals): void => {
    const { w0, w1, dataPhys, clocks, t: uclk } = L;
    seti(c, PS.openU, (c) => c.i32Const(0));
    seti(c, PS.lastPipe, (c) => c.i32Const(1));
    seti(c, PS.groupWrites, (c) => w1f(geti(c, PS.groupWrites), w1, 'regsWritten').op(OP.i32_or));
    addf(c, PS.pairs, (c) => c.f64Const(1));
    field(geti(c, PS.openUW0), F.clocks[0], F.clocks[1]).localSet(uclk);
    // the pair finishes with the longer of the two: V's clocks beyond U's, or 0
    w0f(c, w0, 'clocks').localGet(uclk).op(OP.i32_sub);
    c.i32Const(0);
    w0f(c, w0, 'clocks').localGet(uclk).op(OP.i32_gt_u).op(OP.select).localSet(clocks);
    w1f(c, w1, 'addrRegs');
    geti(c, PS.prevGroupWrites).op(OP.i32_and).i32Const(0).op(OP.i32_ne);
    geti(c, PS.openUAgi).op(OP.i32_eqz).op(OP.i32_and).if();
    agi(c);
    c.localGet(clocks).i32Const(cfg.agiClocks).op(OP.i32_add).localSet(clocks).end();
    c.localGet(dataPhys).i32Const(0).op(OP.i32_ge_s);
    geti(c, PS.openUDataPhys).i32Const(0).op(OP.i32_ge_s).op(OP.i32_and);
    c.localGet(dataPhys);
    geti(c, PS.openUDataPhys).op(OP.i32_xor).i32Const(bankMask).op(OP.i32_and).op(OP.i32_eqz).op(OP.i32_and).if();
    addf(c, PS.bankConflicts, (c) => c.f64Const(1));
    c.localGet(clocks).i32Const(cfg.bankConflictClocks).op(OP.i32_add).localSet(clocks).end();
  };
  // issueU: the row issues in U (alone, or opening a pair); clocks = its clocks
  const issueU = (c: CodeWriter, L: IssueLocals): void => {
    const { w0, w1, firstFetch, dataPhys, clocks, t: prev, p } = L;
    geti(c, PS.groupWrites).localSet(prev);
    seti(c, PS.prevGroupWrites, (c) => c.localGet(prev));
    seti(c, PS.groupWrites, (c) => w1f(c, w1, 'regsWritten'));
    seti(c, PS.lastPipe, (c) => c.i32Const(0));
    seti(c, PS.openU, (c) => {
      c.localGet(firstFetch).op(OP.i32_eqz);
      opensPair(c, w0);
      c.op(OP.i32_and);
    });
    seti(c, PS.openUW0, (c) => c.localGet(w0));
    seti(c, PS.openUW1, (c) => c.localGet(w1));
    seti(c, PS.openUDataPhys, (c) => c.localGet(dataPhys));
    w0f(c, w0, 'clocks').localSet(clocks);
    w0f(c, w0, 'prefixes').localTee(p).if();
    c.localGet(p).i32Const(cfg.prefixClocks).op(OP.i32_mul).localSet(p);
    addf(c, PS.prefixClocks, (c) => c.localGet(p).op(OP.f64_convert_i32_s));
    c.localGet(clocks).localGet(p).op(OP.i32_add).localSet(clocks).end();
    seti(c, PS.openUAgi, (c) => w1f(c, w1, 'addrRegs').localGet(prev).op(OP.i32_and).i32Const(0).op(OP.i32_ne));
    geti(c, PS.openUAgi).if();
    agi(c);
    c.localGet(clocks).i32Const(cfg.agiClocks).op(OP.i32_add).localSet(clocks).end();
  };
  // resolveBranch() → penalty, in the pipe of the last issue
  const resolveBranch = m.addFunction([], [I32], [I32], (c) => {
    seti(c, PS.pendingBranch, (c) => c.i32Const(0));
    geti(c, PS.branchTaken).if().call(deps.noteTakenBranch).end();
    geti(c, PS.branchEip);
    geti(c, PS.branchTaken);
    geti(c, PS.branchTarget);
    geti(c, PS.branchKind);
    geti(c, PS.lastPipe).call(deps.btbBranch).localTee(0).if();
    seti(c, PS.openU, (c) => c.i32Const(0)); // a misprediction flushes the pipes
    c.end();
    c.localGet(0);
  });
  const issue = m.addFunction([I32, I32, I32, I32, I32], [I32], [I32, I32, I32], (c) => {
    const [w0, w1, memStall, firstFetch, dataPhys, clocks, t, p] = [0, 1, 2, 3, 4, 5, 6, 7];
    const L: IssueLocals = { w0, w1, firstFetch, dataPhys, clocks, t, p };
    geti(c, PS.openU).localGet(firstFetch).op(OP.i32_eqz).op(OP.i32_and).if(I32);
    geti(c, PS.openUW0);
    geti(c, PS.openUW1).localGet(w0).localGet(w1).call(pairable);
    c.else().i32Const(0).end();
    c.if();
    issueV(c, L);
    c.else();
    issueU(c, L);
    c.end();
    geti(c, PS.pendingBranch).if().localGet(clocks).call(resolveBranch).op(OP.i32_add).localSet(clocks).end();
    addf(c, PS.instructions, (c) => c.f64Const(1));
    // the hierarchy's clock (MemoryHierarchy.advance), in place when the caller gave its slot
    if (deps.nowAddr !== undefined) slotAddf(c, deps.nowAddr, (c) => c.localGet(clocks).op(OP.f64_convert_i32_s));
    else c.localGet(clocks).call(deps.advance);
    c.localGet(clocks).localGet(memStall).op(OP.i32_add);
  });
  const branch = m.addFunction([I32, I32, I32, I32], [], [], (c) => {
    const [eip, taken, target, kind] = [0, 1, 2, 3];
    c.localGet(kind).i32Const(BranchKind.Far).op(OP.i32_eq).if().call(serialize).op(OP.return).end();
    c.localGet(kind).i32Const(BranchKind.None).op(OP.i32_eq).if().op(OP.return).end();
    seti(c, PS.pendingBranch, (c) => c.i32Const(1));
    seti(c, PS.branchEip, (c) => c.localGet(eip));
    seti(c, PS.branchTaken, (c) => c.localGet(taken));
    seti(c, PS.branchTarget, (c) => c.localGet(target));
    seti(c, PS.branchKind, (c) => c.localGet(kind));
  });
  return { issue, branch, serialize };
}
