// Control transfer: Jcc, JMP, CALL, RET, LOOP/JCXZ, far JMP/CALL/RET (protected mode,
// including call gates and task switches; real and virtual-8086 mode: CS = selector,
// base = selector << 4), INT n / INT3 / INTO, IRET.

import { LF_SUB, type Cpu } from '../cpu';
import type { Insn } from '../decoder-types';
import { BranchKind } from '../../timing/timing-info';
import { CR4, EFLAGS, SegReg, Vector } from '../registers';
import { deliverInterrupt, IntKind, iret as doIret } from '../exceptions';
import { desc, descBase, descLimit, loadSegmentReal, nullifyInaccessible, readDescriptor, realOrV86, setSegCache } from '../segmentation';
import { switchTask } from '../task-switch';
import { ea, getE, readMem } from './operands';

function target(c: Cpu, d: Insn): number {
  const t = (c.eip + d.imm) | 0;
  return d.size === 4 ? t >>> 0 : t & 0xffff;
}

/** Jcc rel8/rel32: d.op = condition */
export function jcc(c: Cpu, d: Insn): void {
  const taken = c.cond(d.op);
  const t = target(c, d);
  if (taken) c.eip = t;
  c.branch(taken, t, BranchKind.Jcc);
}

// Fast conditional jumps: after a 32-bit CMP/SUB (the common case in gcc code) the
// condition is a direct comparison of the operands; otherwise the generic evaluation.
const ARITH_ALL = 0x8d5;
function cmp32(c: Cpu): boolean {
  return c.lazy === ARITH_ALL && c.fKind === LF_SUB && c.fSign === 31;
}
function jumpIf(c: Cpu, d: Insn, taken: boolean): void {
  const t = target(c, d);
  if (taken) c.eip = t;
  c.branch(taken, t, BranchKind.Jcc);
}
export function jz(c: Cpu, d: Insn): void {
  jumpIf(c, d, c.getZF());
}
export function jnz(c: Cpu, d: Insn): void {
  jumpIf(c, d, !c.getZF());
}
export function jl(c: Cpu, d: Insn): void {
  jumpIf(c, d, cmp32(c) ? c.fOp1 < c.fOp2 : c.cond(0xc));
}
export function jge(c: Cpu, d: Insn): void {
  jumpIf(c, d, cmp32(c) ? c.fOp1 >= c.fOp2 : c.cond(0xd));
}
export function jle(c: Cpu, d: Insn): void {
  jumpIf(c, d, cmp32(c) ? c.fOp1 <= c.fOp2 : c.cond(0xe));
}
export function jg(c: Cpu, d: Insn): void {
  jumpIf(c, d, cmp32(c) ? c.fOp1 > c.fOp2 : c.cond(0xf));
}
export function jb(c: Cpu, d: Insn): void {
  jumpIf(c, d, cmp32(c) ? c.fOp1 >>> 0 < c.fOp2 >>> 0 : c.cond(0x2));
}
export function jae(c: Cpu, d: Insn): void {
  jumpIf(c, d, cmp32(c) ? c.fOp1 >>> 0 >= c.fOp2 >>> 0 : c.cond(0x3));
}
export function jbe(c: Cpu, d: Insn): void {
  jumpIf(c, d, cmp32(c) ? c.fOp1 >>> 0 <= c.fOp2 >>> 0 : c.cond(0x6));
}
export function ja(c: Cpu, d: Insn): void {
  jumpIf(c, d, cmp32(c) ? c.fOp1 >>> 0 > c.fOp2 >>> 0 : c.cond(0x7));
}
/** Jcc handler per condition code (generic jcc for O/NO/S/NS/P/NP) */
export const JCC_BY_CC = [jcc, jcc, jb, jae, jz, jnz, jbe, ja, jcc, jcc, jcc, jcc, jl, jge, jle, jg];

export function jmpRel(c: Cpu, d: Insn): void {
  const t = target(c, d);
  c.eip = t;
  c.branch(true, t, BranchKind.Jmp);
}

