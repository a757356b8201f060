// Operand access for handlers: effective address, E (ModRM r/m) and G (ModRM reg)
// operands of 8/16/32 bits. 8-bit register numbers 0..7 are AL CL DL BL AH CH DH BH.

import type { Cpu } from '../cpu';
import type { Insn } from '../decoder-types';

/** byte offset in the register buffer of 8-bit register r */
export const R8 = new Uint8Array([0, 4, 8, 12, 1, 5, 9, 13]);

export function ea(c: Cpu, d: Insn): number {
  let a = d.disp;
  if (d.base >= 0) a += c.r32[d.base];
  if (d.index >= 0) a += c.r32[d.index] << d.scale;
  return a & d.amask;
}

export function getReg(c: Cpu, r: number, size: number): number {
  if (size === 4) return c.r32[r];
  if (size === 2) return c.r16[r << 1];
  return c.r8[R8[r]];
}

export function setReg(c: Cpu, r: number, size: number, v: number): void {
  if (size === 4) c.r32[r] = v;
  else if (size === 2) c.r16[r << 1] = v;
  else c.r8[R8[r]] = v;
}

export function readMem(c: Cpu, seg: number, off: number, size: number): number {
  if (size === 4) return c.rd32(c.linR(seg, off, 4));
  if (size === 2) return c.rd16(c.linR(seg, off, 2));
  return c.rd8(c.linR(seg, off, 1));
}

export function writeMem(c: Cpu, seg: number, off: number, size: number, v: number): void {
  if (size === 4) c.wr32(c.linW(seg, off, 4), v);
  else if (size === 2) c.wr16(c.linW(seg, off, 2), v);
  else c.wr8(c.linW(seg, off, 1), v);
}

/** read of the E operand */
export function getE(c: Cpu, d: Insn): number {
  if (d.mod3) return getReg(c, d.rm, d.size);
  return readMem(c, d.seg, ea(c, d), d.size);
}

export function setE(c: Cpu, d: Insn, v: number): void {
  if (d.mod3) setReg(c, d.rm, d.size, v);
  else writeMem(c, d.seg, ea(c, d), d.size, v);
}

export function getG(c: Cpu, d: Insn): number {
  return getReg(c, d.reg, d.size);
}

export function setG(c: Cpu, d: Insn, v: number): void {
  setReg(c, d.reg, d.size, v);
}

/** Read-modify-write of the E operand: the linear address is checked for writing before the read. */
export function rmwLin(c: Cpu, d: Insn): number {
  return c.linW(d.seg, ea(c, d), d.size);
}
export function rmwRead(c: Cpu, la: number, size: number): number {
  if (size === 4) return c.rd32w(la);
  if (size === 2) return c.rd16w(la);
  return c.rd8w(la);
}
export function rmwWrite(c: Cpu, la: number, size: number, v: number): void {
  if (size === 4) c.wr32(la, v);
  else if (size === 2) c.wr16(la, v);
  else c.wr8(la, v);
}

export function maskOf(size: number): number {
  return size === 4 ? -1 : size === 2 ? 0xffff : 0xff;
}

/** sign-extends an operand of `size` bytes to int32 */
export function sext(v: number, size: number): number {
  return size === 4 ? v | 0 : size === 2 ? (v << 16) >> 16 : (v << 24) >> 24;
}
