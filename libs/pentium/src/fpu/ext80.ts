// The 80-bit extended-real format (sign, 15-bit exponent biased by 16383, 64-bit
// significand with an explicit integer bit), converted to and from doubles by hand.
// An extended value is passed around as three numbers: `se` (sign << 15 | exponent),
// `hi` and `lo` (significand bits 63–32 and 31–0, unsigned).

import {
  RoundingMode,
  decompose,
  doubleFromWords,
  doubleHi,
  doubleLo,
  roundBig,
  roundCore,
  roundFlags,
  rounded,
} from './float-bits';

export const EXT_BIAS = 16383;

/** Classes as FXAM reports them (C3,C2,C0 encoded in bits 2,1,0). */
export const enum ExtClass {
  Unsupported = 0b000,
  NaN = 0b001,
  Normal = 0b010,
  Infinity = 0b011,
  Zero = 0b100,
  Empty = 0b101,
  Denormal = 0b110,
}

/** A mutable holder for one extended value. */
export class Ext {
  se = 0;
  hi = 0;
  lo = 0;
  set(se: number, hi: number, lo: number): this {
    this.se = se & 0xffff;
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
    return this;
  }
}

/** The x87 "real indefinite": the QNaN produced by masked invalid operations. */
export const INDEFINITE_SE = 0xffff;
export const INDEFINITE_HI = 0xc0000000;
export const INDEFINITE_LO = 0;

export function extClass(se: number, hi: number, lo: number): ExtClass {
  const exp = se & 0x7fff;
  const integer = hi >>> 31;
  if (exp === 0) {
    if (hi === 0 && lo === 0) return ExtClass.Zero;
    return ExtClass.Denormal; // includes pseudo-denormals (integer bit set)
  }
  if (integer === 0) return ExtClass.Unsupported; // unnormal, pseudo-NaN, pseudo-infinity
  if (exp === 0x7fff) return (hi & 0x7fffffff) === 0 && lo === 0 ? ExtClass.Infinity : ExtClass.NaN;
  return ExtClass.Normal;
}

/** Exact extended image of a double (every double is representable). NaNs keep their payload. */
export function extFromDouble(v: number, out: Ext): Ext {
  const hiw = doubleHi(v);
  const low = doubleLo(v);
  return extFromDoubleBits(low, hiw, out);
}

/** Extended image of a double given as its two bit words (so NaN payloads survive). */
export function extFromDoubleBits(low: number, hiw: number, out: Ext): Ext {
  const sign = (hiw >>> 31) << 15;
  const be = (hiw >>> 20) & 0x7ff;
  const fhi = hiw & 0xfffff;
  if (be === 0x7ff) {
    // infinity or NaN: integer bit set, fraction moved to the top
    return out.set(sign | 0x7fff, 0x80000000 | (fhi << 11) | (low >>> 21), low << 11);
  }
  if (be !== 0) {
    return out.set(sign | (be - 1023 + EXT_BIAS), 0x80000000 | (fhi << 11) | (low >>> 21), low << 11);
  }
  if (fhi === 0 && low === 0) return out.set(sign, 0, 0);
  // a double denormal is a normal extended number: normalise the 52-bit fraction
  let m = (BigInt(fhi) << 32n) | BigInt(low);
  const len = m.toString(2).length;
  m <<= BigInt(64 - len);
  const exp = -1074 + len - 1 + EXT_BIAS;
  return out.set(sign | exp, Number(m >> 32n), Number(m & 0xffffffffn));
}

/** Exact extended image of a signed 64-bit integer given as a BigInt. */
export function extFromBigInt(n: bigint, out: Ext): Ext {
  if (n === 0n) return out.set(0, 0, 0);
  const neg = n < 0n;
  let m = neg ? -n : n;
  const len = m.toString(2).length;
  m <<= BigInt(64 - len);
  return out.set((neg ? 0x8000 : 0) | (EXT_BIAS + len - 1), Number(m >> 32n), Number(m & 0xffffffffn));
}

/** |value| = m · 2^e for a finite extended value (zero gives m = 0). */
export function extToBig(se: number, hi: number, lo: number): { neg: boolean; m: bigint; e: number } {
  const exp = se & 0x7fff;
  const m = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  // exponent 0 is the denormal range: same scale as exponent 1, no implicit normalisation
  const e = (exp === 0 ? 1 : exp) - EXT_BIAS - 63;
  return { neg: se >>> 15 === 1, m, e };
}

/**
 * The extended value rounded to `prec` bits within [emin, emax] (53/−1022/1023 for a
 * double, 24/−126/127 for a single). NaNs and unsupported encodings give NaN (the caller
 * keeps the bits); infinities stay infinite. Sets roundFlags.
 */
