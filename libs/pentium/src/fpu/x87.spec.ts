import { FpuHost } from './fpu-host';
import { SW_C0, SW_C1, SW_C2, SW_C3, SW_ES, SW_SF, X87 } from './x87';

/** A flat little-endian memory with an optional faulting page, and a register file. */
class TestHost implements FpuHost {
  readonly mem = new Uint8Array(0x10000);
  readonly regs = new Uint32Array(8);
  faultFrom = Infinity;
  private check(la: number, n: number): void {
    if (la + n - 1 >= this.faultFrom) throw new Error(`#PF at ${la.toString(16)}`);
  }
  readLinear8(la: number): number {
    this.check(la, 1);
    return this.mem[la]!;
  }
  readLinear16(la: number): number {
    this.check(la, 2);
    return this.mem[la]! | (this.mem[la + 1]! << 8);
  }
  readLinear32(la: number): number {
    this.check(la, 4);
    return (this.mem[la]! | (this.mem[la + 1]! << 8) | (this.mem[la + 2]! << 16) | (this.mem[la + 3]! << 24)) >>> 0;
  }
  writeLinear8(la: number, v: number): void {
    this.check(la, 1);
    this.mem[la] = v;
  }
  writeLinear16(la: number, v: number): void {
    this.check(la, 2);
    this.mem[la] = v;
    this.mem[la + 1] = v >>> 8;
  }
  writeLinear32(la: number, v: number): void {
    this.check(la, 4);
    for (let k = 0; k < 4; k++) this.mem[la + k] = v >>> (8 * k);
  }
  getReg(r: number): number {
    return this.regs[r]!;
  }
  setReg(r: number, v: number): void {
    this.regs[r] = v;
  }
  raiseException(vector: number): never {
    throw new Error(`#${vector}`);
  }
  // test conveniences
  f64(la: number, v?: number): number {
    const dv = new DataView(this.mem.buffer);
    if (v !== undefined) dv.setFloat64(la, v, true);
    return dv.getFloat64(la, true);
  }
  f32(la: number, v?: number): number {
    const dv = new DataView(this.mem.buffer);
    if (v !== undefined) dv.setFloat32(la, v, true);
    return dv.getFloat32(la, true);
  }
  i16(la: number, v?: number): number {
    const dv = new DataView(this.mem.buffer);
    if (v !== undefined) dv.setInt16(la, v, true);
    return dv.getInt16(la, true);
  }
  i32(la: number, v?: number): number {
    const dv = new DataView(this.mem.buffer);
    if (v !== undefined) dv.setInt32(la, v, true);
    return dv.getInt32(la, true);
  }
  i64(la: number, v?: bigint): bigint {
    const dv = new DataView(this.mem.buffer);
    if (v !== undefined) dv.setBigInt64(la, v, true);
    return dv.getBigInt64(la, true);
  }
  /** 80-bit image as hex "SSSS MMMMMMMMMMMMMMMM" */
  ext(la: number, hex?: string): string {
    if (hex !== undefined) {
      const [se, m] = hex.split(' ') as [string, string];
      const mant = BigInt('0x' + m);
      new DataView(this.mem.buffer).setBigUint64(la, mant, true);
      this.writeLinear16(la + 8, parseInt(se, 16));
    }
    const mant = new DataView(this.mem.buffer).getBigUint64(la, true);
    return this.readLinear16(la + 8).toString(16).padStart(4, '0') + ' ' + mant.toString(16).padStart(16, '0');
  }
  bytes(la: number, n: number): number[] {
    return Array.from(this.mem.subarray(la, la + n));
  }
}

// Memory operand ModRM: mod = 00, rm = 000 (the address is passed separately).
const M = (reg: number): number => reg << 3;
const R = (reg: number, i: number): number => 0xc0 | (reg << 3) | i;
const A = 0x100; // scratch operand address
const B = 0x200;
const ENV = 0x1000;

function setup(): { x: X87; h: TestHost; run: (op: number, modrm: number, la?: number) => void } {
  const x = new X87();
  const h = new TestHost();
  const run = (op: number, modrm: number, la = -1): void => x.execute(h, op, modrm, modrm < 0xc0 ? la : -1);
  return { x, h, run };
}

/** Push a double through FLD m64. */
function push(t: ReturnType<typeof setup>, v: number): void {
  t.h.f64(0x800, v);
  t.run(0xdd, M(0), 0x800);
}

const FLDCW = (t: ReturnType<typeof setup>, cw: number): void => {
  t.h.writeLinear16(0x810, cw);
  t.run(0xd9, M(5), 0x810);
};
// 53-bit precision (what the guest libc sets) with each rounding mode
const RC_NEAREST = 0x027f;
const RC_DOWN = 0x067f;
const RC_UP = 0x0a7f;
const RC_CHOP = 0x0e7f;

