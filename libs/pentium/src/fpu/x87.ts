// The x87 FPU of the emulated Pentium (P54C).
//
// Registers are JS doubles, plus an exact 80-bit image ("raw") per register, kept whenever
// the value is not exactly a double: an m80 load, an m64 integer beyond 2^53, FLDPI & co.,
// FRSTOR, a result rounded to 64 bits (PC = extended) or outside the double's exponent
// range, and every NaN (so payloads, signs and SNaN/QNaN survive). Moves (FLD ST(i),
// FST ST(i), FXCH, FCHS, FABS) keep the image.
//
// Fast path: when no operand has an image and the precision is 53 (what the guest libc
// sets) or 24 bits, + − × ÷ √ are JS double operations plus an error-free transformation
// that yields the inexact flag and directed rounding (x87-arith.ts). Otherwise (an 80-bit
// operand, or an inexact result at 64-bit precision, or a result beyond the double range)
// the exact result is formed with BigInt and rounded once as the x87 rounds it.
// Checked against 10183 vectors from a real x87 (x87-vectors.spec.ts): arithmetic with
// m64/m32/m32int/m16int operands, conversions, compares, FPREM/FSCALE/FXTRACT/FRNDINT,
// FIST, FXAM, FILD m64 + FADD, at 24/53/64-bit precision in all rounding modes, bit for
// bit with the status word; transcendentals within 2 ulps.
//
// What differs from a P54C:
//
// - C1 after arithmetic ("rounded up") is reported as 0.
// - Unmasked exceptions set ES and B (errorPending) but the masked response is still
//   delivered (the hardware would leave the destination unchanged for IE/ZE); whether ES
//   becomes #MF (CR0.NE = 1) or IRQ13 is the CPU's business.
// - Speed, not results: at PC = 64 (the FNINIT default, before a libc sets 53 bits) every
//   inexact + − × ÷ √ takes the BigInt path, roughly 10× slower than the fast path.
// - Transcendentals of a register holding an 80-bit image use its double view.
// - Transcendentals (FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1) evaluate
//   with the JS Math library (fdlibm-quality) where the P5 microcode works in extended
//   precision: results agree with a real x87 within 2 ulps, not bit for bit. FSIN/FCOS/
//   FSINCOS/FPTAN reduce their argument with the x87's own 66-bit π (x87-trig.ts), so the
//   hardware's large errors near multiples of π are reproduced (sin(double π) is
//   bit-identical). Out-of-domain F2XM1 (|x| > 1) leaves ST(0) unchanged, as the
//   reference x87 does; FYL2XP1 for x ≤ −1, "undefined" per Intel, gives the indefinite.
// - FPREM/FPREM1 reduce partially when the exponents differ by 64 or more (C2 = 1), with
//   N = 32 + D mod 32 for Intel's "implementation-dependent N" (what the reference x87
//   does; the P5's own N is not documented).
// - The environment image (FNSTENV/FNSAVE/FLDENV/FRSTOR) is the 32-bit protected-mode
//   format only (no 16-bit or real-mode layout); FIP/FCS/FDS are what the CPU supplies
//   through setInstructionPointer (0 otherwise) and FDP is the linear address of the last
//   memory operand (equal to the offset in flat segments).

import { FPU_VECTOR_UD, type FpuHost } from './fpu-host';
import {
  RoundingMode,
  decompose,
  doubleFromWords,
  doubleHi,
  doubleLo,
  exponentOf,
  floatBits,
  floatFromBits,
  ldexpExact,
  roundDouble,
  roundFlags,
} from './float-bits';
import {
  Ext,
  ExtClass,
  INDEFINITE_HI,
  INDEFINITE_LO,
  INDEFINITE_SE,
  extClass,
  extFromBigInt,
  extFromDouble,
  extFromDoubleBits,
  extNaNToDoubleWords,
  extNaNToFloatBits,
  extRoundToBigInt,
  extToBig,
  extToNumber,
  roundBigToExt,
} from './ext80';
import { x87Timing } from './x87-timing';
import { x87Cos, x87Sin, x87Tan } from './x87-trig';
import {
  DE,
  IE,
  OE,
  Op,
  PE,
  UE,
  ZE,
  addIO,
  arithExc,
  arithExactToExt,
  arithIO,
  divIO,
  mulIO,
  type ExactValue,
  fsqrt,
  precisionBits,
  roundToIntegral,
} from './x87-arith';

export const SW_SF = 0x40;
export const SW_ES = 0x80;
export const SW_C0 = 0x100;
export const SW_C1 = 0x200;
export const SW_C2 = 0x400;
export const SW_C3 = 0x4000;
export const SW_B = 0x8000;
const SW_CC = SW_C0 | SW_C1 | SW_C2 | SW_C3;
export const CW_DEFAULT = 0x037f;

/** Extended constants for FLD1 … FLDLN2: significand (64 bits) and the next 32 bits, exponent. */
interface FpuConstant {
  exp: number;
  hi: number;
  lo: number;
  /** the 32 bits after the significand (decide rounding per RC) */
  next: number;
}
// Values checked against 200-bit evaluations (mpmath) of π, log2(e), log2(10), log10(2), ln(2).
const K_PI: FpuConstant = { exp: 1, hi: 0xc90fdaa2, lo: 0x2168c234, next: 0xc4c6628b };
const K_L2E: FpuConstant = { exp: 0, hi: 0xb8aa3b29, lo: 0x5c17f0bb, next: 0xbe87fed0 };
const K_L2T: FpuConstant = { exp: 1, hi: 0xd49a784b, lo: 0xcd1b8afe, next: 0x492bf6ff };
const K_LG2: FpuConstant = { exp: -2, hi: 0x9a209a84, lo: 0xfbcff798, next: 0x8f8959ac };
const K_LN2: FpuConstant = { exp: -1, hi: 0xb17217f7, lo: 0xd1cf79ab, next: 0xc9e3b398 };

const TWO63 = 9223372036854775808;

export class X87 {
  /** control word */
  cw = CW_DEFAULT;
  /** status word without TOP (bits 11–13 kept 0 here) */
  private swf = 0;
  /** stack top (physical register index of ST(0)) */
  top = 0;
  /** physical registers */
  readonly regs = new Float64Array(8);
  /** bit p set: physical register p is empty */
  emptyMask = 0xff;
  /** bit p set: rawSe/rawHi/rawLo[p] hold the register's exact 80-bit image */
  rawMask = 0;
  readonly rawSe = new Uint16Array(8);
  readonly rawHi = new Uint32Array(8);
  readonly rawLo = new Uint32Array(8);
  /** last instruction/operand pointers and opcode, as FNSTENV stores them */
  fip = 0;
  fcs = 0;
  fdp = 0;
  fds = 0;
  fop = 0;
  private nextIp = 0;
  private nextCs = 0;
  private nextDs = 0;

  /**
   * A denormal m32/m64 operand was fetched. DE is a pre-computation exception of lower
   * priority than IE and ZE: it is reported only if the operation raises neither (Intel SDM
   * vol. 1 §4.9.2; checked against a real x87: denormal ÷ 0 reports ZE alone).
   */
  private pendingDE = false;

  /** operand values passed between the dispatch and the arithmetic without boxing: [0] destination, [1] source */
  private readonly fv = new Float64Array(2);

  private readonly a = new Ext();
  private readonly b = new Ext();
  private readonly t = new Ext();

  /** Status word including TOP. */
  get sw(): number {
    return (this.swf & ~0x3800) | (this.top << 11);
  }
  set sw(v: number) {
    this.swf = v & 0xc7ff;
    this.top = (v >>> 11) & 7;
  }

  /** An unmasked exception is pending (ES): the CPU raises #MF / IRQ13 at the next waiting FP instruction. */
  get errorPending(): boolean {
    return (this.swf & SW_ES) !== 0;
  }

  /** The full tag word (2 bits per physical register: 00 valid, 01 zero, 10 special, 11 empty). */
  get tagWord(): number {
    let tw = 0;
    for (let p = 0; p < 8; p++) tw |= this.tagOf(p) << (2 * p);
    return tw;
  }

