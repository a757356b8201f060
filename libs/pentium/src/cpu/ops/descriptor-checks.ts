// The protected-mode checking instructions a program may run at any privilege level:
// LAR, LSL, VERR, VERW (look a selector's descriptor up without loading it, and report
// in ZF whether it is visible), ARPL (adjust a selector's RPL) and BOUND (array index
// check, #BR). Semantics from the Intel SDM vol. 2 instruction pages; before these rows
// existed they raised #UD.

import type { Cpu } from '../cpu';
import type { Insn } from '../decoder-types';
import { EFLAGS, Vector } from '../registers';
import { descLimit, desc, peekDescriptor, realOrV86 } from '../segmentation';
import { ea, readMem, rmwRead, rmwWrite, setReg } from './operands';

/** LAR, LSL, VERR, VERW and ARPL are not recognised in real-address and virtual-8086 mode: #UD (Intel, their pages). */
function protectedOnly(c: Cpu): void {
  if (realOrV86(c)) c.ud();
}

function setZF(c: Cpu, on: boolean): void {
  c.materialize();
  c.flags = on ? c.flags | EFLAGS.ZF : c.flags & ~EFLAGS.ZF;
}

/** the 16-bit selector operand (ModRM r/m) */
function selectorOperand(c: Cpu, d: Insn): number {
  return d.mod3 ? c.r16[d.rm << 1] : readMem(c, d.seg, ea(c, d), 2);
}

// system descriptor types LAR accepts (TSS 16/32 available and busy, LDT, call and task
// gates) and LSL accepts (the same without the gates) [SDM LAR, LSL]
const LAR_SYSTEM_TYPES = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 9) | (1 << 11) | (1 << 12);
const LSL_SYSTEM_TYPES = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 9) | (1 << 11);

/**
 * The descriptor of `sel` is in the table and visible at the CPL and the selector's RPL:
 * a conforming code segment always, anything else when DPL >= max(CPL, RPL); system
 * descriptors only of the types in `systemTypes`. Leaves the descriptor in `desc`.
 */
function visible(c: Cpu, sel: number, systemTypes: number): boolean {
  if (!peekDescriptor(c, sel)) return false;
  const hi = desc.hi;
  const type = (hi >>> 8) & 0xf;
  const dpl = (hi >>> 13) & 3;
  if (hi & 0x1000) {
    if ((type & 0xc) === 0xc) return true; // conforming code: no privilege check
  } else if (((1 << type) & systemTypes) === 0) {
    return false;
  }
  return dpl >= c.cpl && dpl >= (sel & 3);
}

/** LAR Gv, Ew: the access-rights bytes of the descriptor (ZF = 1), or ZF = 0 */
export function lar(c: Cpu, d: Insn): void {
  protectedOnly(c);
  const ok = visible(c, selectorOperand(c, d), LAR_SYSTEM_TYPES);
  if (ok) setReg(c, d.reg, d.size, d.size === 4 ? desc.hi & 0x00f0ff00 : desc.hi & 0xff00);
  setZF(c, ok);
}

/** LSL Gv, Ew: the segment limit in bytes (granularity applied) (ZF = 1), or ZF = 0 */
export function lsl(c: Cpu, d: Insn): void {
  protectedOnly(c);
  const ok = visible(c, selectorOperand(c, d), LSL_SYSTEM_TYPES);
  if (ok) setReg(c, d.reg, d.size, d.size === 4 ? descLimit(desc.lo, desc.hi) : descLimit(desc.lo, desc.hi) & 0xffff);
  setZF(c, ok);
}

/** VERR Ew (op 0) / VERW Ew (op 1): is the segment readable / writable at the CPL and RPL? */
export function verrVerw(c: Cpu, d: Insn): void {
  protectedOnly(c);
  const sel = selectorOperand(c, d);
  let ok = false;
  if (peekDescriptor(c, sel) && desc.hi & 0x1000) {
    const type = (desc.hi >>> 8) & 0xf;
    const dpl = (desc.hi >>> 13) & 3;
    const privileged = dpl >= c.cpl && dpl >= (sel & 3);
    if (d.op === 0) {
      // data segments are readable; code only with R set; conforming readable code needs no privilege
      if (!(type & 8)) ok = privileged;
      else if (type & 2) ok = (type & 4) !== 0 || privileged;
    } else {
      ok = (type & 0xa) === 0x2 && privileged; // writable data
    }
  }
  setZF(c, ok);
}

/** ARPL Ew, Gw: raise the destination selector's RPL to the source's (ZF = 1), else ZF = 0 */
export function arpl(c: Cpu, d: Insn): void {
  protectedOnly(c);
  const src = c.r16[d.reg << 1];
  if (d.mod3) {
    const dst = c.r16[d.rm << 1];
    const adjust = (dst & 3) < (src & 3);
    if (adjust) c.r16[d.rm << 1] = (dst & ~3) | (src & 3);
    setZF(c, adjust);
    return;
  }
  const la = c.linW(d.seg, ea(c, d), 2); // checked for writing before the read
  const dst = rmwRead(c, la, 2);
  const adjust = (dst & 3) < (src & 3);
  if (adjust) rmwWrite(c, la, 2, (dst & ~3) | (src & 3));
  setZF(c, adjust);
}

/** BOUND Gv, Ma: #BR unless lower <= index <= upper (signed; the bounds are two operands in memory) */
export function bound(c: Cpu, d: Insn): void {
  const off = ea(c, d);
  const size = d.size;
  let index: number, lower: number, upper: number;
  if (size === 4) {
    index = c.r32[d.reg];
    lower = readMem(c, d.seg, off, 4) | 0;
    upper = readMem(c, d.seg, (off + 4) & d.amask, 4) | 0;
  } else {
    index = (c.r16[d.reg << 1] << 16) >> 16;
    lower = (readMem(c, d.seg, off, 2) << 16) >> 16;
    upper = (readMem(c, d.seg, (off + 2) & d.amask, 2) << 16) >> 16;
  }
  if (index < lower || index > upper) c.raise(Vector.BR, -1);
}