export function callRel(c: Cpu, d: Insn): void {
  const t = target(c, d);
  if (d.size === 4) c.push32(c.eip);
  else c.push16(c.eip);
  c.eip = t;
  c.branch(true, t, BranchKind.Call);
}

/** FF /2 CALL near indirect */
export function callE(c: Cpu, d: Insn): void {
  const t = d.size === 4 ? getE(c, d) >>> 0 : getE(c, d) & 0xffff;
  if (d.size === 4) c.push32(c.eip);
  else c.push16(c.eip);
  c.eip = t;
  c.branch(true, t, BranchKind.Indirect);
}
/** FF /4 JMP near indirect */
export function jmpE(c: Cpu, d: Insn): void {
  const t = d.size === 4 ? getE(c, d) >>> 0 : getE(c, d) & 0xffff;
  c.eip = t;
  c.branch(true, t, BranchKind.Indirect);
}

/** RET / RET imm16 */
export function ret(c: Cpu, d: Insn): void {
  const t = d.size === 4 ? c.pop32() >>> 0 : c.pop16();
  if (d.imm !== 0) c.setSp(c.sp + d.imm);
  c.eip = t;
  c.branch(true, t, BranchKind.Ret);
}

/** LOOP (op 2), LOOPE (1), LOOPNE (0), JECXZ (3) */
export function loop(c: Cpu, d: Insn): void {
  let taken: boolean;
  if (d.op === 3) {
    taken = (d.a32 ? c.r32[1] : c.r16[2]) === 0;
  } else {
    let n: number;
    if (d.a32) n = c.r32[1] = c.r32[1] - 1;
    else n = c.r16[2] = c.r16[2] - 1;
    taken = n !== 0 && (d.op === 2 || (d.op === 1 ? c.getZF() : !c.getZF()));
  }
  const t = target(c, d);
  if (taken) c.eip = t;
  c.branch(taken, t, BranchKind.Jcc);
}

// ------------------------------------------------------------ far transfers

// Clocks beyond the row's base for far transfers (pentium-p54c.md): far CALL through a
// call gate to ring 0 about 44, same privilege 22; far RET to an outer level like IRET (+17).
export const CALL_GATE_INNER_EXTRA_CLOCKS = 22;
export const RETF_OUTER_EXTRA_CLOCKS = 17;

/** JMP/CALL ptr16:32 (EA / 9A): d.imm = offset, d.imm2 = selector */
export function farDirect(c: Cpu, d: Insn): void {
  farTransfer(c, d.imm2 & 0xffff, d.size === 4 ? d.imm >>> 0 : d.imm & 0xffff, d.op === 1, d.size);
}
/** JMP/CALL m16:32 (FF /5, FF /3) */
export function farIndirect(c: Cpu, d: Insn): void {
  if (d.mod3) c.ud();
  const off = ea(c, d);
  const o = readMem(c, d.seg, off, d.size);
  const sel = readMem(c, d.seg, (off + d.size) & d.amask, 2);
  farTransfer(c, sel, d.size === 4 ? o >>> 0 : o & 0xffff, d.op === 1, d.size);
}

/** Pushes CS then (E)IP for a far CALL (both slots checked before either is written; SP wraps when SS.B = 0). */
function pushFarReturn(c: Cpu, size: number): void {
  const sp = c.sp;
  const laCs = c.linW(SegReg.SS, c.spOff(sp - size), size);
  const laIp = c.linW(SegReg.SS, c.spOff(sp - 2 * size), size);
  if (size === 4) {
    c.wr32(laCs, c.segSel[SegReg.CS]);
    c.wr32(laIp, c.eip);
  } else {
    c.wr16(laCs, c.segSel[SegReg.CS]);
    c.wr16(laIp, c.eip);
  }
  c.setSp(sp - 2 * size);
}

/**
 * Far JMP/CALL in real or V86 mode: the target offset must be within the CS limit
 * (the current one in real mode, whose load keeps the limit; 64 KiB in V86 mode), the
 * return address is pushed as CS then (E)IP, and CS is loaded as selector << 4.
 */
