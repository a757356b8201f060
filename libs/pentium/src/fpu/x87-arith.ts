// + − × ÷ √ on doubles with x87 precision control (24 / 53 bits; 64 is done at 53) and
// all four rounding modes, with the exception flags a real FPU would raise.
//
// Method: the JS operation gives the round-to-nearest double r. Where the operands are in a
// safe range, an error-free transformation (Knuth's TwoSum, Dekker's TwoProduct) gives the
// sign of (exact − r) exactly, which is all that directed rounding and the precision
// flag need. Outside that range, and for 24-bit precision with directed rounding, the
// exact result is formed with BigInt and rounded once (roundBig). Operands are never NaN
// here: NaN propagation is done by the caller, which owns the NaN payloads.

import { type Ext, roundBigToExt } from './ext80';
import {
  RoundingMode,
  decompose,
  nextDown,
  nextUp,
  overflowResult,
  roundBig,
  roundFlags,
} from './float-bits';

/** Status-word exception bits. */
export const IE = 0x01;
export const DE = 0x02;
export const ZE = 0x04;
export const OE = 0x08;
export const UE = 0x10;
export const PE = 0x20;

/** Exceptions raised by the last operation of this module (the caller ORs them into the status word). */
export const arithExc = { bits: 0 };

const MIN_NORMAL = 2.2250738585072014e-308;
const SPLIT = 134217729; // 2^27 + 1, Dekker's splitter
const SAFE_HI = 6.696928794914171e299; // 2^995: the split cannot overflow below this
const SAFE_LO = 4.008336720017946e-292; // 2^-969: products above this have an exact error term

/** Significand bits for a precision-control field: 00 → 24, 10 → 53, 11 (and reserved 01) → 64. */
export function precisionBits(pc: number): number {
  return pc === 0 ? 24 : pc === 2 ? 53 : 64;
}

function twoProdErr(a: number, b: number, p: number): number {
  let c = SPLIT * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLIT * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return al * bl - (((p - ah * bh) - al * bh) - ah * bl);
}

function flagsFromRound(): void {
  if (roundFlags.inexact) arithExc.bits |= PE;
  if (roundFlags.overflow) arithExc.bits |= OE | PE;
  if (roundFlags.underflow) arithExc.bits |= UE;
}

/**
 * Finish a result whose round-to-nearest double is r and whose exact value differs from
 * r by something of sign errSign (−1, 0, +1), or go exact when that is not enough.
 */
export const enum Op {
  Add,
  Mul,
  Div,
  Sqrt,
}

function exactOf(op: Op, a: number, b: number): Exact {
  switch (op) {
    case Op.Add:
      return exactSum(a, b);
    case Op.Mul:
      return exactProduct(a, b);
    case Op.Div:
      return exactQuotient(a, b);
    default:
      return exactSqrt(a);
  }
}

// (no closures: these run once per x87 arithmetic instruction)
function finish(r: number, errSign: number, prec: number, rc: RoundingMode, op: Op, a: number, b: number): number {
  if (prec === 53) {
    if (errSign === 0) return r;
    arithExc.bits |= PE;
    if (Math.abs(r) < MIN_NORMAL) arithExc.bits |= UE;
    switch (rc) {
      case RoundingMode.Nearest:
        return r;
      case RoundingMode.Up:
        return errSign > 0 ? nextUp(r) : r;
      case RoundingMode.Down:
        return errSign < 0 ? nextDown(r) : r;
      default:
        if (r > 0 && errSign < 0) return nextDown(r);
        if (r < 0 && errSign > 0) return nextUp(r);
        return r;
    }
  }
  return roundExact(exactOf(op, a, b), prec, rc);
}

interface Exact {
  neg: boolean;
  m: bigint;
  e: number;
  sticky: boolean;
}

function roundExact(x: Exact, prec: number, rc: RoundingMode): number {
  const v = roundBig(x.neg, x.m, x.e, x.sticky, prec, -1022, 1023, rc);
  flagsFromRound();
  return v;
}

