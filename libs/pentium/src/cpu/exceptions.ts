// Interrupt and exception delivery through the IDT (Intel, "Pentium Processor Family
// Developer's Manual", vol. 3, ch. 14): interrupt/trap gates with the stack switch from
// the TSS on a privilege change, task gates, error codes, and IRET back (including to
// an outer privilege level and the NT task return). Real-address mode goes through the
// interrupt vector table at the IDTR base (4-byte CS:IP vectors, FLAGS/CS/IP pushed);
// virtual-8086 mode goes to a ring-0 handler through the IDT with GS, FS, DS, ES pushed
// above the usual frame (Intel vol. 3 ch. 15), and IRET from ring 0 with EFLAGS.VM set
// in the popped image enters virtual-8086 mode.

import { ERROR_CODE_VECTORS } from './stub-code';
import type { Cpu } from './cpu';
import { CR0, CR4, EFLAGS, SegReg, Vector } from './registers';
import { desc, descBase, descLimit, loadSegmentReal, nullifyInaccessible, readDescriptor, setSegCache, setSegNull } from './segmentation';
import { switchTask } from './task-switch';

export enum IntKind {
  /** a fault or trap raised by the CPU */
  Exception = 0,
  /** INT n / INT3 / INTO: the gate's DPL is checked against CPL */
  Software = 1,
  /** a hardware interrupt from the PIC */
  External = 2,
}

// Clocks (pentium-p54c.md "System instructions"): INT n through a gate to the same
// privilege about 25; to ring 0 from ring 3 Intel's table gives 27–82, 86Box uses 42
// (we use 42 = 25 + 17 for the stack switch). Task gates: the task switch's 85.
export const INT_SAME_PL_CLOCKS = 25;
export const INT_STACK_SWITCH_EXTRA_CLOCKS = 17;
// IRET: 10 to the same privilege, 27 to an outer one (pentium-p54c.md).
export const IRET_SAME_PL_CLOCKS = 10;
export const IRET_OUTER_PL_EXTRA_CLOCKS = 17;

/** Vectors that push an error code. */
function hasErrorCode(v: number): boolean {
  return ERROR_CODE_VECTORS.has(v);
}

/**
 * Real-address mode: the vector's CS:IP from the IVT at the IDTR base, FLAGS, CS and IP
 * pushed (16-bit, no error code), IF, TF and AC cleared (Intel, INT n "REAL-ADDRESS-MODE").
 */
function deliverReal(c: Cpu, vector: number, kind: IntKind): void {
  const idx = vector << 2;
  if (idx + 3 > c.idtLimit) c.gp(0);
  c.halted = false;
  // three word pushes, each wrapping within the stack's address size; all checked before any is written
  const sp = c.sp;
  const laFlags = c.linW(SegReg.SS, c.spOff(sp - 2), 2);
  const laCs = c.linW(SegReg.SS, c.spOff(sp - 4), 2);
  const laIp = c.linW(SegReg.SS, c.spOff(sp - 6), 2);
  const ivt = (c.idtBase + idx) | 0;
  const newIp = c.sysRead16(ivt);
  const newCs = c.sysRead16((ivt + 2) | 0);
  const flags = c.getEflags();
  c.wr16(laFlags, flags);
  c.wr16(laCs, c.segSel[SegReg.CS]);
  c.wr16(laIp, c.eip);
  c.setSp(sp - 6);
  c.setEflags(flags & ~(EFLAGS.IF | EFLAGS.TF | EFLAGS.AC));
  loadSegmentReal(c, SegReg.CS, newCs);
  c.eip = newIp;
  // no real-mode figure in pentium-p54c.md: the protected-mode same-privilege clocks
  if (kind !== IntKind.Software) c.charge(INT_SAME_PL_CLOCKS);
}

