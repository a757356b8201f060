// The one seeded pseudo-random generator of mklab (contracts.md: determinism — no
// Math.random inside the emulator or the kernels). xoshiro128** (Blackman & Vigna,
// 2018): 128 bits of state, 32-bit outputs, period 2^128 − 1; seeded through
// splitmix32 so that nearby seeds give unrelated streams. Same seed, same sequence, on
// every host.

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new Error(`Prng: seed must be an integer, got ${seed}`);
    const st = { s: seed | 0 };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1;
  }

  /** next unsigned 32-bit value */
  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** uniform in [0, 1) with 32 bits of resolution */
  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }

  /** uniform integer in [0, n) without modulo bias (n ≤ 2^32) */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) throw new Error(`Prng.nextInt: n must be an integer in 1..2^32, got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const v = this.nextU32();
      if (v < limit) return v % n;
    }
  }

  /** an independent generator derived from this one (for a sub-component) */
  fork(): Prng {
    return new Prng(this.nextU32() | 0);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