/** An exact finite value |x| = m · 2^e (m = 0 for zero). */
export interface ExactValue {
  neg: boolean;
  m: bigint;
  e: number;
}

function dec(x: number): ExactValue {
  return x === 0 ? { neg: Object.is(x, -0), m: 0n, e: 0 } : decompose(x);
}

function sumX(da: ExactValue, db: ExactValue): Exact {
  if (da.m === 0n) return { ...db, sticky: false };
  if (db.m === 0n) return { ...da, sticky: false };
  const e = Math.min(da.e, db.e);
  const ma = (da.neg ? -da.m : da.m) << BigInt(da.e - e);
  const mb = (db.neg ? -db.m : db.m) << BigInt(db.e - e);
  const s = ma + mb;
  return { neg: s < 0n, m: s < 0n ? -s : s, e, sticky: false };
}

function productX(da: ExactValue, db: ExactValue): Exact {
  return { neg: da.neg !== db.neg, m: da.m * db.m, e: da.e + db.e, sticky: false };
}

function quotientX(da: ExactValue, db: ExactValue): Exact {
  // 140 extra bits: at least 77 quotient bits for 64-bit significands, enough to round
  // to 64 bits with a sticky bit
  const num = da.m << 140n;
  const q = num / db.m;
  return { neg: da.neg !== db.neg, m: q, e: da.e - db.e - 140, sticky: q * db.m !== num };
}

function exactSum(a: number, b: number): Exact {
  return sumX(dec(a), dec(b));
}
function exactProduct(a: number, b: number): Exact {
  return productX(dec(a), dec(b));
}
function exactQuotient(a: number, b: number): Exact {
  return quotientX(dec(a), dec(b));
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // start above √n (the double estimate is good to ~2^-52, pad it), then Newton descends
  // monotonically to ⌊√n⌋
  let x = BigInt(Math.ceil(Math.sqrt(Number(n)) * (1 + 2 ** -40))) + 1n;
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  return x;
}

function sqrtX(d: ExactValue): Exact {
  let m = d.m;
  let e = d.e;
  if ((e & 1) !== 0) {
    m <<= 1n;
    e -= 1;
  }
  const big = m << 160n; // √ has ≥ 80 bits
  const s = isqrt(big);
  return { neg: false, m: s, e: (e - 160) / 2, sticky: s * s !== big };
}

function exactSqrt(a: number): Exact {
  return sqrtX(dec(a));
}

/**
 * Operands and result of the allocation-free entry points (addIO, mulIO, divIO, sqrtIO):
 * the interpreter passes doubles through this array so that no number is boxed per
 * instruction. [0] = a, [1] = b, [2] = result.
 */
export const arithIO = new Float64Array(3);

/** a + b (not NaN). */
export function fadd(a: number, b: number, prec: number, rc: RoundingMode): number {
  arithIO[0] = a;
  arithIO[1] = b;
  addIO(prec, rc);
  return arithIO[2]!;
}
/** a × b (not NaN). */
export function fmul(a: number, b: number, prec: number, rc: RoundingMode): number {
  arithIO[0] = a;
  arithIO[1] = b;
  mulIO(prec, rc);
  return arithIO[2]!;
}
/** a ÷ b (not NaN). */
export function fdiv(a: number, b: number, prec: number, rc: RoundingMode): number {
  arithIO[0] = a;
  arithIO[1] = b;
  divIO(prec, rc);
  return arithIO[2]!;
}
/** √a (not NaN). */
export function fsqrt(a: number, prec: number, rc: RoundingMode): number {
  arithIO[0] = a;
  sqrtIO(prec, rc);
  return arithIO[2]!;
}

