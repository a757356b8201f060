// Experiments run hot blocks compiled by default (MACHINE_OPTIONS.jit). The engine is not
// part of an experiment's configuration, so it must not change anything a result holds:
// every counter, every metric and the output, on every system, equal the interpreter's.
// (`node scripts/cpu-golden.mjs --jit` checks the whole golden set the same way.)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Machine } from '@mklab/pentium';
import { execProgram } from './exec-program';
import { repoRoot } from './repo-root';
import { runExperiment } from './run-experiment';

describe('compiled blocks change no result', () => {
  it.each(['linux', 'l4linux', 'mklinux-inkernel', 'mklinux-user'])('getpid on %s: the same metrics, counters and output', async (system) => {
    const spec = { system, bench: 'getpid', params: { iterations: 2000, repeats: 2 }, seed: 1 };
    const a = await runExperiment(spec, { jit: false });
    const b = await runExperiment(spec, { jit: true });
    expect(a.status).toBe('ok');
    expect(b.metrics).toEqual(a.metrics);
    expect(b.counters).toEqual(a.counters);
    expect(b.output).toEqual(a.output);
  });

  it.each(['cpubench', 'test-sort', 'test-fork', 'instr-alu'])('%s on linux: the same output and counters', async (name) => {
    const image = readFileSync(path.join(repoRoot(), 'guest/images/int80', name));
    const argv = name === 'cpubench' ? [name, '1'] : [name];
    const a = await execProgram({ system: 'linux', image, argv, jit: false });
    let machine: Machine | null = null;
    const b = await execProgram({ system: 'linux', image, argv, jit: true, onMachine: (m) => (machine = m) });
    expect(a.exitStatus).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(b.counters).toEqual(a.counters);
    // not a vacuous comparison: cpubench runs mostly compiled
    if (name === 'cpubench') {
      const stats = (machine as unknown as Machine).cpu.jit as unknown as { stats: { instructions: number } };
      expect(stats.stats.instructions / a.counters.instructions).toBeGreaterThan(0.8);
    }
  });
});