function farTransferReal(c: Cpu, sel: number, offset: number, isCall: boolean, size: number): void {
  c.branch(true, offset, BranchKind.Far);
  const limit = c.flags & EFLAGS.VM ? 0xffff : c.segLimit[SegReg.CS] >>> 0;
  if (offset > limit) c.gp(0);
  if (isCall) pushFarReturn(c, size);
  loadSegmentReal(c, SegReg.CS, sel);
  c.eip = offset;
}

function farTransfer(c: Cpu, sel: number, offset: number, isCall: boolean, size: number): void {
  if (realOrV86(c)) return farTransferReal(c, sel, offset, isCall, size);
  if ((sel & 0xfffc) === 0) c.gp(0);
  readDescriptor(c, sel);
  const lo = desc.lo,
    hi = desc.hi;
  const cpl = c.cpl;
  const rpl = sel & 3;
  const dpl = (hi >>> 13) & 3;
  c.branch(true, offset, BranchKind.Far);
  if (hi & 0x1000) {
    // code segment
    if (!(hi & 0x800)) c.gp(sel & 0xfffc);
    if (hi & 0x400) {
      if (dpl > cpl) c.gp(sel & 0xfffc);
    } else if (rpl > cpl || dpl !== cpl) c.gp(sel & 0xfffc);
    if (!(hi & 0x8000)) c.raise(Vector.NP, sel & 0xfffc);
    const limit = descLimit(lo, hi) >>> 0;
    if (offset > limit) c.gp(0);
    if (isCall) pushFarReturn(c, size);
    setSegCache(c, SegReg.CS, (sel & 0xfffc) | cpl, lo, hi);
    c.eip = offset;
    return;
  }
  const type = (hi >>> 8) & 0xf;
  if (type === 0x9 || type === 0x5) {
    // TSS or task gate
    if (dpl < cpl || dpl < rpl) c.gp(sel & 0xfffc);
    if (!(hi & 0x8000)) c.raise(Vector.NP, sel & 0xfffc);
    switchTask(c, type === 0x5 ? lo >>> 16 : sel, isCall ? 'call' : 'jmp');
    return;
  }
  if (type !== 0xc) c.gp(sel & 0xfffc);
  // 32-bit call gate
  if (dpl < cpl || dpl < rpl) c.gp(sel & 0xfffc);
  if (!(hi & 0x8000)) c.raise(Vector.NP, sel & 0xfffc);
  const tsel = lo >>> 16;
  const toff = ((hi & 0xffff0000) | (lo & 0xffff)) >>> 0;
  const params = hi & 0x1f;
  if ((tsel & 0xfffc) === 0) c.gp(0);
  readDescriptor(c, tsel);
  const clo = desc.lo,
    chi = desc.hi;
  const cdpl = (chi >>> 13) & 3;
  if (!(chi & 0x1000) || !(chi & 0x800) || cdpl > cpl) c.gp(tsel & 0xfffc);
  if (!(chi & 0x8000)) c.raise(Vector.NP, tsel & 0xfffc);
  if (!isCall) {
    if (chi & 0x400 ? cdpl > cpl : cdpl !== cpl) c.gp(tsel & 0xfffc);
    setSegCache(c, SegReg.CS, (tsel & 0xfffc) | cpl, clo, chi);
    c.eip = toff;
    return;
  }
  if (!(chi & 0x400) && cdpl < cpl) {
    // call to an inner privilege level: new stack from the TSS, copy `params` dwords
    const tssOff = 4 + cdpl * 8;
    if (tssOff + 5 > c.trLimit) c.raise(Vector.TS, c.trSel & 0xfffc);
    const newEsp = c.sysRead32((c.trBase + tssOff) | 0);
    const newSs = c.sysRead16((c.trBase + tssOff + 4) | 0);
    if ((newSs & 0xfffc) === 0) c.raise(Vector.TS, 0);
    readDescriptor(c, newSs, Vector.TS);
    const slo = desc.lo,
      shi = desc.hi;
    const stype = (shi >>> 8) & 0xf;
    if ((newSs & 3) !== cdpl || ((shi >>> 13) & 3) !== cdpl || !(shi & 0x1000) || stype & 8 || !(stype & 2)) c.raise(Vector.TS, newSs & 0xfffc);
    if (!(shi & 0x8000)) c.raise(Vector.SS, newSs & 0xfffc);
    const ssBase = descBase(slo, shi);
    const oldSsBase = c.segBase[SegReg.SS];
    const oldEsp = c.r32[4];
    let top = newEsp | 0;
    top = (top - 4) | 0;
    c.sysWrite32((ssBase + top) | 0, c.segSel[SegReg.SS]);
    top = (top - 4) | 0;
    c.sysWrite32((ssBase + top) | 0, oldEsp);
    for (let i = params - 1; i >= 0; i--) {
      top = (top - 4) | 0;
      c.sysWrite32((ssBase + top) | 0, c.sysRead32((oldSsBase + oldEsp + i * 4) | 0));
    }
    top = (top - 4) | 0;
    c.sysWrite32((ssBase + top) | 0, c.segSel[SegReg.CS]);
    top = (top - 4) | 0;
    c.sysWrite32((ssBase + top) | 0, c.eip);
    setSegCache(c, SegReg.SS, newSs, slo, shi);
    c.r32[4] = top;
    setSegCache(c, SegReg.CS, (tsel & 0xfffc) | cdpl, clo, chi);
    c.setCplInternal(cdpl);
    c.eip = toff;
    c.charge(CALL_GATE_INNER_EXTRA_CLOCKS);
    return;
  }
  pushFarReturn(c, 4);
  setSegCache(c, SegReg.CS, (tsel & 0xfffc) | cpl, clo, chi);
  c.eip = toff;
}