export function extToNumber(
  se: number,
  hi: number,
  lo: number,
  prec = 53,
  emin = -1022,
  emax = 1023,
  rc: RoundingMode = RoundingMode.Nearest,
): number {
  const cls = extClass(se, hi, lo);
  const neg = se >>> 15 === 1;
  roundFlags.inexact = false;
  roundFlags.overflow = false;
  roundFlags.underflow = false;
  switch (cls) {
    case ExtClass.Zero:
      return neg ? -0 : 0;
    case ExtClass.Infinity:
      return neg ? -Infinity : Infinity;
    case ExtClass.NaN:
    case ExtClass.Unsupported:
      return NaN;
    default: {
      if (prec === 53 && emin === -1022 && (lo & 0x7ff) === 0) {
        const exp = se & 0x7fff;
        const unb = exp - EXT_BIAS;
        if (exp !== 0 && unb >= -1022 && unb <= 1023) {
          // exactly representable as a normal double: assemble the bits directly
          const hiw = ((neg ? 0x80000000 : 0) | ((unb + 1023) << 20) | ((hi >>> 11) & 0xfffff)) >>> 0;
          const low = ((hi << 21) | (lo >>> 11)) >>> 0;
          return doubleFromWords(low, hiw);
        }
      }
      const b = extToBig(se, hi, lo);
      return roundBig(b.neg, b.m, b.e, false, prec, emin, emax, rc);
    }
  }
}

/** Bits of a double NaN made from an extended NaN (payload truncated, quiet bit kept as is). */
export function extNaNToDoubleWords(se: number, hi: number, lo: number): { lo: number; hi: number } {
  const sign = (se >>> 15) << 31;
  const hiw = (sign | 0x7ff00000 | ((hi >>> 11) & 0xfffff)) >>> 0;
  const low = ((hi << 21) | (lo >>> 11)) >>> 0;
  return { lo: low, hi: hiw };
}

/** Bits of a single NaN made from an extended NaN. */
export function extNaNToFloatBits(se: number, hi: number): number {
  return (((se >>> 15) << 31) | 0x7f800000 | ((hi >>> 8) & 0x7fffff)) >>> 0;
}

/** Decompose a finite non-zero double (re-exported for the arithmetic). */
export { decompose };

/**
 * The extended value rounded to an integer under rc, exactly (FIST, FRNDINT, FBSTP on a
 * register that holds an exact 80-bit image). Finite values only.
 */
export function extRoundToBigInt(se: number, hi: number, lo: number, rc: RoundingMode): { n: bigint; inexact: boolean } {
  const b = extToBig(se, hi, lo);
  let n: bigint;
  let inexact = false;
  if (b.e >= 0) {
    n = b.m << BigInt(b.e);
  } else {
    const s = BigInt(-b.e);
    n = b.m >> s;
    const rem = b.m - (n << s);
    if (rem !== 0n) {
      inexact = true;
      const half = 1n << (s - 1n);
      let up: boolean;
      switch (rc) {
        case RoundingMode.Nearest:
          up = rem > half || (rem === half && (n & 1n) === 1n);
          break;
        case RoundingMode.Up:
          up = !b.neg;
          break;
        case RoundingMode.Down:
          up = b.neg;
          break;
        default:
          up = false;
      }
      if (up) n += 1n;
    }
  }
  return { n: b.neg ? -n : n, inexact };
}

/**
 * Round (−1)^neg · (m · 2^e + sticky) to `prec` significant bits over the extended exponent
 * range into `out`: what an x87 register holds after an operation under precision control
 * `prec`. Sets roundFlags (underflow/overflow relative to the extended range).
 */
export function roundBigToExt(
  neg: boolean,
  m: bigint,
  e: number,
  sticky: boolean,
  prec: number,
  rc: RoundingMode,
  out: Ext,
): Ext {
  const sign = neg ? 0x8000 : 0;
  if (m === 0n && !sticky) {
    roundFlags.inexact = false;
    roundFlags.overflow = false;
    roundFlags.underflow = false;
    return out.set(sign, 0, 0);
  }
  roundCore(neg, m, e, sticky, prec, 1 - EXT_BIAS, rc);
  const q = rounded.q;
  const qe = rounded.qe;
  if (q === 0n) return out.set(sign, 0, 0);
  const len = q.toString(2).length;
  const lead = qe + len - 1;
  if (lead > EXT_BIAS) {
    roundFlags.overflow = true;
    roundFlags.inexact = true;
    const toInf =
      rc === RoundingMode.Nearest || (rc === RoundingMode.Up && !neg) || (rc === RoundingMode.Down && neg);
    if (toInf) return out.set(sign | 0x7fff, 0x80000000, 0);
    const mant = ((1n << BigInt(prec)) - 1n) << BigInt(64 - prec);
    return out.set(sign | 0x7ffe, Number(mant >> 32n), Number(mant & 0xffffffffn));
  }
  if (lead < 1 - EXT_BIAS) {
    // extended denormal: exponent field 0, value = significand · 2^(1 − 16383 − 63)
    const mant = q << BigInt(qe - (1 - EXT_BIAS - 63));
    return out.set(sign, Number(mant >> 32n), Number(mant & 0xffffffffn));
  }
  const mant = q << BigInt(64 - len);
  return out.set(sign | (lead + EXT_BIAS), Number(mant >> 32n), Number(mant & 0xffffffffn));
}
