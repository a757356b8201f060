// The block compiler against the interpreter (docs/design/jit.md step 4, functional half).
//
// Three identical machines per case: C runs the block's code in the interpreter's own
// run loop to the HOSTCALL STOP after it; A steps the same decoded instructions through
// their handlers, as runBlock does, and stops where the compiled code should stop (the
// first instruction whose memory operand misses the soft TLB's fast path, or a taken
// branch); B runs the compiled function. B after the function must equal A at that point
// (registers, EFLAGS, the raw lazy-flag fields, memory, EIP, the exit index); then A and
// B go on in the interpreter, and both must end equal to C.
import { decodeBlock } from '../cpu/decoder';
import type { Insn } from '../cpu/decoder-types';
import { ea } from '../cpu/ops/operands';
import { SegReg } from '../cpu/registers';
import { flatMachine, PAGE_TABLE, runToStop, STOP } from '../cpu/test-support';
import type { Machine } from '../machine';
import { compileBlock, exitEip, formOf, TAKEN, type BlockHooks, type CompiledBlock } from './block-compiler';
import { I32 } from './wasm-emitter';
import { CpuSlots } from './cpu-slots';

const CODE_PAGE = 0x20000;
/** a STOP that backward branches land on */
const LANDING = CODE_PAGE + 0xf0;
/** the block under test */
const BLOCK = CODE_PAGE + 0x100;
/** code-page stores go here (the same page as the code, away from it) */
const CODE_DATA = CODE_PAGE + 0xc00;
const DATA = 0x100000;
const DATA_PAGES = 16;
/** pages 0..11 mapped writable in the soft TLB, 12..13 read-only (clean PTE, walked for a read), 14..15 not in it */
const RW_PAGES = 12;
const RO_PAGES = 2;
const FLAT = 0x3f;
const ARITH = 0x8d5;
const CF = 1,
  PF = 4,
  ZF = 0x40,
  SF = 0x80;

const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/** xorshift32: the cases are reproducible from their seed */
class Rng {
  constructor(private s: number) {
    if (this.s === 0) this.s = 1;
  }
  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x;
    return x >>> 0;
  }
  int(n: number): number {
    return this.u32() % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.u32() / 2 ** 32 < p;
  }
  /** a value with many edge cases */
  value(): number {
    switch (this.int(6)) {
      case 0:
        return this.pick([0, 1, -1, 0x7fffffff, -0x80000000, 0x80, 0x7f, 0xff, 0x100]);
      case 1:
        return this.int(16) - 8;
      case 2:
        return this.int(256);
      default:
        return this.u32() | 0;
    }
  }
}

interface CaseState {
  regs: number[];
  flags: number;
  lazy: number;
  fKind: number;
  fOp1: number;
  fOp2: number;
  fRes: number;
  fSign: number;
  data: Uint8Array;
}

function setup(m: Machine, code: number[], s: CaseState): void {
  const cpu = m.cpu;
  const mem = m.memory;
  cpu.flushDecodeCache();
  // fresh PTEs (a run sets Accessed/Dirty), an empty soft TLB, then the same fills everywhere
  for (let p = 0; p < DATA_PAGES; p++) mem.write32(PAGE_TABLE + ((DATA >>> 12) + p) * 4, (DATA + p * 4096) | 7);
  mem.write32(PAGE_TABLE + (CODE_PAGE >>> 12) * 4, CODE_PAGE | 7);
  cpu.flushTlb();
  for (let p = 0; p < RW_PAGES; p++) cpu.walk(DATA + p * 4096, true, false);
  for (let p = RW_PAGES; p < RW_PAGES + RO_PAGES; p++) cpu.walk(DATA + p * 4096, false, false);
  cpu.walk(CODE_PAGE, true, false);
  mem.fill(CODE_PAGE, 4096, 0x90);
  mem.writeBytes(LANDING, STOP);
  mem.writeBytes(BLOCK, code);
  mem.writeBytes(DATA, s.data);
  cpu.r32.set(s.regs);
  cpu.flags = s.flags;
  cpu.lazy = s.lazy;
  cpu.fKind = s.fKind;
  cpu.fOp1 = s.fOp1;
  cpu.fOp2 = s.fOp2;
  cpu.fRes = s.fRes;
  cpu.fSign = s.fSign;
  cpu.eip = BLOCK;
  cpu.halted = false;
}

