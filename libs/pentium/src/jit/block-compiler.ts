// The block compiler's functional half (docs/design/jit.md, step 4): a decoded block
// (`Insn[]`, as decoder.ts makes them) becomes one WebAssembly function that does the
// block's work exactly as the interpreter's handlers (cpu/ops/alu.ts, data.ts,
// control.ts) would, on the state in the machine's linear memory. No timing here: the
// timing runtime's calls are attached through BlockHooks, once per instruction.
//
// Forms (32-bit operand and address size; the byte forms where noted):
//   MOV  r/m,r  r,r/m  r,imm  r/m,imm            (89 8B B8+r C7/0; byte: 88 8A B0+r C6/0)
//   ADD OR ADC SBB AND SUB XOR CMP               (00..3D: r/m,r r,r/m acc,imm; 80 81 82 83)
//   TEST r/m,r  r/m,imm  acc,imm                 (84 85 A8 A9 F6/0,1 F7/0,1)
//   INC/DEC r32 and r/m                          (40..4F, FE/0,1, FF/0,1)
//   LEA r32,m                                    (8D)
//   Jcc rel8/rel32 anywhere in the block         (70..7F, 0F 80..8F)
//   JMP rel8/rel32 as the block's last one       (EB E9)
// Any other instruction, prefix (REP, LOCK, operand or address size) or a segment the
// caller did not declare flat makes compileBlock return null.
//
// Exit protocol. The function takes no arguments and returns r:
//   r & 0xff   = k, the number of instructions that ran (0..length);
//   r & TAKEN  = instruction k - 1 was a branch that was taken.
// Without TAKEN, EIP is the start of instruction k (the block's end when k = length) and
// the interpreter goes on from there: an instruction the compiled code cannot finish on
// its fast path (soft-TLB miss or missing permission, a misaligned 32-bit access, an
// address at or above the end of RAM, a write to a page holding decoded code) leaves
// the function before that instruction has changed anything, so the interpreter runs
// it (and walks, faults, invalidates as it would). With TAKEN, EIP is that branch's
// target. exitEip() computes it.
//
// What the caller (the run loop) must ensure, and what the function checks itself:
//   - CpuSlots.enter() before the call and leave() after (flag state, TLB masks);
//   - the segments the block uses (CS, and each memory operand's segment) are flat:
//     base 0 and no limit or type check (segChkR / segChkW 0). The caller declares this
//     (CompileFacts.flatSegs) and the function re-checks it at entry unless compiled
//     with guard: false; when the check fails it returns 0 (nothing ran);
//   - no single-step (EFLAGS.TF) and no debug path (cpu.debugArmed): those run the
//     interpreter, which stops per instruction;
//   - the function belongs to the block's code as it was decoded: a write to the page
//     (memory.codePages) must drop it, as it drops the decoded block.
import type { Insn } from '../cpu/decoder-types';
import { ARITH_FLAGS as ARITH, EFLAGS, SegReg } from '../cpu/registers';
import { LF_ADD, LF_LOGIC, LF_SUB } from '../cpu/cpu';
import { ADC, ADD, AND, CMP, OR, SBB, XOR } from '../cpu/ops/alu';
import { CodeWriter, I32, OP, WasmModuleBuilder, type Opcode, type ValType } from './wasm-emitter';
import { SLOT, type CpuLayout, type CpuSlots, type SlotName } from './cpu-slots';
import { compiledModule } from './module-cache';

/** bit of the result: the last instruction that ran was a taken branch */
export const TAKEN = 0x100;

// the EFLAGS bits, lazy kinds and ALU operation numbers of the interpreter
const { CF, PF, AF, ZF, SF, OF } = EFLAGS;

export interface CompileFacts {
  /** segments (bit 1 << SegReg) the caller guarantees flat while the block runs: base 0, segChkR = segChkW = 0 */
  flatSegs: number;
}

/** One data access of an instruction, already translated and checked when the hooks run. */
export interface DataAccess {
  readonly write: boolean;
  readonly size: 1 | 4;
  /** locals (i32) holding the linear and the physical address */
  readonly lin: number;
  readonly phys: number;
}

/** What a hook knows of the instruction it is emitted around. */
export interface InsnSite {
  readonly index: number;
  readonly insn: Insn;
  /** the data accesses, in the order the interpreter makes them (an RMW: its read, then its write, same address) */
  readonly accesses: readonly DataAccess[];
  /** for a branch, a local (i32) holding 1 if it is taken, 0 if not (valid in `after`); -1 otherwise */
  readonly taken: number;
  /**
   * Emits a leave before this instruction (the function returns `index`), for `before`
   * only: the registers and flags the earlier instructions wrote are stored on the way
   * out. A hook must leave this way, never with `return`, which would lose them.
   */
  readonly exit: () => void;
}

/**
 * Where timing code goes. `before` is emitted once instruction `site.index` has passed
 * every exit check and before it changes any state: from there on it runs to its end,
 * so the fetch, the DTLB and cache accesses of `site.accesses` can be charged there.
 * `after` is emitted after its functional work and before a taken branch leaves the
 * function (issue, BTB). Hooks may allocate locals with `local` and call functions
 * they imported in `declare` (called before any hook emits code). A `before` hook that
 * finds the instruction cannot run here (e.g. a DTLB miss the interpreter must walk)
 * leaves with `site.exit()`.
 */