describe('x87 loads and stores', () => {
  it('FLD/FST/FSTP m32 and m64 move values and pop', () => {
    const t = setup();
    t.h.f32(A, 1.5);
    t.run(0xd9, M(0), A); // FLD m32
    t.h.f64(B, -2.25);
    t.run(0xdd, M(0), B); // FLD m64
    expect(t.x.st(0)).toBe(-2.25);
    expect(t.x.st(1)).toBe(1.5);
    expect(t.x.top).toBe(6);
    t.run(0xdd, M(3), 0x300); // FSTP m64
    expect(t.h.f64(0x300)).toBe(-2.25);
    t.run(0xd9, M(2), 0x310); // FST m32
    expect(t.h.f32(0x310)).toBe(1.5);
    expect(t.x.top).toBe(7);
    expect(t.x.isEmpty(1)).toBe(true);
  });

  it('FST m32 rounds under RC and overflows to ±∞ or the largest single', () => {
    const t = setup();
    push(t, 1 + 2 ** -30); // between two singles, nearer 1
    t.run(0xd9, M(2), A);
    expect(t.h.f32(A)).toBe(1);
    expect(t.x.sw & 0x20).toBe(0x20); // PE
    FLDCW(t, RC_UP);
    t.run(0xd9, M(2), A);
    expect(t.h.f32(A)).toBe(1 + 2 ** -23);
    push(t, 1e39);
    FLDCW(t, RC_CHOP);
    t.run(0xd9, M(2), A);
    expect(t.h.f32(A)).toBe(3.4028234663852886e38);
    FLDCW(t, RC_NEAREST);
    t.run(0xd9, M(2), A);
    expect(t.h.f32(A)).toBe(Infinity);
    expect(t.x.sw & 0x08).toBe(0x08); // OE
  });

  it('FILD/FISTP m16, m32, m64 are exact, including 64-bit values beyond 2^53', () => {
    const t = setup();
    t.h.i16(A, -12345);
    t.run(0xdf, M(0), A);
    t.run(0xdf, M(3), B);
    expect(t.h.i16(B)).toBe(-12345);
    t.h.i32(A, -2147483648);
    t.run(0xdb, M(0), A);
    t.run(0xdb, M(3), B);
    expect(t.h.i32(B)).toBe(-2147483648);
    for (const v of [2n ** 60n + 1n, -(2n ** 63n), 2n ** 63n - 1n, -3n, 123456789012345n]) {
      t.h.i64(A, v);
      t.run(0xdf, M(5), A); // FILD m64
      t.run(0xdf, M(7), B); // FISTP m64
      expect(t.h.i64(B)).toBe(v);
    }
    expect(t.x.top).toBe(0);
  });

  it('FIST out of range stores the integer indefinite and raises IE', () => {
    const t = setup();
    push(t, 40000);
    t.run(0xdf, M(2), A); // FIST m16
    expect(t.h.i16(A)).toBe(-32768);
    expect(t.x.sw & 1).toBe(1);
    push(t, 2 ** 31);
    t.run(0xdb, M(2), A);
    expect(t.h.i32(A)).toBe(-2147483648);
    push(t, 2 ** 63);
    t.run(0xdf, M(7), A);
    expect(t.h.i64(A)).toBe(-(2n ** 63n));
    push(t, NaN);
    t.run(0xdb, M(3), A);
    expect(t.h.i32(A) >>> 0).toBe(0x80000000);
    push(t, -(2 ** 63));
    t.run(0xdf, M(7), A);
    expect(t.h.i64(A)).toBe(-(2n ** 63n));
  });

  it('FLD1 FLDZ FLDPI FLDL2E FLDL2T FLDLG2 FLDLN2 load the extended constants, rounded per RC', () => {
    const t = setup();
    t.run(0xd9, 0xe8);
    expect(t.x.st(0)).toBe(1);
    t.run(0xd9, 0xee);
    expect(Object.is(t.x.st(0), 0)).toBe(true);
    const cases: [number, number, string][] = [
      [0xeb, Math.PI, '4000 c90fdaa22168c235'],
      [0xea, Math.LOG2E, '3fff b8aa3b295c17f0bc'],
      [0xe9, Math.LN10 / Math.LN2, '4000 d49a784bcd1b8afe'],
      [0xec, Math.LOG10E * Math.LN2, '3ffd 9a209a84fbcff799'],
      [0xed, Math.LN2, '3ffe b17217f7d1cf79ac'],
    ];
    for (const [modrm, approx, bits] of cases) {
      t.run(0xd9, modrm);
      expect(Math.abs(t.x.st(0) - approx)).toBeLessThanOrEqual(Math.abs(approx) * 2 ** -52);
      t.run(0xdb, M(7), A); // FSTP m80
      expect(t.h.ext(A)).toBe(bits);
    }
    FLDCW(t, RC_DOWN);
    t.run(0xd9, 0xeb);
    t.run(0xdb, M(7), A);
    expect(t.h.ext(A)).toBe('4000 c90fdaa22168c234');
    t.run(0xd9, 0xeb); // pushed π is the double π in arithmetic
    expect(t.x.st(0)).toBe(Math.PI);
  });
});

