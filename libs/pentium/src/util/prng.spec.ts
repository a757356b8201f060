import { Prng } from './prng';

describe('Prng', () => {
  it('is a pure function of its seed', () => {
    const a = new Prng(42),
      b = new Prng(42),
      c = new Prng(43);
    const sa = Array.from({ length: 8 }, () => a.nextU32());
    expect(Array.from({ length: 8 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.nextU32())).not.toEqual(sa);
    for (const v of sa) expect(v >>> 0).toBe(v);
  });

  it('draws integers in range with roughly uniform frequencies', () => {
    const p = new Prng(7);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[p.nextInt(10)]++;
    for (const n of counts) expect(Math.abs(n - 10_000)).toBeLessThan(600);
    const f = p.nextFloat();
    expect(f >= 0 && f < 1).toBe(true);
    expect(() => p.nextInt(0)).toThrow(/1\.\.2\^32/);
    expect(() => new Prng(1.5)).toThrow(/integer/);
  });
});