export interface BlockHooks {
  declare?(m: WasmModuleBuilder): void;
  before?(c: CodeWriter, site: InsnSite, local: (t: ValType) => number): void;
  after?(c: CodeWriter, site: InsnSite, local: (t: ValType) => number): void;
  /**
   * For a block whose last instruction branches back to its start: pushes an i32, non-zero
   * when the run loop would run the block again now (the cycle budget of its slice is not
   * used up), so the compiled code goes round inside Wasm. Without it the branch leaves.
   */
  repeat?(c: CodeWriter): void;
}

export interface CompileOptions {
  facts: CompileFacts;
  hooks?: BlockHooks;
  /** objects for the hooks' imports, merged into the instance's imports (module name → fields) */
  imports?: Record<string, Record<string, WebAssembly.ImportValue>>;
  /** check the flat-segment facts at entry (default true) */
  guard?: boolean;
}

export interface CompiledBlock {
  /** instructions compiled: the whole Insn[] given */
  readonly length: number;
  /** byte offset of instruction i from the block's start; starts[length] = the block's byte length */
  readonly starts: readonly number[];
  /** relative displacement of each instruction that is a branch (0 otherwise) */
  readonly rel: readonly number[];
  /** segments the block uses (bit 1 << SegReg), CS included */
  readonly segs: number;
  /** the module's binary */
  readonly bytes: Uint8Array;
  /** runs the block: returns k | (taken ? TAKEN : 0) */
  readonly run: () => number;
}

/** EIP after a run that returned r, for a block entered at entryEip. */
export function exitEip(b: CompiledBlock, entryEip: number, r: number): number {
  const k = r & 0xff;
  if (r & TAKEN) return (entryEip + b.starts[k] + b.rel[k - 1]) >>> 0;
  return (entryEip + b.starts[k]) >>> 0;
}

/** the form of an instruction, decided before any code is emitted */
type Form =
  | { t: 'mov-eg' | 'mov-ge'; size: 1 | 4 }
  | { t: 'mov-ri' | 'mov-ei'; size: 1 | 4 }
  | { t: 'alu-eg' | 'alu-ge' | 'alu-acc' | 'alu-ei'; op: number; size: 1 | 4 }
  | { t: 'test-eg' | 'test-ei' | 'test-acc'; size: 1 | 4 }
  | { t: 'incdec-r'; dec: boolean }
  | { t: 'incdec-e'; dec: boolean; size: 1 | 4 }
  | { t: 'lea' }
  | { t: 'jcc'; cc: number }
  | { t: 'jmp' }
  | { t: 'imul'; imm: boolean }
  | { t: 'shift'; op: number; count: number };

/** The form of `d`, or null when it is not compiled. */
export function formOf(d: Insn): Form | null {
  if (d.rep !== 0 || d.lock) return null;
  const row = d.row;
  if (row.opcode !== d.opcode) return null; // the #UD row (undefined /r of a group, LEA with a register)
  const op = d.opcode;
  const sz = d.size;
  if (sz !== 1 && sz !== 4) return null;
  const size = sz;
  const mem = row.modrm && !d.mod3;
  if (mem && !d.a32) return null;
  const m = row.mnemonic;
  if (op < 0x40 && (op & 7) < 6) {
    const k = op & 7;
    const aluOp = op >> 3;
    if (k <= 1) return { t: 'alu-eg', op: aluOp, size };
    if (k <= 3) return { t: 'alu-ge', op: aluOp, size };
    return { t: 'alu-acc', op: aluOp, size };
  }
  if (op >= 0x80 && op <= 0x83) return { t: 'alu-ei', op: d.reg, size };
  if (op >= 0x40 && op <= 0x4f) return size === 4 ? { t: 'incdec-r', dec: op >= 0x48 } : null;
  if ((op === 0xfe || op === 0xff) && (m === 'INC' || m === 'DEC')) return { t: 'incdec-e', dec: m === 'DEC', size };
  if (op === 0x88 || op === 0x89) return { t: 'mov-eg', size };
  if (op === 0x8a || op === 0x8b) return { t: 'mov-ge', size };
  if (op >= 0xb0 && op <= 0xbf) return { t: 'mov-ri', size };
  if ((op === 0xc6 || op === 0xc7) && m === 'MOV') return { t: 'mov-ei', size };
  if (op === 0x84 || op === 0x85) return { t: 'test-eg', size };
  if (op === 0xa8 || op === 0xa9) return { t: 'test-acc', size };
  if ((op === 0xf6 || op === 0xf7) && m === 'TEST') return { t: 'test-ei', size };
  if (op === 0x8d) return size === 4 && d.a32 && !d.mod3 ? { t: 'lea' } : null;
  // IMUL r32, r/m32 (0F AF) and r32, r/m32, imm (69, 6B)
  if (op === 0x0faf || op === 0x69 || op === 0x6b) return size === 4 ? { t: 'imul', imm: d.imm2 === 1 } : null;
  // SHL/SAL, SHR, SAR r/m32 by an immediate (C1) or by 1 (D1); a count of 0 changes nothing and is left to the interpreter
  if ((op === 0xc1 || op === 0xd1) && (d.op === 4 || d.op === 5 || d.op === 6 || d.op === 7) && size === 4 && (d.imm & 31) !== 0) {
    return { t: 'shift', op: d.op, count: d.imm & 31 };
  }
  if ((op >= 0x70 && op <= 0x7f) || (op >= 0x0f80 && op <= 0x0f8f)) return size === 4 ? { t: 'jcc', cc: op & 15 } : null;
  if (op === 0xeb || op === 0xe9) return size === 4 ? { t: 'jmp' } : null;
  return null;
}