  /** Optional: the CPU tells the FPU where the instruction about to execute lives (for FNSTENV). */
  setInstructionPointer(cs: number, eip: number, ds = 0): void {
    this.nextCs = cs;
    this.nextIp = eip;
    this.nextDs = ds;
  }

  /** Clocks of a form under the current precision control (FDIV depends on it): see x87-timing.ts. */
  clocks(opcode: number, modrm: number): number {
    return x87Timing(opcode, modrm, modrm < 0xc0, (this.cw >>> 8) & 3).clocks;
  }

  /**
   * FNINIT state. (A hardware RESET leaves CW = 0040h and all tags valid-zero on the P5;
   * every OS executes FNINIT before use, so the CPU's reset uses this state too.)
   */
  reset(): void {
    this.cw = CW_DEFAULT;
    this.swf = 0;
    this.top = 0;
    this.emptyMask = 0xff;
    this.rawMask = 0;
    this.fip = this.fcs = this.fdp = this.fds = this.fop = 0;
  }

  // ---------------------------------------------------------------- register file

  /** ST(i) as a double (NaN for NaN/unsupported). */
  st(i: number): number {
    return this.regs[(this.top + i) & 7]!;
  }
  isEmpty(i: number): boolean {
    return ((this.emptyMask >> ((this.top + i) & 7)) & 1) === 1;
  }

  private tagOf(p: number): number {
    if ((this.emptyMask >> p) & 1) return 3;
    if ((this.rawMask >> p) & 1) {
      const c = extClass(this.rawSe[p]!, this.rawHi[p]!, this.rawLo[p]!);
      return c === ExtClass.Zero ? 1 : c === ExtClass.Normal ? 0 : 2;
    }
    const v = this.regs[p]!;
    return v === 0 ? 1 : v - v === 0 ? 0 : 2;
  }

  /** Write ST(i) from a double; a NaN written this way is a generated NaN: the indefinite. */
  private setST(i: number, v: number): void {
    const p = (this.top + i) & 7;
    this.regs[p] = v;
    this.emptyMask &= ~(1 << p);
    if (v === v) {
      this.rawMask &= ~(1 << p);
    } else {
      this.rawSe[p] = INDEFINITE_SE;
      this.rawHi[p] = INDEFINITE_HI;
      this.rawLo[p] = INDEFINITE_LO;
      this.rawMask |= 1 << p;
    }
  }

  /** Write ST(i) from an exact extended value (keeps the image when a double cannot hold it). */
  private setSTExt(i: number, x: Ext): void {
    this.setPhysExt((this.top + i) & 7, x.se, x.hi, x.lo);
  }

  private setPhysExt(p: number, se: number, hi: number, lo: number): void {
    const v = extToNumber(se, hi, lo);
    this.regs[p] = v;
    this.emptyMask &= ~(1 << p);
    if (v !== v || roundFlags.inexact || roundFlags.overflow || extClass(se, hi, lo) === ExtClass.Denormal) {
      this.rawSe[p] = se;
      this.rawHi[p] = hi;
      this.rawLo[p] = lo;
      this.rawMask |= 1 << p;
    } else {
      this.rawMask &= ~(1 << p);
    }
  }

  /** The exact extended image of ST(i) into x. */
  private extOf(i: number, x: Ext): Ext {
    return this.extOfPhys((this.top + i) & 7, x);
  }
  private extOfPhys(p: number, x: Ext): Ext {
    if ((this.rawMask >> p) & 1) return x.set(this.rawSe[p]!, this.rawHi[p]!, this.rawLo[p]!);
    return extFromDouble(this.regs[p]!, x);
  }

  private copyReg(fromI: number, toI: number): void {
    const pf = (this.top + fromI) & 7;
    const pt = (this.top + toI) & 7;
    this.regs[pt] = this.regs[pf]!;
    this.emptyMask &= ~(1 << pt);
    if ((this.rawMask >> pf) & 1) {
      this.rawSe[pt] = this.rawSe[pf]!;
      this.rawHi[pt] = this.rawHi[pf]!;
      this.rawLo[pt] = this.rawLo[pf]!;
      this.rawMask |= 1 << pt;
    } else {
      this.rawMask &= ~(1 << pt);
    }
  }

  private pop(): void {
    this.emptyMask |= 1 << this.top;
    this.top = (this.top + 1) & 7;
  }

  /** Make room for a push; on overflow raise IE/SF/C1 (the masked response writes the indefinite). */
  private pushCheck(): boolean {
    const p = (this.top - 1) & 7;
    if ((this.emptyMask >> p) & 1) return true;
    this.raise(IE | SW_SF);
    this.swf |= SW_C1;
    return false;
  }

  private pushValue(v: number): void {
    const ok = this.pushCheck();
    this.top = (this.top - 1) & 7;
    this.setST(0, ok ? v : NaN);
  }
  private pushExt(x: Ext): void {
    const ok = this.pushCheck();
    this.top = (this.top - 1) & 7;
    if (ok) this.setSTExt(0, x);
    else this.setST(0, NaN);
  }

  private underflow(): void {
    this.raise(IE | SW_SF);
    this.swf &= ~SW_C1;
  }

  private raise(bits: number): void {
    this.swf |= bits;
    if (bits & ~this.cw & 0x3f) this.swf |= SW_ES | SW_B;
  }

  private updateSummary(): void {
    if (this.swf & ~this.cw & 0x3f) this.swf |= SW_ES | SW_B;
    else this.swf &= ~(SW_ES | SW_B);
  }

  private get rc(): RoundingMode {
    return (this.cw >>> 10) & 3;
  }
  private get prec(): number {
    return precisionBits((this.cw >>> 8) & 3);
  }

  // ---------------------------------------------------------------- operand fetch
  // Each returns the value as a double; a NaN operand leaves its extended image in `x`.

  /** Set by regOperand: the register had an exact 80-bit image (now in its `x`). */
  private lastRaw = false;

  private regOperand(i: number, x: Ext): number {
    const p = (this.top + i) & 7;
    const v = this.regs[p]!;
    this.lastRaw = ((this.rawMask >> p) & 1) === 1;
    if (this.lastRaw) x.set(this.rawSe[p]!, this.rawHi[p]!, this.rawLo[p]!);
    return v;
  }

  /** The exact value of an operand: its 80-bit image if it has one, else its double. */
  private static exact(v: number, x: Ext, raw: boolean): ExactValue {
    if (raw) return extToBig(x.se, x.hi, x.lo);
    return v === 0 ? { neg: Object.is(v, -0), m: 0n, e: 0 } : decompose(v);
  }

  private m32Operand(host: FpuHost, la: number, x: Ext): number {
    const bits = host.readLinear32(la);
    const v = floatFromBits(bits);
    if (v !== v) {
      x.set(((bits >>> 31) << 15) | 0x7fff, 0x80000000 | ((bits & 0x7fffff) << 8), 0);
    } else if (v !== 0 && (bits & 0x7f800000) === 0) {
      this.pendingDE = true;
    }
    return v;
  }

  private m64Operand(host: FpuHost, la: number, x: Ext): number {
    const lo = host.readLinear32(la);
    const hi = host.readLinear32(la + 4);
    const v = doubleFromWords(lo, hi);
    if (v !== v) {
      extFromDoubleBits(lo, hi, x);
    } else if (v !== 0 && (hi & 0x7ff00000) === 0) {
      this.pendingDE = true;
    }
    return v;
  }

  // ---------------------------------------------------------------- NaN rules

  private static isSNaN(x: Ext): boolean {
    return (x.hi & 0x40000000) === 0;
  }

  /**
   * The result of an operation with at least one NaN (or unsupported) operand, into `this.t`:
   * IE for SNaN/unsupported; the quieted NaN, the larger significand of two (Intel SDM vol. 1,
   * table 4-7). Returns whether an invalid exception was raised.
   */
  private nanResult(av: number, ax: Ext, bv: number, bx: Ext, haveB: boolean): void {
    const aNaN = av !== av;
    const bNaN = haveB && bv !== bv;
    const aUns = aNaN && extClass(ax.se, ax.hi, ax.lo) === ExtClass.Unsupported;
    const bUns = bNaN && extClass(bx.se, bx.hi, bx.lo) === ExtClass.Unsupported;
    if (aUns || bUns) {
      this.raise(IE);
      this.t.set(INDEFINITE_SE, INDEFINITE_HI, INDEFINITE_LO);
      return;
    }
    if ((aNaN && X87.isSNaN(ax)) || (bNaN && X87.isSNaN(bx))) this.raise(IE);
    let pick: Ext;
    if (aNaN && bNaN) {
      const am = (ax.hi & 0x3fffffff) * 4294967296 + ax.lo;
      const bm = (bx.hi & 0x3fffffff) * 4294967296 + bx.lo;
      pick = bm > am ? bx : ax;
    } else {
      pick = aNaN ? ax : bx;
    }
    this.t.set(pick.se, pick.hi | 0x40000000, pick.lo);
  }

