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

  it('names every missing metric at once', () => {
    const two: BenchInfo = { ...bench, metrics: [...bench.metrics, { name: 'bw_y', unit: 'MB/s', better: 'higher', description: '' }, { name: 'lat_z', unit: 'us', better: 'lower', description: '' }] };
    expect(parseBenchOutput(two, 'bw_y 12.5 MB/s\n')).toEqual({ ok: false, message: "the guest printed no result lines for 2 metrics: 'lat_x', 'lat_z'" });
  });

  it('reports a missing metric and a wrong unit', () => {
    expect(parseBenchOutput(bench, 'nothing here\n')).toEqual({ ok: false, message: expect.stringMatching(/no 'lat_x'/) });
    expect(parseBenchOutput(bench, 'lat_x 2 ms\n')).toEqual({ ok: false, message: expect.stringMatching(/in ms, expected us/) });
  });
});
