// P5 (P54C) clocks of every x87 form, as data beside their sources.
//
// Sources:
//  [INTEL] Intel, "Pentium Processor Family Developer's Manual", vol. 3, ch. 25, the
//          Pentium column of the floating-point clock table (as transcribed in the
//          widely circulated "Intel 80x87 opcode timings" table, e.g. zs3.me/intel_f.html):
//          latency/throughput pairs such as FADD 3/1, FCOM 4/1, ranges such as FSIN 16–126,
//          and FX = "pairs with FXCH".
//  [AGNER] A. Fog, "How to optimize for the Pentium family of microprocessors", §28.2
//          "Floating point instructions": measured clocks, FXCH pairability (+/np),
//          integer/FP overlap; typical values where Intel gives wide ranges.
//  [86BOX] 86Box, src/cpu/codegen_timing_pentium.c, opcode_timings_d8 … _df (FPU_CYCLES),
//          which follow [AGNER]; used where the two sources above are silent.
//
// What `clocks` means: the clocks Intel's table gives for the instruction executed on its
// own, i.e. including the latency of its result (FADD 3, FDIV 39). The P5 overlaps two of
// FADD/FMUL's three clocks with independent FP work and 38 of FDIV's 39 with integer
// code; `throughput` gives the issue cost when that overlap happens, for a model that
// tracks FP dependencies. x87 code from gcc is mostly dependent chains on ST(0), which is
// why `clocks` is the default charge.
//
// Where ranges are given: transcendental ranges depend on the argument; we take [AGNER]'s
// measured typical value (same as [86BOX]). FXTRACT, FSCALE, FRNDINT, FPREM(1): the upper
// ends of Intel's ranges are for denormal or special operands and large exponent
// differences; we take the lower end (the libm uses have small exponent differences).

export interface X87Timing {
  /** clocks charged for the instruction (Intel's figure: result latency for pipelined ops) */
  clocks: number;
  /** issue cost when the FPU pipeline overlaps the latency (1 for FADD/FMUL, = clocks otherwise) */
  throughput: number;
  /**
   * For an ordinary instruction: it may be followed by an FXCH paired in the V pipe
   * (Intel's "FX" class). For FXCH itself: true (it pairs in V behind such an instruction
   * and then costs 0 clocks).
   */
  fxchPairable: boolean;
  /** this form is FXCH */
  isFxch: boolean;
  source: string;
}

type Row = readonly [clocks: number, throughput: number, fx: boolean, source: string];

const FADD: Row = [3, 1, true, '[INTEL] 3/1 FX; [AGNER] 3, fp-ov 2'];
const FMUL: Row = [3, 1, true, '[INTEL] 3/1 FX; [AGNER] 3, fp-ov 2 (back-to-back FMULs issue every 2nd clock [AGNER] n)'];
const FDIV: Row = [39, 39, true, '[INTEL] 39; [AGNER] 19/33/39 by precision control, 38 clocks overlap integer code'];
const FCOM: Row = [1, 1, true, '[AGNER] 1 + (Intel lists 4/1: the 4 counts the FNSTSW that reads it)'];
const FIARITH: Row = [6, 4, false, '[AGNER] 6 np, i-ov 2; [86BOX] 6'];
const FIDIV: Row = [42, 42, false, '[AGNER] 22/36/42 by precision control; [INTEL] 42'];
const FICOM: Row = [4, 4, false, '[AGNER] 4 np; [INTEL] 8/4'];
const FLD: Row = [1, 1, true, '[INTEL] 1 FX; [AGNER] 1 +'];
const FST: Row = [2, 2, false, '[AGNER] 2 np (m32/m64); [INTEL] 2'];
const FSTREG: Row = [1, 1, false, '[AGNER] FST(P) r 1 np'];
const FILD: Row = [3, 1, false, '[AGNER] 3 np, i-ov 2'];
const FIST: Row = [6, 6, false, '[AGNER] 6 np; [INTEL] 6'];
const FLD80: Row = [3, 3, false, '[AGNER] FLD m80 3 np'];
const FST80: Row = [3, 3, false, '[AGNER] FSTP m80 3 np'];
const FNSTSW: Row = [6, 6, false, '[AGNER] FNSTSW AX/m16 6 q); [86BOX] 6 (Intel lists 2: without the wait for pending FCOM results)'];
const FXCH: Row = [1, 1, true, '[INTEL] 1, 0 when paired in V with an FX instruction; [AGNER]'];
const UD: Row = [1, 1, false, 'undefined on the P5 (#UD)'];