interface Snap {
  regs: number[];
  eflags: number;
  lazy: number[];
  eip: number;
  data: string;
  code: string;
}

/** the state compared between machines */
function snapshot(m: Machine): Snap {
  const c = m.cpu;
  return {
    regs: [...c.r32],
    eflags: c.getEflags(),
    lazy: [c.flags, c.lazy, c.fKind, c.fOp1 | 0, c.fOp2 | 0, c.fRes | 0, c.fSign],
    eip: c.eip >>> 0,
    data: Buffer.from(m.memory.u8.subarray(DATA, DATA + DATA_PAGES * 4096)).toString('base64'),
    code: Buffer.from(m.memory.u8.subarray(CODE_PAGE, CODE_PAGE + 4096)).toString('base64'),
  };
}

/** the test's own account of an instruction's memory access (mnemonic-based, independent of the compiler's) */
function accessKind(d: Insn): 'r' | 'w' | 'rmw' | null {
  const mn = d.row.mnemonic;
  if (!d.row.modrm || d.mod3 || mn === 'LEA') return null;
  if (mn === 'MOV') return d.opcode === 0x8a || d.opcode === 0x8b ? 'r' : 'w';
  if (mn === 'CMP' || mn === 'TEST' || mn === 'IMUL') return 'r';
  if (d.opcode < 0x40 && (d.opcode & 2) !== 0) return 'r'; // ALU G, E
  return 'rmw';
}

/** cpu.ts rd32/wr32 (rd8/wr8) fast path: would the interpreter stay on it for this instruction? */
function fastPath(m: Machine, d: Insn): boolean {
  const acc = accessKind(d);
  if (acc === null) return true;
  const c = m.cpu;
  const la = ea(c, d);
  const mask = acc === 'r' ? c.rmask : c.wmask;
  const e = c.tlb[la >>> 12];
  if ((e & mask) !== mask) return false;
  if (d.size === 4 && (la & 3) !== 0) return false;
  const phys = (e & -4096) | (la & 4095);
  if (phys >= c.memBytes) return false;
  return acc === 'r' || m.memory.codePages[phys >>> 12] === 0;
}

interface Machines {
  a: Machine;
  b: Machine;
  c: Machine;
  slots: CpuSlots;
}

let machines: Machines | null = null;
function getMachines(): Machines {
  if (machines === null) {
    const mk = (): Machine => flatMachine({ memoryBytes: 4 << 20, paging: true, pagedMiB: 4 });
    const b = mk();
    machines = { a: mk(), b, c: mk(), slots: new CpuSlots(b.cpu) };
  }
  return machines;
}

function decode(m: Machine): Insn[] {
  const blk = decodeBlock(m.cpu, BLOCK, BLOCK, true);
  if (blk === null) throw new Error('no block');
  m.memory.markCode(BLOCK >>> 12); // as the decode cache does (lookupBlock)
  const insns = blk.insns;
  // the HOSTCALL that ends a block is not compiled: the function stops before it
  return insns[insns.length - 1].row.mnemonic === 'HOSTCALL' ? insns.slice(0, -1) : insns;
}

/**
 * The interpreter's handlers one by one on the block at BLOCK, as runBlock calls them, up
 * to the first instruction off the fast path, a taken branch, or `limit` instructions;
 * returns what the compiled function should return there.
 */
function stepOracle(a: Machine, limit = Infinity): number {
  const insns = decode(a);
  let eip = BLOCK;
  for (let i = 0; i < insns.length; i++) {
    const d = insns[i];
    if (i >= limit || !fastPath(a, d)) return i;
    const next = (eip + d.len) >>> 0;
    a.cpu.instEip = eip;
    a.cpu.eip = next;
    d.exec(a.cpu, d);
    if (a.cpu.eip !== next) return (i + 1) | TAKEN;
    eip = next;
  }
  return insns.length;
}

interface CaseResult {
  r: number;
  expected: number;
  block: CompiledBlock;
  b: Machine;
  /** the instructions the compiled function ran */
  ran: Insn[];
}

