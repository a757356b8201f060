// The whole P54C timing model as one WebAssembly module: the twins of the memory
// hierarchy, both TLBs, the BTB and the pipelines wired together (the pipelines resolve
// branches through the BTB twin and advance the hierarchy twin's clock), plus the page
// walk's charge (TimingModel.pageWalk). Compiled guest blocks import these functions and
// call them without leaving Wasm (docs/design/jit.md, steps 3 and 4).
//
// The tables are the TypeScript model's own, in the machine's linear memory. The scalars
// (clocks, filters, pipeline state, counters) are exchanged: enter() copies them from the
// TypeScript objects into the twins' slots before compiled code runs, leave() copies them
// back after, so the interpreter and kernels go on with the TypeScript model as if it had
// run every instruction itself.
import type { LinearMemory } from '../../memory/linear-memory';
import type { Counters } from '../../timing/counters';
import type { TimingModel } from '../../timing/timing-model';
import type { Tlb } from '../../timing/tlb';
import { CodeWriter, I32, OP, WasmModuleBuilder } from '../wasm-emitter';
import { BS, BS_COUNTERS, btbLayout, emitBtb } from './btb-wasm';
import { HS, HS_COUNTERS, emitHierarchy, hierarchyLayout, type HierarchyFunctions } from './hierarchy-wasm';
import { PS, PS_COUNTERS, emitPipeline, packTiming, pipelineLayout, unpackTiming, type PipelineFunctions } from './pipeline-wasm';
import { TLBS, emitTlb, tlbLayout, type TlbFunctions, type TlbLayout } from './tlb-wasm';

/** the runtime's exports (what compiled blocks import, and what tests call) */
export interface TimingExports {
  fetch(phys: number, length: number): number;
  read(phys: number, size: number): number;
  write(phys: number, size: number): number;
  advance(clocks: number): void;
  itlbLookup(linear: number, large: number): number;
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
  private readonly view: DataView;
  private readonly hs: number;
  private readonly ps: number;
  private readonly bs: number;
  private readonly walk: number;
  private readonly tlbs: [Tlb, TlbLayout][];