/** RETF / RETF imm16 (CB / CA) */
export function retf(c: Cpu, d: Insn): void {
  const size = d.size;
  const esp = c.sp;
  const raw = readMem(c, SegReg.SS, esp, size);
  const off = size === 4 ? raw >>> 0 : raw & 0xffff;
  const sel = readMem(c, SegReg.SS, c.spOff(esp + size), size) & 0xffff;
  if (realOrV86(c)) {
    // real / V86 mode: no descriptor, the offset within the CS limit
    c.branch(true, off, BranchKind.Far);
    if (off > (c.flags & EFLAGS.VM ? 0xffff : c.segLimit[SegReg.CS] >>> 0)) c.gp(0);
    loadSegmentReal(c, SegReg.CS, sel);
    c.setSp(esp + 2 * size + d.imm);
    c.eip = off;
    return;
  }
  const cpl = c.cpl;
  const rpl = sel & 3;
  if ((sel & 0xfffc) === 0) c.gp(0);
  if (rpl < cpl) c.gp(sel & 0xfffc);
  readDescriptor(c, sel);
  const lo = desc.lo,
    hi = desc.hi;
  const dpl = (hi >>> 13) & 3;
  if (!(hi & 0x1000) || !(hi & 0x800)) c.gp(sel & 0xfffc);
  if (hi & 0x400 ? dpl > rpl : dpl !== rpl) c.gp(sel & 0xfffc);
  if (!(hi & 0x8000)) c.raise(Vector.NP, sel & 0xfffc);
  c.branch(true, off, BranchKind.Far);
  if (rpl > cpl) {
    const base = 2 * size + d.imm;
    const newEsp = readMem(c, SegReg.SS, c.spOff(esp + base), size);
    const newSs = readMem(c, SegReg.SS, c.spOff(esp + base + size), size) & 0xffff;
    readDescriptor(c, newSs);
    const slo = desc.lo,
      shi = desc.hi;
    const stype = (shi >>> 8) & 0xf;
    if ((newSs & 3) !== rpl || ((shi >>> 13) & 3) !== rpl || !(shi & 0x1000) || stype & 8 || !(stype & 2)) c.gp(newSs & 0xfffc);
    if (!(shi & 0x8000)) c.raise(Vector.SS, newSs & 0xfffc);
    setSegCache(c, SegReg.CS, sel, lo, hi);
    c.setCplInternal(rpl);
    setSegCache(c, SegReg.SS, newSs, slo, shi);
    c.setSp(newEsp + d.imm);
    nullifyInaccessible(c);
    c.charge(RETF_OUTER_EXTRA_CLOCKS);
  } else {
    setSegCache(c, SegReg.CS, sel, lo, hi);
    c.setSp(esp + 2 * size + d.imm);
  }
  c.eip = off;
}

