// The P54C timing model that compiled code uses, as one WebAssembly module: the twins of
// the memory hierarchy, the data TLB, the BTB and the pipelines wired together (the
// pipelines resolve branches through the BTB twin and advance the hierarchy twin's clock),
// plus the page walk's charge (TimingModel.pageWalk). Compiled guest blocks import these
// functions and call them without leaving Wasm (docs/design/jit.md, steps 3 and 4). The
// code TLB stays in TypeScript: the run loop translates and charges instruction fetch
// before it enters a block.
//
// The tables are the TypeScript model's own, in the machine's linear memory. The scalars
// (clocks, filters, pipeline state, counters) are handed over: enter() copies them from the
// TypeScript objects into the twins' slots before compiled code runs, leave() copies them
// back, so the interpreter and kernels go on with the TypeScript model as if it had run
// every instruction itself.
import type { LinearMemory } from '../../memory/linear-memory';
import type { Counters } from '../../timing/counters';
import type { TimingModel } from '../../timing/timing-model';
import type { TimingInfo } from '../../timing/timing-info';
import type { Tlb } from '../../timing/tlb';
import { CodeWriter, I32, OP, WasmModuleBuilder } from '../wasm-emitter';
import { BS, btbLayout, emitBtb } from './btb-wasm';
import { HS, emitHierarchy, hierarchyLayout, type HierarchyFunctions } from './hierarchy-wasm';
import { PS, emitPipeline, packTiming, pipelineLayout, unpackTiming, type PipelineFunctions } from './pipeline-wasm';
import { TLBS, emitTlb, tlbLayout, type TlbFunctions } from './tlb-wasm';
import { compiledModule } from '../module-cache';

/** the runtime's exports (what compiled blocks import, and what tests call) */
export interface TimingExports {
  fetch(phys: number, length: number): number;
  read(phys: number, size: number): number;
  write(phys: number, size: number): number;
  advance(clocks: number): void;
  noteTakenBranch(): void;
  dtlbLookup(linear: number, large: number): number;
  dtlbContains(linear: number, large: number): number;
  btbBranch(eip: number, taken: number, target: number, kind: number, pipe: number): number;
  issue(w0: number, w1: number, memStall: number, firstFetch: number, dataPhys: number): number;
  branch(eip: number, taken: number, target: number, kind: number): void;
  serialize(): void;
  pageWalk(pdePhys: number, ptePhys: number, adUpdates: number): number;
}

/** the page walk's slot: TimingModel.pageWalk counts pageWalks */
const WALK_BYTES = 8;

export class TimingRuntime {
  readonly exports: TimingExports;
  /** where the hierarchy twin keeps codeFirstPass (i32): compiled code passes it to issue */
  readonly codeFirstPassAddr: number;
  private readonly f64: Float64Array;
  private readonly i32: Int32Array;
  private readonly hs: number;
  private readonly ps: number;
  private readonly bs: number;
  private readonly walk: number;
  private readonly dtlbSlots: number;