describe('80-bit conversions', () => {
  const cases: [string, number, string][] = [
    ['1.0', 1, '3fff 8000000000000000'],
    ['-0', -0, '8000 0000000000000000'],
    ['smallest double denormal', 5e-324, (16383 - 1074).toString(16) + ' 8000000000000000'],
    ['+inf', Infinity, '7fff 8000000000000000'],
    ['-inf', -Infinity, 'ffff 8000000000000000'],
    ['max double', Number.MAX_VALUE, (16383 + 1023).toString(16) + ' fffffffffffff800'],
    ['-3.5', -3.5, 'c000 e000000000000000'],
  ];
  it.each(cases)('FSTP m80 of %s and FLD m80 back', (_name, v, bits) => {
    const t = setup();
    push(t, v);
    t.run(0xdb, M(7), A);
    expect(t.h.ext(A)).toBe(bits);
    t.run(0xdb, M(5), A); // FLD m80
    expect(Object.is(t.x.st(0), v)).toBe(true);
    t.run(0xdd, M(3), B);
    expect(Object.is(t.h.f64(B), v)).toBe(true);
  });

  it('keeps NaN payloads, signs and quiets SNaNs loaded from m64', () => {
    const t = setup();
    // QNaN with payload, negative
    t.h.writeLinear32(A, 0x12345678);
    t.h.writeLinear32(A + 4, 0xfff9abcd);
    t.run(0xdd, M(0), A);
    expect(t.x.sw & 1).toBe(0);
    t.run(0xdb, M(7), B);
    const mant = (1n << 63n) | (0x9abcd12345678n << 11n);
    expect(t.h.ext(B)).toBe('ffff ' + mant.toString(16));
    // exact check through a round trip instead
    t.run(0xdb, M(5), B);
    t.run(0xdd, M(3), 0x300);
    expect(t.h.readLinear32(0x300)).toBe(0x12345678);
    expect(t.h.readLinear32(0x304)).toBe(0xfff9abcd);
    // SNaN: IE and quieted
    t.h.writeLinear32(A, 1);
    t.h.writeLinear32(A + 4, 0x7ff00000);
    t.run(0xdd, M(0), A);
    expect(t.x.sw & 1).toBe(1);
    t.run(0xdd, M(3), 0x300);
    expect(t.h.readLinear32(0x304)).toBe(0x7ff80000);
    expect(t.h.readLinear32(0x300)).toBe(1);
  });

  it('FLD m80 / FSTP m80 is exact for values a double cannot hold (64-bit significand, denormal, huge)', () => {
    const t = setup();
    for (const bits of [
      '3fff ffffffffffffffff', // 2 − 2^-63
      '0000 0000000000000001', // smallest extended denormal
      '7ffe ffffffffffffffff', // largest extended
      '7fff 8000000000000001', // SNaN
      '4000 4000000000000000', // unnormal (unsupported)
    ]) {
      t.h.ext(A, bits);
      t.run(0xdb, M(5), A);
      t.run(0xd9, R(0, 0)); // FLD ST(0): copies keep the image
      t.run(0xd9, R(1, 1)); // FXCH ST(1)
      t.run(0xdb, M(7), B);
      expect(t.h.ext(B)).toBe(bits);
      t.run(0xdb, M(7), B);
      expect(t.h.ext(B)).toBe(bits);
    }
    expect(t.x.sw & 1).toBe(0); // no conversion, no exception
  });

  it('FST m32 rounds an 80-bit image once (no double rounding through the double)', () => {
    const t = setup();
    t.h.ext(A, '3fff 8000008000000001'); // 1 + 2^-24 + 2^-63: just above a single-precision tie
    t.run(0xdb, M(5), A);
    t.run(0xd9, M(2), B);
    expect(t.h.f32(B)).toBe(1 + 2 ** -23); // via the double (1 + 2^-24, a tie) it would be 1
    expect(Math.fround(t.x.st(0))).toBe(1);
  });

  it('rounds an m80 value to nearest for arithmetic and per RC for FST m64', () => {
    const t = setup();
    t.h.ext(A, '3fff 8000000000000401'); // 1 + 2^-53 + 2^-63: just above the midpoint
    t.run(0xdb, M(5), A);
    expect(t.x.st(0)).toBe(1 + 2 ** -52);
    FLDCW(t, RC_CHOP);
    t.run(0xdd, M(2), B);
    expect(t.h.f64(B)).toBe(1);
    t.h.ext(A, '43ff 8000000000000000'); // 2^1024: beyond the double range
    t.run(0xdb, M(5), A);
    FLDCW(t, RC_NEAREST);
    t.run(0xdd, M(2), B);
    expect(t.h.f64(B)).toBe(Infinity);
    expect(t.x.sw & 0x08).toBe(0x08);
  });
});