/** arithIO[2] ← arithIO[0] + arithIO[1] (not NaN). */
export function addIO(prec: number, rc: RoundingMode): void {
  const a = arithIO[0]!;
  const b = arithIO[1]!;
  arithExc.bits = 0;
  const r = a + b;
  if (r !== r) {
    arithExc.bits |= IE; // ∞ − ∞
    arithIO[2] = NaN;
    return;
  }
  if (a === 0 || b === 0) {
    if (a === 0 && b === 0) {
      // +0 + −0 is +0, except −0 when rounding down
      if (Object.is(a, b)) {
        arithIO[2] = a;
        return;
      }
      arithIO[2] = rc === RoundingMode.Down ? -0 : 0;
      return;
    }
    const x = a === 0 ? b : a;
    arithIO[2] = prec === 53 ? x : roundExact({ ...decompose(x), sticky: false }, prec, rc);
    return;
  }
  if (r === Infinity || r === -Infinity) {
    if (a === r || b === r) {
      // an infinite operand
      arithIO[2] = r;
      return;
    }
    arithExc.bits |= OE | PE;
    arithIO[2] = overflowResult(r < 0, prec, 1023, rc);
    return;
  }
  if (r === 0) {
    // x + (−x): exact
    arithIO[2] = rc === RoundingMode.Down ? -0 : 0;
    return;
  }
  const bb = r - a;
  const err = a - (r - bb) + (b - bb); // TwoSum: exact
  arithIO[2] = finish(r, Math.sign(err), prec, rc, Op.Add, a, b);
  return;
}

/** arithIO[2] ← arithIO[0] × arithIO[1] (not NaN). */
export function mulIO(prec: number, rc: RoundingMode): void {
  const a = arithIO[0]!;
  const b = arithIO[1]!;
  arithExc.bits = 0;
  const r = a * b;
  if (r !== r) {
    arithExc.bits |= IE; // 0 × ∞
    arithIO[2] = NaN;
    return;
  }
  if (a === 0 || b === 0 || a === Infinity || a === -Infinity || b === Infinity || b === -Infinity) {
    arithIO[2] = r;
    return;
  }
  const aa = Math.abs(a);
  const ab = Math.abs(b);
  const ar = Math.abs(r);
  if (aa < SAFE_HI && ab < SAFE_HI && ar >= SAFE_LO && ar !== Infinity) {
    arithIO[2] = finish(r, Math.sign(twoProdErr(a, b, r)), prec, rc, Op.Mul, a, b);
    return;
  }
  arithIO[2] = roundExact(exactProduct(a, b), prec, rc);
  return;
}

/** arithIO[2] ← arithIO[0] ÷ arithIO[1] (not NaN). */
export function divIO(prec: number, rc: RoundingMode): void {
  const a = arithIO[0]!;
  const b = arithIO[1]!;
  arithExc.bits = 0;
  if (b === 0) {
    if (a === 0) {
      arithExc.bits |= IE; // 0 ÷ 0
      arithIO[2] = NaN;
      return;
    }
    if (a !== Infinity && a !== -Infinity) arithExc.bits |= ZE;
    arithIO[2] = a / b;
    return;
  }
  const r = a / b;
  if (r !== r) {
    arithExc.bits |= IE; // ∞ ÷ ∞
    arithIO[2] = NaN;
    return;
  }
  if (a === 0 || a === Infinity || a === -Infinity || b === Infinity || b === -Infinity) {
    arithIO[2] = r;
    return;
  }
  const ar = Math.abs(r);
  const ab = Math.abs(b);
  if (ar < SAFE_HI && ab < SAFE_HI && ar >= SAFE_LO && Math.abs(a) >= SAFE_LO) {
    // residual a − r·b is exact: p ≈ a so a − p is exact (Sterbenz), and the sign of
    // (a − p) − e is the sign of the exact residual
    const p = r * b;
    const e = twoProdErr(r, b, p);
    const res = a - p - e;
    arithIO[2] = finish(r, Math.sign(res) * Math.sign(b), prec, rc, Op.Div, a, b);
    return;
  }
  arithIO[2] = roundExact(exactQuotient(a, b), prec, rc);
  return;
}