/** the access a form makes to its memory operand (when it has one) */
function accessOf(f: Form): 'r' | 'w' | 'rmw' | null {
  switch (f.t) {
    case 'mov-eg':
    case 'mov-ei':
      return 'w';
    case 'mov-ge':
    case 'alu-ge':
    case 'test-eg':
    case 'test-ei':
      return 'r';
    case 'alu-eg':
    case 'alu-ei':
      return f.op === CMP ? 'r' : 'rmw';
    case 'incdec-e':
    case 'shift':
      return 'rmw';
    case 'imul':
      return 'r';
    default:
      return null;
  }
}

/**
 * Compiles `insns` (a decoded block, or its first instructions) to one Wasm function on
 * the state `slots` describes. Returns null when an instruction is not in the forms
 * above, or a segment it uses is not declared flat.
 */
export function compileBlock(insns: readonly Insn[], slots: CpuSlots, opts: CompileOptions): CompiledBlock | null {
  const n = insns.length;
  if (n === 0 || n > 0xff) return null;
  const forms: Form[] = [];
  let segs = 1 << SegReg.CS;
  let segsR = 1 << SegReg.CS;
  let segsW = 0;
  for (let i = 0; i < n; i++) {
    const d = insns[i];
    const f = formOf(d);
    if (f === null) return null;
    if (f.t === 'jmp' && i !== n - 1) return null;
    forms.push(f);
    const acc = d.mod3 ? null : accessOf(f);
    if (acc !== null) {
      segs |= 1 << d.seg;
      if (acc === 'r') segsR |= 1 << d.seg;
      else segsW |= 1 << d.seg;
    }
  }
  if ((segs & ~opts.facts.flatSegs) !== 0) return null;

  const L = slots.layout;
  const m = new WasmModuleBuilder();
  m.importMemory('env', 'mem', L.pages, L.pages);
  // the hooks' imports first: the body's calls use their function indices
  opts.hooks?.declare?.(m);
  const e = new BlockEmitter(L, opts.hooks ?? {});
  // branches back to the block's start (a loop onto itself, as an inner loop's Jcc): taken,
  // they go round inside the function while the hooks allow
  const backEdges: boolean[] = [];
  let next = 0;
  for (let i = 0; i < n; i++) {
    next += insns[i].len;
    backEdges.push((forms[i].t === 'jcc' || forms[i].t === 'jmp') && ((next + insns[i].imm) | 0) === 0);
  }
  e.body(insns, forms, opts.hooks?.repeat !== undefined && backEdges.includes(true) ? backEdges : null);
  const guard = opts.guard ?? true;
  const fn = m.addFunction([], [I32], e.locals, (c) => {
    if (guard) {
      // the flat-segment facts: any base or check byte non-zero → nothing runs
      let first = true;
      for (let s = 0; s < 6; s++) {
        if (!(segs & (1 << s))) continue;
        if (s !== SegReg.CS) {
          c.i32Const(0).mem('i32_load', L.segBase + 4 * s);
          if (!first) c.op(OP.i32_or);
          first = false;
        }
        // check level 1 (a limit below 4 GiB, as Linux's 3 GiB user segments) is compared per access
        if (segsR & (1 << s)) {
          c.i32Const(0).mem('i32_load8_u', L.segChkR + s).i32Const(1).op(OP.i32_gt_u);
          if (!first) c.op(OP.i32_or);
          first = false;
        }
        if (segsW & (1 << s)) {
          c.i32Const(0).mem('i32_load8_u', L.segChkW + s).i32Const(1).op(OP.i32_gt_u);
          if (!first) c.op(OP.i32_or);
          first = false;
        }
      }
      c.if().i32Const(0).op(OP.return).end();
    }
    e.prologue(c);
    c.w.bytes(e.c.w.toBytes());
    e.epilogue(c);
  });
  m.exportFunction('run', fn);
  const bytes = m.build();
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = { ...(opts.imports ?? {}) };
  imports.env = { ...(imports.env ?? {}), mem: L.memory };
  const instance = new WebAssembly.Instance(compiledModule(bytes), imports);
  const starts = [0];
  const rel: number[] = [];
  for (let i = 0; i < n; i++) {
    starts.push(starts[i] + insns[i].len);
    const t = forms[i].t;
    rel.push(t === 'jcc' || t === 'jmp' ? insns[i].imm : 0);
  }
  return { length: n, starts, rel, segs, bytes, run: instance.exports.run as () => number };
}

/** what is known at compile time of the lazy-flag state (after a flag-writing instruction of the block) */
interface FlagState {
  lazy: number;
  /** the lazy kind, -1 when it is decided at run time (ADC/SBB) */
  kind: number;
  sign: number;
}

const FIELDS: readonly SlotName[] = ['flags', 'lazy', 'fKind', 'fOp1', 'fOp2', 'fRes', 'fSign'];

class BlockEmitter {
  /** the block's body: `block (result i32)` … `end`, the exit label outermost */
  readonly c = new CodeWriter();
  readonly locals: ValType[] = [];
  private readonly reg: number[] = [];
  private regsRead = 0;
  private regsWritten = 0;
  private readonly field = new Map<SlotName, number>();
  private fieldsRead = new Set<SlotName>();
  private fieldsWritten = new Set<SlotName>();
  private readonly rmask: number;
  private readonly wmask: number;
  private masksUsed = false;
  private st: FlagState | null = null;
  /** the exit value, between the body and the stores */
  private readonly result: number;

  constructor(
    private readonly L: CpuLayout,
    private readonly hooks: BlockHooks,
  ) {
    for (let r = 0; r < 8; r++) this.reg.push(this.local());
    for (const f of FIELDS) this.field.set(f, this.local());
    this.rmask = this.local();
    this.wmask = this.local();
    this.result = this.local();
  }

