// Segmentation: descriptor-table reads, protected-mode segment-register loads with the
// privilege/type/presence checks of the Intel manual (vol. 3, ch. 12 and the MOV/POP/LDS
// instruction pages), the real-mode and virtual-8086 loads (base = selector << 4), the
// descriptor caches, LTR and LLDT.

import type { Cpu } from './cpu';
import { CR0, EFLAGS, SegReg, Vector } from './registers';

/** Real-address or virtual-8086 mode: segment loads take no descriptor. */
export function realOrV86(c: Cpu): boolean {
  return !(c.cr0 & CR0.PE) || (c.flags & EFLAGS.VM) !== 0;
}

/** Cache attributes of every V86 segment: present, DPL 3, read/write data, accessed, 16-bit, byte granular. */
export const V86_AR = 0x0000f300;

/**
 * A segment-register load in real-address or virtual-8086 mode: selector and base =
 * selector << 4, no descriptor, no check. In V86 mode the limit becomes 64 KiB and the
 * attributes those of a DPL-3 16-bit read/write segment, and a CS load makes CPL 3
 * (Intel vol. 3 ch. 15). In real mode the limit and the D/B and G bits stay what the
 * last load left ("big real mode" keeps a 4 GiB limit loaded in protected mode; 64 KiB
 * after reset); the cache becomes a present read/write segment of DPL 0 (as Bochs does;
 * Intel documents only base and selector for real-mode loads).
 */
export function loadSegmentReal(c: Cpu, sreg: number, sel: number): void {
  c.segSel[sreg] = sel;
  c.segBase[sreg] = sel << 4;
  if (c.flags & EFLAGS.VM) {
    c.segLimit[sreg] = 0xffff;
    c.segAr[sreg] = V86_AR;
    if (sreg === SegReg.CS) c.setCplInternal(3);
  } else {
    c.segAr[sreg] = (c.segAr[sreg] & 0x00d00000) | 0x9300;
    if (sreg === SegReg.CS) c.setCplInternal(0);
  }
  c.updateSegChecks(sreg);
}

/** Scratch for the last descriptor read (no allocation per load). */
export const desc = { lo: 0, hi: 0, addr: 0 };

/**
 * Reads the descriptor `sel` from the GDT or LDT into `desc`. Raises `vector`(sel & 0xfffc | ext)
 * when the index is outside the table. Returns false for a null selector (index 0 of the GDT).
 */
export function readDescriptor(c: Cpu, sel: number, vector: number = Vector.GP, ext = 0): boolean {
  const index = sel & 0xfff8;
  let base: number, limit: number;
  if (sel & 4) {
    if ((c.ldtSel & 0xfffc) === 0) c.raise(vector, (sel & 0xfffc) | ext);
    base = c.ldtBase;
    limit = c.ldtLimit;
  } else {
    if (index === 0) return false;
    base = c.gdtBase;
    limit = c.gdtLimit;
  }
  if (index + 7 > limit >>> 0) c.raise(vector, (sel & 0xfffc) | ext);
  const addr = (base + index) | 0;
  desc.addr = addr;
  desc.lo = c.sysRead32(addr);
  desc.hi = c.sysRead32((addr + 4) | 0);
  return true;
}

/**
 * Reads the descriptor `sel` into `desc` the way LAR, LSL, VERR and VERW do: false, with
 * no fault, for a null selector, an LDT selector without an LDT, or an index beyond the
 * table's limit.
 */
export function peekDescriptor(c: Cpu, sel: number): boolean {
  const index = sel & 0xfff8;
  let base: number, limit: number;
  if (sel & 4) {
    if ((c.ldtSel & 0xfffc) === 0) return false;
    base = c.ldtBase;
    limit = c.ldtLimit;
  } else {
    if (index === 0) return false;
    base = c.gdtBase;
    limit = c.gdtLimit;
  }
  if (index + 7 > limit >>> 0) return false;
  const addr = (base + index) | 0;
  desc.addr = addr;
  desc.lo = c.sysRead32(addr);
  desc.hi = c.sysRead32((addr + 4) | 0);
  return true;
}

/** Sets the Accessed bit of the descriptor just read (hardware does it on a segment load). */
export function markAccessed(c: Cpu): void {
  if (!(desc.hi & 0x100)) {
    desc.hi |= 0x100;
    c.sysWrite32((desc.addr + 4) | 0, desc.hi);
  }
}

export function descBase(lo: number, hi: number): number {
  return (lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000);
}
export function descLimit(lo: number, hi: number): number {
  const l = (lo & 0xffff) | (hi & 0xf0000);
  return hi & 0x800000 ? (l << 12) | 0xfff : l;
}

/**
 * Loads a segment register's selector and descriptor cache (no checks). Sets the
 * descriptor's Accessed bit in its table when clear: the processor does so on every
 * segment-register load, CS and SS through gates, IRET and far transfers included
 * (Intel vol. 3 §12.4.1; LAR reports the bit).
 */
export function setSegCache(c: Cpu, sreg: number, sel: number, lo: number, hi: number): void {
  if (!(hi & 0x100)) {
    hi |= 0x100;
    c.sysWrite32(((sel & 4 ? c.ldtBase : c.gdtBase) + (sel & 0xfff8) + 4) | 0, hi);
  }
  c.segSel[sreg] = sel;
  c.segBase[sreg] = descBase(lo, hi);
  c.segLimit[sreg] = descLimit(lo, hi);
  c.segAr[sreg] = hi & 0x00f0ff00;
  c.updateSegChecks(sreg);
}