export function deliverInterrupt(c: Cpu, vector: number, errorCode: number, kind: IntKind): void {
  c.trapCycle = c.counters.cycles; // phase accounting (clock/phases.ts): a kernel may start its phase here
  if (!(c.cr0 & CR0.PE)) return deliverReal(c, vector, kind);
  const ext = kind === IntKind.External ? 1 : 0;
  const pushCode = kind === IntKind.Exception && hasErrorCode(vector) ? errorCode & 0xffff : -1;
  const idx = vector << 3;
  const gateErr = idx | 2 | ext;
  if (idx + 7 > c.idtLimit) c.gp(gateErr);
  c.halted = false;
  const lo = c.sysRead32((c.idtBase + idx) | 0);
  const hi = c.sysRead32((c.idtBase + idx + 4) | 0);
  const type = (hi >>> 8) & 0x1f;
  const gdpl = (hi >>> 13) & 3;
  if (type !== 0x05 && type !== 0x0e && type !== 0x0f) c.gp(gateErr);
  if (kind === IntKind.Software && gdpl < c.cpl) c.gp(gateErr);
  if (!(hi & 0x8000)) c.raise(Vector.NP, gateErr);

  if (type === 0x05) {
    switchTask(c, lo >>> 16, 'int', ext);
    if (pushCode >= 0) c.push32(pushCode);
    return;
  }

  const sel = lo >>> 16;
  const offset = ((hi & 0xffff0000) | (lo & 0xffff)) >>> 0;
  if ((sel & 0xfffc) === 0) c.gp(ext);
  readDescriptor(c, sel, Vector.GP, ext);
  const clo = desc.lo,
    chi = desc.hi;
  const cdpl = (chi >>> 13) & 3;
  if (!(chi & 0x1000) || !(chi & 0x800) || cdpl > c.cpl) c.gp((sel & 0xfffc) | ext);
  if (!(chi & 0x8000)) c.raise(Vector.NP, (sel & 0xfffc) | ext);
  const conforming = (chi & 0x400) !== 0;
  const eflags = c.getEflags();
  const oldCs = c.segSel[SegReg.CS];
  const oldEip = c.eip;
  const fromV86 = (eflags & EFLAGS.VM) !== 0;
  // from virtual-8086 mode only a non-conforming ring-0 handler is allowed
  if (fromV86 && (conforming || cdpl !== 0)) c.gp((sel & 0xfffc) | ext);

  if (!conforming && cdpl < c.cpl) {
    // inner privilege: new stack from the TSS
    const tssOff = 4 + cdpl * 8;
    if (c.trType === 0 || tssOff + 5 > c.trLimit) c.raise(Vector.TS, (c.trSel & 0xfffc) | ext);
    const newEsp = c.sysRead32((c.trBase + tssOff) | 0);
    const newSs = c.sysRead16((c.trBase + tssOff + 4) | 0);
    if ((newSs & 0xfffc) === 0) c.raise(Vector.TS, ext);
    readDescriptor(c, newSs, Vector.TS, ext);
    const slo = desc.lo,
      shi = desc.hi;
    const stype = (shi >>> 8) & 0xf;
    if ((newSs & 3) !== cdpl || ((shi >>> 13) & 3) !== cdpl || !(shi & 0x1000) || stype & 8 || !(stype & 2))
      c.raise(Vector.TS, (newSs & 0xfffc) | ext);
    if (!(shi & 0x8000)) c.raise(Vector.SS, (newSs & 0xfffc) | ext);
    const ssBase = descBase(slo, shi);
    const ssLimit = descLimit(slo, shi) >>> 0;
    const frame = (pushCode >= 0 ? 24 : 20) + (fromV86 ? 16 : 0);
    let top = newEsp | 0;
    const bottom = (top - frame) | 0;
    if (ssLimit !== 0xffffffff && ((bottom >>> 0) > ssLimit || (top - 1) >>> 0 > ssLimit)) c.raise(Vector.SS, (newSs & 0xfffc) | ext);
    if (fromV86) {
      // the V86 data segment registers go above the protected-mode frame
      c.sysWrite32((ssBase + top - 4) | 0, c.segSel[SegReg.GS]);
      c.sysWrite32((ssBase + top - 8) | 0, c.segSel[SegReg.FS]);
      c.sysWrite32((ssBase + top - 12) | 0, c.segSel[SegReg.DS]);
      c.sysWrite32((ssBase + top - 16) | 0, c.segSel[SegReg.ES]);
      top = (top - 16) | 0;
    }
    c.sysWrite32((ssBase + top - 4) | 0, c.segSel[SegReg.SS]);
    c.sysWrite32((ssBase + top - 8) | 0, c.r32[4]);
    c.sysWrite32((ssBase + top - 12) | 0, eflags);
    c.sysWrite32((ssBase + top - 16) | 0, oldCs);
    c.sysWrite32((ssBase + top - 20) | 0, oldEip);
    if (pushCode >= 0) c.sysWrite32((ssBase + top - 24) | 0, pushCode);
    setSegCache(c, SegReg.SS, newSs, slo, shi);
    c.r32[4] = bottom;
    readDescriptor(c, sel, Vector.GP, ext);
    setSegCache(c, SegReg.CS, (sel & 0xfffc) | cdpl, desc.lo, desc.hi);
    c.setCplInternal(cdpl);
    if (fromV86) {
      // leave virtual-8086 mode: the data segment registers are loaded with null selectors
      c.setEflagsWithVm(eflags & ~EFLAGS.VM);
      for (const s of V86_DATA_SEGS) setSegNull(c, s, 0);
    }
    c.charge(INT_STACK_SWITCH_EXTRA_CLOCKS);
  } else {
    const esp = c.sp;
    const frame = pushCode >= 0 ? 16 : 12;
    c.linW(SegReg.SS, c.spOff(esp - frame), frame);
    const ssBase = c.segBase[SegReg.SS];
    c.sysWrite32((ssBase + c.spOff(esp - 4)) | 0, eflags);
    c.sysWrite32((ssBase + c.spOff(esp - 8)) | 0, oldCs);
    c.sysWrite32((ssBase + c.spOff(esp - 12)) | 0, oldEip);
    if (pushCode >= 0) c.sysWrite32((ssBase + c.spOff(esp - 16)) | 0, pushCode);
    c.setSp(esp - frame);
    setSegCache(c, SegReg.CS, (sel & 0xfffc) | c.cpl, clo, chi);
  }
  // clear TF, NT, RF, VM; an interrupt gate also clears IF
  let f = eflags & ~(0x100 | 0x4000 | 0x10000 | 0x20000);
  if (type === 0x0e) f &= ~0x200;
  c.setEflags(f);
  c.eip = offset;
  if (kind !== IntKind.Software) c.charge(INT_SAME_PL_CLOCKS);
}

