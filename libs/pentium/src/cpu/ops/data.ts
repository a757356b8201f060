// Data movement: MOV forms, MOVZX/MOVSX, LEA, XCHG, stack operations, ENTER/LEAVE,
// string instructions with REP prefixes, XLAT, CMPXCHG/CMPXCHG8B/XADD, BSWAP.

import type { Cpu } from '../cpu';
import type { Insn } from '../decoder-types';
import { SegReg } from '../registers';
import { alu, SUB, ADD } from './alu';
import { ea, getE, getG, getReg, maskOf, R8, readMem, rmwLin, rmwRead, rmwWrite, setE, setG, setReg, sext, writeMem } from './operands';
import { loadSegmentChecked, realOrV86 } from '../segmentation';

export function movEG(c: Cpu, d: Insn): void {
  setE(c, d, getG(c, d));
}
export function movGE(c: Cpu, d: Insn): void {
  setG(c, d, getE(c, d));
}
export function movEG32(c: Cpu, d: Insn): void {
  if (d.mod3) c.r32[d.rm] = c.r32[d.reg];
  else c.wr32(c.linW(d.seg, ea(c, d), 4), c.r32[d.reg]);
}
export function movGE32(c: Cpu, d: Insn): void {
  c.r32[d.reg] = d.mod3 ? c.r32[d.rm] : c.rd32(c.linR(d.seg, ea(c, d), 4));
}
/** MOV E, imm (C6/C7) */
export function movEI(c: Cpu, d: Insn): void {
  setE(c, d, d.imm);
}
/** MOV reg, imm (B0..BF): d.reg from the opcode */
export function movRI(c: Cpu, d: Insn): void {
  setReg(c, d.reg, d.size, d.imm);
}
export function movRI32(c: Cpu, d: Insn): void {
  c.r32[d.reg] = d.imm;
}
/** MOV AL/eAX, moffs (A0/A1) and MOV moffs, AL/eAX (A2/A3): offset in d.disp */
export function movAccMoffs(c: Cpu, d: Insn): void {
  setReg(c, 0, d.size, readMem(c, d.seg, d.disp, d.size));
}
export function movMoffsAcc(c: Cpu, d: Insn): void {
  writeMem(c, d.seg, d.disp, d.size, getReg(c, 0, d.size));
}

/** MOVZX/MOVSX Gv, Eb/Ew: d.op bit 0 = source is a word, bit 1 = sign-extend */
export function movx(c: Cpu, d: Insn): void {
  const word = (d.op & 1) !== 0;
  const srcSize = word ? 2 : 1;
  let v: number;
  if (d.mod3) v = word ? c.r16[d.rm << 1] : c.r8[R8[d.rm]];
  else v = readMem(c, d.seg, ea(c, d), srcSize);
  if (d.op & 2) v = sext(v, srcSize);
  setReg(c, d.reg, d.size, v & maskOf(d.size));
}

export function lea(c: Cpu, d: Insn): void {
  if (d.mod3) c.ud();
  setReg(c, d.reg, d.size, ea(c, d) & maskOf(d.size));
}

export function lea32(c: Cpu, d: Insn): void {
  if (d.mod3) c.ud();
  c.r32[d.reg] = ea(c, d);
}

export function xchgEG(c: Cpu, d: Insn): void {
  const size = d.size;
  if (d.mod3) {
    const a = getReg(c, d.rm, size);
    setReg(c, d.rm, size, getReg(c, d.reg, size));
    setReg(c, d.reg, size, a);
  } else {
    const la = rmwLin(c, d);
    const a = rmwRead(c, la, size);
    rmwWrite(c, la, size, getReg(c, d.reg, size));
    setReg(c, d.reg, size, a);
  }
}
/** XCHG eAX, reg (91..97) */
export function xchgAcc(c: Cpu, d: Insn): void {
  const a = getReg(c, 0, d.size);
  setReg(c, 0, d.size, getReg(c, d.reg, d.size));
  setReg(c, d.reg, d.size, a);
}

export function nop(): void {}