  // ---------------------------------------------------------------- arithmetic

  /**
   * dst ← dst op src, for op = ModRM.reg of the D8 group: 0 add, 1 mul, 4 sub (dst − src),
   * 5 subr (src − dst), 6 div (dst ÷ src), 7 divr (src ÷ dst). Operands already fetched:
   * dv/this.a is the destination's value, sv/this.b the source's.
   */
  private arith(op: number, dstI: number, dRaw: boolean, sRaw: boolean): void {
    const dv = this.fv[0]!;
    const sv = this.fv[1]!;
    if (dv !== dv || sv !== sv) {
      this.pendingDE = false;
      this.nanResult(dv, this.a, sv, this.b, true);
      this.setSTExt(dstI, this.t);
      return;
    }
    const prec = this.prec;
    const rc = this.rc;
    // A register with an 80-bit image (never 0 or ∞) enters the fast double path only
    // as a same-signed proxy, for the cases where the other operand decides the result.
    const other = dRaw ? sv : dv;
    const special = other === Infinity || other === -Infinity || (other === 0 && op !== 0 && op !== 4 && op !== 5);
    if ((!dRaw && !sRaw) || special) {
      const d = dRaw ? (this.a.se >= 0x8000 ? -1 : 1) : dv;
      const s = sRaw ? (this.b.se >= 0x8000 ? -1 : 1) : sv;
      const p = prec === 64 ? 53 : prec;
      // operands through arithIO: nothing is boxed on this path
      const io = arithIO;
      switch (op) {
        case 0:
          io[0] = d;
          io[1] = s;
          addIO(p, rc);
          break;
        case 1:
          io[0] = d;
          io[1] = s;
          mulIO(p, rc);
          break;
        case 4:
          io[0] = d;
          io[1] = -s;
          addIO(p, rc);
          break;
        case 5:
          io[0] = s;
          io[1] = -d;
          addIO(p, rc);
          break;
        case 6:
          io[0] = d;
          io[1] = s;
          divIO(p, rc);
          break;
        default:
          io[0] = s;
          io[1] = d;
          divIO(p, rc);
          break;
      }
      const r = io[2]!;
      const exc = arithExc.bits;
      if (special || !(exc & (UE | OE | (prec === 64 ? PE : 0)))) {
        this.swf &= ~SW_C1;
        if (this.pendingDE && !(exc & (IE | ZE))) this.raise(DE);
        if (exc) this.raise(exc);
        this.setST(dstI, r);
        return;
      }
    }
    // The exact operands rounded once as the x87 does: 80-bit operands, 64-bit precision,
    // or a result beyond the double's exponent range (which the register keeps with its
    // 15-bit exponent, raising UE/OE only when stored).
    const x = X87.exact(dv, this.a, dRaw);
    const y = X87.exact(sv, this.b, sRaw);
    switch (op) {
      case 0:
        arithExactToExt(Op.Add, x, y, prec, rc, this.t);
        break;
      case 1:
        arithExactToExt(Op.Mul, x, y, prec, rc, this.t);
        break;
      case 4:
        arithExactToExt(Op.Add, x, { ...y, neg: !y.neg }, prec, rc, this.t);
        break;
      case 5:
        arithExactToExt(Op.Add, y, { ...x, neg: !x.neg }, prec, rc, this.t);
        break;
      case 6:
        arithExactToExt(Op.Div, x, y, prec, rc, this.t);
        break;
      default:
        arithExactToExt(Op.Div, y, x, prec, rc, this.t);
        break;
    }
    this.swf &= ~SW_C1;
    if (this.pendingDE) this.raise(DE);
    if (arithExc.bits) this.raise(arithExc.bits);
    this.setSTExt(dstI, this.t);
  }

  // ---------------------------------------------------------------- comparisons

  private setCC(c3: number, c2: number, c0: number): void {
    this.swf = (this.swf & ~SW_CC) | (c3 ? SW_C3 : 0) | (c2 ? SW_C2 : 0) | (c0 ? SW_C0 : 0);
  }

  /** FCOM/FUCOM family: ST(0) against a source. `quiet` = FUCOM (QNaNs do not raise IE). */
  private compare(av: number, sv: number, quiet: boolean, aRaw: boolean, sRaw: boolean): void {
    if (av !== av || sv !== sv) {
      this.pendingDE = false;
      const aBad = av !== av && (!quiet || X87.isSNaN(this.a) || extClass(this.a.se, this.a.hi, this.a.lo) === ExtClass.Unsupported);
      const bBad = sv !== sv && (!quiet || X87.isSNaN(this.b) || extClass(this.b.se, this.b.hi, this.b.lo) === ExtClass.Unsupported);
      if (aBad || bBad) this.raise(IE);
      this.setCC(1, 1, 1);
      return;
    }
    if (this.pendingDE) this.raise(DE);
    let c: number;
    if (aRaw || sRaw) {
      // 80-bit images (always finite, even when the double view is ∞) compared exactly
      if (!aRaw && av - av !== 0) c = av > 0 ? 1 : -1;
      else if (!sRaw && sv - sv !== 0) c = sv > 0 ? -1 : 1;
      else c = X87.compareExact(X87.exact(av, this.a, aRaw), X87.exact(sv, this.b, sRaw));
    } else {
      c = av > sv ? 1 : av < sv ? -1 : 0;
    }
    if (c > 0) this.setCC(0, 0, 0);
    else if (c < 0) this.setCC(0, 0, 1);
    else this.setCC(1, 0, 0);
  }

  private static compareExact(x: ExactValue, y: ExactValue): number {
    const sx = x.m === 0n ? 0 : x.neg ? -1 : 1;
    const sy = y.m === 0n ? 0 : y.neg ? -1 : 1;
    if (sx !== sy) return sx > sy ? 1 : -1;
    if (sx === 0) return 0;
    const e = Math.min(x.e, y.e);
    const mx = x.m << BigInt(x.e - e);
    const my = y.m << BigInt(y.e - e);
    const mag = mx > my ? 1 : mx < my ? -1 : 0;
    return sx * mag;
  }

  private compareEmptyFault(): void {
    this.underflow();
    this.setCC(1, 1, 1);
  }

  // ---------------------------------------------------------------- stores

  /** ST(0) as a single (bits), with the store's rounding and exceptions. */
  private st0AsFloatBits(): number {
    if (this.isEmpty(0)) {
      this.underflow();
      return 0xffc00000;
    }
    const p = this.top;
    const v = this.regs[p]!;
    if (v !== v) {
      this.extOf(0, this.a);
      if (extClass(this.a.se, this.a.hi, this.a.lo) === ExtClass.Unsupported) {
        this.raise(IE);
        return 0xffc00000;
      }
      if (X87.isSNaN(this.a)) this.raise(IE);
      return (extNaNToFloatBits(this.a.se, this.a.hi) | 0x400000) >>> 0;
    }
    let f: number;
    if ((this.rawMask >> p) & 1) f = extToNumber(this.rawSe[p]!, this.rawHi[p]!, this.rawLo[p]!, 24, -126, 127, this.rc);
    else f = roundDouble(v, 24, -126, 127, this.rc);
    this.storeFlags();
    return floatBits(f);
  }

  private storeFlags(): void {
    let bits = 0;
    if (roundFlags.inexact) bits |= PE;
    if (roundFlags.overflow) bits |= OE | PE;
    if (roundFlags.underflow) bits |= UE;
    if (bits) this.raise(bits);
  }

