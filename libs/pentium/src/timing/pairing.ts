// THE pairing decision of the P54C: may `v` issue in the V pipe beside `u` in the
// U pipe? One function over two timing rows (86Box's codegen_timing_pentium.c keeps
// the same decision in one place). Rules [IPM vol. 3 §24.2.2][AGNER "Pentium 1"]:
//  1. pair classes: u is UV or PU; v is UV or PV;
//  2. neither has both a displacement and an immediate;
//  3. v has no prefix other than 0F (a prefixed instruction issues only in U; the
//     decoder does not count 0F, so 0F Jcc pairs);
//  4. v neither reads nor writes a register u writes (whole 32-bit registers: writing
//     AL and AH are a conflict);
//  5. v does not read the flags u writes, except when v is a conditional jump
//     (CMP/Jcc, DEC/JNZ pair).
// Implicit ESP updates of PUSH/POP/CALL/RET are not dependencies (the P5 adjusts ESP
// for both pipes in the decoder, so PUSH/PUSH and POP/POP pair): the decoder leaves
// ESP out of regsRead/regsWritten/addrRegs for those implicit uses.
//  6. x87: an FX-class instruction (FLD, FADD, FMUL, FCOM, …) in U may take an FXCH in
//     V and nothing else; FXCH then costs nothing (lockstep with the U instruction)
//     [IPM][AGNER "FXCH"];
// "Not paired on the first execution from a freshly loaded cache line" is a property of
// the fetch, not of the rows: Pipeline.issue applies it.
import { BranchKind, PairClass, type TimingInfo } from './timing-info';

/** pair classes that may issue in U with a V partner / in V: bit (1 << PairClass) */
const U_CLASSES = (1 << PairClass.UV) | (1 << PairClass.PU);
const V_CLASSES = (1 << PairClass.UV) | (1 << PairClass.PV);

export function pairable(u: TimingInfo, v: TimingInfo): boolean {
  // 6. FXCH pairs in V only behind an FX-class x87 instruction; FX pairs with nothing else
  if (v.pair === PairClass.FXCH) return u.pair === PairClass.FX && v.prefixes === 0;
  if (((1 << u.pair) & U_CLASSES) === 0 || ((1 << v.pair) & V_CLASSES) === 0) return false;
  if (u.dispAndImm || v.dispAndImm) return false;
  if (v.prefixes !== 0) return false;
  if (((v.regsRead | v.regsWritten) & u.regsWritten) !== 0) return false;
  if (v.readsFlags && u.writesFlags && v.branch !== BranchKind.Jcc) return false;
  return true;
}

/** May this row issue in the U pipe and still take a V partner? */
export function opensPair(u: TimingInfo): boolean {
  return (((1 << u.pair) & U_CLASSES) !== 0 && !u.dispAndImm) || u.pair === PairClass.FX;
}
