// Bit-level helpers for IEEE-754 values: the x87 keeps its registers as JS doubles
// (see x87.ts for what that means), and every conversion that has to be exact
// (extended ↔ double, double → single under any rounding mode, integer stores) goes
// through these functions. The rare slow paths use BigInt; the common paths do not.

/** x87 rounding-control field (FPU control word bits 10–11). */
export const enum RoundingMode {
  Nearest = 0,
  Down = 1,
  Up = 2,
  Chop = 3,
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const f32 = new Float32Array(1);
const u32f = new Uint32Array(f32.buffer);
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('mklab x87: the host must be little-endian');
}

/** Low and high 32-bit words of a double's bit pattern (non-NaN values round-trip exactly). */
export function doubleLo(v: number): number {
  f64[0] = v;
  return u32[0]!;
}
export function doubleHi(v: number): number {
  f64[0] = v;
  return u32[1]!;
}
export function doubleFromWords(lo: number, hi: number): number {
  u32[0] = lo >>> 0;
  u32[1] = hi >>> 0;
  return f64[0]!;
}
export function floatBits(v: number): number {
  f32[0] = v;
  return u32f[0]!;
}
export function floatFromBits(b: number): number {
  u32f[0] = b >>> 0;
  return f32[0]!;
}

/** POW2[n + 1074] = 2^n exactly, for n in [-1074, 1023]. */
const POW2 = new Float64Array(1074 + 1024);
POW2[0] = Number.MIN_VALUE;
for (let i = 1; i < POW2.length; i++) POW2[i] = POW2[i - 1]! * 2;

/** 2^n as a double (0 below the denormal range, Infinity above 2^1023). */
export function pow2(n: number): number {
  if (n < -1074) return 0;
  if (n > 1023) return Infinity;
  return POW2[n + 1074]!;
}

/** x · 2^n where the exact result is known to be representable (or x is 0/∞). */
export function ldexpExact(x: number, n: number): number {
  while (n > 1000) {
    x *= POW2[1000 + 1074]!;
    n -= 1000;
  }
  while (n < -1000) {
    x *= POW2[-1000 + 1074]!;
    n += 1000;
  }
  return x * POW2[n + 1074]!;
}

/** Exponent of the leading bit of a finite non-zero double: |x| ∈ [2^e, 2^(e+1)). */
export function exponentOf(x: number): number {
  f64[0] = x;
  const be = (u32[1]! >>> 20) & 0x7ff;
  if (be !== 0) return be - 1023;
  // denormal: find the leading bit of the 52-bit fraction
  const hi = u32[1]! & 0xfffff;
  const lo = u32[0]!;
  if (hi !== 0) return -1074 + 32 + 31 - Math.clz32(hi);
  return -1074 + 31 - Math.clz32(lo);
}

