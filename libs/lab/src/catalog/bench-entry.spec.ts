import { parseBenchOutput } from './bench-entry';
import type { BenchInfo } from '../types';

const bench: BenchInfo = {
  id: 't',
  title: 't',
  description: '',
  params: [],
  metrics: [{ name: 'lat_x', unit: 'us', better: 'lower', description: '' }],
};

describe('parseBenchOutput', () => {
  it('takes the median of repeated lines and keeps every sample', () => {
    const r = parseBenchOutput(bench, 'hello\nlat_x 3 us\nlat_x 1.5 us\nlat_x 2 us\n');
    expect(r).toEqual({
      ok: true,
      metrics: [{ name: 'lat_x', value: 2, unit: 'us', better: 'lower' }],
      samples: [{ name: 'lat_x', values: [3, 1.5, 2] }],
    });
  });

  it('reports a missing metric and a wrong unit', () => {
    expect(parseBenchOutput(bench, 'nothing here\n')).toEqual({ ok: false, message: expect.stringMatching(/no 'lat_x'/) });
    expect(parseBenchOutput(bench, 'lat_x 2 ms\n')).toEqual({ ok: false, message: expect.stringMatching(/in ms, expected us/) });
  });
});