describe('x87 arithmetic', () => {
  it('D8 memory forms: FADD FMUL FSUB FSUBR FDIV FDIVR m32', () => {
    const results: [number, number][] = [
      [0, 8 + 2],
      [1, 8 * 2],
      [4, 8 - 2],
      [5, 2 - 8],
      [6, 8 / 2],
      [7, 2 / 8],
    ];
    for (const [reg, expected] of results) {
      const t = setup();
      push(t, 8);
      t.h.f32(A, 2);
      t.run(0xd8, M(reg), A);
      expect(t.x.st(0)).toBe(expected);
    }
  });

  it('DC memory forms use m64 and the FI* forms integers', () => {
    const t = setup();
    FLDCW(t, RC_NEAREST);
    push(t, 10);
    t.h.f64(A, 0.1);
    t.run(0xdc, M(0), A); // FADD m64
    expect(t.x.st(0)).toBe(10.1);
    t.h.i16(A, -4);
    t.run(0xde, M(1), A); // FIMUL m16
    expect(t.x.st(0)).toBe(-40.4);
    t.h.i32(A, 100000);
    t.run(0xda, M(5), A); // FISUBR m32
    expect(t.x.st(0)).toBe(100000 + 40.4);
    t.h.i32(A, 3);
    t.run(0xda, M(6), A); // FIDIV m32
    expect(t.x.st(0)).toBe((100000 + 40.4) / 3);
  });

  it('register forms: D8 (ST0 op= STi), DC (STi op= ST0, with reversed sub/div), DE (and pop)', () => {
    const mk = (): ReturnType<typeof setup> => {
      const t = setup();
      push(t, 3); // ST1
      push(t, 12); // ST0
      return t;
    };
    let t = mk();
    t.run(0xd8, R(4, 1)); // FSUB ST0, ST1
    expect(t.x.st(0)).toBe(9);
    t = mk();
    t.run(0xd8, R(5, 1)); // FSUBR ST0, ST1
    expect(t.x.st(0)).toBe(-9);
    t = mk();
    t.run(0xdc, R(4, 1)); // DC E0+i: FSUBR ST(i), ST0 → ST1 = ST0 − ST1
    expect(t.x.st(1)).toBe(9);
    t = mk();
    t.run(0xdc, R(5, 1)); // DC E8+i: FSUB ST(i), ST0 → ST1 = ST1 − ST0
    expect(t.x.st(1)).toBe(-9);
    t = mk();
    t.run(0xdc, R(6, 1)); // DC F0+i: FDIVR ST(i), ST0 → ST1 = ST0 / ST1
    expect(t.x.st(1)).toBe(4);
    t = mk();
    t.run(0xdc, R(7, 1)); // DC F8+i: FDIV ST(i), ST0 → ST1 = ST1 / ST0
    expect(t.x.st(1)).toBe(0.25);
    t = mk();
    t.run(0xde, R(7, 1)); // FDIVP ST1, ST0
    expect(t.x.st(0)).toBe(0.25);
    expect(t.x.top).toBe(7);
    t = mk();
    t.run(0xde, R(0, 1)); // FADDP
    expect(t.x.st(0)).toBe(15);
    t = mk();
    t.run(0xde, R(1, 1)); // FMULP
    expect(t.x.st(0)).toBe(36);
    t = mk();
    t.run(0xde, R(5, 1)); // FSUBP ST1, ST0 (DE E8+i) → ST1 − ST0
    expect(t.x.st(0)).toBe(-9);
  });

  it('FCHS FABS FSQRT and invalid operations give the indefinite', () => {
    const t = setup();
    push(t, 2);
    t.run(0xd9, 0xfa);
    expect(t.x.st(0)).toBe(Math.SQRT2);
    t.run(0xd9, 0xe0);
    expect(t.x.st(0)).toBe(-Math.SQRT2);
    t.run(0xd9, 0xe1);
    expect(t.x.st(0)).toBe(Math.SQRT2);
    push(t, -1);
    t.run(0xd9, 0xfa);
    expect(t.x.sw & 1).toBe(1);
    t.run(0xdb, M(7), A);
    expect(t.h.ext(A)).toBe('ffff c000000000000000');
    push(t, 1);
    push(t, 0);
    t.run(0xde, R(7, 1)); // 1 / 0
    expect(t.x.st(0)).toBe(Infinity);
    expect(t.x.sw & 0x04).toBe(0x04); // ZE
  });

  it('honours rounding control in + − × ÷ √ (53-bit precision)', () => {
    const third = (cw: number): number => {
      const t = setup();
      FLDCW(t, cw);
      push(t, 1);
      t.h.f64(A, 3);
      t.run(0xdc, M(6), A);
      return t.x.st(0);
    };
    const near = 1 / 3;
    expect(third(RC_NEAREST)).toBe(near);
    expect(third(RC_DOWN)).toBe(near); // 1/3 rounds down to nearest
    expect(third(RC_UP)).toBeGreaterThan(near);
    expect(third(RC_CHOP)).toBe(near);
    const add = (cw: number, a: number, b: number): number => {
      const t = setup();
      FLDCW(t, cw);
      push(t, a);
      t.h.f64(A, b);
      t.run(0xdc, M(0), A);
      return t.x.st(0);
    };
    expect(add(RC_UP, 1, 2 ** -60)).toBe(1 + 2 ** -52);
    expect(add(RC_NEAREST, 1, 2 ** -60)).toBe(1);
    expect(add(RC_DOWN, -1, -(2 ** -60))).toBe(-1 - 2 ** -52);
    expect(add(RC_CHOP, -1, -(2 ** -60))).toBe(-1);
    expect(Object.is(add(RC_DOWN, 1, -1), -0)).toBe(true);
    expect(Object.is(add(RC_NEAREST, 1, -1), 0)).toBe(true);
    const t = setup();
    FLDCW(t, RC_UP);
    push(t, 2);
    t.run(0xd9, 0xfa);
    // √2 = 1.41421356237309504880…; the nearest double 1.41421356237309514547… is above it
    expect(t.x.st(0)).toBe(Math.SQRT2);
    FLDCW(t, RC_DOWN);
    push(t, 2);
    t.run(0xd9, 0xfa);
    expect(t.x.st(0)).toBe(Math.SQRT2 - 2 ** -52);
  });

  it('precision control 64 bits (the FNINIT default) rounds to 64 bits, exactly', () => {
    const t = setup();
    push(t, 1);
    t.h.f64(A, 3);
    t.run(0xdc, M(6), A); // 1/3 to 64 bits
    t.run(0xd9, R(0, 0)); // FLD ST(0)
    t.run(0xdb, M(7), B);
    expect(t.h.ext(B)).toBe('3ffd aaaaaaaaaaaaaaab');
    t.h.f64(A, 3);
    t.run(0xdc, M(1), A); // (1/3)·3 at 64 bits: 1 + 2^-64 rounds to 1
    expect(t.x.st(0)).toBe(1);
    push(t, 2);
    t.run(0xd9, 0xfa); // √2 to 64 bits
    t.run(0xdb, M(7), B);
    expect(t.h.ext(B)).toBe('3fff b504f333f9de6484');
  });

  it('80-bit operands enter arithmetic exactly (unsigned long long → double as gcc emits it)', () => {
    const t = setup();
    FLDCW(t, RC_NEAREST);
    // The unsigned 0x8000000000000401 is FILDed as −2^63 + 1025, then 2^64 is added: the
    // exact sum 2^63 + 1025 rounds once to 2^63 + 2048. Rounding the integer to a double
    // first (−2^63 + 1024) would make the sum a tie that rounds to 2^63.
    t.h.i64(A, -(2n ** 63n) + 1025n);
    t.run(0xdf, M(5), A); // FILD m64, exact
    t.h.f32(B, 2 ** 64);
    t.run(0xd8, M(0), B); // FADD m32
    expect(t.x.st(0)).toBe(2 ** 63 + 2048);
    t.h.i64(A, 2n ** 60n + 1n);
    t.run(0xdf, M(5), A);
    t.h.i64(A, 2n ** 60n);
    t.run(0xdf, M(5), A);
    t.run(0xde, R(5, 1)); // FSUBP: (2^60 + 1) − 2^60
    expect(t.x.st(0)).toBe(1);
    t.h.i64(A, 2n ** 60n + 1n);
    t.run(0xdf, M(5), A);
    t.h.i64(A, 2n ** 60n);
    t.run(0xdf, M(5), A);
    t.run(0xde, 0xd9); // FCOMPP: 2^60 < 2^60 + 1
    expect(t.x.sw & (SW_C0 | SW_C3)).toBe(SW_C0);
  });

  it('FXTRACT, FSCALE and FPREM work on 80-bit images exactly', () => {
    const t = setup();
    t.h.ext(A, '3fff ffffffffffffffff');
    t.run(0xdb, M(5), A);
    t.run(0xd9, 0xf4); // FXTRACT
    t.run(0xdb, M(7), B);
    expect(t.h.ext(B)).toBe('3fff ffffffffffffffff');
    expect(t.x.st(0)).toBe(0); // the exponent
    t.run(0xdd, 0xd8);
    push(t, 10);
    t.h.ext(A, '3fff ffffffffffffffff');
    t.run(0xdb, M(5), A);
    t.run(0xd9, 0xfd); // FSCALE by 10
    t.run(0xdb, M(7), B);
    expect(t.h.ext(B)).toBe('4009 ffffffffffffffff');
    t.run(0xdd, 0xd8);
    const big = 2n ** 62n + 1n;
    push(t, 3);
    t.h.i64(A, big);
    t.run(0xdf, M(5), A); // ST0 = 2^62 + 1 (exact), ST1 = 3
    t.run(0xd9, 0xf8); // FPREM
    expect(t.x.st(0)).toBe(Number(big % 3n));
    const q = big / 3n;
    expect(t.x.sw & (SW_C0 | SW_C3 | SW_C1 | SW_C2)).toBe(
      (q & 4n ? SW_C0 : 0) | (q & 2n ? SW_C3 : 0) | (q & 1n ? SW_C1 : 0),
    );
  });

  it('precision control 24 bits rounds results to single precision', () => {
    const t = setup();
    FLDCW(t, 0x007f); // PC = 00
    push(t, 1);
    t.h.f64(A, 3);
    t.run(0xdc, M(6), A);
    expect(t.x.st(0)).toBe(Math.fround(1 / 3));
  });

  it('keeps results beyond the double range in the register, as the 15-bit exponent does; overflows on store', () => {
    const t = setup();
    push(t, Number.MAX_VALUE);
    t.run(0xd8, R(0, 0)); // 2·MAX: finite in an 80-bit register
    expect(t.x.sw & 0x08).toBe(0); // no OE yet
    t.run(0xdb, M(7), A);
    expect(t.h.ext(A)).toBe((16383 + 1024).toString(16) + ' fffffffffffff800');
    t.run(0xdb, M(5), A);
    t.h.f64(B, 0.25);
    t.run(0xdc, M(1), B); // ×0.25 uses the double view (∞): documented limitation
    t.run(0xdb, M(5), A);
    FLDCW(t, RC_CHOP);
    t.run(0xdd, M(2), B); // FST m64: overflow now, chop gives MAX
    expect(t.h.f64(B)).toBe(Number.MAX_VALUE);
    expect(t.x.sw & 0x28).toBe(0x28); // OE, PE
    FLDCW(t, RC_NEAREST);
    t.run(0xdd, M(2), B);
    expect(t.h.f64(B)).toBe(Infinity);
  });

  it('tiny results keep their 53-bit significand in the register: UE only on store', () => {
    const t = setup();
    push(t, 2 ** -600);
    t.h.f64(A, 3 * 2 ** -500);
    t.run(0xdc, M(1), A); // 3·2^-1100: below the double range, exact in an 80-bit register
    expect(t.x.sw & 0x30).toBe(0);
    t.run(0xdb, M(7), B);
    expect(t.h.ext(B)).toBe((16383 - 1099).toString(16) + ' c000000000000000');
    t.run(0xdb, M(5), B);
    t.run(0xdd, M(3), A);
    expect(t.h.f64(A)).toBe(0); // 3·2^-1100 rounds to 0 as a double
    expect(t.x.sw & 0x30).toBe(0x30); // UE, PE at the store
  });

  it('propagates the NaN with the larger significand, quieted', () => {
    const t = setup();
    t.h.ext(A, '7fff c000000000000005');
    t.run(0xdb, M(5), A);
    t.h.ext(A, 'ffff 8000000000000009'); // SNaN, larger significand
    t.run(0xdb, M(5), A);
    t.run(0xd8, R(0, 1));
    expect(t.x.sw & 1).toBe(1);
    t.run(0xdb, M(7), B);
    expect(t.h.ext(B)).toBe('ffff c000000000000009');
  });
});