  constructor(
    private readonly tm: TimingModel,
    lin: LinearMemory,
  ) {
    const cfg = tm.config;
    const h = hierarchyLayout(tm.hierarchy, lin);
    const dt = tlbLayout(tm.dtlb, lin);
    const bt = btbLayout(tm.predictor, lin);
    const pl = pipelineLayout(lin);
    this.walk = lin.alloc(WALK_BYTES, 8);
    const m = new WasmModuleBuilder();
    const pages = lin.buffer.byteLength / 65536;
    m.importMemory('env', 'mem', pages, pages);
    const hf: HierarchyFunctions = emitHierarchy(m, h, cfg);
    const dtf: TlbFunctions = emitTlb(m, dt);
    const bf = emitBtb(m, bt, cfg);
    const pf: PipelineFunctions = emitPipeline(m, pl, cfg, { btbBranch: bf.branch, noteTakenBranch: hf.noteTakenBranch, advance: hf.advance, nowAddr: h.scalars + HS.now });
    const walk = this.walk;
    // TimingModel.pageWalk: the walker's clocks pass on the hierarchy's clock before each entry read
    const pageWalk = m.addFunction([I32, I32, I32], [I32], [I32, I32], (c: CodeWriter) => {
      const [pde, pte, ad, clocks, adClocks] = [0, 1, 2, 3, 4];
      c.i32Const(0).i32Const(0).mem('f64_load', walk).f64Const(1).op(OP.f64_add).mem('f64_store', walk);
      c.i32Const(cfg.pageWalkBaseClocks + cfg.pageWalkEntryClocks).localTee(clocks).call(hf.advance);
      c.localGet(clocks).localGet(pde).i32Const(4).call(hf.read).op(OP.i32_add).localSet(clocks);
      c.localGet(pte).i32Const(0).op(OP.i32_ge_s).if();
      c.i32Const(cfg.pageWalkEntryClocks).call(hf.advance);
      c.localGet(clocks).i32Const(cfg.pageWalkEntryClocks).op(OP.i32_add).localGet(pte).i32Const(4).call(hf.read).op(OP.i32_add).localSet(clocks);
      c.end();
      c.localGet(ad).i32Const(cfg.pageWalkAdUpdateClocks).op(OP.i32_mul).localTee(adClocks).call(hf.advance);
      c.localGet(clocks).localGet(adClocks).op(OP.i32_add);
    });
    const fns: Record<keyof TimingExports, number> = {
      fetch: hf.fetch,
      read: hf.read,
      write: hf.write,
      advance: hf.advance,
      noteTakenBranch: hf.noteTakenBranch,
      dtlbLookup: dtf.lookup,
      dtlbContains: dtf.contains,
      btbBranch: bf.branch,
      issue: pf.issue,
      branch: pf.branch,
      serialize: pf.serialize,
      pageWalk,
    };
    for (const [name, idx] of Object.entries(fns)) m.exportFunction(name, idx);
    const instance = new WebAssembly.Instance(compiledModule(m.build()), { env: { mem: lin.memory } });
    this.exports = instance.exports as unknown as TimingExports;
    this.f64 = new Float64Array(lin.buffer);
    this.i32 = new Int32Array(lin.buffer);
    this.hs = h.scalars;
    this.codeFirstPassAddr = h.scalars + HS.codeFirstPass;
    this.ps = pl.scalars;
    this.bs = bt.scalars;
    this.dtlbSlots = dt.scalars;
  }

  /** guest instructions issued so far, as the pipeline twin counts them (between enter and leave) */
  instructions(): number {
    return this.f64[(this.ps + PS.instructions) >> 3];
  }