const V86_DATA_SEGS = [SegReg.GS, SegReg.FS, SegReg.DS, SegReg.ES];

/** the stack slot at ESP + off (no allocation: IRET runs once per system call) */
function popAt(c: Cpu, esp: number, off: number, size: number): number {
  const o = c.spOff(esp + off);
  return size === 4 ? c.rd32(c.linR(SegReg.SS, o, 4)) : c.rd16(c.linR(SegReg.SS, o, 2));
}

/**
 * IRET in real mode, and in virtual-8086 mode with IOPL 3 (or a 16-bit IRET with
 * CR4.VME): pops (E)IP, CS and (E)FLAGS without descriptors. Real mode may change every flag but VM (and RF, VIF, VIP with a
 * 32-bit pop); V86 mode keeps IOPL and VM (Intel, IRET "REAL-ADDRESS-MODE" and
 * "RETURN-FROM-VIRTUAL-8086-MODE").
 */
function iretReal(c: Cpu, size: number, eflagsNow: number): void {
  const v86 = (eflagsNow & EFLAGS.VM) !== 0;
  // V86 with IOPL < 3: #GP(0) to the monitor, or with CR4.VME a 16-bit IRET that sets VIF from the image's IF
  const virtualIf = v86 && (eflagsNow & EFLAGS.IOPL) !== EFLAGS.IOPL;
  if (virtualIf && (!(c.cr4 & CR4.VME) || size === 4)) c.gp(0);
  const esp = c.sp;
  const rawEip = popAt(c, esp, 0, size);
  const newCs = popAt(c, esp, size, size) & 0xffff;
  const popped = popAt(c, esp, 2 * size, size);
  const newEip = size === 4 ? rawEip >>> 0 : rawEip & 0xffff;
  if (newEip > (v86 ? 0xffff : c.segLimit[SegReg.CS] >>> 0)) c.gp(0);
  if (virtualIf && (popped & EFLAGS.TF || (popped & EFLAGS.IF && eflagsNow & EFLAGS.VIP))) c.gp(0);
  let keep = size === 4 ? EFLAGS.VM | EFLAGS.RF | EFLAGS.VIF | EFLAGS.VIP : -65536;
  if (v86) keep |= EFLAGS.IOPL;
  if (virtualIf) keep |= EFLAGS.IF;
  const merged = (popped & ~keep) | (eflagsNow & keep);
  loadSegmentReal(c, SegReg.CS, newCs);
  c.setSp(esp + 3 * size);
  c.setEflags(merged);
  if (virtualIf) c.flags = popped & EFLAGS.IF ? c.flags | EFLAGS.VIF : c.flags & ~EFLAGS.VIF;
  c.eip = newEip;
}

/**
 * IRET from ring 0 to virtual-8086 mode (32-bit operand size, EFLAGS.VM set in the
 * image): pops EIP, CS, EFLAGS, ESP, SS, ES, DS, FS, GS and loads every segment register
 * with V86 semantics; CPL becomes 3 (Intel, IRET "RETURN-TO-VIRTUAL-8086-MODE").
 */
