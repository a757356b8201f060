import { x87Timing } from './x87-timing';

const mem = (op: number, reg: number): ReturnType<typeof x87Timing> => x87Timing(op, reg << 3, true);
const reg = (op: number, modrm: number): ReturnType<typeof x87Timing> => x87Timing(op, modrm, false);

describe('x87Timing (P5 clocks)', () => {
  it('gives the table figures of the common forms', () => {
    expect(mem(0xdc, 0).clocks).toBe(3); // FADD m64
    expect(mem(0xdc, 0).throughput).toBe(1);
    expect(reg(0xde, 0xc9).clocks).toBe(3); // FMULP
    expect(mem(0xd8, 6).clocks).toBe(39); // FDIV m32
    expect(reg(0xd9, 0xfa).clocks).toBe(70); // FSQRT
    expect(mem(0xdd, 0).clocks).toBe(1); // FLD m64
    expect(mem(0xdd, 3).clocks).toBe(2); // FSTP m64
    expect(mem(0xdb, 0).clocks).toBe(3); // FILD m32
    expect(mem(0xdf, 7).clocks).toBe(6); // FISTP m64
    expect(mem(0xd9, 5).clocks).toBe(8); // FLDCW
    expect(reg(0xdf, 0xe0).clocks).toBe(6); // FNSTSW AX
    expect(reg(0xd9, 0xfe).clocks).toBeGreaterThanOrEqual(16); // FSIN within Intel's 16–126
    expect(reg(0xd9, 0xfe).clocks).toBeLessThanOrEqual(126);
  });

  it('FDIV and FIDIV follow precision control', () => {
    expect(x87Timing(0xd8, 0xf1, false, 0).clocks).toBe(19);
    expect(x87Timing(0xd8, 0xf1, false, 2).clocks).toBe(33);
    expect(x87Timing(0xd8, 0xf1, false, 3).clocks).toBe(39);
    expect(x87Timing(0xda, 6 << 3, true, 2).clocks).toBe(36);
  });

  it('marks FXCH and the FX class that FXCH can pair behind', () => {
    const fxch = reg(0xd9, 0xc9);
    expect(fxch.isFxch).toBe(true);
    expect(fxch.clocks).toBe(1);
    for (const fx of [mem(0xd9, 0), reg(0xd9, 0xc1), mem(0xd8, 0), reg(0xde, 0xf9), reg(0xd8, 0xd1), reg(0xd9, 0xe0)]) {
      expect(fx.fxchPairable).toBe(true);
      expect(fx.isFxch).toBe(false);
    }
    for (const np of [mem(0xdd, 2), mem(0xdb, 0), mem(0xda, 0), reg(0xd9, 0xe4), reg(0xd9, 0xfe), reg(0xdf, 0xe0)]) {
      expect(np.fxchPairable).toBe(false);
    }
  });

  it('has a positive clock count and a source for every form', () => {
    for (let op = 0xd8; op <= 0xdf; op++) {
      for (let modrm = 0; modrm < 256; modrm++) {
        const t = x87Timing(op, modrm, modrm < 0xc0);
        expect(t.clocks).toBeGreaterThan(0);
        expect(t.throughput).toBeGreaterThan(0);
        expect(t.throughput).toBeLessThanOrEqual(t.clocks);
        expect(t.source.length).toBeGreaterThan(5);
      }
    }
    expect(() => x87Timing(0x90, 0, false)).toThrow(/not an x87 escape/);
  });
});
