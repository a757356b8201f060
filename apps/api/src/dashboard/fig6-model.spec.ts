import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

// The Figure 6 view's pure model (apps/api/public/js/fig6-model.js), the same ES module
// the browser loads, run in a plain Node process.
const MODEL = pathToFileURL(path.resolve(__dirname, '../../public/js/fig6-model.js')).href;

function call(fn: string, ...args: unknown[]): any {
  const script = `const m = await import(${JSON.stringify(MODEL)});
process.stdout.write(JSON.stringify(m[${JSON.stringify(fn)}](...JSON.parse(process.argv[1]))));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '--no-warnings', '-e', script, JSON.stringify(args)], { encoding: 'utf8' }));
}

const SYSTEMS = [
  { id: 'linux', title: 'Linux', arch: 'native' },
  { id: 'l4linux', title: 'L4Linux', arch: 'l4' },
  { id: 'mklinux-user', title: 'MkLinux user', arch: 'mach' },
];
const BENCHES = [
  {
    id: 'lmbench',
    metrics: [
      { name: 'lmb_null_us', unit: 'us', better: 'lower', description: 'null call' },
      { name: 'lmb_ctx_2p_16k_us', unit: 'us', better: 'lower', description: 'ctx' },
      { name: 'lmb_bw_pipe_mbs', unit: 'MB/s', better: 'higher', description: 'pipe bandwidth' },
    ],
  },
  { id: 'getpid', metrics: [{ name: 'getpid_us', unit: 'us', better: 'lower' }] },
];
const P = { target_us: 1000 };
const row = (system: string, bench: string, metric: string, value: number, params: object = P, seed = 1) => ({
  system,
  bench,
  metric,
  value,
  params,
  seed,
  better: metric.endsWith('_mbs') ? 'higher' : 'lower',
  unit: metric.endsWith('_mbs') ? 'MB/s' : 'us',
});

describe('fig6-model', () => {
  it('turns latencies into time ratios and bandwidths into inverse bandwidth ratios', () => {
    expect(call('slowdown', 6, 2, 'lower')).toBe(3);
    expect(call('slowdown', 10, 40, 'higher')).toBe(4); // a quarter of the bandwidth: 4x slower
    expect(call('slowdown', 5, null, 'lower')).toBeNull();
    expect(call('slowdown', -1, 2, 'lower')).toBeNull(); // a negative ctx difference has no ratio
  });

  it('labels tests as the paper does', () => {
    expect(['lmb_null_us', 'lmb_ctx_2p_16k_us', 'lmb_bw_mem_read_mbs', 'lmb_rpc_udp_us', 'lmb_fs_create_10k_us', 'lmb_open_us'].map((m) => call('testLabel', m))).toEqual([
      'null',
      'ctx 2p/16K',
      'mem read',
      'rpc/udp',
      'fs create 10K',
      'open+close',
    ]);
  });

  it('groups every lmbench metric of the sweep, one bar per non-native system, in the suite order', () => {
    const metricRows = [
      row('linux', 'lmbench', 'lmb_bw_pipe_mbs', 40),
      row('l4linux', 'lmbench', 'lmb_bw_pipe_mbs', 20),
      row('linux', 'lmbench-null', 'lmb_null_us', 2),
      row('linux', 'lmbench-null', 'lmb_null_us', 4, P, 2), // a second seed: averaged
      row('l4linux', 'lmbench-null', 'lmb_null_us', 6),
      row('mklinux-user', 'lmbench-null', 'lmb_null_us', 60),
      row('linux', 'getpid', 'getpid_us', 1.7), // not lmbench: ignored
    ];
    const view = call('buildFig6View', { metricRows, systems: SYSTEMS, benches: BENCHES });
    expect(view.nativeId).toBe('linux');
    expect(view.chart.metrics).toEqual(['lmb_null_us', 'lmb_bw_pipe_mbs']);
    expect(view.chart.labels).toEqual(['[lat] null', '[bw⁻¹] pipe']);
    expect(view.chart.datasets.map((d: any) => d.system)).toEqual(['l4linux', 'mklinux-user']);
    expect(view.chart.datasets[0].data).toEqual([2, 2]);
    expect(view.chart.datasets[0].raw).toEqual([6, 20]);
    expect(view.chart.datasets[1].data).toEqual([20, null]); // no MkLinux bandwidth run
    expect(view.chart.native).toEqual([3, 40]);
    expect(view.metrics[0]).toMatchObject({ kind: 'lat', unit: 'us', native: 3, nativeRuns: 2, params: 'target_us=1000' });
    expect(call('barTooltip', view, 0, 1)).toBe('L4Linux: 2× (20 MB/s vs 40 MB/s on Linux)');
  });

  it('never averages runs of different params: each metric at one combination for every system', () => {
    const metricRows = [
      row('linux', 'lmbench-null', 'lmb_null_us', 2, { target_us: 1000 }),
      row('linux', 'lmbench-null', 'lmb_null_us', 100, { target_us: 5000 }),
      row('l4linux', 'lmbench-null', 'lmb_null_us', 4, { target_us: 1000 }),
      row('l4linux', 'lmbench-null', 'lmb_null_us', 500, { target_us: 5000 }),
    ];
    const first = call('buildFig6View', { metricRows, systems: SYSTEMS, benches: BENCHES });
    expect(first.paramChoices).toEqual(['target_us=1000', 'target_us=5000']);
    expect(first.chart.datasets[0].data).toEqual([2]);
    const picked = call('buildFig6View', { metricRows, systems: SYSTEMS, benches: BENCHES, params: 'target_us=5000' });
    expect(picked.chart.datasets[0].data).toEqual([5]);
    expect(picked.metrics[0].params).toBe('target_us=5000');
  });

  it('shows only the chosen systems', () => {
    const metricRows = [row('linux', 'lmbench', 'lmb_null_us', 2), row('l4linux', 'lmbench', 'lmb_null_us', 4), row('mklinux-user', 'lmbench', 'lmb_null_us', 40)];
    const view = call('buildFig6View', { metricRows, systems: SYSTEMS, benches: BENCHES, selected: ['mklinux-user'] });
    expect(view.chart.datasets.map((d: any) => [d.system, d.data])).toEqual([['mklinux-user', [20]]]);
    expect(view.available.map((a: any) => a.id)).toEqual(['l4linux', 'mklinux-user']);
  });
});