  local(t: ValType = I32): number {
    this.locals.push(t);
    return this.locals.length - 1;
  }

  // ------------------------------------------------------------------ prologue/epilogue

  /** loads the registers and flag fields the body uses (emitted before it, once it is known which) */
  prologue(c: CodeWriter): void {
    const L = this.L;
    for (let r = 0; r < 8; r++) {
      if ((this.regsRead | this.regsWritten) & (1 << r)) c.i32Const(0).mem('i32_load', L.regs + 4 * r).localSet(this.reg[r]);
    }
    for (const f of FIELDS) {
      if (this.fieldsRead.has(f) || this.fieldsWritten.has(f)) c.i32Const(0).mem('i32_load', L.slots + 4 * SLOT[f]).localSet(this.fld(f));
    }
    if (this.masksUsed) {
      c.i32Const(0).mem('i32_load', L.slots + 4 * SLOT.rmask).localSet(this.rmask);
      c.i32Const(0).mem('i32_load', L.slots + 4 * SLOT.wmask).localSet(this.wmask);
    }
  }

  /** stores what the body wrote, then returns the exit value */
  epilogue(c: CodeWriter): void {
    const L = this.L;
    const res = this.result;
    c.localSet(res);
    for (let r = 0; r < 8; r++) {
      if (this.regsWritten & (1 << r)) c.i32Const(0).localGet(this.reg[r]).mem('i32_store', L.regs + 4 * r);
    }
    for (const f of FIELDS) {
      if (this.fieldsWritten.has(f)) c.i32Const(0).localGet(this.fld(f)).mem('i32_store', L.slots + 4 * SLOT[f]);
    }
    c.localGet(res);
  }

  private fld(f: SlotName): number {
    return this.field.get(f) as number;
  }
  private getF(f: SlotName): void {
    this.fieldsRead.add(f);
    this.c.localGet(this.fld(f));
  }
  private setF(f: SlotName): void {
    this.fieldsWritten.add(f);
    this.c.localSet(this.fld(f));
  }

  // ------------------------------------------------------------------ registers

  private getR32(r: number): void {
    this.regsRead |= 1 << r;
    this.c.localGet(this.reg[r]);
  }
  /** the value on the stack into r32 */
  private setR32(r: number): void {
    this.regsWritten |= 1 << r;
    this.c.localSet(this.reg[r]);
  }
  /** 8-bit register r (AL CL DL BL AH CH DH BH) as 0..255 */
  private getR8(r: number): void {
    this.getR32(r & 3);
    if (r >= 4) this.c.i32Const(8).op(OP.i32_shr_u);
    this.c.i32Const(0xff).op(OP.i32_and);
  }
  /** the value in local v into 8-bit register r (its low byte, as the Uint8Array store does) */
  private setR8(r: number, v: number): void {
    const sh = r >= 4 ? 8 : 0;
    const c = this.c;
    this.getR32(r & 3);
    c.i32Const(~(0xff << sh)).op(OP.i32_and);
    c.localGet(v).i32Const(0xff).op(OP.i32_and);
    if (sh) c.i32Const(sh).op(OP.i32_shl);
    c.op(OP.i32_or);
    this.setR32(r & 3);
  }
  private getR(r: number, size: 1 | 4): void {
    if (size === 4) this.getR32(r);
    else this.getR8(r);
  }
  private setR(r: number, size: 1 | 4, v: number): void {
    if (size === 4) {
      this.c.localGet(v);
      this.setR32(r);
    } else {
      this.setR8(r, v);
    }
  }

  // ------------------------------------------------------------------ the body

  body(insns: readonly Insn[], forms: readonly Form[], backEdges: readonly boolean[] | null = null): void {
    const c = this.c;
    c.block(I32);
    // a self-loop: a taken branch to the start goes round here while the hooks allow (repeat)
    this.backEdges = backEdges;
    if (backEdges) c.loop();
    for (let i = 0; i < insns.length; i++) this.insn(i, insns[i], forms[i]);
    if (backEdges) c.end();
    c.i32Const(insns.length);
    c.end();
  }
  /** per instruction: a branch to the block's start that goes round (null: the block has none) */
  private backEdges: readonly boolean[] | null = null;

  /** a taken branch back to the block's start: round again, or leave */
  private backBranch(i: number): void {
    const c = this.c;
    if (this.hooks.repeat) {
      this.hooks.repeat(c);
      // the loop is the second outermost label (the exit block is the outermost)
      c.brIf(c.depth - 2);
    }
    this.exit((i + 1) | TAKEN);
  }

  /** leaves the function with `value` (from any depth) */
  private exit(value: number): void {
    this.c.i32Const(value).br(this.c.depth - 1);
  }

  /** effective address (ops/operands.ts ea, 32-bit addressing) onto the stack */
  private ea(d: Insn): void {
    const c = this.c;
    c.i32Const(d.disp);
    if (d.base >= 0) {
      this.getR32(d.base);
      c.op(OP.i32_add);
    }
    if (d.index >= 0) {
      this.getR32(d.index);
      if (d.scale) c.i32Const(d.scale).op(OP.i32_shl);
      c.op(OP.i32_add);
    }
  }

