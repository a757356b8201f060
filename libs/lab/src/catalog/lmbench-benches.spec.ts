import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LMBENCH_BENCHES, LMBENCH_TESTS, lmbenchBenchId } from './lmbench-benches';
import { BENCHES } from './benches';
import { parseBenchOutput } from './bench-entry';
import { resolveExperiment } from '../resolve';
import { repoRoot } from '../repo-root';

const image = path.join(repoRoot(), 'guest', 'images', 'int80', 'lmbench');
const binDir = path.dirname(image);
/** the host runs i386 binaries (the image is a static i386 Linux executable) */
const hostRuns = os.platform() === 'linux' && fs.existsSync(image) && !spawnSync(image, [], { stdio: 'ignore' }).error;

const SMALL = { target_us: 1000, file_kb: 128, mem_kb: 128, fs_files: 5, ctx_trials: 1, dir: '/tmp' };

describe('lmbench benches', () => {
  it('are in the catalogue: the suite and one bench per test, ids unique', () => {
    const ids = BENCHES.map((b) => b.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('lmbench');
    for (const t of LMBENCH_TESTS) expect(ids).toContain(lmbenchBenchId(t));
    expect(LMBENCH_BENCHES).toHaveLength(LMBENCH_TESTS.length + 1);
  });

  it('report µs latencies (lower is better) and MB/s bandwidths (higher is better)', () => {
    const suite = LMBENCH_BENCHES.find((b) => b.id === 'lmbench')!;
    expect(suite.metrics.map((m) => m.name)).toEqual(LMBENCH_TESTS.flatMap((t) => t.metrics.map((m) => m.name)));
    for (const m of suite.metrics) {
      expect(m.name).toMatch(/^lmb_[a-z0-9_]+_(us|mbs)$/);
      expect([m.unit, m.better]).toEqual(m.name.endsWith('_mbs') ? ['MB/s', 'higher'] : ['us', 'lower']);
    }
    // the context switch: 2, 8 and 16 processes at 0, 4, 16 and 64 KiB
    expect(suite.metrics.filter((m) => m.name.startsWith('lmb_ctx_')).map((m) => m.name)).toEqual(
      [2, 8, 16].flatMap((p) => [0, 4, 16, 64].map((k) => `lmb_ctx_${p}p_${k}k_us`)),
    );
  });

  it('pass the target and only their own size options to the guest', () => {
    const fsBench = resolveExperiment({ system: 'linux', bench: 'lmbench-fs', params: { target_us: 500, fs_files: 7 } });
    expect(fsBench.ok && fsBench.experiment.bench.argv(fsBench.spec.params)).toEqual(['lmbench', '-t', '500', '-n', '7', '-d', '/usr/tmp', 'fs']);
    const inMemory = resolveExperiment({ system: 'linux', bench: 'lmbench-bw-file', params: { dir: '/tmp' } });
    expect(inMemory.ok && inMemory.experiment.bench.argv(inMemory.spec.params)).toEqual(['lmbench', '-t', '20000', '-f', '8192', '-d', '/tmp', 'bw_file']);
    expect(resolveExperiment({ system: 'linux', bench: 'lmbench-fs', params: { dir: '/etc' } }).ok).toBe(false);
    const suite = resolveExperiment({ system: 'linux', bench: 'lmbench' });
    expect(suite.ok && suite.experiment.bench.argv(suite.spec.params)).toEqual([
      'lmbench', '-t', '20000', '-f', '8192', '-m', '8192', '-n', '1000', '-c', '3', '-d', '/usr/tmp', 'all',
    ]);
    const bad = resolveExperiment({ system: 'linux', bench: 'lmbench-null', params: { file_kb: 64 } });
    expect(bad.ok).toBe(false);
  });

  it('budget more cycles for a longer target, the suite more than any one test', () => {
    const suite = LMBENCH_BENCHES[0];
    const p = (target: number) => ({ target_us: target, file_kb: 8192, mem_kb: 8192, fs_files: 1000, ctx_trials: 3 });
    expect(suite.cycleBudget(p(100_000))).toBeGreaterThan(suite.cycleBudget(p(10_000)));
    for (const b of LMBENCH_BENCHES.slice(1)) expect(b.cycleBudget(p(20_000))).toBeLessThan(suite.cycleBudget(p(20_000)));
    // the default suite: a few simulated seconds of timed passes, well under a simulated minute of budget
    expect(suite.cycleBudget(p(20_000)) / 133e6).toBeLessThan(120);
  });

  (hostRuns ? describe : describe.skip)('against the guest program run natively on this host', () => {
    const run = (args: string[]) => {
      const r = spawnSync(image, args, { env: { GUEST_BIN: binDir, PATH: binDir }, cwd: os.tmpdir(), encoding: 'latin1', timeout: 60_000 });
      expect(r.status).toBe(0);
      return r.stdout;
    };

    for (const bench of LMBENCH_BENCHES.slice(1)) {
      it(`${bench.id}: the guest prints every metric the bench declares`, () => {
        const params = Object.fromEntries(bench.params.map((p) => [p.name, SMALL[p.name as keyof typeof SMALL]]));
        const stdout = run(bench.argv(params).slice(1));
        expect(stdout).toMatch(/^lmbench: 1 test\(s\) run, 0 skipped$/m);
        const parsed = parseBenchOutput(bench, stdout);
        expect(parsed).toEqual({ ok: true, metrics: expect.any(Array), samples: expect.any(Array) });
        if (parsed.ok) for (const m of parsed.metrics) expect(Number.isFinite(m.value)).toBe(true);
      });
    }

    it('the guest rejects an unknown test and a bad option with a usage message', () => {
      const r = spawnSync(image, ['nosuchtest'], { encoding: 'latin1' });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/unknown test 'nosuchtest'/);
      const o = spawnSync(image, ['-t', '0', 'null'], { encoding: 'latin1' });
      expect(o.status).toBe(2);
      expect(o.stderr).toMatch(/option -t wants a number from 1/);
    });
  });
});