  /**
   * The TypeScript model's scalars and counters into the twins' slots (before compiled code
   * runs). The code TLB is not handed over: compiled code does not use it (the run loop
   * charges instruction fetch translation in TypeScript), so its TypeScript state stays
   * the one in force even while the rest is in the slots.
   */
  enter(): void {
    // typed-array stores of named fields, no allocation: this runs on every entry into compiled code
    const F = this.f64;
    const I = this.i32;
    const tm = this.tm;
    const c = tm.counters;
    const h = tm.hierarchy;
    const hf = this.hs >> 3;
    const hi = this.hs >> 2;
    F[hf + HS.now / 8] = h.now;
    F[hf + HS.busFreeAt / 8] = h.busFreeAt;
    F[hf + HS.l1iMisses / 8] = c.l1iMisses;
    F[hf + HS.l1dMisses / 8] = c.l1dMisses;
    F[hf + HS.l1dWriteMisses / 8] = c.l1dWriteMisses;
    F[hf + HS.l1dWritebacks / 8] = c.l1dWritebacks;
    F[hf + HS.l2Misses / 8] = c.l2Misses;
    F[hf + HS.dramAccesses / 8] = c.dramAccesses;
    F[hf + HS.writeBufferStalls / 8] = c.writeBufferStalls;
    F[hf + HS.misalignedAccesses / 8] = c.misalignedAccesses;
    I[hi + HS.lastFetchLine / 4] = h.lastFetchLine;
    I[hi + HS.codeFirstPass / 4] = +h.codeFirstPass;
    I[hi + HS.lastDNotInCode / 4] = +h.lastDNotInCode;
    I[hi + HS.wbHead / 4] = h.wbHead;
    I[hi + HS.l1iLastLine / 4] = h.l1i.lastLine;
    I[hi + HS.l1iLastDirty / 4] = +h.l1i.lastDirty;
    I[hi + HS.l1dLastLine / 4] = h.l1d.lastLine;
    I[hi + HS.l1dLastDirty / 4] = +h.l1d.lastDirty;
    this.enterTlb(this.dtlbSlots, tm.dtlb, c.dtlbMisses);
    const b = tm.predictor;
    const bf = this.bs >> 3;
    F[bf + BS.branches / 8] = c.branches;
    F[bf + BS.mispredictions / 8] = c.mispredictions;
    F[bf + BS.repeatEip / 8] = b.repeatEip;
    F[bf + BS.repeatTarget / 8] = b.repeatTarget;
    const p = tm.pipeline;
    const pf = this.ps >> 3;
    const pi = this.ps >> 2;
    F[pf + PS.instructions / 8] = c.instructions;
    F[pf + PS.pairs / 8] = c.pairs;
    F[pf + PS.agiStalls / 8] = c.agiStalls;
    F[pf + PS.bankConflicts / 8] = c.bankConflicts;
    F[pf + PS.prefixClocks / 8] = c.prefixClocks;
    const u = p.openU;
    I[pi + PS.openU / 4] = u !== null ? 1 : 0;
    if (u !== null && u !== this.openURow) {
      const [w0, w1] = packTiming(u);
      I[pi + PS.openUW0 / 4] = w0;
      I[pi + PS.openUW1 / 4] = w1;
    }
    I[pi + PS.openUDataPhys / 4] = p.openUDataPhys;
    I[pi + PS.openUAgi / 4] = +p.openUAgi;
    I[pi + PS.groupWrites / 4] = p.groupWrites;
    I[pi + PS.prevGroupWrites / 4] = p.prevGroupWrites;
    I[pi + PS.lastPipe / 4] = p.lastPipe;
    I[pi + PS.pendingBranch / 4] = +p.pendingBranch;
    // an EIP above 2 GiB comes back as its int32: the BTB takes both as the same branch
    I[pi + PS.branchEip / 4] = p.branchEip;
    I[pi + PS.branchTaken / 4] = +p.branchTaken;
    I[pi + PS.branchTarget / 4] = p.branchTarget;
    I[pi + PS.branchKind / 4] = p.branchKind;
    F[this.walk >> 3] = c.pageWalks;
  }