  /**
   * The memory operand of instruction i through the soft TLB's fast path (cpu.ts rd32/wr32,
   * rd8/wr8): leaves with i when it does not apply. Returns the locals of the linear and
   * physical address.
   */
  private translate(i: number, d: Insn, size: 1 | 4, write: boolean): { lin: number; phys: number } {
    const c = this.c;
    const L = this.L;
    this.masksUsed = true;
    const lin = this.local();
    const phys = this.local();
    const e = this.local();
    const mask = write ? this.wmask : this.rmask;
    this.ea(d);
    c.localSet(lin);
    // the segment's limit (cpu.ts linR/linW; base 0, so the offset is the linear address):
    // beyond it the interpreter raises #GP or #SS. A flat segment's limit is 0xffffffff.
    c.localGet(lin).op(OP.i64_extend_i32_u).i64Const(size - 1).op(OP.i64_add);
    c.i32Const(0).mem('i32_load', L.segLimit + 4 * d.seg).op(OP.i64_extend_i32_u).op(OP.i64_gt_u).if();
    this.exit(i);
    c.end();
    if (size === 4) {
      // misaligned (the interpreter's slow path; it also covers a page crossing)
      c.localGet(lin).i32Const(3).op(OP.i32_and).if();
      this.exit(i);
      c.end();
    }
    // the entry must hold every bit of the mask ((e & mask) === mask)
    c.localGet(lin).i32Const(12).op(OP.i32_shr_u).i32Const(2).op(OP.i32_shl).mem('i32_load', L.tlb).localTee(e);
    c.localGet(mask).op(OP.i32_and).localGet(mask).op(OP.i32_ne).if();
    this.exit(i);
    c.end();
    c.localGet(e).i32Const(-4096).op(OP.i32_and).localGet(lin).i32Const(4095).op(OP.i32_and).op(OP.i32_or).localTee(phys);
    // beyond RAM (a TLB entry is only made below memBytes, so this does not happen; kept as a guard)
    c.i32Const(L.memBytes - size).op(OP.i32_gt_u).if();
    this.exit(i);
    c.end();
    if (write) {
      // a page holding decoded code: the interpreter's write drops that code
      c.localGet(phys).i32Const(12).op(OP.i32_shr_u).mem('i32_load8_u', L.codePages).if();
      this.exit(i);
      c.end();
    }
    return { lin, phys };
  }

  private load(phys: number, size: 1 | 4): void {
    this.c.localGet(phys).mem(size === 4 ? 'i32_load' : 'i32_load8_u');
  }
  /** stores local v at phys */
  private store(phys: number, size: 1 | 4, v: number): void {
    this.c.localGet(phys).localGet(v).mem(size === 4 ? 'i32_store' : 'i32_store8');
  }

  private site(i: number, d: Insn, accesses: DataAccess[], taken = -1): InsnSite {
    return { index: i, insn: d, accesses, taken, exit: () => this.exit(i) };
  }
  private before(s: InsnSite): void {
    this.hooks.before?.(this.c, s, (t) => this.local(t));
  }
  private after(s: InsnSite): void {
    this.hooks.after?.(this.c, s, (t) => this.local(t));
  }

  private insn(i: number, d: Insn, f: Form): void {
    const c = this.c;
    // the memory operand: translated and checked before anything changes
    const acc = d.mod3 || f.t === 'lea' ? null : accessOf(f);
    const size: 1 | 4 = 'size' in f ? f.size : 4;
    let at: { lin: number; phys: number } | null = null;
    const accesses: DataAccess[] = [];
    if (acc !== null) {
      at = this.translate(i, d, size, acc !== 'r');
      if (acc !== 'w') accesses.push({ write: false, size, lin: at.lin, phys: at.phys });
      if (acc !== 'r') accesses.push({ write: true, size, lin: at.lin, phys: at.phys });
    }
    const isBranch = f.t === 'jcc' || f.t === 'jmp';
    const taken = isBranch ? this.local() : -1;
    const s = this.site(i, d, accesses, taken);
    this.before(s);

    /** the E operand onto the stack */
    const getE = (): void => {
      if (at === null) this.getR(d.rm, size);
      else this.load(at.phys, size);
    };
    /** local v into the E operand */
    const setE = (v: number): void => {
      if (at === null) this.setR(d.rm, size, v);
      else this.store(at.phys, size, v);
    };
    const tmp = (): number => this.local();
    const imm = size === 4 ? d.imm | 0 : d.imm & 0xff;

    switch (f.t) {
      case 'mov-eg': {
        const v = tmp();
        this.getR(d.reg, size);
        c.localSet(v);
        setE(v);
        break;
      }
      case 'mov-ge': {
        const v = tmp();
        getE();
        c.localSet(v);
        this.setR(d.reg, size, v);
        break;
      }
      case 'mov-ri': {
        const v = tmp();
        c.i32Const(imm).localSet(v);
        this.setR(d.reg, size, v);
        break;
      }
      case 'mov-ei': {
        const v = tmp();
        c.i32Const(imm).localSet(v);
        setE(v);
        break;
      }
      case 'alu-eg': {
        const r = this.alu(f.op, size, getE, () => this.getR(d.reg, size));
        if (f.op !== CMP) setE(r);
        break;
      }
      case 'alu-ge': {
        const r = this.alu(f.op, size, () => this.getR(d.reg, size), getE);
        if (f.op !== CMP) this.setR(d.reg, size, r);
        break;
      }
      case 'alu-acc': {
        const r = this.alu(f.op, size, () => this.getR(0, size), () => c.i32Const(imm));
        if (f.op !== CMP) this.setR(0, size, r);
        break;
      }
      case 'alu-ei': {
        const r = this.alu(f.op, size, getE, () => c.i32Const(imm));
        if (f.op !== CMP) setE(r);
        break;
      }
      case 'test-eg':
        this.alu(AND, size, getE, () => this.getR(d.reg, size));
        break;
      case 'test-ei':
        this.alu(AND, size, getE, () => c.i32Const(imm));
        break;
      case 'test-acc':
        this.alu(AND, size, () => this.getR(0, size), () => c.i32Const(imm));
        break;
      case 'incdec-r': {
        const r = this.incdec(f.dec, 4, () => this.getR32(d.reg));
        this.setR(d.reg, 4, r);
        break;
      }
      case 'incdec-e': {
        const r = this.incdec(f.dec, size, getE);
        setE(r);
        break;
      }
      case 'lea':
        this.ea(d);
        this.setR32(d.reg);
        break;
      case 'imul': {
        // ops/alu.ts imulGE, 32-bit: the low product; CF = OF = it differs from the full one
        const a = tmp();
        const b = tmp();
        const lo = tmp();
        getE();
        c.localSet(b);
        if (f.imm) c.i32Const(d.imm | 0);
        else this.getR32(d.reg);
        c.localSet(a);
        c.localGet(a).localGet(b).op(OP.i32_mul).localSet(lo);
        c.localGet(a).op(OP.i64_extend_i32_s).localGet(b).op(OP.i64_extend_i32_s).op(OP.i64_mul);
        c.localGet(lo).op(OP.i64_extend_i32_s).op(OP.i64_ne);
        this.mulFlags(lo);
        c.localGet(lo);
        this.setR32(d.reg);
        break;
      }
      case 'shift': {
        const v = tmp();
        getE();
        c.localSet(v);
        setE(this.shift(f.op, f.count, v));
        break;
      }
      case 'jcc':
        this.cond(f.cc);
        c.localSet(taken);
        break;
      case 'jmp':
        c.i32Const(1).localSet(taken);
        break;
    }
    this.after(s);
    const back = this.backEdges !== null && this.backEdges[i];
    if (f.t === 'jcc') {
      c.localGet(taken).if();
      if (back) this.backBranch(i);
      else this.exit((i + 1) | TAKEN);
      c.end();
    } else if (f.t === 'jmp') {
      if (back) this.backBranch(i);
      else this.exit((i + 1) | TAKEN);
    }
  }