  /** ST(0) as a double's two words [lo, hi] into out. */
  private st0AsDoubleWords(out: Uint32Array): void {
    if (this.isEmpty(0)) {
      this.underflow();
      out[0] = 0;
      out[1] = 0xfff80000;
      return;
    }
    const p = this.top;
    const v = this.regs[p]!;
    if (v !== v) {
      this.extOf(0, this.a);
      if (extClass(this.a.se, this.a.hi, this.a.lo) === ExtClass.Unsupported) {
        this.raise(IE);
        out[0] = 0;
        out[1] = 0xfff80000;
        return;
      }
      if (X87.isSNaN(this.a)) this.raise(IE);
      const w = extNaNToDoubleWords(this.a.se, this.a.hi | 0x40000000, this.a.lo);
      out[0] = w.lo;
      out[1] = w.hi;
      return;
    }
    let d = v;
    if ((this.rawMask >> p) & 1) {
      d = extToNumber(this.rawSe[p]!, this.rawHi[p]!, this.rawLo[p]!, 53, -1022, 1023, this.rc);
      this.storeFlags();
    } else if (v !== 0 && Math.abs(v) < 2.2250738585072014e-308 && !(this.cw & UE)) {
      this.raise(UE); // tiny and exact: reported only when UE is unmasked (IEEE 754 §7.5)
    }
    out[0] = doubleLo(d);
    out[1] = doubleHi(d);
  }

  /**
   * ST(0) rounded to an integer of `bits` (16/32/64) under RC, as a BigInt-free pair when
   * possible. Returns null for the integer indefinite (IE raised).
   */
  private st0AsInteger(bits: number): bigint | number | null {
    if (this.isEmpty(0)) {
      this.underflow();
      return null;
    }
    const p = this.top;
    const v = this.regs[p]!;
    const limit = bits === 16 ? 32768 : bits === 32 ? 2147483648 : TWO63;
    if ((this.rawMask >> p) & 1) {
      const se = this.rawSe[p]!;
      const cls = extClass(se, this.rawHi[p]!, this.rawLo[p]!);
      if (cls === ExtClass.NaN || cls === ExtClass.Unsupported || cls === ExtClass.Infinity) {
        this.raise(IE);
        return null;
      }
      const r = extRoundToBigInt(se, this.rawHi[p]!, this.rawLo[p]!, this.rc);
      const lim = BigInt(limit);
      if (r.n >= lim || r.n < -lim) {
        this.raise(IE);
        return null;
      }
      if (r.inexact) this.raise(PE);
      return r.n;
    }
    if (v !== v || v === Infinity || v === -Infinity) {
      this.raise(IE);
      return null;
    }
    const r = roundToIntegral(v, this.rc);
    if (r >= limit || r < -limit) {
      this.raise(IE);
      return null;
    }
    if (r !== v) this.raise(PE);
    return r;
  }

  private readonly words = new Uint32Array(2);

  // ---------------------------------------------------------------- execute

  /**
   * Execute one x87 instruction. `opcode` is 0xD8–0xDF, `modrm` its ModRM byte, `la` the
   * linear address of the memory operand (−1 for register forms). Memory operands are
   * read before any FPU state changes, so a fault leaves the FPU untouched.
   */
  execute(host: FpuHost, opcode: number, modrm: number, la: number): void {
    this.pendingDE = false;
    const reg = (modrm >>> 3) & 7;
    const rm = modrm & 7;
    // The pointers FNSTENV reports are those of the last non-control instruction, set
    // once it has completed (a fault or #UD leaves them as they were).
    if (modrm < 0xc0) {
      this.executeMem(host, opcode, reg, la);
      if (!X87.isControlMem(opcode, reg)) {
        this.fop = ((opcode & 7) << 8) | modrm;
        this.fip = this.nextIp;
        this.fcs = this.nextCs;
        this.fdp = la >>> 0;
        this.fds = this.nextDs;
      }
    } else {
      this.executeReg(host, opcode, modrm, reg, rm);
      if (!(opcode === 0xdb && (modrm === 0xe2 || modrm === 0xe3)) && !(opcode === 0xdf && modrm === 0xe0)) {
        this.fop = ((opcode & 7) << 8) | modrm;
        this.fip = this.nextIp;
        this.fcs = this.nextCs;
      }
    }
  }

  private static isControlMem(opcode: number, reg: number): boolean {
    return (opcode === 0xd9 && reg >= 4) || (opcode === 0xdd && reg >= 4);
  }

  private ud(host: FpuHost): never {
    return host.raiseException(FPU_VECTOR_UD);
  }

  private executeMem(host: FpuHost, opcode: number, reg: number, la: number): void {
    switch (opcode) {
      case 0xd8:
      case 0xdc: {
        this.fv[1] = opcode === 0xd8 ? this.m32Operand(host, la, this.b) : this.m64Operand(host, la, this.b);
        this.arithOrCompareWithSource(reg);
        return;
      }
      case 0xda:
      case 0xde: {
        this.fv[1] = opcode === 0xda ? host.readLinear32(la) | 0 : (host.readLinear16(la) << 16) >> 16;
        this.arithOrCompareWithSource(reg);
        return;
      }
      case 0xd9:
        switch (reg) {
          case 0: {
            const v = this.m32Operand(host, la, this.b);
            if (this.pendingDE) this.raise(DE);
            if (v !== v) this.loadNaN(this.b);
            else this.pushValue(v);
            return;
          }
          case 2:
          case 3: {
            const bits = this.st0AsFloatBits();
            host.writeLinear32(la, bits);
            if (reg === 3) this.pop();
            return;
          }
          case 4:
            this.fldenv(host, la);
            return;
          case 5:
            this.cw = (host.readLinear16(la) & 0x1f3f) | 0x40;
            this.updateSummary();
            return;
          case 6:
            this.fnstenv(host, la);
            this.cw |= 0x3f; // FNSTENV masks all exceptions after storing
            this.updateSummary();
            return;
          case 7:
            host.writeLinear16(la, this.cw);
            return;
          default:
            return this.ud(host);
        }
      case 0xdb:
        switch (reg) {
          case 0:
            this.pushValue(host.readLinear32(la) | 0);
            return;
          case 2:
          case 3: {
            const n = this.st0AsInteger(32);
            host.writeLinear32(la, n === null ? 0x80000000 : Number(n) >>> 0);
            if (reg === 3) this.pop();
            return;
          }
          case 5: {
            const lo = host.readLinear32(la);
            const hi = host.readLinear32(la + 4);
            const se = host.readLinear16(la + 8);
            this.b.set(se, hi, lo);
            this.pushExt(this.b);
            return;
          }
          case 7: {
            if (this.isEmpty(0)) {
              this.underflow();
              this.b.set(INDEFINITE_SE, INDEFINITE_HI, INDEFINITE_LO);
            } else {
              this.extOf(0, this.b);
            }
            host.writeLinear32(la, this.b.lo);
            host.writeLinear32(la + 4, this.b.hi);
            host.writeLinear16(la + 8, this.b.se);
            this.pop();
            return;
          }
          default:
            return this.ud(host); // /1 FISTTP is SSE3; /4 /6 undefined
        }
      case 0xdd:
        switch (reg) {
          case 0: {
            const v = this.m64Operand(host, la, this.b);
            if (this.pendingDE) this.raise(DE);
            if (v !== v) this.loadNaN(this.b);
            else this.pushValue(v);
            return;
          }
          case 2:
          case 3:
            this.st0AsDoubleWords(this.words);
            host.writeLinear32(la, this.words[0]!);
            host.writeLinear32(la + 4, this.words[1]!);
            if (reg === 3) this.pop();
            return;
          case 4:
            this.frstor(host, la);
            return;
          case 6:
            this.fnsave(host, la);
            return;
          case 7:
            host.writeLinear16(la, this.sw);
            return;
          default:
            return this.ud(host);
        }
      case 0xdf:
        switch (reg) {
          case 0:
            this.pushValue((host.readLinear16(la) << 16) >> 16);
            return;
          case 2:
          case 3: {
            const n = this.st0AsInteger(16);
            host.writeLinear16(la, n === null ? 0x8000 : Number(n) & 0xffff);
            if (reg === 3) this.pop();
            return;
          }
          case 4:
            this.fbld(host, la);
            return;
          case 5: {
            const lo = host.readLinear32(la) >>> 0;
            const hi = host.readLinear32(la + 4) | 0; // hosts may return words signed or unsigned
            if (hi >= -0x200000 && hi < 0x200000) {
              // −2^53 ≤ value < 2^53: exact as a double
              this.pushValue(hi * 4294967296 + lo);
            } else {
              const n = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
              this.pushExt(extFromBigInt(n, this.b));
            }
            return;
          }
          case 6:
            this.fbstp(host, la);
            return;
          case 7: {
            const n = this.st0AsInteger(64);
            let lo: number;
            let hi: number;
            if (n === null) {
              lo = 0;
              hi = 0x80000000;
            } else if (typeof n === 'number') {
              hi = Math.floor(n / 4294967296);
              lo = n - hi * 4294967296;
            } else {
              const u = BigInt.asUintN(64, n);
              lo = Number(u & 0xffffffffn);
              hi = Number(u >> 32n);
            }
            host.writeLinear32(la, lo >>> 0);
            host.writeLinear32(la + 4, hi >>> 0);
            this.pop();
            return;
          }
          default:
            return this.ud(host);
        }
      default:
        return this.ud(host);
    }
  }

