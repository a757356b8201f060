// The debug registers DR0–DR7 and MOV to/from them (0F 21 / 0F 23). Intel, "Pentium
// Processor Family Developer's Manual", vol. 3, ch. 17 (debugging):
//   - CPL 0 only (#GP(0) otherwise); DR4/DR5 are aliases of DR6/DR7 unless CR4.DE is set,
//     when they are #UD;
//   - reset values DR6 = FFFF0FF0h, DR7 = 00000400h; the reserved bits read as the
//     manual fixes them whatever is written;
//   - DR7.GD (general detect): the next MOV to or from a debug register raises #DB
//     (a fault, EIP at the MOV) with DR6.BD set and GD cleared;
//   - single-step (EFLAGS.TF) sets DR6.BS (cpu.ts).
// What is NOT modelled: the breakpoints DR0–DR3 describe (instruction, data write,
// data read/write, I/O) never fire: the registers are storage. No guest here uses them;
// checking every instruction and access against them would sit on the interpreter's
// hot path.

import type { Cpu } from '../cpu';
import type { Insn } from '../decoder-types';
import { CR4, Vector } from '../registers';

export const DR6_RESET = 0xffff0ff0 | 0;
export const DR7_RESET = 0x00000400;
/** DR6: B0–B3 (bits 0–3), BD (13), BS (14), BT (15) are the writable bits; the rest read 1 (bit 12: 0) */
const DR6_WRITABLE = 0x0000e00f;
/** DR7: bits 11, 12, 14, 15 read 0, bit 10 reads 1 */
const DR7_ZERO = 0x0000d800;
export const DR6_BD = 0x2000;
export const DR6_BS = 0x4000;
const DR7_GD = 0x2000;

// Clocks [IPM][AGN]: MOV r32, DRn 2; MOV DRn, r32 11 (DR4/DR5 12)
export const MOV_FROM_DR_CLOCKS = 2;
export const MOV_TO_DR_CLOCKS = [11, 11, 11, 11, 12, 12, 11, 11];

/** the register a MOV names, after the CPL, CR4.DE and DR7.GD checks */
function debugRegister(c: Cpu, n: number): number {
  if (c.cpl !== 0) c.gp(0);
  if (n === 4 || n === 5) {
    if (c.cr4 & CR4.DE) c.ud();
    n += 2;
  }
  if (c.dr[7] & DR7_GD) {
    c.dr[7] &= ~DR7_GD;
    c.dr[6] |= DR6_BD;
    c.raise(Vector.DB, -1);
  }
  return n;
}

/** MOV r32, DRn (0F 21 /r; the mod bits are ignored: always a register) */
export function movRDr(c: Cpu, d: Insn): void {
  const n = debugRegister(c, d.reg);
  c.r32[d.rm] = c.dr[n];
}

/** MOV DRn, r32 (0F 23 /r) */
export function movDrR(c: Cpu, d: Insn): void {
  const n = debugRegister(c, d.reg);
  const v = c.r32[d.rm];
  if (n === 6) c.dr[6] = (v & DR6_WRITABLE) | (DR6_RESET & ~DR6_WRITABLE);
  else if (n === 7) c.dr[7] = (v & ~DR7_ZERO) | DR7_RESET;
  else c.dr[n] = v;
  c.charge(MOV_TO_DR_CLOCKS[d.reg] - MOV_TO_DR_CLOCKS[0]);
}