  // ------------------------------------------------------------------ ALU and lazy flags

  /** ops/alu.ts alu(): a op b on `size` bytes, flags left lazy; returns the local holding the result */
  private alu(op: number, size: 1 | 4, emitA: () => void, emitB: () => void): number {
    const c = this.c;
    const a = this.local();
    const b = this.local();
    const r = this.local();
    const mask = (): void => {
      if (size === 1) c.i32Const(0xff).op(OP.i32_and);
    };
    emitA();
    c.localSet(a);
    emitB();
    c.localSet(b);
    let kind: number;
    switch (op) {
      case ADD:
        c.localGet(a).localGet(b).op(OP.i32_add);
        mask();
        kind = LF_ADD;
        break;
      case OR:
        c.localGet(a).localGet(b).op(OP.i32_or);
        kind = LF_LOGIC;
        break;
      case AND:
        c.localGet(a).localGet(b).op(OP.i32_and);
        kind = LF_LOGIC;
        break;
      case XOR:
        c.localGet(a).localGet(b).op(OP.i32_xor);
        kind = LF_LOGIC;
        break;
      case ADC:
      case SBB: {
        const cin = this.local();
        this.getCF();
        c.localSet(cin);
        c.localGet(a).localGet(b).op(op === ADC ? OP.i32_add : OP.i32_sub).localGet(cin).op(op === ADC ? OP.i32_add : OP.i32_sub);
        mask();
        c.localSet(r);
        // fKind = cin ? LF_ADC : LF_ADD (LF_SBB : LF_SUB)
        c.localGet(cin);
        if (op === SBB) c.i32Const(LF_SUB).op(OP.i32_add);
        this.setF('fKind');
        c.localGet(r);
        kind = -1;
        break;
      }
      default: // SUB (5), CMP
        c.localGet(a).localGet(b).op(OP.i32_sub);
        mask();
        kind = LF_SUB;
        break;
    }
    c.localSet(r);
    if (kind >= 0) {
      c.i32Const(kind);
      this.setF('fKind');
    }
    c.localGet(a);
    this.setF('fOp1');
    c.localGet(b);
    this.setF('fOp2');
    c.localGet(r);
    this.setF('fRes');
    c.i32Const(size * 8 - 1);
    this.setF('fSign');
    c.i32Const(ARITH);
    this.setF('lazy');
    this.st = { lazy: ARITH, kind, sign: size * 8 - 1 };
    return r;
  }