  /** FLD of a NaN from m32/m64: SNaN raises IE and is quieted. */
  private loadNaN(x: Ext): void {
    if (X87.isSNaN(x)) this.raise(IE);
    x.hi |= 0x40000000;
    this.pushExt(x);
  }

  /** D8/DA/DC/DE memory forms: arithmetic on ST(0) with the fetched source (in fv[1]), or FCOM/FCOMP. */
  private arithOrCompareWithSource(reg: number): void {
    if (this.isEmpty(0)) {
      if (reg === 2 || reg === 3) {
        this.compareEmptyFault();
        if (reg === 3) this.pop();
      } else {
        this.underflow();
        this.setST(0, NaN);
      }
      return;
    }
    const dv = this.regOperand(0, this.a);
    const dRaw = this.lastRaw;
    if (reg === 2 || reg === 3) {
      this.compare(dv, this.fv[1]!, false, dRaw, false);
      this.swf &= ~SW_C1;
      if (reg === 3) this.pop();
      return;
    }
    this.fv[0] = dv;
    this.arith(reg, 0, dRaw, false);
  }

  private executeReg(host: FpuHost, opcode: number, modrm: number, reg: number, i: number): void {
    switch (opcode) {
      case 0xd8:
        if (reg === 2 || reg === 3) return this.fcomReg(i, reg === 3 ? 1 : 0, false);
        return this.arithReg(reg, 0, i, false);
      case 0xdc:
        if (reg === 2 || reg === 3) return this.fcomReg(i, reg === 3 ? 1 : 0, false); // FCOM2/FCOMP3 aliases
        // ST(i) ← ST(i) op ST(0): the reversed forms swap (Intel SDM: DC E0+i is FSUBR ST(i), ST(0))
        return this.arithReg(reg ^ (reg >= 4 ? 1 : 0), i, 0, false);
      case 0xde:
        if (reg === 2) return this.fcomReg(i, 1, false); // FCOMP5 alias
        if (reg === 3) {
          if (i !== 1) return this.ud(host);
          return this.fcomReg(1, 2, false); // FCOMPP
        }
        return this.arithReg(reg ^ (reg >= 4 ? 1 : 0), i, 0, true);
      case 0xd9:
        return this.executeD9Reg(host, modrm, reg, i);
      case 0xda:
        if (modrm === 0xe9) return this.fcomReg(1, 2, true); // FUCOMPP
        return this.ud(host); // FCMOVcc is P6
      case 0xdb:
        switch (modrm) {
          case 0xe0: // FENI (8087): no-op since the 287
          case 0xe1: // FDISI
          case 0xe4: // FSETPM (287): no-op
            return;
          case 0xe2:
            this.swf &= ~(0x3f | SW_SF | SW_ES | SW_B);
            return;
          case 0xe3:
            this.reset();
            return;
          default:
            return this.ud(host); // FCMOVcc, FUCOMI, FCOMI are P6
        }
      case 0xdd:
        switch (reg) {
          case 0: // FFREE
            this.emptyMask |= 1 << ((this.top + i) & 7);
            return;
          case 1: // FXCH4 alias
            return this.fxch(i);
          case 2: // FST ST(i)
          case 3: // FSTP ST(i)
            return this.fstReg(i, reg === 3);
          case 4:
            return this.fcomReg(i, 0, true);
          case 5:
            return this.fcomReg(i, 1, true);
          default:
            return this.ud(host);
        }
      case 0xdf:
        switch (reg) {
          case 0: // FFREEP (undocumented on the P5, decoded as FFREE + pop)
            this.emptyMask |= 1 << ((this.top + i) & 7);
            this.pop();
            return;
          case 1: // FXCH7 alias
            return this.fxch(i);
          case 2: // FSTP8 / FSTP9 aliases
          case 3:
            return this.fstReg(i, true);
          case 4:
            if (i === 0) {
              host.setReg(0, ((host.getReg(0) & 0xffff0000) | this.sw) >>> 0); // FNSTSW AX
              return;
            }
            return this.ud(host);
          default:
            return this.ud(host); // FUCOMIP/FCOMIP are P6
        }
      default:
        return this.ud(host);
    }
  }

  /** Arithmetic between ST(dst) and ST(src), optionally popping. */
  private arithReg(op: number, dstI: number, srcI: number, popAfter: boolean): void {
    if (this.isEmpty(dstI) || this.isEmpty(srcI)) {
      this.underflow();
      this.setST(dstI, NaN);
    } else {
      this.fv[0] = this.regOperand(dstI, this.a);
      const dRaw = this.lastRaw;
      this.fv[1] = this.regOperand(srcI, this.b);
      this.arith(op, dstI, dRaw, this.lastRaw);
    }
    if (popAfter) this.pop();
  }

  /** FCOM/FUCOM ST(i) with `pops` pops afterwards. */
  private fcomReg(i: number, pops: number, quiet: boolean): void {
    if (this.isEmpty(0) || this.isEmpty(i)) {
      this.compareEmptyFault();
    } else {
      const av = this.regOperand(0, this.a);
      const aRaw = this.lastRaw;
      const sv = this.regOperand(i, this.b);
      this.compare(av, sv, quiet, aRaw, this.lastRaw);
      this.swf &= ~SW_C1;
    }
    for (let k = 0; k < pops; k++) this.pop();
  }

  private fstReg(i: number, popAfter: boolean): void {
    if (this.isEmpty(0)) {
      this.underflow();
      this.setST(i, NaN);
    } else {
      this.copyReg(0, i);
      this.swf &= ~SW_C1;
    }
    if (popAfter) this.pop();
  }

  private fxch(i: number): void {
    if (this.isEmpty(0) || this.isEmpty(i)) {
      this.underflow();
      if (this.isEmpty(0)) this.setST(0, NaN);
      if (this.isEmpty(i)) this.setST(i, NaN);
    } else {
      this.swf &= ~SW_C1;
    }
    const p0 = this.top;
    const pi = (this.top + i) & 7;
    if (p0 === pi) return;
    const v = this.regs[p0]!;
    this.regs[p0] = this.regs[pi]!;
    this.regs[pi] = v;
    const se = this.rawSe[p0]!;
    const hi = this.rawHi[p0]!;
    const lo = this.rawLo[p0]!;
    this.rawSe[p0] = this.rawSe[pi]!;
    this.rawHi[p0] = this.rawHi[pi]!;
    this.rawLo[p0] = this.rawLo[pi]!;
    this.rawSe[pi] = se;
    this.rawHi[pi] = hi;
    this.rawLo[pi] = lo;
    const r0 = (this.rawMask >> p0) & 1;
    const ri = (this.rawMask >> pi) & 1;
    this.rawMask = (this.rawMask & ~((1 << p0) | (1 << pi))) | (ri << p0) | (r0 << pi);
  }

