import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

// The pages' pure models are browser ES modules (apps/api/public/js). They are run here
// in a plain Node process, the same code the browser loads, without a DOM.
const JS_DIR = path.resolve(__dirname, '../../public/js');

function call(file: string, fn: string, ...args: unknown[]): any {
  const url = pathToFileURL(path.join(JS_DIR, file)).href;
  const script = `const m = await import(${JSON.stringify(url)});
const out = m[${JSON.stringify(fn)}](...JSON.parse(process.argv[1]));
process.stdout.write(JSON.stringify(out instanceof Map ? Object.fromEntries(out) : out));`;
  const stdout = execFileSync(process.execPath, ['--input-type=module', '--no-warnings', '-e', script, JSON.stringify(args)], {
    encoding: 'utf8',
  });
  return JSON.parse(stdout);
}

const SYSTEMS = [
  { id: 'linux', title: 'Linux', arch: 'native' },
  { id: 'l4linux', title: 'L4Linux', arch: 'l4' },
  { id: 'mklinux-user', title: 'MkLinux user', arch: 'mach' },
];
const REFERENCE_WIDE = {
  id: 'sosp97-table2-getpid',
  rows: [
    { system: 'linux', us: 1.68, cycles: 223 },
    { system: 'l4linux', us: 3.95, cycles: 526 },
    { system: 'mklinux-user', us: 110.6, cycles: 14710 },
  ],
};
const metric = (system: string, name: string, value: number, runId: number) => ({ runId, system, bench: 'getpid', metric: name, value });

describe('getpid-model', () => {
  it('reads wide and long reference rows alike', () => {
    const long = {
      id: 'sosp97-table2-getpid',
      values: [
        { systemId: 'linux', systemLabel: 'Linux', benchId: 'getpid', metric: 'getpid_us', value: 1.68, unit: 'us' },
        { systemId: 'linux', systemLabel: 'Linux', benchId: 'getpid', metric: 'getpid_cycles', value: 223, unit: 'cycles' },
      ],
    };
    expect(call('getpid-model.js', 'normalizeReference', long)).toEqual({ linux: { cycles: 223, us: 1.68, label: 'Linux' } });
    expect(call('getpid-model.js', 'normalizeReference', REFERENCE_WIDE)).toEqual({
      linux: { cycles: 223, us: 1.68, label: null },
      l4linux: { cycles: 526, us: 3.95, label: null },
      'mklinux-user': { cycles: 14710, us: 110.6, label: null },
    });
  });

  it('never averages runs of different params: one combination at a time', () => {
    const metricRows = [
      { ...metric('linux', 'getpid_cycles', 200, 1), params: { repeats: 1, iterations: 100 } },
      { ...metric('linux', 'getpid_cycles', 210, 2), params: { iterations: 100, repeats: 1 } },
      { ...metric('linux', 'getpid_cycles', 300, 3), params: { iterations: 1000, repeats: 1 } },
    ];
    const first = call('getpid-model.js', 'buildGetpidView', { metricRows, reference: [], systems: SYSTEMS });
    expect(first.paramChoices).toEqual(['iterations=100 repeats=1', 'iterations=1000 repeats=1']);
    expect(first.params).toBe('iterations=100 repeats=1');
    expect(first.rows).toMatchObject([{ system: 'linux', runs: 2, cycles: 205 }]);
    const other = call('getpid-model.js', 'buildGetpidView', { metricRows, reference: [], systems: SYSTEMS, params: 'iterations=1000 repeats=1' });
    expect(other.rows).toMatchObject([{ system: 'linux', runs: 1, cycles: 300 }]);
  });

  it("labels a system the catalogue lacks with the paper's own name", () => {
    const reference = [{ systemId: 'mklinux-inkernel', systemLabel: 'MkLinux in-kernel', metric: 'getpid_cycles', value: 2050, unit: 'cycles' }];
    const view = call('getpid-model.js', 'buildGetpidView', { metricRows: [], reference, systems: SYSTEMS });
    expect(view.chart.labels).toEqual(['MkLinux in-kernel']);
  });

  it('joins measured means with the paper: ratio to native Linux and error on cycles', () => {
    const metricRows = [
      metric('linux', 'getpid_cycles', 220, 1),
      metric('linux', 'getpid_cycles', 230, 2),
      metric('linux', 'getpid_us', 1.7, 1),
      metric('l4linux', 'getpid_cycles', 540, 3),
      metric('l4linux', 'other_metric', 5, 3),
    ];
    const view = call('getpid-model.js', 'buildGetpidView', { metricRows, reference: REFERENCE_WIDE, systems: SYSTEMS, kind: 'cycles' });
    expect(view.rows.map((r: any) => [r.system, r.runs, r.cycles, r.paperCycles])).toEqual([
      ['linux', 2, 225, 223],
      ['l4linux', 1, 540, 526],
      ['mklinux-user', 0, null, 14710],
    ]);
    expect(view.rows[1].ratioToNative).toBeCloseTo(540 / 225, 12);
    expect(view.rows[1].errorPct).toBeCloseTo(((540 - 526) / 526) * 100, 12);
    expect(view.rows[2].errorPct).toBeNull();
    expect(view.chart).toEqual({
      systems: ['linux', 'l4linux', 'mklinux-user'],
      labels: ['Linux', 'L4Linux', 'MkLinux user'],
      measured: [225, 540, null],
      paper: [223, 526, 14710],
      unit: 'cycles',
    });
  });

  it('charts µs and only the selected systems when asked', () => {
    const metricRows = [metric('linux', 'getpid_us', 1.7, 1), metric('l4linux', 'getpid_us', 4.1, 2)];
    const view = call('getpid-model.js', 'buildGetpidView', {
      metricRows,
      reference: REFERENCE_WIDE,
      systems: SYSTEMS,
      selected: ['l4linux', 'mklinux-user'],
      kind: 'us',
    });
    expect(view.chart).toEqual({
      systems: ['l4linux', 'mklinux-user'],
      labels: ['L4Linux', 'MkLinux user'],
      measured: [4.1, null],
      paper: [3.95, 110.6],
      unit: 'µs',
    });
    expect(view.available.map((a: any) => a.id)).toEqual(['linux', 'l4linux', 'mklinux-user']);
  });
});

describe('sweep-model', () => {
  it('counts finished cells whole and running cells by their progress', () => {
    const sweep = {
      status: 'running',
      cells: [
        { status: 'done', progress: 1 },
        { status: 'cached', progress: 0 },
        { status: 'running', progress: 0.5 },
        { status: 'queued', progress: 0 },
      ],
    };
    expect(call('sweep-model.js', 'sweepProgress', sweep)).toEqual({ fraction: 2.5 / 4, total: 4 });
  });

  it('falls back to the counts when the list carries no cells', () => {
    expect(call('sweep-model.js', 'sweepProgress', { status: 'running', counts: { done: 1, failed: 1, running: 2 } })).toEqual({
      fraction: 0.5,
      total: 4,
    });
  });

  it('prints params sorted by name whatever order the database kept', () => {
    expect(call('sweep-model.js', 'formatParams', { repeats: 2, iterations: 300 })).toBe('iterations=300 repeats=2');
  });

  it('finds the benches of a sweep from its cells', () => {
    expect(call('sweep-model.js', 'benchesOfSweep', { cells: [{ bench: 'getpid' }, { bench: 'getpid' }, { bench: 'lmbench' }] })).toEqual([
      'getpid',
      'lmbench',
    ]);
  });
});