  /** cpu.ts materialize(): when anything is lazy, EFLAGS computed into flags and nothing lazy */
  private materialize(): void {
    const c = this.c;
    const st = this.st;
    if (st !== null && st.lazy === 0) return;
    const arith = CF | PF | AF | ZF | SF | OF;
    const emit = (): void => {
      this.getF('flags');
      c.i32Const(~arith).op(OP.i32_and);
      this.getCF();
      c.op(OP.i32_or);
      this.getPF();
      c.i32Const(2).op(OP.i32_shl).op(OP.i32_or);
      this.getAF();
      c.op(OP.i32_or);
      this.getZF();
      c.i32Const(6).op(OP.i32_shl).op(OP.i32_or);
      this.getSF();
      c.i32Const(7).op(OP.i32_shl).op(OP.i32_or);
      this.getOF();
      c.i32Const(11).op(OP.i32_shl).op(OP.i32_or);
      c.i32Const(2).op(OP.i32_or);
      this.setF('flags');
      c.i32Const(0);
      this.setF('lazy');
    };
    if (st !== null) emit();
    else {
      this.getF('lazy');
      c.if();
      emit();
      c.end();
    }
    this.st = { lazy: 0, kind: -1, sign: 31 };
  }
  /** cpu.ts getAF() as the AF bit (0 or 0x10) */
  private getAF(): void {
    const c = this.c;
    this.lazyHas(
      AF,
      () =>
        this.sel(
          () => {
            if (this.st !== null && this.st.kind >= 0) c.i32Const(+(this.st.kind === LF_LOGIC));
            else {
              this.getF('fKind');
              c.i32Const(LF_LOGIC).op(OP.i32_eq);
            }
          },
          () => c.i32Const(0),
          () => {
            this.getF('fOp1');
            this.getF('fOp2');
            c.op(OP.i32_xor);
            this.getF('fRes');
            c.op(OP.i32_xor).i32Const(AF).op(OP.i32_and);
          },
        ),
      () => {
        this.getF('flags');
        c.i32Const(AF).op(OP.i32_and);
      },
    );
  }
  /** ops/alu.ts setMulFlags, 32-bit: the overflow (0/1) on the stack, the low result in local `res` */
  private mulFlags(res: number): void {
    const c = this.c;
    const ovf = this.local();
    c.localSet(ovf);
    this.materialize();
    this.getF('flags');
    c.i32Const(~(CF | OF | AF)).op(OP.i32_and);
    c.i32Const(CF | OF).i32Const(0).localGet(ovf).op(OP.select).op(OP.i32_or);
    this.setF('flags');
    c.i32Const(LF_LOGIC);
    this.setF('fKind');
    c.localGet(res);
    this.setF('fRes');
    c.i32Const(31);
    this.setF('fSign');
    c.i32Const(ZF | SF | PF);
    this.setF('lazy');
    this.st = { lazy: ZF | SF | PF, kind: LF_LOGIC, sign: 31 };
  }
  /** ops/alu.ts shiftOp for SHL/SAL (4, 6), SHR (5), SAR (7) of 32 bits by `count` (1..31); returns the result's local */
  private shift(op: number, count: number, v: number): number {
    const c = this.c;
    const r = this.local();
    const cf = this.local();
    const of = this.local();
    if (op === 4 || op === 6) {
      c.localGet(v).i32Const(count).op(OP.i32_shl).localSet(r);
      c.localGet(v).i32Const(32 - count).op(OP.i32_shr_u).i32Const(1).op(OP.i32_and).localSet(cf);
      c.localGet(r).i32Const(31).op(OP.i32_shr_u).localGet(cf).op(OP.i32_xor).localSet(of);
    } else if (op === 5) {
      c.localGet(v).i32Const(count).op(OP.i32_shr_u).localSet(r);
      c.localGet(v).i32Const(count - 1).op(OP.i32_shr_u).i32Const(1).op(OP.i32_and).localSet(cf);
      c.localGet(v).i32Const(31).op(OP.i32_shr_u).localSet(of);
    } else {
      c.localGet(v).i32Const(count).op(OP.i32_shr_s).localSet(r);
      c.localGet(v).i32Const(count - 1).op(OP.i32_shr_s).i32Const(1).op(OP.i32_and).localSet(cf);
      c.i32Const(0).localSet(of);
    }
    // shiftFlags: materialised, CF and OF set, AF cleared, ZF SF PF lazy on the result
    this.materialize();
    this.getF('flags');
    c.i32Const(~(CF | OF | AF)).op(OP.i32_and);
    c.localGet(cf).op(OP.i32_or);
    c.localGet(of).i32Const(11).op(OP.i32_shl).op(OP.i32_or);
    this.setF('flags');
    c.i32Const(LF_LOGIC);
    this.setF('fKind');
    c.localGet(r);
    this.setF('fRes');
    c.i32Const(0);
    this.setF('fOp1');
    c.i32Const(0);
    this.setF('fOp2');
    c.i32Const(31);
    this.setF('fSign');
    c.i32Const(ZF | SF | PF);
    this.setF('lazy');
    this.st = { lazy: ZF | SF | PF, kind: LF_LOGIC, sign: 31 };
    return r;
  }

  /** ops/alu.ts incdec(): CF materialised into flags, the rest lazy */
  private incdec(dec: boolean, size: 1 | 4, emitV: () => void): number {
    const c = this.c;
    const v = this.local();
    const r = this.local();
    emitV();
    c.localSet(v);
    // fixCF: flags = (flags & ~CF) | CF (getCF reads flags' own CF when CF is not lazy)
    this.getF('flags');
    c.i32Const(~CF).op(OP.i32_and);
    this.getCF();
    c.op(OP.i32_or);
    this.setF('flags');
    c.localGet(v).i32Const(1).op(dec ? OP.i32_sub : OP.i32_add);
    if (size === 1) c.i32Const(0xff).op(OP.i32_and);
    c.localSet(r);
    c.i32Const(dec ? LF_SUB : LF_ADD);
    this.setF('fKind');
    c.localGet(v);
    this.setF('fOp1');
    c.i32Const(1);
    this.setF('fOp2');
    c.localGet(r);
    this.setF('fRes');
    c.i32Const(size * 8 - 1);
    this.setF('fSign');
    c.i32Const(ARITH & ~CF);
    this.setF('lazy');
    this.st = { lazy: ARITH & ~CF, kind: dec ? LF_SUB : LF_ADD, sign: size * 8 - 1 };
    return r;
  }

