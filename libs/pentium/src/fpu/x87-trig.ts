// FSIN / FCOS / FSINCOS / FPTAN as the x87 computes them: the argument is reduced modulo
// π/2 using the FPU's internal 66-bit approximation of π (Intel SDM vol. 1 §8.3.10,
// "Transcendental Instruction Accuracy"; B. Dawson, "Intel Underestimates Error Bounds by
// 1.3 quintillion", 2014), then the function of the reduced argument is evaluated. The
// reduction is done exactly (BigInt), so results near multiples of π, and for large
// arguments, carry the hardware's characteristic error; the final evaluation is the JS
// Math library's (checked within 2 ulps against a real x87 in x87-vectors.spec.ts).

import { RoundingMode, decompose, roundBig } from './float-bits';

/** π · 2^66 to 68 bits: the 66-bit π of the x87 followed by two zero bits. */
const PI68 = 0xc90fdaa22168c234cn;
const QUARTER_PI = Math.PI / 4;

/** Result of reduce(): x = k·(π₆₆/2) + r, |r| ≤ π/4 (about), k mod 4 in `k`. */
const red = { r: 0, k: 0 };

function reduce(ax: number): void {
  if (ax <= QUARTER_PI) {
    red.r = ax;
    red.k = 0;
    return;
  }
  const d = decompose(ax);
  // ax / (π/2) = m·2^e / (PI68·2^-67)
  let num: bigint;
  let den: bigint;
  if (d.e + 67 >= 0) {
    num = d.m << BigInt(d.e + 67);
    den = PI68;
  } else {
    num = d.m;
    den = PI68 << BigInt(-(d.e + 67));
  }
  let k = num / den;
  if (2n * (num - k * den) >= den) k += 1n;
  const s = Math.min(d.e, -67);
  const rr = (d.m << BigInt(d.e - s)) - k * (PI68 << BigInt(-67 - s));
  const neg = rr < 0n;
  red.r = roundBig(neg, neg ? -rr : rr, s, false, 53, -1022, 1023, RoundingMode.Nearest);
  red.k = Number(k & 3n);
}

export function x87Sin(x: number): number {
  if (x === 0) return x; // keeps −0
  const ax = Math.abs(x);
  reduce(ax);
  const r = red.r;
  const v = red.k === 0 ? Math.sin(r) : red.k === 1 ? Math.cos(r) : red.k === 2 ? -Math.sin(r) : -Math.cos(r);
  return x < 0 ? -v : v;
}

export function x87Cos(x: number): number {
  reduce(Math.abs(x));
  const r = red.r;
  return red.k === 0 ? Math.cos(r) : red.k === 1 ? -Math.sin(r) : red.k === 2 ? -Math.cos(r) : Math.sin(r);
}

export function x87Tan(x: number): number {
  if (x === 0) return x;
  const ax = Math.abs(x);
  reduce(ax);
  const v = (red.k & 1) === 0 ? Math.tan(red.r) : -1 / Math.tan(red.r);
  return x < 0 ? -v : v;
}