describe('comparisons and FXAM', () => {
  const cc = (x: X87): string =>
    ['C3', 'C2', 'C0']
      .filter((_, k) => x.sw & [SW_C3, SW_C2, SW_C0][k]!)
      .join('') || '-';
  it('FCOM m64 / FCOMP / FCOMPP / FICOM / FTST set C3 C2 C0', () => {
    const t = setup();
    push(t, 5);
    t.h.f64(A, 3);
    t.run(0xdc, M(2), A);
    expect(cc(t.x)).toBe('-');
    t.h.f64(A, 7);
    t.run(0xdc, M(2), A);
    expect(cc(t.x)).toBe('C0');
    t.h.f64(A, 5);
    t.run(0xdc, M(2), A);
    expect(cc(t.x)).toBe('C3');
    t.h.i16(A, 5);
    t.run(0xde, M(3), A); // FICOMP m16
    expect(cc(t.x)).toBe('C3');
    expect(t.x.top).toBe(0);
    push(t, -0);
    t.run(0xd9, 0xe4); // FTST: −0 = 0
    expect(cc(t.x)).toBe('C3');
    push(t, 2);
    push(t, 1);
    t.run(0xde, 0xd9); // FCOMPP: 1 < 2
    expect(cc(t.x)).toBe('C0');
    expect(t.x.isEmpty(0)).toBe(false);
    expect(t.x.st(0)).toBe(-0);
  });

  it('unordered: FUCOM with a QNaN is quiet, FCOM raises IE', () => {
    const t = setup();
    push(t, 1);
    push(t, NaN);
    t.run(0xdd, R(4, 1)); // FUCOM ST1
    expect(cc(t.x)).toBe('C3C2C0');
    expect(t.x.sw & 1).toBe(0);
    t.run(0xd8, R(2, 1)); // FCOM ST1
    expect(cc(t.x)).toBe('C3C2C0');
    expect(t.x.sw & 1).toBe(1);
    t.run(0xda, 0xe9); // FUCOMPP
    expect(t.x.top).toBe(0);
  });

  it('FXAM classes and sign', () => {
    const t = setup();
    const fxam = (): [number, number] => {
      t.run(0xd9, 0xe5);
      const sw = t.x.sw;
      return [((sw & SW_C3 ? 4 : 0) | (sw & SW_C2 ? 2 : 0) | (sw & SW_C0 ? 1 : 0)), sw & SW_C1 ? 1 : 0];
    };
    expect(fxam()[0]).toBe(0b101); // empty
    push(t, -1.5);
    expect(fxam()).toEqual([0b010, 1]);
    push(t, 0);
    expect(fxam()).toEqual([0b100, 0]);
    push(t, -Infinity);
    expect(fxam()).toEqual([0b011, 1]);
    push(t, NaN);
    expect(fxam()[0]).toBe(0b001);
    push(t, 5e-324); // a double denormal is a normal extended number
    expect(fxam()[0]).toBe(0b010);
    t.h.ext(A, '0000 0000000000000001');
    t.run(0xdb, M(5), A);
    expect(fxam()[0]).toBe(0b110);
    t.h.ext(A, '4000 4000000000000000');
    t.run(0xdb, M(5), A);
    expect(fxam()[0]).toBe(0b000);
  });
});