  constructor(
    private readonly tm: TimingModel,
    lin: LinearMemory,
  ) {
    const cfg = tm.config;
    const h = hierarchyLayout(tm.hierarchy, lin);
    const it = tlbLayout(tm.itlb, lin);
    const dt = tlbLayout(tm.dtlb, lin);
    const bt = btbLayout(tm.predictor, lin);
    const pl = pipelineLayout(lin);
    this.walk = lin.alloc(WALK_BYTES, 8);
    const m = new WasmModuleBuilder();
    const pages = lin.buffer.byteLength / 65536;
    m.importMemory('env', 'mem', pages, pages);
    const hf: HierarchyFunctions = emitHierarchy(m, h, cfg);
    const itf: TlbFunctions = emitTlb(m, it);
    const dtf: TlbFunctions = emitTlb(m, dt);
    const bf = emitBtb(m, bt, cfg);
    const pf: PipelineFunctions = emitPipeline(m, pl, cfg, { btbBranch: bf.branch, noteTakenBranch: hf.noteTakenBranch, advance: hf.advance });
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
      itlbLookup: itf.lookup,
      dtlbLookup: dtf.lookup,
      dtlbContains: dtf.contains,
      btbBranch: bf.branch,
      issue: pf.issue,
      branch: pf.branch,
      serialize: pf.serialize,
      pageWalk,
    };
    for (const [name, idx] of Object.entries(fns)) m.exportFunction(name, idx);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(m.build()), { env: { mem: lin.memory } });
    this.exports = instance.exports as unknown as TimingExports;
    this.view = new DataView(lin.buffer);
    this.hs = h.scalars;
    this.ps = pl.scalars;
    this.bs = bt.scalars;
    this.tlbs = [
      [tm.itlb, it],
      [tm.dtlb, dt],
    ];
  }

  /** The TypeScript model's scalars and counters into the twins' slots (before compiled code runs). */
  enter(): void {
    const v = this.view;
    const tm = this.tm;
    const c = tm.counters;
    const f = (at: number, x: number): void => v.setFloat64(at, x, true);
    const i = (at: number, x: number): void => v.setInt32(at, x, true);
    const h = tm.hierarchy.scalars();
    f(this.hs + HS.now, h.now);
    f(this.hs + HS.busFreeAt, h.busFreeAt);
    i(this.hs + HS.lastFetchLine, h.lastFetchLine);
    i(this.hs + HS.codeFirstPass, +h.codeFirstPass);
    i(this.hs + HS.lastDNotInCode, +h.lastDNotInCode);
    i(this.hs + HS.wbHead, h.wbHead);
    i(this.hs + HS.l1iLastLine, h.l1iLastLine);
    i(this.hs + HS.l1iLastDirty, +h.l1iLastDirty);
    i(this.hs + HS.l1dLastLine, h.l1dLastLine);
    i(this.hs + HS.l1dLastDirty, +h.l1dLastDirty);
    for (const k of HS_COUNTERS) f(this.hs + HS[k], c[k]);
    for (const [tlb, L] of this.tlbs) {
      const s = tlb.scalars();
      f(L.scalars + TLBS.misses, tlb.misses);
      f(L.scalars + TLBS.counter, c[L.counter]);
      f(L.scalars + TLBS.flushes, tlb.flushes);
      i(L.scalars + TLBS.lastPage, s.lastPage);
      i(L.scalars + TLBS.lastLargePage, s.lastLargePage);
    }
    const b = tm.predictor.scalars();
    for (const k of BS_COUNTERS) f(this.bs + BS[k], c[k]);
    f(this.bs + BS.repeatEip, b.repeatEip);
    f(this.bs + BS.repeatTarget, b.repeatTarget);
    const p = tm.pipeline.state();
    for (const k of PS_COUNTERS) f(this.ps + PS[k], c[k]);
    i(this.ps + PS.openU, +(p.openU !== null));
    const [w0, w1] = p.openU !== null ? packTiming(p.openU) : [0, 0];
    i(this.ps + PS.openUW0, w0);
    i(this.ps + PS.openUW1, w1);
    i(this.ps + PS.openUDataPhys, p.openUDataPhys);
    i(this.ps + PS.openUAgi, +p.openUAgi);
    i(this.ps + PS.groupWrites, p.groupWrites);
    i(this.ps + PS.prevGroupWrites, p.prevGroupWrites);
    i(this.ps + PS.lastPipe, p.lastPipe);
    i(this.ps + PS.pendingBranch, +p.pendingBranch);
    // an EIP above 2 GiB comes back as its int32: the BTB takes both as the same branch
    i(this.ps + PS.branchEip, p.branchEip);
    i(this.ps + PS.branchTaken, +p.branchTaken);
    i(this.ps + PS.branchTarget, p.branchTarget);
    i(this.ps + PS.branchKind, p.branchKind);
    f(this.walk, c.pageWalks);
  }

  /** The twins' slots back into the TypeScript model (after compiled code ran). */
  leave(): void {
    const v = this.view;
    const tm = this.tm;
    const c: Counters = tm.counters;
    const f = (at: number): number => v.getFloat64(at, true);
    const i = (at: number): number => v.getInt32(at, true);
    tm.hierarchy.setScalars({
      now: f(this.hs + HS.now),
      busFreeAt: f(this.hs + HS.busFreeAt),
      lastFetchLine: i(this.hs + HS.lastFetchLine),
      codeFirstPass: i(this.hs + HS.codeFirstPass) !== 0,
      lastDNotInCode: i(this.hs + HS.lastDNotInCode) !== 0,
      wbHead: i(this.hs + HS.wbHead),
      l1iLastLine: i(this.hs + HS.l1iLastLine),
      l1iLastDirty: i(this.hs + HS.l1iLastDirty) !== 0,
      l1dLastLine: i(this.hs + HS.l1dLastLine),
      l1dLastDirty: i(this.hs + HS.l1dLastDirty) !== 0,
    });
    for (const k of HS_COUNTERS) c[k] = f(this.hs + HS[k]);
    for (const [tlb, L] of this.tlbs) {
      tlb.misses = f(L.scalars + TLBS.misses);
      c[L.counter] = f(L.scalars + TLBS.counter);
      tlb.flushes = f(L.scalars + TLBS.flushes);
      tlb.setScalars({ lastPage: i(L.scalars + TLBS.lastPage), lastLargePage: i(L.scalars + TLBS.lastLargePage) });
    }
    for (const k of BS_COUNTERS) c[k] = f(this.bs + BS[k]);
    tm.predictor.setScalars({ repeatEip: f(this.bs + BS.repeatEip), repeatTarget: f(this.bs + BS.repeatTarget) });
    for (const k of PS_COUNTERS) c[k] = f(this.ps + PS[k]);
    const open = i(this.ps + PS.openU) !== 0;
    tm.pipeline.setState({
      openU: open ? unpackTiming(i(this.ps + PS.openUW0), i(this.ps + PS.openUW1)) : null,
      openUDataPhys: i(this.ps + PS.openUDataPhys),
      openUAgi: i(this.ps + PS.openUAgi) !== 0,
      groupWrites: i(this.ps + PS.groupWrites),
      prevGroupWrites: i(this.ps + PS.prevGroupWrites),
      lastPipe: i(this.ps + PS.lastPipe),
      pendingBranch: i(this.ps + PS.pendingBranch) !== 0,
      branchEip: i(this.ps + PS.branchEip),
      branchTaken: i(this.ps + PS.branchTaken) !== 0,
      branchTarget: i(this.ps + PS.branchTarget),
      branchKind: i(this.ps + PS.branchKind),
    });
    c.pageWalks = f(this.walk);
  }
}