  /** The twins' slots back into the TypeScript model (after compiled code ran). */
  leave(): void {
    const F = this.f64;
    const I = this.i32;
    const tm = this.tm;
    const c: Counters = tm.counters;
    const h = tm.hierarchy;
    const hf = this.hs >> 3;
    const hi = this.hs >> 2;
    h.now = F[hf + HS.now / 8];
    h.busFreeAt = F[hf + HS.busFreeAt / 8];
    h.lastFetchLine = I[hi + HS.lastFetchLine / 4];
    h.codeFirstPass = I[hi + HS.codeFirstPass / 4] !== 0;
    h.lastDNotInCode = I[hi + HS.lastDNotInCode / 4] !== 0;
    h.wbHead = I[hi + HS.wbHead / 4];
    h.l1i.lastLine = I[hi + HS.l1iLastLine / 4];
    h.l1i.lastDirty = I[hi + HS.l1iLastDirty / 4] !== 0;
    h.l1d.lastLine = I[hi + HS.l1dLastLine / 4];
    h.l1d.lastDirty = I[hi + HS.l1dLastDirty / 4] !== 0;
    c.l1iMisses = F[hf + HS.l1iMisses / 8];
    c.l1dMisses = F[hf + HS.l1dMisses / 8];
    c.l1dWriteMisses = F[hf + HS.l1dWriteMisses / 8];
    c.l1dWritebacks = F[hf + HS.l1dWritebacks / 8];
    c.l2Misses = F[hf + HS.l2Misses / 8];
    c.dramAccesses = F[hf + HS.dramAccesses / 8];
    c.writeBufferStalls = F[hf + HS.writeBufferStalls / 8];
    c.misalignedAccesses = F[hf + HS.misalignedAccesses / 8];
    c.dtlbMisses = this.leaveTlb(this.dtlbSlots, tm.dtlb);
    const b = tm.predictor;
    const bf = this.bs >> 3;
    c.branches = F[bf + BS.branches / 8];
    c.mispredictions = F[bf + BS.mispredictions / 8];
    b.repeatEip = F[bf + BS.repeatEip / 8];
    b.repeatTarget = F[bf + BS.repeatTarget / 8];
    const p = tm.pipeline;
    const pf = this.ps >> 3;
    const pi = this.ps >> 2;
    c.instructions = F[pf + PS.instructions / 8];
    c.pairs = F[pf + PS.pairs / 8];
    c.agiStalls = F[pf + PS.agiStalls / 8];
    c.bankConflicts = F[pf + PS.bankConflicts / 8];
    c.prefixClocks = F[pf + PS.prefixClocks / 8];
    if (I[pi + PS.openU / 4] !== 0) {
      // the open U's row: one object per packed row, kept for the next hand-over
      const w0 = I[pi + PS.openUW0 / 4];
      const w1 = I[pi + PS.openUW1 / 4];
      if (this.openURow === null || w0 !== this.openUW0 || w1 !== this.openUW1) {
        this.openURow = unpackTiming(w0, w1);
        this.openUW0 = w0;
        this.openUW1 = w1;
      }
      p.openU = this.openURow;
    } else {
      p.openU = null;
    }
    p.openUDataPhys = I[pi + PS.openUDataPhys / 4];
    p.openUAgi = I[pi + PS.openUAgi / 4] !== 0;
    p.groupWrites = I[pi + PS.groupWrites / 4];
    p.prevGroupWrites = I[pi + PS.prevGroupWrites / 4];
    p.lastPipe = I[pi + PS.lastPipe / 4];
    p.pendingBranch = I[pi + PS.pendingBranch / 4] !== 0;
    p.branchEip = I[pi + PS.branchEip / 4];
    p.branchTaken = I[pi + PS.branchTaken / 4] !== 0;
    p.branchTarget = I[pi + PS.branchTarget / 4];
    p.branchKind = I[pi + PS.branchKind / 4];
    c.pageWalks = F[this.walk >> 3];
  }
  /** the last open-U row leave() made, and its packed words (enter() need not pack it again) */
  private openURow: TimingInfo | null = null;
  private openUW0 = 0;
  private openUW1 = 0;

  private enterTlb(at: number, tlb: Tlb, shared: number): void {
    this.f64[(at + TLBS.misses) >> 3] = tlb.misses;
    this.f64[(at + TLBS.counter) >> 3] = shared;
    this.f64[(at + TLBS.flushes) >> 3] = tlb.flushes;
    this.i32[(at + TLBS.lastPage) >> 2] = tlb.lastPage;
    this.i32[(at + TLBS.lastLargePage) >> 2] = tlb.lastLargePage;
  }
  /** restores the TLB's scalars; returns its shared miss counter */
  private leaveTlb(at: number, tlb: Tlb): number {
    tlb.misses = this.f64[(at + TLBS.misses) >> 3];
    tlb.flushes = this.f64[(at + TLBS.flushes) >> 3];
    tlb.lastPage = this.i32[(at + TLBS.lastPage) >> 2];
    tlb.lastLargePage = this.i32[(at + TLBS.lastLargePage) >> 2];
    return this.f64[(at + TLBS.counter) >> 3];
  }
}