describe('rounding modes in FIST and FRNDINT', () => {
  const table: [number, number[]][] = [
    // value → [nearest, down, up, chop]
    [2.5, [2, 2, 3, 2]],
    [3.5, [4, 3, 4, 3]],
    [-2.5, [-2, -3, -2, -2]],
    [-1.25, [-1, -2, -1, -1]],
    [1.75, [2, 1, 2, 1]],
  ];
  const cws = [RC_NEAREST, RC_DOWN, RC_UP, RC_CHOP];
  it.each(table)('FISTP m32 / FRNDINT of %d', (v, expected) => {
    cws.forEach((cw, k) => {
      const t = setup();
      FLDCW(t, cw);
      push(t, v);
      t.run(0xdb, M(3), A);
      expect(t.h.i32(A)).toBe(expected[k]);
      expect(t.x.sw & 0x20).toBe(0x20);
      push(t, v);
      t.run(0xd9, 0xfc);
      expect(t.x.st(0)).toBe(expected[k]);
    });
  });

  it('FRNDINT keeps −0 and large values; FISTP m64 under RC of an exact 64-bit image', () => {
    const t = setup();
    FLDCW(t, RC_UP);
    push(t, -0.5);
    t.run(0xd9, 0xfc);
    expect(Object.is(t.x.st(0), -0)).toBe(true);
    t.h.ext(A, '403d 8000000000000003'); // 2^62 + 1.5
    t.run(0xdb, M(5), A);
    t.run(0xdf, M(7), B);
    expect(t.h.i64(B)).toBe(2n ** 62n + 2n);
    FLDCW(t, RC_CHOP);
    t.run(0xdb, M(5), A);
    t.run(0xdf, M(7), B);
    expect(t.h.i64(B)).toBe(2n ** 62n + 1n);
  });
});

describe('stack faults', () => {
  it('underflow: arithmetic on an empty register sets IE, SF, C1 = 0 and writes the indefinite', () => {
    const t = setup();
    t.run(0xd8, R(0, 1));
    expect(t.x.sw & (1 | SW_SF | SW_C1)).toBe(1 | SW_SF);
    t.run(0xdb, M(7), A);
    expect(t.h.ext(A)).toBe('ffff c000000000000000');
  });

  it('FSTP m64 from an empty stack stores the indefinite', () => {
    const t = setup();
    t.run(0xdd, M(3), A);
    expect(t.h.readLinear32(A + 4)).toBe(0xfff80000);
    expect(t.x.sw & SW_SF).toBe(SW_SF);
  });

  it('overflow: a ninth push sets IE, SF, C1 = 1 and loads the indefinite', () => {
    const t = setup();
    for (let k = 0; k < 8; k++) push(t, k);
    expect(t.x.sw & 1).toBe(0);
    push(t, 99);
    expect(t.x.sw & (1 | SW_SF | SW_C1)).toBe(1 | SW_SF | SW_C1);
    expect(Number.isNaN(t.x.st(0))).toBe(true);
    expect(t.x.st(1)).toBe(7); // the register that became ST(0) was overwritten
  });

  it('unmasked invalid sets ES and B', () => {
    const t = setup();
    FLDCW(t, 0x037e); // IM clear
    t.run(0xd8, R(0, 1));
    expect(t.x.sw & (SW_ES | 0x8000)).toBe(SW_ES | 0x8000);
    t.run(0xdb, 0xe2); // FNCLEX
    expect(t.x.sw & 0x80ff).toBe(0);
  });
});