  private executeD9Reg(host: FpuHost, modrm: number, reg: number, i: number): void {
    switch (reg) {
      case 0: {
        // FLD ST(i): read before the push changes what ST(i) means
        if (this.isEmpty(i)) {
          this.underflow();
          this.pushValue(NaN);
          return;
        }
        const hadRaw = (this.rawMask >> ((this.top + i) & 7)) & 1;
        this.extOf(i, this.t);
        const v = this.st(i);
        const ok = this.pushCheck();
        this.top = (this.top - 1) & 7;
        if (!ok) this.setST(0, NaN);
        else if (hadRaw) this.setSTExt(0, this.t);
        else this.setST(0, v);
        return;
      }
      case 1:
        return this.fxch(i);
      case 2:
        if (i === 0) return; // FNOP
        return this.ud(host);
      case 3:
        return this.fstReg(i, true); // FSTP1 alias
      default:
        break;
    }
    switch (modrm) {
      case 0xe0: // FCHS
      case 0xe1: {
        // FABS
        if (this.isEmpty(0)) {
          this.underflow();
          this.setST(0, NaN);
          return;
        }
        const p = this.top;
        const v = this.regs[p]!;
        this.regs[p] = modrm === 0xe0 ? -v : Math.abs(v);
        if ((this.rawMask >> p) & 1) {
          this.rawSe[p] = modrm === 0xe0 ? this.rawSe[p]! ^ 0x8000 : this.rawSe[p]! & 0x7fff;
        }
        this.swf &= ~SW_C1;
        return;
      }
      case 0xe4: // FTST
        if (this.isEmpty(0)) return this.compareEmptyFault();
        this.compare(this.regOperand(0, this.a), 0, false, this.lastRaw, false);
        this.swf &= ~SW_C1;
        return;
      case 0xe5:
        return this.fxam();
      case 0xe8:
        return this.pushValue(1);
      case 0xe9:
        return this.pushConstant(K_L2T);
      case 0xea:
        return this.pushConstant(K_L2E);
      case 0xeb:
        return this.pushConstant(K_PI);
      case 0xec:
        return this.pushConstant(K_LG2);
      case 0xed:
        return this.pushConstant(K_LN2);
      case 0xee:
        return this.pushValue(0);
      case 0xf0:
        return this.unaryTranscendental(0xf0);
      case 0xf1:
        return this.fyl2x(false);
      case 0xf2:
        return this.fptan();
      case 0xf3:
        return this.fpatan();
      case 0xf4:
        return this.fxtract();
      case 0xf5:
        return this.fprem(true);
      case 0xf6:
        this.top = (this.top - 1) & 7;
        this.swf &= ~SW_C1;
        return;
      case 0xf7:
        this.top = (this.top + 1) & 7;
        this.swf &= ~SW_C1;
        return;
      case 0xf8:
        return this.fprem(false);
      case 0xf9:
        return this.fyl2x(true);
      case 0xfa:
        return this.unaryTranscendental(0xfa);
      case 0xfb:
        return this.fsincos();
      case 0xfc:
        return this.frndint();
      case 0xfd:
        return this.fscale();
      case 0xfe:
      case 0xff:
        return this.unaryTranscendental(modrm);
      default:
        return this.ud(host);
    }
  }

  private pushConstant(k: FpuConstant): void {
    // Rounded from the full-precision constant per RC, as the 387 and later do (Intel SDM
    // vol. 1 §8.3.8: "rounded according to the RC field").
    let hi = k.hi;
    let lo = k.lo;
    const neg = false;
    const rc = this.rc;
    const up =
      rc === RoundingMode.Nearest ? k.next >= 0x80000000 : rc === RoundingMode.Up ? !neg && k.next !== 0 : false;
    if (up) {
      lo = (lo + 1) >>> 0;
      if (lo === 0) hi = (hi + 1) >>> 0;
    }
    this.t.set(k.exp + 16383, hi, lo);
    this.pushExt(this.t);
  }

  private fxam(): void {
    const p = this.top;
    let cls: ExtClass;
    let sign: number;
    if ((this.emptyMask >> p) & 1) {
      cls = ExtClass.Empty;
      sign = this.regs[p]! < 0 || Object.is(this.regs[p], -0) ? 1 : 0;
    } else if ((this.rawMask >> p) & 1) {
      cls = extClass(this.rawSe[p]!, this.rawHi[p]!, this.rawLo[p]!);
      sign = this.rawSe[p]! >>> 15;
    } else {
      const v = this.regs[p]!;
      sign = v < 0 || Object.is(v, -0) ? 1 : 0;
      cls = v === 0 ? ExtClass.Zero : v - v === 0 ? ExtClass.Normal : ExtClass.Infinity;
    }
    this.swf =
      (this.swf & ~SW_CC) |
      (cls & 4 ? SW_C3 : 0) |
      (cls & 2 ? SW_C2 : 0) |
      (cls & 1 ? SW_C0 : 0) |
      (sign ? SW_C1 : 0);
  }

  // ---------------------------------------------------------------- transcendental & co.

  /** Common preamble for one-operand ST(0) instructions: returns the value or undefined if handled. */
  private st0ForUnary(): number | undefined {
    if (this.isEmpty(0)) {
      this.underflow();
      this.setST(0, NaN);
      return undefined;
    }
    const v = this.regOperand(0, this.a);
    if (v !== v) {
      this.nanResult(v, this.a, 0, this.b, false);
      this.setSTExt(0, this.t);
      return undefined;
    }
    return v;
  }

  private unaryTranscendental(modrm: number): void {
    const v = this.st0ForUnary();
    if (v === undefined) return;
    let r: number;
    switch (modrm) {
      case 0xf0: // F2XM1: 2^x − 1, defined for −1 ≤ x ≤ 1
        if (v === -Infinity) {
          this.setST(0, -1); // 2^−∞ − 1, exact
          return;
        }
        if (v > 1 || v < -1) {
          // Intel: "undefined"; the reference x87 leaves ST(0) unchanged and reports PE
          this.raise(PE);
          return;
        }
        r = v === 0 ? v : Math.expm1(v * Math.LN2);
        break;
      case 0xfa: {
        // FSQRT: as the arithmetic, exact from an 80-bit image or at 64-bit precision
        const raw = this.lastRaw;
        const prec = this.prec;
        this.swf &= ~SW_C1;
        if (!raw) {
          r = fsqrt(v, prec === 64 ? 53 : prec, this.rc);
          if (prec !== 64 || !(arithExc.bits & PE) || r !== r) {
            if (arithExc.bits) this.raise(arithExc.bits);
            this.setST(0, r);
            return;
          }
        } else if (this.a.se >= 0x8000) {
          this.raise(IE); // √ of a negative image
          this.setST(0, NaN);
          return;
        }
        arithExactToExt(Op.Sqrt, X87.exact(v, this.a, raw), X87.exact(0, this.b, false), prec, this.rc, this.t);
        if (arithExc.bits) this.raise(arithExc.bits);
        this.setSTExt(0, this.t);
        return;
      }
      default: {
        // FSIN / FCOS: |x| ≥ 2^63 is out of range (C2 = 1, ST(0) unchanged)
        if (v === Infinity || v === -Infinity) {
          this.raise(IE);
          this.setST(0, NaN);
          this.swf &= ~SW_C2;
          return;
        }
        if (Math.abs(v) >= TWO63) {
          this.swf |= SW_C2;
          return;
        }
        this.swf &= ~SW_C2;
        r = modrm === 0xfe ? x87Sin(v) : x87Cos(v);
        break;
      }
    }
    if (r !== 0 && r !== v) this.raise(PE);
    this.swf &= ~SW_C1;
    this.setST(0, r);
  }

  /** FSINCOS / FPTAN of a NaN: both results are the (quieted) NaN. Returns true if handled. */
  private twoResultNaN(): boolean {
    if (this.isEmpty(0) || this.st(0) === this.st(0)) return false;
    const v = this.regOperand(0, this.a);
    if (!this.pushCheckOnly()) return true;
    this.nanResult(v, this.a, 0, this.b, false);
    this.setSTExt(0, this.t);
    this.pushExt(this.t);
    return true;
  }

  private fsincos(): void {
    if (this.twoResultNaN()) return;
    const v = this.st0ForUnary();
    if (v === undefined) return;
    if (v === Infinity || v === -Infinity) {
      this.raise(IE);
      this.swf &= ~SW_C2;
      this.setST(0, NaN);
      this.pushValue(NaN);
      return;
    }
    if (Math.abs(v) >= TWO63) {
      this.swf |= SW_C2;
      return;
    }
    this.swf &= ~(SW_C2 | SW_C1);
    const s = x87Sin(v);
    const c = x87Cos(v);
    if (!this.pushCheckOnly()) return;
    this.raise(PE);
    this.setST(0, s);
    this.pushValue(c);
  }