function iretToV86(c: Cpu, esp: number, newEip: number, newCs: number, newFlags: number): void {
  const newEsp = popAt(c, esp, 12, 4);
  const newSs = popAt(c, esp, 16, 4) & 0xffff;
  const es = popAt(c, esp, 20, 4) & 0xffff;
  const ds = popAt(c, esp, 24, 4) & 0xffff;
  const fs = popAt(c, esp, 28, 4) & 0xffff;
  const gs = popAt(c, esp, 32, 4) & 0xffff;
  // the V86 code segment's limit is 64 KiB: an EIP beyond it is #GP(0) before anything changes (as Bochs does)
  if (newEip >>> 0 > 0xffff) c.gp(0);
  c.setEflagsWithVm(newFlags);
  loadSegmentReal(c, SegReg.CS, newCs); // CPL 3
  loadSegmentReal(c, SegReg.SS, newSs);
  loadSegmentReal(c, SegReg.ES, es);
  loadSegmentReal(c, SegReg.DS, ds);
  loadSegmentReal(c, SegReg.FS, fs);
  loadSegmentReal(c, SegReg.GS, gs);
  c.r32[4] = newEsp;
  c.eip = newEip >>> 0;
  c.charge(IRET_OUTER_PL_EXTRA_CLOCKS);
  if (c.onUserReturn !== null) c.onUserReturn(); // phase accounting (clock/phases.ts): CPL 3
}

/** IRET (16- or 32-bit operand size) in every mode. */
export function iret(c: Cpu, size: number): void {
  const eflagsNow = c.getEflags();
  if (!(c.cr0 & CR0.PE) || eflagsNow & EFLAGS.VM) return iretReal(c, size, eflagsNow);
  if (eflagsNow & 0x4000) {
    // NT: return to the task in the back link
    const link = c.sysRead16(c.trBase);
    switchTask(c, link, 'iret');
    return;
  }
  const esp = c.sp;
  const newEip = popAt(c, esp, 0, size);
  const newCs = popAt(c, esp, size, size) & 0xffff;
  let newFlags = popAt(c, esp, 2 * size, size);
  if (size === 2) newFlags = (eflagsNow & 0xffff0000) | newFlags;
  const cpl = c.cpl;
  if (size === 4 && newFlags & EFLAGS.VM && cpl === 0) return iretToV86(c, esp, newEip, newCs, newFlags);
  const rpl = newCs & 3;
  if ((newCs & 0xfffc) === 0) c.gp(0);
  if (rpl < cpl) c.gp(newCs & 0xfffc);
  readDescriptor(c, newCs);
  const clo = desc.lo,
    chi = desc.hi;
  const cdpl = (chi >>> 13) & 3;
  if (!(chi & 0x1000) || !(chi & 0x800)) c.gp(newCs & 0xfffc);
  if (chi & 0x400 ? cdpl > rpl : cdpl !== rpl) c.gp(newCs & 0xfffc);
  if (!(chi & 0x8000)) c.raise(Vector.NP, newCs & 0xfffc);

  // EFLAGS: IOPL, VIF and VIP only at CPL 0, IF only when CPL <= IOPL; VM stays 0 here
  const iopl = (eflagsNow >>> 12) & 3;
  let keep = EFLAGS.VM;
  if (cpl > 0) keep |= EFLAGS.IOPL | EFLAGS.VIF | EFLAGS.VIP;
  if (cpl > iopl) keep |= 0x200;
  const merged = (newFlags & ~keep) | (eflagsNow & keep);

  if (rpl > cpl) {
    // return to an outer privilege level: pop ESP and SS too
    const newEsp = popAt(c, esp, 3 * size, size);
    const newSs = popAt(c, esp, 4 * size, size) & 0xffff;
    if ((newSs & 0xfffc) === 0) c.gp(0);
    readDescriptor(c, newSs);
    const slo = desc.lo,
      shi = desc.hi;
    const stype = (shi >>> 8) & 0xf;
    if ((newSs & 3) !== rpl || ((shi >>> 13) & 3) !== rpl || !(shi & 0x1000) || stype & 8 || !(stype & 2)) c.gp(newSs & 0xfffc);
    if (!(shi & 0x8000)) c.raise(Vector.SS, newSs & 0xfffc);
    setSegCache(c, SegReg.CS, newCs, clo, chi);
    c.setCplInternal(rpl);
    setSegCache(c, SegReg.SS, newSs, slo, shi);
    c.r32[4] = size === 4 ? newEsp : (c.r32[4] & 0xffff0000) | (newEsp & 0xffff);
    nullifyInaccessible(c);
    c.charge(IRET_OUTER_PL_EXTRA_CLOCKS);
    if (rpl === 3 && c.onUserReturn !== null) c.onUserReturn(); // phase accounting (clock/phases.ts)
  } else {
    setSegCache(c, SegReg.CS, newCs, clo, chi);
    c.setSp(esp + 3 * size);
  }
  c.setEflagsWithVm(merged);
  // IRET loads RF from the image (Intel SDM vol. 3 §17.3.1.1); setEflagsWithVm keeps it out
  if (merged & EFLAGS.RF) c.setResumeFlag();
  c.eip = size === 4 ? newEip >>> 0 : newEip & 0xffff;
}