const ARITH_ROWS: readonly Row[] = [FADD, FMUL, FCOM, FCOM, FADD, FADD, FDIV, FDIV];
const IARITH_ROWS: readonly Row[] = [FIARITH, FIARITH, FICOM, FICOM, FIARITH, FIARITH, FIDIV, FIDIV];

/** Memory forms, indexed [opcode − 0xD8][ModRM.reg]. */
const MEM: readonly (readonly Row[])[] = [
  ARITH_ROWS, // D8 m32real
  [
    FLD,
    UD,
    FST,
    FST,
    [37, 37, false, '[INTEL] FLDENV 37 (PM 32-bit); [86BOX] 32'],
    [8, 8, false, '[AGNER] FLDCW 8 np; [INTEL] 8'],
    [48, 48, false, '[INTEL] FNSTENV 48–50; [86BOX] 48'],
    [2, 2, false, '[AGNER] FNSTCW 2 np; [INTEL] 2'],
  ], // D9
  IARITH_ROWS, // DA m32int
  [FILD, UD, FIST, FIST, UD, FLD80, UD, FST80], // DB
  ARITH_ROWS, // DC m64real
  [
    FLD,
    UD,
    FST,
    FST,
    [70, 70, false, '[INTEL] FRSTOR 70–95 (PM); [86BOX] 70'],
    UD,
    [127, 127, false, '[INTEL] FNSAVE 124–300; [86BOX] 127 (no reference for a typical value: lower region)'],
    FNSTSW,
  ], // DD
  IARITH_ROWS, // DE m16int
  [
    FILD,
    UD,
    FIST,
    FIST,
    [48, 48, false, '[INTEL] FBLD 48–58; [AGNER] 48–58: lower end'],
    FILD,
    [148, 148, false, '[INTEL] FBSTP 148–154; [AGNER]: lower end'],
    FIST,
  ], // DF
];

/** D9 register forms E0–FF, indexed by ModRM − 0xE0. */
const D9_E0: readonly Row[] = [
  [1, 1, true, '[INTEL] FCHS 1 FX; [AGNER] 1 +'],
  [1, 1, true, '[INTEL] FABS 1 FX; [AGNER] 1 +'],
  UD,
  UD,
  [1, 1, false, '[AGNER] FTST 1 np; [86BOX] np'],
  [21, 21, false, '[INTEL] FXAM 17–21; [AGNER] 17–21; [86BOX] 21'],
  UD,
  UD,
  [2, 2, false, '[AGNER] FLD1 2 np; [INTEL] 2'],
  [5, 3, false, '[AGNER] FLDL2T 5 s), i-ov 2; [INTEL] 5/3'],
  [5, 3, false, '[AGNER] FLDL2E 5 s); [INTEL] 5/3'],
  [5, 3, false, '[AGNER] FLDPI 5 s); [INTEL] 5/3'],
  [5, 3, false, '[AGNER] FLDLG2 5 s); [INTEL] 5/3'],
  [5, 3, false, '[AGNER] FLDLN2 5 s); [INTEL] 5/3'],
  [2, 2, false, '[AGNER] FLDZ 2 np; [INTEL] 2'],
  UD,
  [53, 53, false, '[INTEL] F2XM1 13–57; [AGNER] 53–59 typical; [86BOX] 53'],
  [103, 103, false, '[INTEL] FYL2X 22–111; [AGNER] 103 typical; [86BOX] 103'],
  [120, 120, false, '[INTEL] FPTAN 17–173; [AGNER] 120–147 typical; [86BOX] 120'],
  [112, 112, false, '[INTEL] FPATAN 17–173; [AGNER] 112–134 typical; [86BOX] 112'],
  [12, 12, false, '[INTEL] FXTRACT 12–66; [AGNER] 12–66: lower end (normal operands)'],
  [20, 20, false, '[INTEL] FPREM1 20–70; [AGNER] 20–70: lower end (small exponent difference)'],
  [2, 2, false, '[INTEL] FDECSTP 2; [86BOX] 2'],
  [2, 2, false, '[INTEL] FINCSTP 2; [86BOX] 2'],
  [16, 16, false, '[INTEL] FPREM 16–64; [AGNER] 16–64: lower end (small exponent difference)'],
  [105, 105, false, '[INTEL] FYL2XP1 22–103; [AGNER] 105 typical'],
  [70, 70, false, '[INTEL] FSQRT 70; [AGNER] 70, 69 clocks overlap integer code'],
  [89, 89, false, '[INTEL] FSINCOS 17–137; [AGNER] 89–112 typical; [86BOX] 89'],
  [9, 9, false, '[INTEL] FRNDINT 9–20; [AGNER] 9–20: lower end; [86BOX] 9'],
  [20, 20, false, '[INTEL] FSCALE 20–31; [AGNER] 20–32: lower end; [86BOX] 20'],
  [65, 65, false, '[INTEL] FSIN 16–126; [AGNER] 65–100 typical; [86BOX] 65'],
  [65, 65, false, '[INTEL] FCOS 16–126; [AGNER] 65–100 typical; [86BOX] 65'],
];