/**
 * "MOV Sreg, r: 2–11, +8 for a new descriptor, +6 for SS" (pentium-p54c.md): extra clocks
 * of a protected-mode descriptor load. Real and V86 mode read no descriptor: the row's
 * base clocks only.
 */
export const DESCRIPTOR_LOAD_CLOCKS = 8;
export const SS_LOAD_EXTRA_CLOCKS = 6;
function chargeSegLoad(c: Cpu, sreg: number, sel: number): void {
  if ((sel & 0xfffc) !== 0 && !realOrV86(c)) c.charge(DESCRIPTOR_LOAD_CLOCKS + (sreg === SegReg.SS ? SS_LOAD_EXTRA_CLOCKS : 0));
}

// ------------------------------------------------------------------- stack

export function pushR(c: Cpu, d: Insn): void {
  if (d.size === 4) c.push32(c.r32[d.reg]);
  else c.push16(c.r16[d.reg << 1]);
}
export function popR(c: Cpu, d: Insn): void {
  if (d.size === 4) {
    const v = c.pop32();
    c.r32[d.reg] = v;
  } else {
    const v = c.pop16();
    c.r16[d.reg << 1] = v;
  }
}
export function pushI(c: Cpu, d: Insn): void {
  if (d.size === 4) c.push32(d.imm);
  else c.push16(d.imm);
}
export function pushE(c: Cpu, d: Insn): void {
  const v = getE(c, d);
  if (d.size === 4) c.push32(v);
  else c.push16(v);
}
/** POP Ev: the address is computed with ESP already incremented (Intel) */
export function popE(c: Cpu, d: Insn): void {
  const esp = c.sp;
  const v = d.size === 4 ? c.rd32(c.linR(SegReg.SS, esp, 4)) : c.rd16(c.linR(SegReg.SS, esp, 2));
  if (d.mod3) {
    c.setSp(esp + d.size);
    setReg(c, d.rm, d.size, v);
    return;
  }
  c.setSp(esp + d.size);
  try {
    writeMem(c, d.seg, ea(c, d), d.size, v);
  } catch (e) {
    c.setSp(esp);
    throw e;
  }
}
export function pushSeg(c: Cpu, d: Insn): void {
  // a 32-bit push of a segment register writes 4 bytes (the P54C writes the selector in the low word)
  if (d.size === 4) c.push32(c.segSel[d.op]);
  else c.push16(c.segSel[d.op]);
}
export function popSeg(c: Cpu, d: Insn): void {
  const esp = c.sp;
  const v = d.size === 4 ? c.rd32(c.linR(SegReg.SS, esp, 4)) & 0xffff : c.rd16(c.linR(SegReg.SS, esp, 2));
  loadSegmentChecked(c, d.op, v);
  chargeSegLoad(c, d.op, v);
  // POP SS: the increment applies to the stack pointer of the new stack's address size
  c.setSp(esp + d.size);
  if (d.op === SegReg.SS) c.irqShadow = true;
}

export function pusha(c: Cpu, d: Insn): void {
  const r32 = c.r32;
  const esp = c.sp;
  const n = d.size;
  // check the whole frame first (no partial pushes); with SS.B = 0 each slot, as the offsets may wrap
  if (!c.ss16) c.linW(SegReg.SS, (esp - 8 * n) | 0, 8 * n);
  else for (let i = 0; i < 8; i++) c.linW(SegReg.SS, c.spOff(esp - (i + 1) * n), n);
  for (let i = 0; i < 8; i++) {
    const v = i === 4 ? r32[4] : r32[i];
    const la = c.linW(SegReg.SS, c.spOff(esp - (i + 1) * n), n);
    if (n === 4) c.wr32(la, v);
    else c.wr16(la, v);
  }
  c.setSp(esp - 8 * n);
}
export function popa(c: Cpu, d: Insn): void {
  const esp = c.sp;
  const n = d.size;
  const vals = c.scratch8;
  for (let i = 0; i < 8; i++) {
    const off = c.spOff(esp + (7 - i) * n);
    vals[i] = n === 4 ? c.rd32(c.linR(SegReg.SS, off, 4)) : c.rd16(c.linR(SegReg.SS, off, 2));
  }
  for (let i = 0; i < 8; i++) if (i !== 4) setReg(c, i, n, vals[i]);
  c.setSp(esp + 8 * n);
}