/** runs one case on the three machines and compares (see the header) */
function runCase(code: number[], s: CaseState, tweakB?: (m: Machine) => void): CaseResult {
  const { a, b, c, slots } = getMachines();
  for (const m of [a, b, c]) setup(m, code, s);
  tweakB?.(b);

  // C: the interpreter's run loop
  runToStop(c);
  const final = snapshot(c);

  // B: the compiled function
  const insnsB = decode(b);
  const block = compileBlock(insnsB, slots, { facts: { flatSegs: FLAT } });
  if (block === null) throw new Error(`not compiled: ${insnsB.map((d) => d.row.mnemonic).join(' ')}`);
  slots.enter();
  const r = block.run();
  slots.leave();
  if (r !== 0 || !tweakB) b.cpu.eip = exitEip(block, BLOCK, r);

  // A: the handlers one by one, up to where B should have stopped
  const expected = stepOracle(a);
  const ran = insnsB.slice(0, r & 0xff);
  if (tweakB) return { r, expected, block, b, ran };
  expect({ r, ...snapshot(b) }).toEqual({ r: expected, ...snapshot(a) });

  // both go on in the interpreter and end as C did
  runToStop(a);
  runToStop(b);
  expect(snapshot(a)).toEqual(final);
  expect(snapshot(b)).toEqual(final);
  return { r, expected, block, b, ran };
}

// ----------------------------------------------------------------------------- random blocks

const ALU_OPS = 8;