/** The next double above / below x (x finite or infinite, not NaN). */
export function nextUp(x: number): number {
  if (x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  let lo = u32[0]!;
  let hi = u32[1]!;
  if (x > 0) {
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
  } else {
    if (lo === 0) hi = (hi - 1) >>> 0;
    lo = (lo - 1) >>> 0;
  }
  u32[0] = lo;
  u32[1] = hi;
  return f64[0]!;
}
export function nextDown(x: number): number {
  return -nextUp(-x);
}

/** Exact decomposition of a finite non-zero double: |x| = m · 2^e with m a BigInt. */
export interface Decomposed {
  neg: boolean;
  m: bigint;
  e: number;
}
export function decompose(x: number): Decomposed {
  f64[0] = x;
  const hi = u32[1]!;
  const lo = u32[0]!;
  const be = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (be === 0) {
    e = -1074;
  } else {
    m |= 1n << 52n;
    e = be - 1075;
  }
  return { neg: hi >>> 31 === 1, m, e };
}

/** Flags raised by the last roundBig / roundDouble call. */
export const roundFlags = { inexact: false, overflow: false, underflow: false };

/** Largest finite value with `prec` significant bits and maximum exponent emax. */
function maxFinite(prec: number, emax: number): number {
  return ldexpExact(2 - pow2(1 - prec), emax);
}

/**
 * Round the exact value (−1)^neg · (m · 2^e + sticky·tiny) to `prec` significant bits
 * with exponent range [emin, emax] (denormals below emin) under rounding mode rc.
 * `sticky` says there are non-zero bits below m's last bit. Returns a double that is
 * exactly the rounded value (for prec = 24 / emin = −126 a float). Sets roundFlags.
 */
export function roundBig(
  neg: boolean,
  m: bigint,
  e: number,
  sticky: boolean,
  prec: number,
  emin: number,
  emax: number,
  rc: RoundingMode,
): number {
  if (m === 0n && !sticky) {
    roundFlags.inexact = false;
    roundFlags.overflow = false;
    roundFlags.underflow = false;
    return neg ? -0 : 0;
  }
  roundCore(neg, m, e, sticky, prec, emin, rc);
  return finishRounded(neg, rounded.q, rounded.qe, prec, emax, rc);
}

/** Output of roundCore: the rounded magnitude is q · 2^qe. */
export const rounded = { q: 0n, qe: 0 };

/**
 * Round (−1)^neg · (m · 2^e + sticky) to `prec` bits with denormals below emin (no upper
 * bound) into `rounded`; sets roundFlags.inexact/underflow (overflow is the caller's).
 */
export function roundCore(
  neg: boolean,
  m: bigint,
  e: number,
  sticky: boolean,
  prec: number,
  emin: number,
  rc: RoundingMode,
): void {
  roundFlags.overflow = false;
  if (m === 0n) {
    // a value below every representable bit: only directed rounding can lift it
    m = 1n;
    e = emin - prec - 4;
    sticky = false;
  }
  const len = m.toString(2).length;
  const lead = e + len - 1; // exponent of the leading bit
  const qe = Math.max(lead, emin) - prec + 1; // exponent of the last kept bit
  const s = qe - e;
  let q: bigint;
  let inexact: boolean;
  let up = false;
  if (s <= 0) {
    // m fits: only sticky bits (all below half a quantum) are lost
    q = m << BigInt(-s);
    inexact = sticky;
    if (sticky) up = rc === RoundingMode.Up ? !neg : rc === RoundingMode.Down ? neg : false;
    if (up) q += 1n;
  } else {
    const sb = BigInt(s);
    q = m >> sb;
    const rem = m - (q << sb);
    const half = 1n << (sb - 1n);
    inexact = rem !== 0n || sticky;
    if (inexact) {
      switch (rc) {
        case RoundingMode.Nearest:
          up = rem > half || (rem === half && (sticky || (q & 1n) === 1n));
          break;
        case RoundingMode.Up:
          up = !neg;
          break;
        case RoundingMode.Down:
          up = neg;
          break;
        case RoundingMode.Chop:
          up = false;
          break;
      }
    }
    if (up) q += 1n;
  }
  rounded.q = q;
  rounded.qe = qe;
  roundFlags.inexact = inexact;
  roundFlags.underflow = inexact && lead < emin;
}

function finishRounded(
  neg: boolean,
  q: bigint,
  qe: number,
  prec: number,
  emax: number,
  rc: RoundingMode,
): number {
  if (q === 0n) return neg ? -0 : 0;
  const qlen = q.toString(2).length;
  if (qe + qlen - 1 > emax) {
    roundFlags.overflow = true;
    roundFlags.inexact = true;
    return overflowResult(neg, prec, emax, rc);
  }
  const v = ldexpExact(Number(q), qe);
  return neg ? -v : v;
}

/** The masked overflow response for a result of the given sign (IEEE 754 §7.4). */
export function overflowResult(neg: boolean, prec: number, emax: number, rc: RoundingMode): number {
  const toInf =
    rc === RoundingMode.Nearest || (rc === RoundingMode.Up && !neg) || (rc === RoundingMode.Down && neg);
  const mag = toInf ? Infinity : maxFinite(prec, emax);
  return neg ? -mag : mag;
}

/**
 * Round a double to `prec` bits (24 or 53) over the range [emin, emax] under rc.
 * Fast path for the common cases; BigInt otherwise. Sets roundFlags.
 */
export function roundDouble(x: number, prec: number, emin: number, emax: number, rc: RoundingMode): number {
  if (x === 0 || x !== x || x === Infinity || x === -Infinity) {
    roundFlags.inexact = false;
    roundFlags.overflow = false;
    roundFlags.underflow = false;
    return x;
  }
  if (prec === 24 && emin === -126 && rc === RoundingMode.Nearest) {
    const f = Math.fround(x);
    roundFlags.inexact = f !== x;
    roundFlags.overflow = f === Infinity || f === -Infinity;
    roundFlags.underflow = roundFlags.inexact && Math.abs(x) < 1.1754943508222875e-38;
    return f;
  }
  const d = decompose(x);
  return roundBig(d.neg, d.m, d.e, false, prec, emin, emax, rc);
}