  /** Is there room for one push? If not, raise the overflow and replace ST(0) with the indefinite (masked response). */
  private pushCheckOnly(): boolean {
    if ((this.emptyMask >> ((this.top - 1) & 7)) & 1) return true;
    this.raise(IE | SW_SF);
    this.swf |= SW_C1;
    this.setST(0, NaN);
    this.top = (this.top - 1) & 7;
    this.setST(0, NaN);
    return false;
  }

  private fptan(): void {
    if (this.twoResultNaN()) return;
    const v = this.st0ForUnary();
    if (v === undefined) return;
    if (v === Infinity || v === -Infinity) {
      this.raise(IE);
      this.swf &= ~SW_C2;
      this.setST(0, NaN);
      this.pushValue(NaN);
      return;
    }
    if (Math.abs(v) >= TWO63) {
      this.swf |= SW_C2;
      return;
    }
    this.swf &= ~(SW_C2 | SW_C1);
    if (!this.pushCheckOnly()) return;
    const r = x87Tan(v);
    if (r !== v) this.raise(PE);
    this.setST(0, r);
    this.pushValue(1);
  }

  /** Two-operand ST(1) ← f(ST(1), ST(0)), pop: FPATAN, FYL2X, FYL2XP1. */
  private binaryST1(f: (y: number, x: number) => number, zeroDivide: (y: number, x: number) => boolean): void {
    if (this.isEmpty(0) || this.isEmpty(1)) {
      this.underflow();
      this.setST(1, NaN);
      this.pop();
      return;
    }
    const x = this.regOperand(0, this.a);
    const y = this.regOperand(1, this.b);
    if (x !== x || y !== y) {
      this.nanResult(y, this.b, x, this.a, true);
      this.setSTExt(1, this.t);
      this.pop();
      return;
    }
    const r = f(y, x);
    if (r !== r) this.raise(IE);
    else if (zeroDivide(y, x)) this.raise(ZE);
    else if (r - r === 0 && r !== 0) this.raise(PE);
    this.swf &= ~SW_C1;
    this.setST(1, r);
    this.pop();
  }

  private fpatan(): void {
    this.binaryST1(
      (y, x) => Math.atan2(y, x),
      () => false,
    );
  }

  private fyl2x(plusOne: boolean): void {
    if (plusOne) {
      this.binaryST1(
        (y, x) => (x < -1 ? NaN : y * (Math.log1p(x) * Math.LOG2E)),
        (y, x) => x === -1 && y !== 0 && y - y === 0,
      );
    } else {
      this.binaryST1(
        (y, x) => (x < 0 ? NaN : y * Math.log2(x)),
        (y, x) => x === 0 && y !== 0 && y - y === 0,
      );
    }
  }

  private fxtract(): void {
    if (this.isEmpty(0)) {
      this.underflow();
      this.setST(0, NaN);
      this.pushValue(NaN);
      return;
    }
    const v = this.regOperand(0, this.a);
    const raw = this.lastRaw;
    if (!this.pushCheckOnly()) return;
    if (raw && v === v) {
      // an 80-bit image (finite, non-zero): normalise its significand exactly
      const b = extToBig(this.a.se, this.a.hi, this.a.lo);
      const len = b.m.toString(2).length;
      const mant = b.m << BigInt(64 - len);
      this.setST(0, b.e + len - 1);
      this.t.set((this.a.se & 0x8000) | 0x3fff, Number(mant >> 32n), Number(mant & 0xffffffffn));
      this.pushExt(this.t);
      return;
    }
    if (v !== v) {
      // both the exponent and the significand are the (quieted) NaN
      this.nanResult(v, this.a, 0, this.b, false);
      this.setSTExt(0, this.t);
      this.pushExt(this.t);
      return;
    }
    let e: number;
    let m: number;
    if (v === 0) {
      this.raise(ZE);
      e = -Infinity;
      m = v;
    } else if (v === Infinity || v === -Infinity) {
      e = Infinity;
      m = v;
    } else {
      e = exponentOf(v);
      m = ldexpExact(v, -e);
    }
    this.setST(0, e);
    this.pushValue(m);
  }

  private frndint(): void {
    const v = this.st0ForUnary();
    if (v === undefined) return;
    const p = this.top;
    if ((this.rawMask >> p) & 1) {
      const se = this.rawSe[p]!;
      const cls = extClass(se, this.rawHi[p]!, this.rawLo[p]!);
      if (cls === ExtClass.Normal || cls === ExtClass.Denormal) {
        const r = extRoundToBigInt(se, this.rawHi[p]!, this.rawLo[p]!, this.rc);
        if (r.inexact) {
          this.raise(PE);
          extFromBigInt(r.n, this.t);
          if (r.n === 0n) this.t.se = se & 0x8000;
          this.setSTExt(0, this.t);
        }
      }
      return;
    }
    const r = roundToIntegral(v, this.rc);
    if (r !== v) this.raise(PE);
    this.setST(0, r);
  }

  private fscale(): void {
    if (this.isEmpty(0) || this.isEmpty(1)) {
      this.underflow();
      this.setST(0, NaN);
      return;
    }
    let x = this.regOperand(0, this.a);
    const xRaw = this.lastRaw;
    const s = this.regOperand(1, this.b);
    if (x !== x || s !== s) {
      this.nanResult(x, this.a, s, this.b, true);
      this.setSTExt(0, this.t);
      return;
    }
    this.swf &= ~SW_C1;
    if (xRaw && s - s === 0) {
      // an 80-bit image scaled exactly (rounded only beyond the extended range)
      const b = extToBig(this.a.se, this.a.hi, this.a.lo);
      const n = Math.max(-100000, Math.min(100000, Math.trunc(s)));
      roundBigToExt(b.neg, b.m, b.e + n, false, 64, this.rc, this.t);
      this.storeFlags();
      this.setSTExt(0, this.t);
      return;
    }
    if (xRaw) x = this.a.se >= 0x8000 ? -1 : 1; // finite non-zero: its sign decides against ±∞
    let r: number;
    if (s === Infinity || s === -Infinity) {
      if ((x === 0 && s === Infinity) || ((x === Infinity || x === -Infinity) && s === -Infinity)) {
        this.raise(IE);
        r = NaN;
      } else if (x === 0 || x === Infinity || x === -Infinity) {
        r = x;
      } else {
        r = s > 0 ? x * Infinity : x * 0;
      }
    } else if (x === 0 || x === Infinity || x === -Infinity) {
      r = x;
    } else {
      const n = Math.max(-100000, Math.min(100000, Math.trunc(s)));
      const e = exponentOf(x) + n;
      if (e >= -1022 && e <= 1023 && Math.abs(x) >= 2.2250738585072014e-308) {
        r = ldexpExact(x, n);
      } else {
        // beyond the double's range: the register holds x·2^n exactly with its 15-bit
        // exponent; rounding (and UE/OE) only happens beyond the extended range
        const d = decompose(x);
        roundBigToExt(d.neg, d.m, d.e + n, false, 64, this.rc, this.t);
        this.storeFlags();
        this.setSTExt(0, this.t);
        return;
      }
    }
    this.setST(0, r);
  }