/** A null selector in DS/ES/FS/GS: loads succeed, accesses raise #GP(0). */
export function setSegNull(c: Cpu, sreg: number, sel: number): void {
  c.segSel[sreg] = sel;
  c.segBase[sreg] = 0;
  c.segLimit[sreg] = 0;
  c.segAr[sreg] = 0;
  c.updateSegChecks(sreg);
}

/**
 * MOV/POP/LxS segment load with the protected-mode checks. `vector` lets the task switch
 * report failures as #TS instead of #GP.
 */
export function loadSegmentChecked(c: Cpu, sreg: number, sel: number, vector: number = Vector.GP): void {
  if (realOrV86(c)) {
    loadSegmentReal(c, sreg, sel);
    return;
  }
  const cpl = c.cpl;
  const rpl = sel & 3;
  if (sreg === SegReg.CS) {
    // kernels (API) and task switches load CS directly: a present code segment
    if (!readDescriptor(c, sel, vector)) c.raise(vector, 0);
    const hi = desc.hi;
    if (!(hi & 0x1000) || !(hi & 0x800)) c.raise(vector, sel & 0xfffc);
    if (!(hi & 0x8000)) c.raise(Vector.NP, sel & 0xfffc);
    markAccessed(c);
    setSegCache(c, SegReg.CS, sel, desc.lo, desc.hi);
    c.setCplInternal(rpl);
    return;
  }
  if (sreg === SegReg.SS) {
    if ((sel & 0xfffc) === 0) c.raise(vector, 0);
    readDescriptor(c, sel, vector);
    const hi = desc.hi;
    const dpl = (hi >>> 13) & 3;
    const type = (hi >>> 8) & 0xf;
    if (rpl !== cpl || dpl !== cpl || !(hi & 0x1000) || type & 8 || !(type & 2)) c.raise(vector, sel & 0xfffc);
    if (!(hi & 0x8000)) c.raise(Vector.SS, sel & 0xfffc);
    markAccessed(c);
    setSegCache(c, sreg, sel, desc.lo, desc.hi);
    return;
  }
  if ((sel & 0xfffc) === 0) {
    setSegNull(c, sreg, sel);
    return;
  }
  readDescriptor(c, sel, vector);
  const hi = desc.hi;
  const dpl = (hi >>> 13) & 3;
  const type = (hi >>> 8) & 0xf;
  if (!(hi & 0x1000)) c.raise(vector, sel & 0xfffc);
  if (type & 8 && !(type & 2)) c.raise(vector, sel & 0xfffc); // execute-only code
  const conformingCode = (type & 0xc) === 0xc;
  if (!conformingCode && (rpl > dpl || cpl > dpl)) c.raise(vector, sel & 0xfffc);
  if (!(hi & 0x8000)) c.raise(Vector.NP, sel & 0xfffc);
  markAccessed(c);
  setSegCache(c, sreg, sel, desc.lo, desc.hi);
}

/** LTR: an available 32-bit TSS in the GDT; marks it busy. */
export function loadTr(c: Cpu, sel: number): void {
  if ((sel & 0xfffc) === 0 || sel & 4) c.gp(sel & 0xfffc);
  readDescriptor(c, sel);
  const hi = desc.hi;
  const type = (hi >>> 8) & 0x1f; // S bit included
  if (type !== 0x09 && type !== 0x01) c.gp(sel & 0xfffc);
  if (!(hi & 0x8000)) c.raise(Vector.NP, sel & 0xfffc);
  desc.hi = hi | 0x200; // busy
  c.sysWrite32((desc.addr + 4) | 0, desc.hi);
  c.trSel = sel;
  c.trBase = descBase(desc.lo, desc.hi);
  c.trLimit = descLimit(desc.lo, desc.hi);
  c.trType = (desc.hi >>> 8) & 0xf;
}

/** LLDT: an LDT descriptor in the GDT, or a null selector (no LDT). */
export function loadLdtr(c: Cpu, sel: number, vector: number = Vector.GP): void {
  if ((sel & 0xfffc) === 0) {
    c.ldtSel = sel;
    c.ldtBase = 0;
    c.ldtLimit = 0;
    return;
  }
  if (sel & 4) c.raise(vector, sel & 0xfffc);
  readDescriptor(c, sel, vector);
  const hi = desc.hi;
  if (((hi >>> 8) & 0x1f) !== 0x02) c.raise(vector, sel & 0xfffc);
  if (!(hi & 0x8000)) c.raise(Vector.NP, sel & 0xfffc);
  c.ldtSel = sel;
  c.ldtBase = descBase(desc.lo, desc.hi);
  c.ldtLimit = descLimit(desc.lo, desc.hi);
}

/** After a return to an outer privilege level: data segments the new CPL may not use become null (Intel, IRET/RET). */
export function nullifyInaccessible(c: Cpu): void {
  const cpl = c.cpl;
  for (const s of [SegReg.ES, SegReg.DS, SegReg.FS, SegReg.GS]) {
    const ar = c.segAr[s];
    if (!(ar & 0x8000)) continue;
    const dpl = (ar >>> 13) & 3;
    const type = (ar >>> 8) & 0xf;
    const conformingCode = (type & 0xc) === 0xc;
    if (!conformingCode && dpl < cpl) setSegNull(c, s, 0);
  }
}