/** generates a block of supported instructions with memory operands into mapped (and sometimes unmapped) pages */
function randomCase(rng: Rng): { code: number[]; state: CaseState } {
  const regs = new Array<number>(8);
  // pointer mode: ESI, EBP, ESP are bases into the data, EDI a small index, none of them written
  const pointers = rng.chance(0.6);
  for (let r = 0; r < 8; r++) regs[r] = rng.value();
  if (pointers) {
    regs[6] = DATA + rng.int(RW_PAGES * 1024) * 4;
    regs[5] = DATA + rng.int(RW_PAGES * 1024) * 4;
    regs[4] = DATA + rng.int(RW_PAGES * 1024) * 4;
    regs[7] = rng.int(64);
  }
  const initial = [...regs];
  const free = pointers ? [0, 1, 2, 3] : [0, 1, 2, 3, 4, 5, 6, 7];
  const bytes: number[] = [];

  /** ModRM (+SIB, disp) for a memory operand at a target of the chosen class */
  const memOperand = (reg: number, size: 1 | 4): number[] => {
    let target: number;
    const k = rng.int(100);
    if (k < 78) target = DATA + rng.int(RW_PAGES * 4096);
    else if (k < 84) target = DATA + (RW_PAGES + rng.int(RO_PAGES)) * 4096 + rng.int(4096);
    else if (k < 90) target = DATA + (RW_PAGES + RO_PAGES + rng.int(DATA_PAGES - RW_PAGES - RO_PAGES)) * 4096 + rng.int(4096);
    else target = CODE_DATA + rng.int(0x3f0);
    if (size === 4 && !rng.chance(0.08)) target &= ~3;
    if (size === 4 && (target & 4095) > 4092) target -= 4;
    let base = -1,
      index = -1,
      scale = 0;
    if (pointers) {
      base = rng.pick([-1, 4, 5, 6, 6]);
      if (rng.chance(0.4)) {
        index = 7;
        scale = rng.int(4);
      }
    }
    let disp = target;
    if (base >= 0) disp -= regs[base];
    if (index >= 0) disp -= regs[index] << scale;
    disp |= 0;
    const out: number[] = [];
    const needSib = index >= 0 || base === 4;
    let mod: number;
    if (base < 0) mod = 0;
    else if (disp === 0 && base !== 5) mod = 0;
    else if (disp >= -128 && disp < 128) mod = 1;
    else mod = 2;
    if (needSib) {
      out.push((mod << 6) | (reg << 3) | 4, (scale << 6) | ((index >= 0 ? index : 4) << 3) | (base >= 0 ? base : 5));
    } else {
      out.push((mod << 6) | (reg << 3) | (base >= 0 ? base : 5));
    }
    if (base < 0 || mod === 2) out.push(...le32(disp));
    else if (mod === 1) out.push(disp & 0xff);
    return out;
  };
  /** E operand: a free register (when it is written) or any register, or memory */
  const eOperand = (reg: number, size: 1 | 4, written: boolean): number[] => {
    if (rng.chance(0.45)) {
      const rm = written ? (size === 1 ? rng.int(8) : rng.pick(free)) : rng.int(8);
      return [0xc0 | (reg << 3) | rm];
    }
    return memOperand(reg, size);
  };
  const gReg = (size: 1 | 4, written: boolean): number => (written && size === 4 ? rng.pick(free) : rng.int(8));
  const imm = (size: 1 | 4): number[] => (size === 4 ? le32(rng.value()) : [rng.value() & 0xff]);

  const n = 1 + rng.int(20);
  for (let i = 0; i < n; i++) {
    const size: 1 | 4 = rng.chance(0.35) ? 1 : 4;
    const w = size === 4 ? 1 : 0;
    const k = rng.int(16);
    if (pointers && rng.chance(0.12)) {
      // a pointer moves (the generator follows its value, so later operands still land where they should)
      const p = rng.pick([4, 5, 6, 7]);
      const form = rng.int(3);
      if (form === 0) {
        const dd = (rng.int(33) - 16) * 4;
        bytes.push(0x8d, 0x40 | (p << 3) | (p === 4 ? 4 : p), ...(p === 4 ? [0x24] : []), dd & 0xff);
        regs[p] = (regs[p] + dd) | 0;
      } else if (form === 1) {
        const dd = rng.int(256) - 128;
        bytes.push(0x83, 0xc0 | p, dd & 0xff);
        regs[p] = (regs[p] + dd) | 0;
      } else {
        const dec = rng.chance(0.5);
        bytes.push((dec ? 0x48 : 0x40) + p);
        regs[p] = (regs[p] + (dec ? -1 : 1)) | 0;
      }
    } else if (k <= 1) {
      // MOV E,G / G,E
      const toE = rng.chance(0.5);
      const g = gReg(size, !toE);
      bytes.push(0x88 + w + (toE ? 0 : 2), ...eOperand(g, size, toE));
    } else if (k === 2) {
      // MOV r, imm
      const r = size === 4 ? rng.pick(free) : rng.int(8);
      bytes.push((size === 4 ? 0xb8 : 0xb0) + r, ...imm(size));
    } else if (k === 3) {
      bytes.push(0xc6 + w, ...eOperand(0, size, true), ...imm(size));
    } else if (k <= 7) {
      // ALU E,G / G,E / acc,imm
      const op = rng.int(ALU_OPS);
      const form = rng.int(3);
      const writes = op !== 7;
      if (form === 0) bytes.push((op << 3) + w, ...eOperand(gReg(size, false), size, writes));
      else if (form === 1) bytes.push((op << 3) + 2 + w, ...eOperand(gReg(size, writes), size, false));
      else if (!writes || free.includes(0)) bytes.push((op << 3) + 4 + w, ...imm(size));
    } else if (k <= 9) {
      // group 1: 80 81 83
      const op = rng.int(ALU_OPS);
      const opc = size === 1 ? 0x80 : rng.pick([0x81, 0x83]);
      bytes.push(opc, ...eOperand(op, size, op !== 7), ...(opc === 0x81 ? imm(4) : [rng.value() & 0xff]));
    } else if (k === 10) {
      // TEST
      const form = rng.int(3);
      if (form === 0) bytes.push(0x84 + w, ...eOperand(rng.int(8), size, false));
      else if (form === 1) bytes.push(0xa8 + w, ...imm(size));
      else bytes.push(0xf6 + w, ...eOperand(rng.int(2), size, false), ...imm(size));
    } else if (k === 11) {
      // INC/DEC
      if (rng.chance(0.5)) bytes.push((rng.chance(0.5) ? 0x40 : 0x48) + rng.pick(free));
      else bytes.push(0xfe + w, ...eOperand(rng.int(2), size, true));
    } else if (k === 12) {
      // LEA
      bytes.push(0x8d, ...memOperand(rng.pick(free), 4));
    } else if (k === 13 && rng.chance(0.5)) {
      // IMUL r32, r/m32 / r32, r/m32, imm32 / imm8 (flags from a materialised state)
      const form = rng.int(3);
      const g = rng.pick(free);
      if (form === 0) bytes.push(0x0f, 0xaf, ...eOperand(g, 4, false));
      else if (form === 1) bytes.push(0x69, ...eOperand(g, 4, false), ...imm(4));
      else bytes.push(0x6b, ...eOperand(g, 4, false), rng.value() & 0xff);
    } else if (k === 13) {
      // SHL/SAL, SHR, SAR r/m32 by an immediate 1..31 or by 1
      const op = rng.pick([4, 5, 6, 7]);
      if (rng.chance(0.5)) bytes.push(0xc1, ...eOperand(op, 4, true), 1 + rng.int(31));
      else bytes.push(0xd1, ...eOperand(op, 4, true));
    } else {
      // Jcc: rel8 or rel32 back to the landing STOP
      const cc = rng.int(16);
      const here = BLOCK + bytes.length;
      if (here + 2 - LANDING <= 128 && rng.chance(0.5)) bytes.push(0x70 + cc, (LANDING - (here + 2)) & 0xff);
      else bytes.push(0x0f, 0x80 + cc, ...le32(LANDING - (here + 6)));
    }
  }
  if (rng.chance(0.25)) {
    const here = BLOCK + bytes.length;
    bytes.push(0xe9, ...le32(LANDING - (here + 5)));
  }
  bytes.push(...STOP);
  const data = new Uint8Array(DATA_PAGES * 4096);
  for (let i = 0; i < data.length; i += 4) data.set(le32(rng.chance(0.3) ? rng.value() : rng.u32()), i);
  const lazyMasks = [0, ARITH, ARITH & ~CF, ZF | SF | PF];
  const state: CaseState = {
    regs: initial,
    flags: (rng.u32() & ARITH) | 2,
    lazy: rng.pick(lazyMasks),
    fKind: rng.int(5),
    fOp1: rng.value(),
    fOp2: rng.value(),
    fRes: rng.value(),
    fSign: rng.pick([7, 15, 31]),
    data,
  };
  return { code: bytes, state };
}