export function enter(c: Cpu, d: Insn): void {
  const size = d.size;
  const alloc = d.imm & 0xffff;
  const level = d.imm2 & 31;
  const r32 = c.r32;
  const esp0 = c.sp;
  const ebp0 = c.ss16 ? c.r16[10] : r32[5];
  let esp = c.spOff(esp0 - size);
  writeMem(c, SegReg.SS, esp, size, size === 4 ? r32[5] : r32[5] & 0xffff);
  const frame = esp;
  let ebp = ebp0;
  for (let i = 1; i < level; i++) {
    ebp = c.spOff(ebp - size);
    const v = readMem(c, SegReg.SS, ebp, size);
    esp = c.spOff(esp - size);
    writeMem(c, SegReg.SS, esp, size, v);
  }
  if (level > 0) {
    esp = c.spOff(esp - size);
    writeMem(c, SegReg.SS, esp, size, frame);
  }
  esp = c.spOff(esp - alloc);
  // touch the new top of stack (the P54C faults here when it is not writable)
  if (alloc > 0) c.linW(SegReg.SS, esp, 1);
  if (size === 4) r32[5] = frame;
  else c.r16[10] = frame;
  c.setSp(esp);
}
export function leave(c: Cpu, d: Insn): void {
  const r32 = c.r32;
  if (c.ss16) {
    // a 16-bit stack: SP = BP, then pop (E)BP
    const bp = c.r16[10];
    const v = d.size === 4 ? c.rd32(c.linR(SegReg.SS, bp, 4)) : c.rd16(c.linR(SegReg.SS, bp, 2));
    c.r16[8] = bp + d.size;
    if (d.size === 4) r32[5] = v;
    else c.r16[10] = v;
    return;
  }
  const ebp = r32[5];
  const v = d.size === 4 ? c.rd32(c.linR(SegReg.SS, ebp, 4)) : c.rd16(c.linR(SegReg.SS, ebp, 2));
  r32[4] = ebp + d.size;
  if (d.size === 4) r32[5] = v;
  else c.r16[10] = v;
}

// ------------------------------------------------------------------ strings
// REP runs at most REP_CHUNK iterations per execution and then restarts the same
// instruction (EIP unchanged), so interrupts and events are taken inside long strings
// as on hardware. The bound is read from Cpu.repChunk: a data breakpoint hit sets it
// to 0, which ends the string after the current iteration (debug-registers.ts).
export const REP_CHUNK = 1024;

/**
 * The string stops before its last iteration and runs again (EIP back at it) with RF set:
 * on hardware an interrupt or trap taken between iterations pushes RF = 1 so that the
 * string's own instruction breakpoint does not fire again when it resumes (Intel SDM
 * vol. 3 §17.3.1.1).
 */
function repeatString(c: Cpu): void {
  c.eip = c.instEip;
  c.setResumeFlag();
}

function strDelta(c: Cpu, size: number): number {
  return c.flags & 0x400 ? -size : size;
}

/** index register accessors honouring the address size */
function getIdx(c: Cpu, d: Insn, r: number): number {
  return d.a32 ? c.r32[r] : c.r16[r << 1];
}
function setIdx(c: Cpu, d: Insn, r: number, v: number): void {
  if (d.a32) c.r32[r] = v;
  else c.r16[r << 1] = v;
}
function getCount(c: Cpu, d: Insn): number {
  return d.a32 ? c.r32[1] >>> 0 : c.r16[2];
}
function setCount(c: Cpu, d: Insn, v: number): void {
  if (d.a32) c.r32[1] = v;
  else c.r16[2] = v;
}

