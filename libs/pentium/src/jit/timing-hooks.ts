// The timing half of a compiled block (docs/design/jit.md, step 4): BlockHooks that emit,
// around each instruction's functional code, the calls the interpreter's run loop makes
// into the timing model (cpu.ts runBlock and dTime), in the same order, as calls into the
// timing runtime's Wasm functions:
//
//   fetch stall   = newLine ? fetch(phys, len) : 0
//   per access    : DTLB lookup, then the cache read or write; the first one's physical
//                   address goes to issue (bank conflicts)
//   a branch      : branch(eip, taken, target, kind), before the issue
//   cycles       += issue(row, memory + fetch stall, codeFirstPass, dataPhys)
//
// A DTLB miss makes the CPU walk the page tables (setting A/D bits, maybe faulting), which
// compiled code does not do: an instruction whose page is not in the DTLB leaves the
// function before anything of it happened, and the interpreter runs it.
import { T_LARGE } from '../cpu/cpu';
import type { LinearMemory } from '../memory/linear-memory';
import { BranchKind } from '../timing/timing-info';
import type { BlockHooks, InsnSite } from './block-compiler';
import type { CpuLayout } from './cpu-slots';
import type { TimingRuntime } from './timing/timing-runtime';
import { packTiming } from './timing/pipeline-wasm';
import { addf, getf, geti } from './timing/slots';
import { CodeWriter, I32, OP, WasmModuleBuilder, type ValType } from './wasm-emitter';

/** the imports a compiled block takes from the timing runtime */
const IMPORTS = {
  fetch: [[I32, I32], [I32]],
  read: [[I32, I32], [I32]],
  write: [[I32, I32], [I32]],
  dtlbLookup: [[I32, I32], [I32]],
  dtlbContains: [[I32, I32], [I32]],
  issue: [[I32, I32, I32, I32, I32], [I32]],
  branch: [[I32, I32, I32, I32], []],
} as const satisfies Record<string, readonly [readonly ValType[], readonly ValType[]]>;
/** their function indices: the imports come first in a module, in this order */
const FN = Object.fromEntries(Object.keys(IMPORTS).map((name, i) => [name, i])) as Record<keyof typeof IMPORTS, number>;

export class TimingHooks implements BlockHooks {
  /** the entry EIP of the block being run (i32), written by the run loop before the call */
  readonly entryEipAddr: number;
  /** clocks the compiled code added (f64), added to counters.cycles by the run loop after the call */
  readonly cyclesAddr: number;
  /** clocks left in the run loop's slice when the block is entered (f64): a self-loop goes round while it lasts */
  readonly budgetAddr: number;
  /** what compiled blocks import: { timing: the runtime's functions } */
  readonly imports: Record<string, Record<string, WebAssembly.ImportValue>>;
  /** per instruction of the block being compiled: its byte offset from the block's start, and its locals */
  private offset = 0;
  private at = 0;
  private fetchStall = -1;
  private memStall = -1;
  private dataPhys = -1;

  constructor(
    private readonly rt: TimingRuntime,
    lin: LinearMemory,
    private readonly cpu: CpuLayout,
  ) {
    this.entryEipAddr = lin.alloc(8, 8);
    this.cyclesAddr = lin.alloc(8, 8);
    this.budgetAddr = lin.alloc(8, 8);
    this.imports = { timing: rt.exports as unknown as Record<string, WebAssembly.ImportValue> };
  }

  /**
   * Imports the runtime's functions. The compiler emits the block's body before it builds
   * the module, so the body's calls use the indices the imports will get: the hooks' imports
   * are the module's only ones, in IMPORTS order (checked here).
   */
  declare(m: WasmModuleBuilder): void {
    for (const [name, [params, results]] of Object.entries(IMPORTS)) {
      const at = m.importFunction('timing', name, params, results);
      if (at !== FN[name as keyof typeof IMPORTS]) throw new Error(`TimingHooks: timing.${name} imported as function ${at}, its calls use ${FN[name as keyof typeof IMPORTS]}`);
    }
  }

  before(c: CodeWriter, site: InsnSite, local: (t: ValType) => number): void {
    const fn = FN;
    const d = site.insn;
    if (site.index === 0) this.offset = 0;
    this.at = this.offset;
    this.offset += d.len;
    // each page the instruction touches must be in the DTLB (large: a 4 MiB translation in the soft TLB)
    const large: number[] = [];
    for (const a of site.accesses) {
      const l = local(I32);
      large.push(l);
      c.localGet(a.lin).i32Const(12).op(OP.i32_shr_u).i32Const(2).op(OP.i32_shl).mem('i32_load', this.cpu.tlb);
      c.i32Const(T_LARGE).op(OP.i32_and).i32Const(0).op(OP.i32_ne).localSet(l);
      // leaving through the block's exit stores what the instructions before this one did
      c.localGet(a.lin).localGet(l).call(fn.dtlbContains).op(OP.i32_eqz).if();
      site.exit();
      c.end();
    }
    this.fetchStall = local(I32);
    this.memStall = local(I32);
    this.dataPhys = local(I32);
    if (d.newLine) c.i32Const(d.phys).i32Const(d.len).call(fn.fetch).localSet(this.fetchStall);
    else c.i32Const(0).localSet(this.fetchStall);
    c.i32Const(0).localSet(this.memStall);
    c.i32Const(-1).localSet(this.dataPhys);
    site.accesses.forEach((a, k) => {
      c.localGet(a.lin).localGet(large[k]).call(fn.dtlbLookup).op(OP.drop);
      c.localGet(this.memStall).localGet(a.phys).i32Const(a.size).call(a.write ? fn.write : fn.read).op(OP.i32_add).localSet(this.memStall);
      if (k === 0) c.localGet(a.phys).localSet(this.dataPhys);
    });
  }

  after(c: CodeWriter, site: InsnSite): void {
    const fn = FN;
    const d = site.insn;
    const kind = d.timing.branch;
    if (kind === BranchKind.Jcc || kind === BranchKind.Jmp) {
      // eip of the branch, its taken flag, its target (taken or not), as control.ts passes them
      geti(c, this.entryEipAddr).i32Const(this.at).op(OP.i32_add);
      if (site.taken >= 0) c.localGet(site.taken);
      else c.i32Const(1);
      geti(c, this.entryEipAddr).i32Const(this.offset + d.imm).op(OP.i32_add);
      c.i32Const(kind).call(fn.branch);
    }
    const [w0, w1] = packTiming(d.timing);
    addf(c, this.cyclesAddr, (c) => {
      c.i32Const(w0).i32Const(w1);
      c.localGet(this.memStall).localGet(this.fetchStall).op(OP.i32_add);
      geti(c, this.rt.codeFirstPassAddr);
      c.localGet(this.dataPhys).call(fn.issue).op(OP.f64_convert_i32_s);
    });
  }

  /**
   * The run loop (cpu.ts runUntil) runs the next block while the cycle counter is below the
   * slice's end; nothing else it checks between blocks changes inside compiled code (no
   * port I/O, no interrupt flag or PIC change, no stop request), so a self-loop goes round
   * exactly as long as the run loop would have run it again.
   */
  repeat(c: CodeWriter): void {
    getf(c, this.cyclesAddr);
    getf(c, this.budgetAddr);
    c.op(OP.f64_lt);
  }
}