describe('control, status, environment', () => {
  it('FNSTSW AX / m16, FNSTCW, FLDCW, FNINIT', () => {
    const t = setup();
    t.h.regs[0] = 0xdead0000;
    push(t, 1);
    t.run(0xdf, 0xe0);
    expect(t.h.regs[0]).toBe((0xdead0000 | (7 << 11)) >>> 0);
    t.run(0xdd, M(7), A);
    expect(t.h.readLinear16(A)).toBe(7 << 11);
    FLDCW(t, 0x027f);
    t.run(0xd9, M(7), A);
    expect(t.h.readLinear16(A)).toBe(0x027f);
    t.run(0xdb, 0xe3);
    expect(t.x.cw).toBe(0x037f);
    expect(t.x.sw).toBe(0);
    expect(t.x.tagWord).toBe(0xffff);
  });

  it('FNSTENV stores the 28-byte image with the tag word and masks exceptions; FLDENV restores', () => {
    const t = setup();
    FLDCW(t, 0x0360);
    push(t, 1); // phys 7: valid
    push(t, 0); // phys 6: zero
    push(t, Infinity); // phys 5: special
    t.run(0xd9, M(6), ENV);
    expect(t.h.readLinear32(ENV)).toBe(0xffff0360); // reserved halves stored as 1s
    expect(t.h.readLinear32(ENV + 16) >>> 16).toBe(0x500); // last opcode: FLD m64 (DD, ModRM 00)
    expect(t.h.readLinear16(ENV + 4)).toBe(5 << 11);
    expect(t.h.readLinear16(ENV + 8)).toBe(0b00_01_10_11_11_11_11_11);
    expect(t.x.cw & 0x3f).toBe(0x3f);
    t.run(0xdb, 0xe3);
    t.run(0xd9, M(4), ENV);
    expect(t.x.cw).toBe(0x0360);
    expect(t.x.top).toBe(5);
    expect(t.x.tagWord).toBe(0x1bff);
  });

  it('FNSAVE / FRSTOR round trip (108 bytes), FNSAVE reinitialises', () => {
    const t = setup();
    FLDCW(t, 0x0a7f);
    push(t, 1.25);
    t.h.ext(A, '3fff ffffffffffffffff');
    t.run(0xdb, M(5), A);
    push(t, -7);
    t.run(0xd9, 0xeb); // FLDPI
    t.run(0xd9, 0xc9); // FXCH ST1
    t.run(0xdd, 0xc0 | 2); // FFREE ST2
    const before = { sw: t.x.sw, cw: t.x.cw, tw: t.x.tagWord, st0: t.x.st(0), st1: t.x.st(1) };
    t.run(0xdd, M(6), ENV);
    expect(t.x.cw).toBe(0x037f);
    expect(t.x.tagWord).toBe(0xffff);
    const image = t.h.bytes(ENV, 108);
    t.run(0xdd, M(4), ENV);
    expect({ sw: t.x.sw, cw: t.x.cw, tw: t.x.tagWord, st0: t.x.st(0), st1: t.x.st(1) }).toEqual(before);
    t.run(0xdd, M(6), 0x2000);
    expect(t.h.bytes(0x2000, 108)).toEqual(image);
    // ST(2) (freed, but its contents are saved) is the 64-bit value loaded from m80, bit for bit
    expect(t.h.ext(0x2000 + 28 + 20)).toBe('3fff ffffffffffffffff');
    expect(t.x.tagWord >> (2 * ((t.x.top + 2) & 7)) & 3).toBe(3);
  });
});