export function movs(c: Cpu, d: Insn): void {
  const size = d.size,
    delta = strDelta(c, size);
  if (d.rep === 0) {
    const v = readMem(c, d.seg, getIdx(c, d, 6), size);
    writeMem(c, SegReg.ES, getIdx(c, d, 7), size, v);
    setIdx(c, d, 6, getIdx(c, d, 6) + delta);
    setIdx(c, d, 7, getIdx(c, d, 7) + delta);
    return;
  }
  let n = getCount(c, d);
  let i = 0;
  while (n !== 0) {
    const v = readMem(c, d.seg, getIdx(c, d, 6), size);
    writeMem(c, SegReg.ES, getIdx(c, d, 7), size, v);
    setIdx(c, d, 6, getIdx(c, d, 6) + delta);
    setIdx(c, d, 7, getIdx(c, d, 7) + delta);
    n = (n - 1) >>> 0;
    setCount(c, d, n);
    if (++i >= c.repChunk) break;
  }
  c.charge(repClocks(i, c));
  if (n !== 0) repeatString(c);
}

export function stos(c: Cpu, d: Insn): void {
  const size = d.size,
    delta = strDelta(c, size);
  const v = getReg(c, 0, size);
  if (d.rep === 0) {
    writeMem(c, SegReg.ES, getIdx(c, d, 7), size, v);
    setIdx(c, d, 7, getIdx(c, d, 7) + delta);
    return;
  }
  let n = getCount(c, d);
  let i = 0;
  while (n !== 0) {
    writeMem(c, SegReg.ES, getIdx(c, d, 7), size, v);
    setIdx(c, d, 7, getIdx(c, d, 7) + delta);
    n = (n - 1) >>> 0;
    setCount(c, d, n);
    if (++i >= c.repChunk) break;
  }
  c.charge(repClocks(i, c));
  if (n !== 0) repeatString(c);
}

export function lods(c: Cpu, d: Insn): void {
  const size = d.size,
    delta = strDelta(c, size);
  if (d.rep === 0) {
    setReg(c, 0, size, readMem(c, d.seg, getIdx(c, d, 6), size));
    setIdx(c, d, 6, getIdx(c, d, 6) + delta);
    return;
  }
  let n = getCount(c, d);
  let i = 0;
  while (n !== 0) {
    setReg(c, 0, size, readMem(c, d.seg, getIdx(c, d, 6), size));
    setIdx(c, d, 6, getIdx(c, d, 6) + delta);
    n = (n - 1) >>> 0;
    setCount(c, d, n);
    if (++i >= c.repChunk) break;
  }
  c.charge(repClocks(i, c));
  if (n !== 0) repeatString(c);
}

/** CMPS (d.op = 0) and SCAS (d.op = 1); REPE (rep 1) / REPNE (rep 2) */
export function cmpsScas(c: Cpu, d: Insn): void {
  const size = d.size,
    delta = strDelta(c, size);
  const scas = d.op === 1;
  if (d.rep === 0) {
    cmpsOnce(c, d, size, delta, scas);
    return;
  }
  let n = getCount(c, d);
  let i = 0;
  while (n !== 0) {
    cmpsOnce(c, d, size, delta, scas);
    n = (n - 1) >>> 0;
    setCount(c, d, n);
    i++;
    const z = c.getZF();
    if (d.rep === 1 ? !z : z) {
      c.charge(repClocks(i, c));
      return;
    }
    if (i >= c.repChunk) break;
  }
  c.charge(repClocks(i, c));
  if (n !== 0) repeatString(c);
}

function cmpsOnce(c: Cpu, d: Insn, size: number, delta: number, scas: boolean): void {
  const a = scas ? getReg(c, 0, size) : readMem(c, d.seg, getIdx(c, d, 6), size);
  const b = readMem(c, SegReg.ES, getIdx(c, d, 7), size);
  alu(c, SUB, a, b, size);
  if (!scas) setIdx(c, d, 6, getIdx(c, d, 6) + delta);
  setIdx(c, d, 7, getIdx(c, d, 7) + delta);
}