/** arithIO[2] ← √arithIO[0] (not NaN). */
export function sqrtIO(prec: number, rc: RoundingMode): void {
  const a = arithIO[0]!;
  arithExc.bits = 0;
  if (a < 0) {
    arithExc.bits |= IE;
    arithIO[2] = NaN;
    return;
  }
  if (a === 0 || a === Infinity) {
    arithIO[2] = a;
    return;
  }
  const r = Math.sqrt(a);
  if (a >= SAFE_LO && a < SAFE_HI) {
    const p = r * r;
    const e = twoProdErr(r, r, p);
    const res = a - p - e;
    arithIO[2] = finish(r, Math.sign(res), prec, rc, Op.Sqrt, a, 0);
    return;
  }
  arithIO[2] = roundExact(exactSqrt(a), prec, rc);
  return;
}

/** Round a double to an integral value under rc (FRNDINT, FIST). −0 is kept. */
export function roundToIntegral(x: number, rc: RoundingMode): number {
  if (x !== x || x === Infinity || x === -Infinity) return x;
  let r: number;
  switch (rc) {
    case RoundingMode.Nearest: {
      if (Math.abs(x) >= 4503599627370496) return x; // 2^52: already integral
      const f = Math.floor(x);
      const d = x - f; // exact
      r = d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
      break;
    }
    case RoundingMode.Down:
      r = Math.floor(x);
      break;
    case RoundingMode.Up:
      r = Math.ceil(x);
      break;
    default:
      r = Math.trunc(x);
  }
  return r === 0 ? (x < 0 || Object.is(x, -0) ? -0 : 0) : r;
}

/**
 * The result of a op b (not NaN, both finite, not an invalid case) as an x87 register would
 * hold it under precision `prec`: rounded to prec bits with the extended exponent range.
 * Used when the double result left the double's range (UE or OE raised by the fast path),
 * so that the register keeps the hardware's value and flags. Sets arithExc.
 */
export function arithToExt(op: Op, a: number, b: number, prec: number, rc: RoundingMode, out: Ext): Ext {
  arithExc.bits = 0;
  const x = exactOf(op, a, b);
  roundBigToExt(x.neg, x.m, x.e, x.sticky, prec, rc, out);
  if (roundFlags.inexact) arithExc.bits |= PE;
  if (roundFlags.overflow) arithExc.bits |= OE | PE;
  if (roundFlags.underflow) arithExc.bits |= UE;
  return out;
}

/**
 * x op y from exact operands (x87 registers holding 80-bit images, or any finite values),
 * rounded once to `prec` bits over the extended exponent range into `out`: the x87's own
 * result. For Add the operands are the addends (negate for a subtraction); Sqrt uses x.
 * Operands are finite; x and y non-zero for Mul/Div/Sqrt. Sets arithExc.
 */
export function arithExactToExt(
  op: Op,
  x: ExactValue,
  y: ExactValue,
  prec: number,
  rc: RoundingMode,
  out: Ext,
): Ext {
  arithExc.bits = 0;
  const r = op === Op.Add ? sumX(x, y) : op === Op.Mul ? productX(x, y) : op === Op.Div ? quotientX(x, y) : sqrtX(x);
  if (r.m === 0n && !r.sticky) {
    // an exact zero sum of opposite operands: +0, or −0 when rounding down
    const neg = x.m === 0n && y.m === 0n ? x.neg && y.neg : rc === RoundingMode.Down;
    return out.set(neg ? 0x8000 : 0, 0, 0);
  }
  roundBigToExt(r.neg, r.m, r.e, r.sticky, prec, rc, out);
  if (roundFlags.inexact) arithExc.bits |= PE;
  if (roundFlags.overflow) arithExc.bits |= OE | PE;
  if (roundFlags.underflow) arithExc.bits |= UE;
  return out;
}