// --------------------------------------------------------------- interrupts

/** INT imm8 (CD), INT3 (CC: d.imm = 3), INTO (CE: only when OF) */
export function intN(c: Cpu, d: Insn): void {
  if (d.opcode === 0xce && !c.getOF()) return;
  const vector = d.opcode === 0xcc ? Vector.BP : d.opcode === 0xce ? Vector.OF : d.imm & 0xff;
  // virtual-8086 mode: INT n (not INT3, INTO) is IOPL-sensitive (#GP(0) to the monitor), or
  // with CR4.VME redirected to the V86 program's own vector table (Intel vol. 3, "Interrupt
  // handling in virtual-8086 mode", methods 1-6)
  if (c.flags & EFLAGS.VM && d.opcode === 0xcd) {
    const iopl3 = (c.flags & EFLAGS.IOPL) === EFLAGS.IOPL;
    if (c.cr4 & CR4.VME && !redirectionBitSet(c, vector)) {
      c.branch(true, 0, BranchKind.Far);
      c.counters.traps++;
      redirectToV86(c, vector, iopl3);
      return;
    }
    if (!iopl3) c.gp(0);
  }
  c.branch(true, 0, BranchKind.Far);
  c.counters.traps++;
  // the return address is the next instruction (a trap)
  deliverInterrupt(c, vector, -1, IntKind.Software);
}

/**
 * The bit of `vector` in the TSS interrupt redirection bitmap (the 32 bytes just below the
 * I/O map base): set means "not redirected". #GP(0) when the bitmap is outside the TSS.
 */
function redirectionBitSet(c: Cpu, vector: number): boolean {
  if (c.trType === 0 || c.trLimit < 0x67) c.gp(0);
  const off = c.sysRead16((c.trBase + 0x66) | 0) - 32 + (vector >>> 3);
  if (off < 0 || off > c.trLimit) c.gp(0);
  return ((c.sysRead16((c.trBase + off) | 0) >>> (vector & 7)) & 1) !== 0;
}

/**
 * CR4.VME: INT n handled in virtual-8086 mode like a real-mode interrupt through the
 * V86 program's vector table at linear 0: FLAGS, CS, IP pushed on its stack, TF and IF
 * cleared; with IOPL < 3 the pushed image carries VIF as IF (and IOPL 3) and VIF is
 * cleared instead of IF.
 */
function redirectToV86(c: Cpu, vector: number, iopl3: boolean): void {
  const f = c.getEflags();
  const image = iopl3 ? f & 0xffff : (f & 0xffff & ~(EFLAGS.IF | EFLAGS.IOPL)) | (f & EFLAGS.VIF ? EFLAGS.IF : 0) | EFLAGS.IOPL;
  const sp = c.sp;
  const laFlags = c.linW(SegReg.SS, c.spOff(sp - 2), 2);
  const laCs = c.linW(SegReg.SS, c.spOff(sp - 4), 2);
  const laIp = c.linW(SegReg.SS, c.spOff(sp - 6), 2);
  const newIp = c.rd16(vector << 2);
  const newCs = c.rd16((vector << 2) + 2);
  c.wr16(laFlags, image);
  c.wr16(laCs, c.segSel[SegReg.CS]);
  c.wr16(laIp, c.eip);
  c.setSp(sp - 6);
  c.materialize();
  c.flags &= ~(EFLAGS.TF | (iopl3 ? EFLAGS.IF : EFLAGS.VIF));
  loadSegmentReal(c, SegReg.CS, newCs);
  c.eip = newIp;
}

export function iret(c: Cpu, d: Insn): void {
  c.branch(true, 0, BranchKind.Far);
  doIret(c, d.size);
}
