import { canonicalJson, summarize, summarizeSeries } from './statistics';

describe('statistics', () => {
  it('summarizes with the sample standard deviation', () => {
    expect(summarize([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({
      n: 8, mean: 5, median: 4.5, stddev: Math.sqrt(32 / 7), min: 2, max: 9,
    });
    expect(summarize([3])).toEqual({ n: 1, mean: 3, median: 3, stddev: 0, min: 3, max: 3 });
    expect(summarize([5, 1, 3]).median).toBe(3);
    expect(() => summarize([])).toThrow(/no values/);
    expect(() => summarize([1, NaN])).toThrow(/non-finite/);
  });

  it('groups repeats by system, bench, params and metric regardless of key order', () => {
    const base = { system: 'linux', bench: 'getpid', metric: 'getpid_cycles', unit: 'cycles', better: 'lower' };
    const s = summarizeSeries([
      { ...base, params: { a: 1, b: 2 }, seed: 2, value: 230 },
      { ...base, params: { b: 2, a: 1 }, seed: 1, value: 220 },
      { ...base, params: { a: 9, b: 2 }, seed: 1, value: 300 },
    ]);
    expect(s).toHaveLength(2);
    expect(s[0]).toMatchObject({ n: 2, mean: 225, min: 220, seeds: [1, 2] });
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[1,{"c":2,"d":1}]}');
  });
});