function registerRow(opcode: number, modrm: number): Row {
  const reg = (modrm >>> 3) & 7;
  switch (opcode) {
    case 0xd8:
    case 0xdc:
      return ARITH_ROWS[reg]!; // DC D0–DF are the FCOM/FCOMP aliases
    case 0xde:
      if (reg === 3) return modrm === 0xd9 ? FCOM : UD; // FCOMPP
      return ARITH_ROWS[reg]!;
    case 0xd9:
      if (modrm >= 0xe0) return D9_E0[modrm - 0xe0]!;
      if (reg === 0) return FLD;
      if (reg === 1) return FXCH;
      if (reg === 2) return modrm === 0xd0 ? [1, 1, false, '[INTEL] FNOP 1'] : UD;
      return FSTREG; // FSTP1 alias
    case 0xda:
      return modrm === 0xe9 ? FCOM : UD; // FUCOMPP
    case 0xdb:
      switch (modrm) {
        case 0xe2:
          return [9, 9, false, '[INTEL] FNCLEX 9'];
        case 0xe3:
          return [12, 12, false, '[INTEL] FNINIT 12 (FINIT 16 includes the WAIT); [86BOX] 17 with WAIT'];
        case 0xe0:
        case 0xe1:
        case 0xe4:
          return [1, 1, false, 'FENI/FDISI/FSETPM execute as FNOP on the 387 and later: [INTEL] FNOP 1'];
        default:
          return UD;
      }
    case 0xdd:
      switch (reg) {
        case 0:
          return [2, 2, false, '[86BOX] FFREE 2; [INTEL] 1–2'];
        case 1:
          return FXCH;
        case 2:
        case 3:
          return FSTREG;
        case 4:
        case 5:
          return FCOM; // FUCOM / FUCOMP
        default:
          return UD;
      }
    case 0xdf:
      switch (reg) {
        case 0:
          return [2, 2, false, 'FFREEP: as FFREE, [86BOX] 2'];
        case 1:
          return FXCH;
        case 2:
        case 3:
          return FSTREG;
        case 4:
          return modrm === 0xe0 ? FNSTSW : UD;
        default:
          return UD;
      }
    default:
      return UD;
  }
}

/**
 * Clocks of an x87 form. `pc` is the precision-control field (0 single, 2 double, 3
 * extended): FDIV and FIDIV take 19/33/39 and 22/36/42 clocks by precision [AGNER].
 */
export function x87Timing(opcode: number, modrm: number, isMem: boolean, pc = 3): X87Timing {
  if (opcode < 0xd8 || opcode > 0xdf) throw new Error(`x87Timing: opcode ${opcode.toString(16)} is not an x87 escape`);
  const row = isMem ? MEM[opcode - 0xd8]![(modrm >>> 3) & 7]! : registerRow(opcode, modrm);
  let [clocks, throughput] = row;
  if (row === FDIV || row === FIDIV) {
    const adjust = pc === 0 ? -20 : pc === 2 ? -6 : 0; // 39 → 19 / 33 / 39
    clocks += adjust;
    throughput += adjust;
  }
  return { clocks, throughput, fxchPairable: row[2], isFxch: row === FXCH, source: row[3] };
}