function plainState(regs: Partial<Record<number, number>> = {}): CaseState {
  const r = [0, 0, 0, 0, 0, 0, 0, 0];
  for (const [k, v] of Object.entries(regs)) r[Number(k)] = v as number;
  return { regs: r, flags: 2, lazy: 0, fKind: 0, fOp1: 0, fOp2: 0, fRes: 0, fSign: 31, data: new Uint8Array(DATA_PAGES * 4096).fill(0x11) };
}

describe('block compiler: random blocks against the interpreter', () => {
  it('matches the interpreter on 1000 random blocks (registers, EFLAGS and lazy fields, memory, EIP, exit index)', () => {
    const rng = new Rng(0x2b1c3d);
    const seen = { full: 0, taken: 0, exits: 0 };
    const forms = new Map<string, number>();
    for (let t = 0; t < 1000; t++) {
      const { code, state } = randomCase(rng);
      const { r, block, ran } = runCase(code, state);
      for (const d of ran) {
        const f = formOf(d);
        const key = `${f?.t}${f && 'size' in f ? f.size : ''}${d.row.modrm && !d.mod3 && f?.t !== 'lea' ? 'm' : ''}${f && 'op' in f ? '.' + f.op : ''}`;
        forms.set(key, (forms.get(key) ?? 0) + 1);
      }
      if (r & TAKEN) seen.taken++;
      else if ((r & 0xff) === block.length) seen.full++;
      else seen.exits++;
    }
    // the generator reaches every way out
    expect(seen.full).toBeGreaterThan(50);
    expect(seen.taken).toBeGreaterThan(50);
    expect(seen.exits).toBeGreaterThan(50);
    // and every form, with a register and a memory operand, and each ALU operation, ran compiled
    const want: string[] = ['incdec-r', 'lea', 'jcc', 'jmp', 'imul', 'imulm'];
    for (const op of [4, 5, 6, 7]) want.push(`shift.${op}`, `shiftm.${op}`);
    for (const size of [1, 4]) {
      for (const mem of ['', 'm']) {
        for (const t of ['mov-eg', 'mov-ge', 'mov-ei', 'test-eg', 'test-ei', 'incdec-e']) want.push(`${t}${size}${mem}`);
        for (let op = 0; op < 8; op++) for (const t of ['alu-eg', 'alu-ge', 'alu-ei']) want.push(`${t}${size}${mem}.${op}`);
      }
      want.push(`mov-ri${size}`, `test-acc${size}`);
      for (let op = 0; op < 8; op++) want.push(`alu-acc${size}.${op}`);
    }
    const few = want.filter((k) => (forms.get(k) ?? 0) < 2);
    expect(few).toEqual([]);
  });
});