  /** FPREM (truncating quotient) and FPREM1 (IEEE remainder, round-to-nearest quotient). */
  private fprem(ieee: boolean): void {
    if (this.isEmpty(0) || this.isEmpty(1)) {
      this.underflow();
      this.setST(0, NaN);
      return;
    }
    const x = this.regOperand(0, this.a);
    const xRaw = this.lastRaw;
    const y = this.regOperand(1, this.b);
    const yRaw = this.lastRaw;
    if (x !== x || y !== y) {
      this.nanResult(x, this.a, y, this.b, true);
      this.setSTExt(0, this.t);
      return;
    }
    // (an 80-bit image is finite and non-zero even when its double view is not)
    const xInf = !xRaw && (x === Infinity || x === -Infinity);
    const yInf = !yRaw && (y === Infinity || y === -Infinity);
    if ((!yRaw && y === 0) || xInf) {
      this.raise(IE);
      this.setST(0, NaN);
      this.swf &= ~SW_C2;
      return;
    }
    if ((!xRaw && x === 0) || yInf) {
      this.setCC(0, 0, 0);
      this.swf &= ~SW_C1;
      return; // ST(0) unchanged
    }
    const dx = X87.exact(x, this.a, xRaw);
    const dy = X87.exact(y, this.b, yRaw);
    const d = dx.e + dx.m.toString(2).length - (dy.e + dy.m.toString(2).length);
    const e = Math.min(dx.e, dy.e);
    const X = dx.m << BigInt(dx.e - e);
    let Y = dy.m << BigInt(dy.e - e);
    if (d >= 64) {
      // Partial remainder (Intel SDM, FPREM): reduce by ST(1)·QQ·2^(D−N) with QQ truncated,
      // C2 = 1 so that software loops. N is "implementation-dependent, 32 to 63"; we use
      // N = 32 + D mod 32, which reproduces the vectors taken from a real x87.
      const shift = d - (32 + (d % 32));
      Y <<= BigInt(shift);
      const qq = X / Y;
      const r = X - qq * Y;
      this.swf = (this.swf & ~SW_CC) | SW_C2;
      roundBigToExt(dx.neg, r, e, false, 64, RoundingMode.Nearest, this.t); // exact
      this.setSTExt(0, this.t);
      return;
    }
    let q = X / Y;
    let r = X - q * Y;
    let neg = dx.neg;
    if (ieee) {
      const twice = r << 1n;
      if (twice > Y || (twice === Y && (q & 1n) === 1n)) {
        q += 1n;
        r = Y - r;
        neg = !neg;
      }
    }
    roundBigToExt(r === 0n ? dx.neg : neg, r, e, false, 64, RoundingMode.Nearest, this.t); // exact
    const q3 = Number(q & 7n);
    // C0 = Q2, C3 = Q1, C1 = Q0 (Intel SDM, FPREM); C2 = 0: reduction complete
    this.swf = (this.swf & ~SW_CC) | (q3 & 4 ? SW_C0 : 0) | (q3 & 2 ? SW_C3 : 0) | (q3 & 1 ? SW_C1 : 0);
    this.setSTExt(0, this.t);
  }

  // ---------------------------------------------------------------- BCD

  private fbld(host: FpuHost, la: number): void {
    let n = 0n;
    for (let k = 8; k >= 0; k--) {
      const byte = host.readLinear8(la + k);
      n = n * 100n + BigInt((byte >> 4) * 10 + (byte & 15));
    }
    const sign = host.readLinear8(la + 9) & 0x80;
    if (n === 0n) {
      this.pushValue(sign ? -0 : 0);
      return;
    }
    this.pushExt(extFromBigInt(sign ? -n : n, this.b));
  }

  private fbstp(host: FpuHost, la: number): void {
    const bytes = new Uint8Array(10);
    let ok = false;
    if (this.isEmpty(0)) {
      this.underflow();
    } else {
      const p = this.top;
      const v = this.regs[p]!;
      let n: bigint | null = null;
      let negZero = false;
      if ((this.rawMask >> p) & 1) {
        const cls = extClass(this.rawSe[p]!, this.rawHi[p]!, this.rawLo[p]!);
        if (cls === ExtClass.Normal || cls === ExtClass.Denormal || cls === ExtClass.Zero) {
          const r = extRoundToBigInt(this.rawSe[p]!, this.rawHi[p]!, this.rawLo[p]!, this.rc);
          if (r.inexact) this.raise(PE);
          n = r.n;
          negZero = n === 0n && this.rawSe[p]! >= 0x8000;
        }
      } else if (v - v === 0) {
        const r = roundToIntegral(v, this.rc);
        if (r !== v) this.raise(PE);
        n = BigInt(r);
        negZero = Object.is(r, -0);
      }
      if (n !== null && n < 1000000000000000000n && n > -1000000000000000000n) {
        ok = true;
        let m = n < 0n ? -n : n;
        for (let k = 0; k < 9; k++) {
          const two = Number(m % 100n);
          m /= 100n;
          bytes[k] = ((Math.floor(two / 10) << 4) | two % 10) & 0xff;
        }
        bytes[9] = n < 0n || negZero ? 0x80 : 0;
      } else {
        this.raise(IE);
      }
    }
    if (!ok) {
      // BCD indefinite (Intel SDM vol. 1, table 4-9)
      bytes.fill(0);
      bytes[7] = 0xc0;
      bytes[8] = 0xff;
      bytes[9] = 0xff;
    }
    for (let k = 0; k < 10; k++) host.writeLinear8(la + k, bytes[k]!);
    this.pop();
  }

  // ---------------------------------------------------------------- environment

  /** FNSTENV, 32-bit protected-mode layout (Intel SDM vol. 1, figure 8-9): 28 bytes. */
  private fnstenv(host: FpuHost, la: number): void {
    // reserved upper halves are stored as 1s (as the reference x87 stores them); FCS word:
    // selector in bits 0–15, the last opcode's 11 bits in 16–26
    host.writeLinear32(la, (0xffff0000 | this.cw) >>> 0);
    host.writeLinear32(la + 4, (0xffff0000 | this.sw) >>> 0);
    host.writeLinear32(la + 8, (0xffff0000 | this.tagWord) >>> 0);
    host.writeLinear32(la + 12, this.fip >>> 0);
    host.writeLinear32(la + 16, ((this.fop & 0x7ff) << 16 | (this.fcs & 0xffff)) >>> 0);
    host.writeLinear32(la + 20, this.fdp >>> 0);
    host.writeLinear32(la + 24, (0xffff0000 | (this.fds & 0xffff)) >>> 0);
  }

  /** Read an environment image; returns the values without applying them. */
  private readEnv(host: FpuHost, la: number): number[] {
    return [
      host.readLinear16(la),
      host.readLinear16(la + 4),
      host.readLinear16(la + 8),
      host.readLinear32(la + 12),
      host.readLinear32(la + 16),
      host.readLinear32(la + 20),
      host.readLinear16(la + 24),
    ];
  }

  private applyEnv(env: number[]): void {
    this.cw = (env[0]! & 0x1f3f) | 0x40;
    this.sw = env[1]!;
    const tw = env[2]!;
    let empty = 0;
    for (let p = 0; p < 8; p++) if (((tw >> (2 * p)) & 3) === 3) empty |= 1 << p;
    this.emptyMask = empty;
    this.fip = env[3]!;
    this.fcs = env[4]! & 0xffff;
    this.fop = (env[4]! >>> 16) & 0x7ff;
    this.fdp = env[5]!;
    this.fds = env[6]!;
    this.updateSummary();
  }

  private fldenv(host: FpuHost, la: number): void {
    this.applyEnv(this.readEnv(host, la));
  }

  /** FNSAVE: the environment, then ST(0)…ST(7) as 10-byte images; then FNINIT. 108 bytes. */
  private fnsave(host: FpuHost, la: number): void {
    this.fnstenv(host, la);
    for (let i = 0; i < 8; i++) {
      this.extOf(i, this.t);
      const at = la + 28 + 10 * i;
      host.writeLinear32(at, this.t.lo);
      host.writeLinear32(at + 4, this.t.hi);
      host.writeLinear16(at + 8, this.t.se);
    }
    this.reset();
  }

  private frstor(host: FpuHost, la: number): void {
    const env = this.readEnv(host, la);
    const img = new Uint32Array(24);
    for (let i = 0; i < 8; i++) {
      const at = la + 28 + 10 * i;
      img[3 * i] = host.readLinear32(at);
      img[3 * i + 1] = host.readLinear32(at + 4);
      img[3 * i + 2] = host.readLinear16(at + 8);
    }
    // everything read: now change state
    this.applyEnv(env);
    const empty = this.emptyMask;
    for (let i = 0; i < 8; i++) {
      const p = (this.top + i) & 7;
      this.setPhysExt(p, img[3 * i + 2]!, img[3 * i + 1]!, img[3 * i]!);
    }
    this.emptyMask = empty;
  }
}