/** Extra clocks of a REP string beyond the table's base: one per iteration ("REP MOVS about 3 + n", pentium-p54c.md). */
function repClocks(iterations: number, _c: Cpu): number {
  return iterations;
}

export function xlat(c: Cpu, d: Insn): void {
  const base = d.a32 ? c.r32[3] : c.r16[6];
  c.r8[0] = readMem(c, d.seg, (base + c.r8[0]) & d.amask, 1);
}

// ------------------------------------------------------------------ atomics

export function cmpxchg(c: Cpu, d: Insn): void {
  const size = d.size;
  const la = d.mod3 ? 0 : rmwLin(c, d);
  const dst = d.mod3 ? getReg(c, d.rm, size) : rmwRead(c, la, size);
  const acc = getReg(c, 0, size);
  alu(c, SUB, acc, dst, size);
  if (c.fRes === 0) {
    if (d.mod3) setReg(c, d.rm, size, getReg(c, d.reg, size));
    else rmwWrite(c, la, size, getReg(c, d.reg, size));
  } else {
    // the P54C writes the old value back to memory (locked cycle) and loads the accumulator
    if (!d.mod3) rmwWrite(c, la, size, dst);
    setReg(c, 0, size, dst);
  }
}

export function cmpxchg8b(c: Cpu, d: Insn): void {
  if (d.mod3) c.ud();
  const la = c.linW(d.seg, ea(c, d), 8);
  const lo = c.rd32w(la);
  const hi = c.rd32w((la + 4) | 0);
  const r32 = c.r32;
  c.materialize();
  if (lo === r32[0] && hi === r32[2]) {
    c.wr32(la, r32[3]);
    c.wr32((la + 4) | 0, r32[1]);
    c.flags |= 0x40;
  } else {
    c.wr32(la, lo);
    c.wr32((la + 4) | 0, hi);
    r32[0] = lo;
    r32[2] = hi;
    c.flags &= ~0x40;
  }
}

export function xadd(c: Cpu, d: Insn): void {
  const size = d.size;
  const la = d.mod3 ? 0 : rmwLin(c, d);
  const dst = d.mod3 ? getReg(c, d.rm, size) : rmwRead(c, la, size);
  const src = getReg(c, d.reg, size);
  const sum = alu(c, ADD, dst, src, size);
  setReg(c, d.reg, size, dst);
  if (d.mod3) setReg(c, d.rm, size, sum);
  else rmwWrite(c, la, size, sum);
}

export function bswap(c: Cpu, d: Insn): void {
  const v = c.r32[d.reg];
  c.r32[d.reg] = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/** LDS/LES/LFS/LGS/LSS Gv, Mp: d.op = segment register */
export function loadFarPtr(c: Cpu, d: Insn): void {
  if (d.mod3) c.ud();
  const off = ea(c, d);
  const v = readMem(c, d.seg, off, d.size);
  const sel = readMem(c, d.seg, (off + d.size) & d.amask, 2);
  loadSegmentChecked(c, d.op, sel);
  chargeSegLoad(c, d.op, sel);
  setReg(c, d.reg, d.size, v);
  if (d.op === SegReg.SS) c.irqShadow = true;
}

/** MOV Sreg, Ew (8E) */
export function movSregE(c: Cpu, d: Insn): void {
  if (d.reg === SegReg.CS || d.reg > 5) c.ud();
  const v = d.mod3 ? c.r16[d.rm << 1] : readMem(c, d.seg, ea(c, d), 2);
  loadSegmentChecked(c, d.reg, v);
  chargeSegLoad(c, d.reg, v);
  if (d.reg === SegReg.SS) c.irqShadow = true;
}
/** MOV Ew, Sreg (8C): a register destination gets the zero-extended selector with a 32-bit operand size */
export function movESreg(c: Cpu, d: Insn): void {
  if (d.reg > 5) c.ud();
  const v = c.segSel[d.reg];
  if (d.mod3) setReg(c, d.rm, d.size, v);
  else writeMem(c, d.seg, ea(c, d), 2, v);
}