const ESI = 6;
/** mov eax, 5 ; add [esi], eax ; inc ecx */
const RMW_BLOCK = [0xb8, ...le32(5), 0x01, 0x06, 0x41, ...STOP];

describe('block compiler: exits leave the instruction to the interpreter, untouched', () => {
  const check = (esi: number): CaseResult => {
    return runCase(RMW_BLOCK, plainState({ [ESI]: esi, 1: 7 }));
  };

  it('runs the block when the operand is on the fast path', () => {
    const { r, b } = check(DATA + 0x40);
    expect(r).toBe(3);
    expect(b.cpu.getReg(1)).toBe(8);
    expect(b.memory.read32(DATA + 0x40)).toBe(0x11111111 + 5);
  });

  it('leaves at a soft-TLB miss', () => {
    const { r } = check(DATA + (RW_PAGES + RO_PAGES) * 4096 + 0x40);
    expect(r).toBe(1);
  });

  it('leaves at a misaligned 32-bit access', () => {
    const { r } = check(DATA + 0x42);
    expect(r).toBe(1);
  });

  it('leaves at a write to a page the TLB holds without write permission (clean PTE)', () => {
    const { r } = check(DATA + RW_PAGES * 4096 + 0x40);
    expect(r).toBe(1);
  });

  it('leaves at a write to a page holding decoded code', () => {
    const { r } = check(CODE_DATA);
    expect(r).toBe(1);
  });

  it('state at the exit is what the instructions before it made, and nothing of the exiting one', () => {
    const { a, b, slots } = getMachines();
    const s = plainState({ [ESI]: DATA + 0x42, 1: 7 });
    for (const m of [a, b]) setup(m, RMW_BLOCK, s);
    const before = snapshot(b);
    const blk = compileBlock(decode(b), slots, { facts: { flatSegs: FLAT } });
    slots.enter();
    const r = blk?.run();
    slots.leave();
    expect(r).toBe(1);
    expect(snapshot(b)).toEqual({ ...before, regs: before.regs.map((v, i) => (i === 0 ? 5 : v)) });
  });
});

describe('block compiler: branches', () => {
  it('reports a taken Jcc in the middle of the block with its target', () => {
    // cmp eax, ebx ; jl LANDING (rel32) ; inc ecx
    const code = [0x39, 0xd8, 0x0f, 0x8c, ...le32(LANDING - (BLOCK + 8)), 0x41, ...STOP];
    const taken = runCase(code, plainState({ 0: -5, 3: 3 }));
    expect(taken.r).toBe(2 | TAKEN);
    expect(exitEip(taken.block, BLOCK, taken.r)).toBe(LANDING);
    const fall = runCase(code, plainState({ 0: 5, 3: 3 }));
    expect(fall.r).toBe(3);
  });

  it('evaluates every condition code after every lazy kind and after no lazy state', () => {
    const rng = new Rng(77);
    for (let cc = 0; cc < 16; cc++) {
      for (const lazy of [0, ARITH, ARITH & ~CF, ZF | SF | PF]) {
        for (let kind = 0; kind < 5; kind++) {
          const s = plainState();
          Object.assign(s, { flags: (rng.u32() & ARITH) | 2, lazy, fKind: kind, fOp1: rng.value(), fOp2: rng.value(), fRes: rng.value(), fSign: rng.pick([7, 15, 31]) });
          runCase([0x70 + cc, (LANDING - (BLOCK + 2)) & 0xff, ...STOP], s);
        }
      }
    }
  });
});