describe('transcendental and other one-operand instructions', () => {
  it('FSIN FCOS FSINCOS FPTAN', () => {
    const t = setup();
    push(t, 0.5);
    t.run(0xd9, 0xfe);
    expect(t.x.st(0)).toBe(Math.sin(0.5));
    t.run(0xd9, 0xff);
    expect(t.x.st(0)).toBe(Math.cos(Math.sin(0.5)));
    push(t, 1);
    t.run(0xd9, 0xfb); // FSINCOS: ST0 = cos, ST1 = sin
    expect(t.x.st(0)).toBe(Math.cos(1));
    expect(t.x.st(1)).toBe(Math.sin(1));
    push(t, 0.25);
    t.run(0xd9, 0xf2); // FPTAN pushes 1.0
    expect(t.x.st(0)).toBe(1);
    expect(t.x.st(1)).toBe(Math.tan(0.25));
    push(t, 2 ** 64);
    t.run(0xd9, 0xfe); // out of range: C2 = 1, unchanged
    expect(t.x.sw & SW_C2).toBe(SW_C2);
    expect(t.x.st(0)).toBe(2 ** 64);
  });

  it('FSIN reduces with the x87 66-bit π: sin(double π) as a real x87 gives it', () => {
    const t = setup();
    push(t, Math.PI);
    t.run(0xd9, 0xfe);
    t.run(0xdd, M(3), A);
    // 0x3CA1A60000000000 = 1.2246063538223773e-16, measured on a real x87 (exact: 1.2246467991473532e-16)
    expect(t.h.readLinear32(A + 4)).toBe(0x3ca1a600);
    expect(t.h.readLinear32(A)).toBe(0);
  });

  it('FPATAN F2XM1 FYL2X FYL2XP1 FSCALE FXTRACT', () => {
    const t = setup();
    push(t, 1); // y
    push(t, -1); // x
    t.run(0xd9, 0xf3);
    expect(t.x.st(0)).toBe(Math.atan2(1, -1));
    push(t, 0.5);
    t.run(0xd9, 0xf0);
    expect(t.x.st(0)).toBeCloseTo(Math.SQRT2 - 1, 15);
    push(t, 3); // y
    push(t, 8); // x
    t.run(0xd9, 0xf1);
    expect(t.x.st(0)).toBe(9);
    push(t, 2);
    push(t, 1e-10);
    t.run(0xd9, 0xf9);
    expect(t.x.st(0)).toBeCloseTo((2 * Math.log1p(1e-10)) / Math.LN2, 25);
    push(t, -3.7); // scale: truncated to −3
    push(t, 10);
    t.run(0xd9, 0xfd);
    expect(t.x.st(0)).toBe(10 / 8);
    push(t, -1075);
    push(t, 1); // 1 · 2^-1075: exact in the register, half the smallest double denormal
    t.run(0xd9, 0xfd);
    expect(t.x.st(0)).toBe(0); // the double view rounds ties to even
    expect(t.x.sw & 0x10).toBe(0);
    t.run(0xdb, M(7), A);
    expect(t.h.ext(A)).toBe((16383 - 1075).toString(16) + ' 8000000000000000');
    const u = setup();
    push(u, -48);
    u.run(0xd9, 0xf4); // FXTRACT
    expect(u.x.st(0)).toBe(-1.5);
    expect(u.x.st(1)).toBe(5);
    push(u, 0);
    u.run(0xd9, 0xf4);
    expect(u.x.st(1)).toBe(-Infinity);
    expect(u.x.sw & 0x04).toBe(0x04); // ZE
  });

  it('FPREM and FPREM1 with quotient bits in C0 C3 C1', () => {
    const t = setup();
    push(t, 2);
    push(t, 7);
    t.run(0xd9, 0xf8); // 7 rem 2 = 1, q = 3 (011)
    expect(t.x.st(0)).toBe(1);
    expect(t.x.sw & (SW_C0 | SW_C3 | SW_C1 | SW_C2)).toBe(SW_C3 | SW_C1);
    t.run(0xdd, 0xd8); // FSTP ST0
    push(t, 7);
    t.run(0xd9, 0xf5); // FPREM1: 7 = 4·2 − 1, q = 4 (100)
    expect(t.x.st(0)).toBe(-1);
    expect(t.x.sw & (SW_C0 | SW_C3 | SW_C1 | SW_C2)).toBe(SW_C0);
    const u = setup();
    push(u, 0.1);
    push(u, 1e300);
    // exponents 1000 apart: partial remainders (C2 = 1) until the reduction completes,
    // as libm's `1: fprem; fnstsw; sahf; jp 1b` loop expects
    let rounds = 0;
    do {
      u.run(0xd9, 0xf8);
      rounds++;
    } while (u.x.sw & SW_C2);
    expect(rounds).toBeGreaterThan(10);
    expect(u.x.st(0)).toBe(1e300 % 0.1);
  });

  it('FXCH FFREE FINCSTP FDECSTP FBLD FBSTP', () => {
    const t = setup();
    push(t, 1);
    push(t, 2);
    t.run(0xd9, 0xc9);
    expect([t.x.st(0), t.x.st(1)]).toEqual([1, 2]);
    t.run(0xd9, 0xf7); // FINCSTP
    expect(t.x.st(0)).toBe(2);
    t.run(0xd9, 0xf6); // FDECSTP
    expect(t.x.st(0)).toBe(1);
    t.run(0xdd, 0xc1); // FFREE ST1
    expect(t.x.isEmpty(1)).toBe(true);
    // packed BCD −123456789012345678
    const bcd = [0x78, 0x56, 0x34, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12, 0x80];
    bcd.forEach((b, k) => t.h.writeLinear8(A + k, b));
    t.run(0xdf, M(4), A);
    t.run(0xdf, M(6), B);
    expect(t.h.bytes(B, 10)).toEqual(bcd);
    push(t, 1e19);
    t.run(0xdf, M(6), B);
    expect(t.h.bytes(B, 10)).toEqual([0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff]);
  });
});

describe('faults and undefined encodings', () => {
  it('a faulting memory operand leaves the FPU unchanged', () => {
    const t = setup();
    push(t, 1);
    t.h.faultFrom = 0x8000;
    const sw = t.x.sw;
    expect(() => t.run(0xdc, M(0), 0x7ffc)).toThrow('#PF'); // FADD m64 straddling the fault
    expect(() => t.run(0xdd, M(0), 0x8000)).toThrow('#PF'); // FLD m64
    expect(() => t.run(0xdd, M(4), 0x8000 - 100)).toThrow('#PF'); // FRSTOR: last register faults
    expect(() => t.run(0xdd, M(3), 0x8000)).toThrow('#PF'); // FSTP m64
    expect(t.x.sw).toBe(sw);
    expect(t.x.st(0)).toBe(1);
    expect(t.x.tagWord).toBe(0x3fff);
    // the instruction pointers still describe the last completed instruction (FLD m64 at 0x800)
    expect(() => t.run(0xdb, M(1), A)).toThrow('#6');
    expect(t.x.fop).toBe(0x500);
    expect(t.x.fdp).toBe(0x800);
  });

  it('raises #UD for P6/SSE3 encodings (FISTTP, FCMOV, FCOMI)', () => {
    const t = setup();
    expect(() => t.run(0xdb, M(1), A)).toThrow('#6');
    expect(() => t.run(0xda, 0xc0)).toThrow('#6');
    expect(() => t.run(0xdb, 0xf0)).toThrow('#6');
  });
});
