import { RoundingMode, decompose, exponentOf, nextDown, nextUp } from './float-bits';
import { IE, PE, ZE, arithExc, fadd, fdiv, fmul, fsqrt, roundToIntegral } from './x87-arith';

// Exact rationals over BigInt: an independent oracle for the correctly rounded results.
interface Rat {
  n: bigint;
  d: bigint;
}
function rat(x: number): Rat {
  if (x === 0) return { n: 0n, d: 1n };
  const { neg, m, e } = decompose(x);
  const s = neg ? -m : m;
  return e >= 0 ? { n: s << BigInt(e), d: 1n } : { n: s, d: 1n << BigInt(-e) };
}
const add = (p: Rat, q: Rat): Rat => ({ n: p.n * q.d + q.n * p.d, d: p.d * q.d });
const mul = (p: Rat, q: Rat): Rat => ({ n: p.n * q.n, d: p.d * q.d });
const div = (p: Rat, q: Rat): Rat => (q.n < 0n ? { n: -p.n * q.d, d: p.d * -q.n } : { n: p.n * q.d, d: p.d * q.n });
const cmp = (p: Rat, q: Rat): number => {
  const x = p.n * q.d - q.n * p.d;
  return x > 0n ? 1 : x < 0n ? -1 : 0;
};

/** A deterministic generator of doubles over a range of binary exponents. */
function lcg(seed: number): () => number {
  let s = BigInt(seed);
  return () => {
    s = (s * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
    return Number(s >> 11n) / 2 ** 53;
  };
}
function randomDouble(rnd: () => number, emin: number, emax: number): number {
  const e = emin + Math.floor(rnd() * (emax - emin + 1));
  const mant = 1 + rnd();
  const v = mant * 2 ** e;
  return rnd() < 0.5 ? -v : v;
}

const half = (p: Rat, q: Rat): Rat => {
  const s = add(p, q);
  return { n: s.n, d: 2n * s.d };
};

/** Check that r is the exact value X correctly rounded to 53 bits under rc. */
function checkRounding(r: number, rc: RoundingMode, x: Rat): void {
  const c = cmp(rat(r), x);
  if (c === 0) return;
  const up = nextUp(r);
  const down = nextDown(r);
  const towardZeroIsDown = cmp(x, { n: 0n, d: 1n }) > 0;
  const mode = rc === RoundingMode.Chop ? (towardZeroIsDown ? RoundingMode.Down : RoundingMode.Up) : rc;
  switch (mode) {
    case RoundingMode.Down:
      expect(c).toBeLessThan(0);
      if (up !== Infinity) expect(cmp(rat(up), x)).toBeGreaterThan(0); // else: overflow to the largest finite
      break;
    case RoundingMode.Up:
      expect(c).toBeGreaterThan(0);
      if (down !== -Infinity) expect(cmp(rat(down), x)).toBeLessThan(0);
      break;
    default:
      // within half an ulp on each side
      expect(cmp(half(rat(r), rat(up)), x)).toBeGreaterThanOrEqual(0);
      expect(cmp(half(rat(r), rat(down)), x)).toBeLessThanOrEqual(0);
  }
}

const RCS = [RoundingMode.Nearest, RoundingMode.Down, RoundingMode.Up, RoundingMode.Chop];
const RANGES: [number, number][] = [
  [-4, 4],
  [-60, 60],
  [-1074 + 53, -960], // products and quotients near and below the normal range (slow path)
  [960, 1023], // operands beyond Dekker's safe range (slow path)
];

describe('x87 arithmetic is correctly rounded at 53 bits in every rounding mode', () => {
  it.each(RANGES)('+ × ÷ over exponents [%d, %d]', (emin, emax) => {
    const rnd = lcg(emin * 7919 + emax);
    for (let k = 0; k < 150; k++) {
      const a = randomDouble(rnd, emin, emax);
      const b = randomDouble(rnd, emin, emax);
      for (const rc of RCS) {
        const s = fadd(a, b, 53, rc);
        if (Number.isFinite(s)) {
          checkRounding(s, rc, add(rat(a), rat(b)));
        }
        const p = fmul(a, b, 53, rc);
        if (Number.isFinite(p) && p !== 0 && Math.abs(p) > 2 ** -1022) {
          checkRounding(p, rc, mul(rat(a), rat(b)));
        }
        const q = fdiv(a, b, 53, rc);
        if (Number.isFinite(q) && q !== 0 && Math.abs(q) > 2 ** -1022) {
          checkRounding(q, rc, div(rat(a), rat(b)));
        }
      }
    }
  });

  it('√ in every rounding mode', () => {
    const rnd = lcg(42);
    for (let k = 0; k < 500; k++) {
      const a = Math.abs(randomDouble(rnd, -1070, 1020));
      for (const rc of RCS) {
        const r = fsqrt(a, 53, rc);
        // sign(y − √a) = sign(y² − a) for y ≥ 0
        const cmpTo = (y: number): number => cmp(mul(rat(y), rat(y)), rat(a));
        const c = cmpTo(r);
        if (c === 0) continue;
        if (rc === RoundingMode.Down || rc === RoundingMode.Chop) {
          expect(c).toBeLessThan(0);
          expect(cmpTo(nextUp(r))).toBeGreaterThan(0);
        } else if (rc === RoundingMode.Up) {
          expect(c).toBeGreaterThan(0);
          expect(cmpTo(nextDown(r))).toBeLessThan(0);
        } else {
          expect(r).toBe(Math.sqrt(a)); // JS √ is correctly rounded to nearest
        }
      }
    }
  });

  it('matches JS (round to nearest) bit for bit at 53 bits', () => {
    const rnd = lcg(7);
    for (let k = 0; k < 1000; k++) {
      const a = randomDouble(rnd, -1000, 1000);
      const b = randomDouble(rnd, -1000, 1000);
      expect(fadd(a, b, 53, RoundingMode.Nearest)).toBe(a + b);
      expect(fmul(a, b, 53, RoundingMode.Nearest)).toBe(a * b);
      expect(fdiv(a, b, 53, RoundingMode.Nearest)).toBe(a / b);
    }
  });

  it('raises PE exactly when the result is inexact, IE and ZE for invalid and ÷0', () => {
    fadd(1, 2, 53, RoundingMode.Nearest);
    expect(arithExc.bits).toBe(0);
    fadd(1, 2 ** -60, 53, RoundingMode.Nearest);
    expect(arithExc.bits & PE).toBe(PE);
    fdiv(1, 4, 53, RoundingMode.Nearest);
    expect(arithExc.bits).toBe(0);
    fdiv(1, 3, 53, RoundingMode.Nearest);
    expect(arithExc.bits & PE).toBe(PE);
    fsqrt(9, 53, RoundingMode.Nearest);
    expect(arithExc.bits).toBe(0);
    fmul(0, Infinity, 53, RoundingMode.Nearest);
    expect(arithExc.bits).toBe(IE);
    fadd(Infinity, -Infinity, 53, RoundingMode.Nearest);
    expect(arithExc.bits).toBe(IE);
    expect(fdiv(-1, 0, 53, RoundingMode.Nearest)).toBe(-Infinity);
    expect(arithExc.bits).toBe(ZE);
  });
});

describe('24-bit precision control', () => {
  it('rounds to 24 significant bits in every mode, keeping the double exponent range', () => {
    const rnd = lcg(24);
    for (let k = 0; k < 300; k++) {
      const a = randomDouble(rnd, -200, 200);
      const b = randomDouble(rnd, -200, 200);
      for (const rc of RCS) {
        const q = fdiv(a, b, 24, rc);
        // representable with 24 bits
        const e = exponentOf(q);
        const scaled = q * 2 ** (23 - e);
        expect(Number.isInteger(scaled)).toBe(true);
        if (rc === RoundingMode.Nearest && Math.abs(a / b) < 3e38 && Math.abs(a / b) > 1.2e-38) {
          expect(q).toBe(Math.fround(a / b)); // double rounding is innocuous for ÷ (53 ≥ 2·24 + 2)
        }
        const exact = div(rat(a), rat(b));
        const c = cmp(rat(q), exact);
        if (rc === RoundingMode.Down) expect(c).toBeLessThanOrEqual(0);
        if (rc === RoundingMode.Up) expect(c).toBeGreaterThanOrEqual(0);
        if (rc === RoundingMode.Chop) expect(cmp(rat(Math.abs(q)), exact.n < 0n ? { n: -exact.n, d: exact.d } : exact)).toBeLessThanOrEqual(0);
      }
    }
    expect(fmul(1e200, 1e-10, 24, RoundingMode.Nearest)).toBeGreaterThan(1e189); // no single-range overflow
  });
});

describe('roundToIntegral', () => {
  it('rounds halves to even and keeps the sign of zero', () => {
    expect(roundToIntegral(0.5, RoundingMode.Nearest)).toBe(0);
    expect(roundToIntegral(1.5, RoundingMode.Nearest)).toBe(2);
    expect(Object.is(roundToIntegral(-0.5, RoundingMode.Nearest), -0)).toBe(true);
    expect(Object.is(roundToIntegral(-0.2, RoundingMode.Chop), -0)).toBe(true);
    expect(roundToIntegral(4503599627370497, RoundingMode.Nearest)).toBe(4503599627370497);
    expect(roundToIntegral(-1e300, RoundingMode.Up)).toBe(-1e300);
  });
});