describe('block compiler: what it refuses', () => {
  const compiles = (code: number[], flatSegs = FLAT): boolean => {
    const { b, slots } = getMachines();
    setup(b, [...code, ...STOP], plainState());
    return compileBlock(decode(b), slots, { facts: { flatSegs } }) !== null;
  };
  it('compiles the supported forms and refuses others', () => {
    expect(compiles([0x01, 0xd8])).toBe(true); // add eax, ebx
    expect(compiles([0x53])).toBe(false); // push ebx
    expect(compiles([0x66, 0x01, 0xd8])).toBe(false); // add ax, bx
    expect(compiles([0x67, 0x8b, 0x07])).toBe(false); // mov eax, [bx]
    expect(compiles([0xf0, 0x01, 0x06])).toBe(false); // lock add [esi], eax
    expect(compiles([0xf3, 0x01, 0xd8])).toBe(false); // rep add eax, ebx
    expect(compiles([0xf7, 0xe3])).toBe(false); // mul ebx
    expect(compiles([0xff, 0xd0])).toBe(false); // call eax
    expect(compiles([0xc7, 0xc8, 0, 0, 0, 0])).toBe(false); // c7 /1: #UD
  });
  it('refuses a memory operand in a segment not declared flat', () => {
    expect(compiles([0x8b, 0x06], FLAT & ~(1 << SegReg.DS))).toBe(false); // mov eax, [esi]
    expect(compiles([0x8b, 0x45, 0x00], FLAT & ~(1 << SegReg.DS))).toBe(true); // mov eax, [ebp]: SS
    expect(compiles([0x64, 0x8b, 0x06], FLAT & ~(1 << SegReg.FS))).toBe(false); // mov eax, fs:[esi]
    expect(compiles([0x8d, 0x06], 1 << SegReg.CS)).toBe(true); // lea eax, [esi]: no access
  });
  it('runs nothing when a segment is not flat at entry (the guard)', () => {
    const res = runCase([0x8b, 0x06, 0x40, ...STOP], plainState({ [ESI]: DATA }), (m) => {
      m.cpu.segBase[SegReg.DS] = 0x1000;
    });
    expect(res.r).toBe(0);
    expect(res.b.cpu.getReg(0)).toBe(0);
    res.b.cpu.segBase[SegReg.DS] = 0;
  });
  it('compares a limit-checked segment\'s limit per access, leaving before an access past it', () => {
    // mov eax,[esi+0x40]: a dword at DATA+0x40..0x43 in a DS whose limit ends one byte short, then just long enough
    for (const [limit, ran] of [
      [DATA + 0x42, 0],
      [DATA + 0x43, 1],
    ]) {
      const res = runCase([0x8b, 0x46, 0x40, ...STOP], plainState({ [ESI]: DATA }), (m) => {
        m.cpu.segChkR[SegReg.DS] = 1;
        m.cpu.segLimit[SegReg.DS] = limit;
      });
      expect([limit, res.r & 0xff]).toEqual([limit, ran]);
      expect(res.b.cpu.getReg(0) === 0).toBe(ran === 0);
      res.b.cpu.segChkR[SegReg.DS] = 0;
      res.b.cpu.segLimit[SegReg.DS] = -1;
    }
  });
  it('classifies forms consistently with the decoder', () => {
    const { b } = getMachines();
    setup(b, [0x0f, 0x84, 0, 0, 0, 0, ...STOP], plainState());
    expect(formOf(decode(b)[0])).toEqual({ t: 'jcc', cc: 4 });
  });
});