  /** `cond` ? then : else, all pushing one i32 */
  private sel(cond: () => void, then: () => void, els: () => void): void {
    cond();
    this.c.if(I32);
    then();
    this.c.else();
    els();
    this.c.end();
  }
  /** (lazy & bit) !== 0, from the known state or at run time */
  private lazyHas(bit: number, then: () => void, els: () => void): void {
    const st = this.st;
    if (st !== null) {
      if (st.lazy & bit) then();
      else els();
      return;
    }
    this.sel(
      () => {
        this.getF('lazy');
        this.c.i32Const(bit).op(OP.i32_and);
      },
      then,
      els,
    );
  }
  /** the flags field's bit `bit` as 0/1 */
  private flagBit(bit: number): void {
    this.getF('flags');
    this.c.i32Const(31 - Math.clz32(bit)).op(OP.i32_shr_u).i32Const(1).op(OP.i32_and);
  }
  /** (fRes >>> fSign) & 1 style: x >>> sign & 1 with the sign known or read */
  private signBit(emitX: () => void): void {
    emitX();
    if (this.st !== null) this.c.i32Const(this.st.sign);
    else this.getF('fSign');
    this.c.op(OP.i32_shr_u).i32Const(1).op(OP.i32_and);
  }
  /** one arm per lazy kind 0..3, 0 for the others (LF_LOGIC) */
  private byKind(arms: readonly (() => void)[]): void {
    const c = this.c;
    const st = this.st;
    if (st !== null && st.kind >= 0) {
      if (st.kind < arms.length) arms[st.kind]();
      else c.i32Const(0);
      return;
    }
    const k = (i: number): void => {
      if (i === arms.length) {
        c.i32Const(0);
        return;
      }
      this.sel(
        () => {
          this.getF('fKind');
          c.i32Const(i).op(OP.i32_eq);
        },
        arms[i],
        () => k(i + 1),
      );
    };
    k(0);
  }
  private cmpU(x: SlotName, y: SlotName, o: Opcode): () => void {
    return () => {
      this.getF(x);
      this.getF(y);
      this.c.op(o);
    };
  }

  /** cpu.ts getCF() as 0/1 */
  private getCF(): void {
    this.lazyHas(
      CF,
      () => this.byKind([this.cmpU('fRes', 'fOp1', OP.i32_lt_u), this.cmpU('fRes', 'fOp1', OP.i32_le_u), this.cmpU('fOp1', 'fOp2', OP.i32_lt_u), this.cmpU('fOp1', 'fOp2', OP.i32_le_u)]),
      () => this.flagBit(CF),
    );
  }
  /** cpu.ts getOF() as 0/1 */
  private getOF(): void {
    const c = this.c;
    const addOF = (): void =>
      this.signBit(() => {
        this.getF('fOp1');
        this.getF('fRes');
        c.op(OP.i32_xor);
        this.getF('fOp2');
        this.getF('fRes');
        c.op(OP.i32_xor).op(OP.i32_and);
      });
    const subOF = (): void =>
      this.signBit(() => {
        this.getF('fOp1');
        this.getF('fOp2');
        c.op(OP.i32_xor);
        this.getF('fOp1');
        this.getF('fRes');
        c.op(OP.i32_xor).op(OP.i32_and);
      });
    this.lazyHas(OF, () => this.byKind([addOF, addOF, subOF, subOF]), () => this.flagBit(OF));
  }
  private getZF(): void {
    this.lazyHas(
      ZF,
      () => {
        this.getF('fRes');
        this.c.op(OP.i32_eqz);
      },
      () => this.flagBit(ZF),
    );
  }
  private getSF(): void {
    this.lazyHas(SF, () => this.signBit(() => this.getF('fRes')), () => this.flagBit(SF));
  }
  private getPF(): void {
    this.lazyHas(
      PF,
      () => {
        // PF: an even number of 1 bits in the low byte
        this.getF('fRes');
        this.c.i32Const(0xff).op(OP.i32_and).op(OP.i32_popcnt).i32Const(1).op(OP.i32_and).i32Const(1).op(OP.i32_xor);
      },
      () => this.flagBit(PF),
    );
  }

  /** cpu.ts cond(cc) as 0/1 */
  private cond(cc: number): void {
    const c = this.c;
    const st = this.st;
    // after a 32-bit SUB/CMP of this block: the comparison of its operands (ops/control.ts cmp32)
    const sub32 = st !== null && st.lazy === ARITH && st.kind === LF_SUB && st.sign === 31;
    switch (cc >> 1) {
      case 0:
        this.getOF();
        break;
      case 1:
        if (sub32) this.cmpU('fOp1', 'fOp2', OP.i32_lt_u)();
        else this.getCF();
        break;
      case 2:
        this.getZF();
        break;
      case 3:
        if (sub32) this.cmpU('fOp1', 'fOp2', OP.i32_le_u)();
        else {
          this.getCF();
          this.getZF();
          c.op(OP.i32_or);
        }
        break;
      case 4:
        this.getSF();
        break;
      case 5:
        this.getPF();
        break;
      case 6:
        if (sub32) this.cmpU('fOp1', 'fOp2', OP.i32_lt_s)();
        else {
          this.getSF();
          this.getOF();
          c.op(OP.i32_xor);
        }
        break;
      default:
        if (sub32) this.cmpU('fOp1', 'fOp2', OP.i32_le_s)();
        else {
          this.getZF();
          this.getSF();
          this.getOF();
          c.op(OP.i32_xor).op(OP.i32_or);
        }
        break;
    }
    if (cc & 1) c.i32Const(1).op(OP.i32_xor);
  }
}