describe('block compiler: timing hooks', () => {
  it('give each instruction its data accesses (order, kind, addresses) and a branch its outcome', () => {
    const { b, slots } = getMachines();
    // mov eax, [esi] ; add [esi+4], eax ; mov [esi+8], ebx ; cmp eax, ebx ; jz LANDING
    const code = [0x8b, 0x06, 0x01, 0x46, 0x04, 0x89, 0x5e, 0x08, 0x39, 0xd8, 0x74, (LANDING - (BLOCK + 12)) & 0xff, ...STOP];
    const log: string[] = [];
    let note = -1,
      br = -1;
    const hooks: BlockHooks = {
      declare(m) {
        note = m.importFunction('t', 'note', [I32, I32, I32, I32], []);
        br = m.importFunction('t', 'br', [I32, I32], []);
      },
      before(c, site) {
        for (const a of site.accesses) c.i32Const(site.index).i32Const(a.write ? a.size : -a.size).localGet(a.lin).localGet(a.phys).call(note);
      },
      after(c, site) {
        if (site.taken >= 0) c.i32Const(site.index).localGet(site.taken).call(br);
      },
    };
    const imports = {
      t: {
        note: (i: number, w: number, lin: number, phys: number) => log.push(`${i} ${w > 0 ? 'write' : 'read'}${Math.abs(w)} ${(lin >>> 0).toString(16)} ${(phys >>> 0).toString(16)}`),
        br: (i: number, taken: number) => log.push(`${i} branch ${taken}`),
      },
    };
    for (const ebx of [0x11111111, 7]) {
      setup(b, code, plainState({ [ESI]: DATA + 0x100, 3: ebx }));
      const blk = compileBlock(decode(b), slots, { facts: { flatSegs: FLAT }, hooks, imports });
      log.length = 0;
      slots.enter();
      const r = blk?.run();
      slots.leave();
      const taken = ebx === 0x11111111 ? 1 : 0;
      expect(r).toBe(taken ? 5 | TAKEN : 5);
      expect(log).toEqual(['0 read4 100100 100100', '1 read4 100104 100104', '1 write4 100104 100104', '2 write4 100108 100108', `4 branch ${taken}`]);
    }
  });

  it('leave through site.exit() with what the earlier instructions did stored', () => {
    const { a, b, slots } = getMachines();
    // mov eax, 5 ; inc ecx ; add ebx, eax ; dec edx
    const code = [0xb8, ...le32(5), 0x41, 0x01, 0xc3, 0x4a, ...STOP];
    const s = plainState({ 1: -1, 3: 40, 2: 9 });
    for (const m of [a, b]) setup(m, code, s);
    const hooks: BlockHooks = {
      before(_c, site) {
        if (site.index === 2) site.exit();
      },
    };
    const blk = compileBlock(decode(b), slots, { facts: { flatSegs: FLAT }, hooks });
    slots.enter();
    const r = blk?.run();
    slots.leave();
    expect(r).toBe(2);
    expect(stepOracle(a, 2)).toBe(2);
    b.cpu.eip = a.cpu.eip;
    expect(snapshot(b)).toEqual(snapshot(a));
    expect(b.cpu.getReg(1)).toBe(0);
    expect(b.cpu.getReg(0)).toBe(5);
  });
});

describe('CpuSlots', () => {
  it('hands the flag state to the slots and back unchanged, and materialises a lazy operand that is not an int32', () => {
    const { b, slots } = getMachines();
    const cpu = b.cpu;
    Object.assign(cpu, { flags: 0x8c7, lazy: ARITH, fKind: 2, fOp1: -3, fOp2: 0x7fffffff, fRes: 12345, fSign: 15 });
    slots.enter();
    Object.assign(cpu, { flags: 2, lazy: 0, fKind: 0, fOp1: 0, fOp2: 0, fRes: 0, fSign: 31 });
    slots.leave();
    expect([cpu.flags, cpu.lazy, cpu.fKind, cpu.fOp1, cpu.fOp2, cpu.fRes, cpu.fSign]).toEqual([0x8c7, ARITH, 2, -3, 0x7fffffff, 12345, 15]);
    // 2^32 is not 0 for getZF, but would be as an int32
    Object.assign(cpu, { flags: 2, lazy: ARITH, fKind: 0, fOp1: 1, fOp2: 2, fRes: 2 ** 32, fSign: 31 });
    const eflags = cpu.getEflags();
    slots.enter();
    slots.leave();
    expect(cpu.getEflags()).toBe(eflags);
    expect(cpu.lazy).toBe(0);
  });
});
