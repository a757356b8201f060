import * as fs from 'fs';
import * as path from 'path';
import { PHASES } from '@mklab/pentium';
import { breakdownsOf, medianIndices, parsePhaseBreakdowns, phaseMetricName } from './breakdown';
import type { MetricSpec } from './types';
import { repoRoot } from './repo-root';

const specs: MetricSpec[] = [
  { name: 'getpid_cycles', unit: 'cycles', better: 'lower', description: '' },
  { name: 'getpid_us', unit: 'us', better: 'lower', description: '' },
];

const rep = (total: string, phases: Record<string, string>) =>
  [`getpid_cycles ${total} cycles`, 'getpid_us 1.000 us', ...Object.entries(phases).map(([p, v]) => `getpid_phase_${p}_cycles ${v} cycles`)].join('\n');

describe('parsePhaseBreakdowns', () => {
  it('takes the phases of the median repetition, so that they add up to the metric', () => {
    const out = [
      rep('530.0000', { user: '2.0000', ipc_call: '170.0000', kernel: '130.0000', ipc_reply: '228.0000', irq: '0.0000' }),
      rep('526.0000', { user: '1.0000', ipc_call: '168.0000', kernel: '131.0000', ipc_reply: '226.0000', irq: '0.0000' }),
      rep('600.5000', { user: '1.5000', ipc_call: '168.0000', kernel: '131.0000', ipc_reply: '200.0000', irq: '100.0000' }),
    ].join('\n');
    const r = parsePhaseBreakdowns(specs, out);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    // median of 530, 526, 600.5 is 530: the first repetition; irq is kept (non-zero once)
    expect(r.metrics.map((m) => [m.name, m.value])).toEqual([
      ['getpid_phase_user_cycles', 2],
      ['getpid_phase_kernel_cycles', 130],
      ['getpid_phase_irq_cycles', 0],
      ['getpid_phase_ipc_call_cycles', 170],
      ['getpid_phase_ipc_reply_cycles', 228],
    ]);
    expect(r.samples.find((s) => s.name === 'getpid_phase_irq_cycles')?.values).toEqual([0, 0, 100]);
    const b = breakdownsOf({ metrics: [{ name: 'getpid_cycles', value: 530, unit: 'cycles', better: 'lower' }, ...r.metrics] });
    expect(b).toHaveLength(1);
    expect(b[0].sum).toBe(530);
    expect(b[0].phases.map((p) => p.phase)).toEqual(['user', 'kernel', 'irq', 'ipc_call', 'ipc_reply']);
  });

  it('accepts a sum that differs only by the rounding of the printed numbers, and no more', () => {
    // three values exact to 1/3: printed with 4 decimals each
    const close = rep('1.0000', { user: '0.3333', kernel: '0.3333', exit: '0.3333' });
    expect(parsePhaseBreakdowns(specs, close).ok).toBe(true);
    const off = rep('1.0000', { user: '0.3333', kernel: '0.3333', exit: '0.3320' });
    expect(parsePhaseBreakdowns(specs, off)).toEqual({ ok: false, message: expect.stringMatching(/repetition 1: the phases of 'getpid_cycles' add up to 0.9986, not 1/) });
  });

  it('rejects a phase that is not in libs/pentium/src/clock/phases.ts, and a missing repetition', () => {
    expect(parsePhaseBreakdowns(specs, rep('5.0', { syscall: '5.0' }))).toEqual({ ok: false, message: expect.stringMatching(/no phase 'syscall'/) });
    const twoTotals = `${rep('5.0', { user: '5.0' })}\ngetpid_cycles 5.0 cycles\n`;
    expect(parsePhaseBreakdowns(specs, twoTotals)).toEqual({ ok: false, message: "2 repetitions of 'getpid_cycles' but 1 of its phase 'user'" });
  });

  it('finds no breakdown where the guest printed none (a machine without phase counters)', () => {
    expect(parsePhaseBreakdowns(specs, 'getpid_cycles 223.0 cycles\ngetpid_us 1.6 us\n')).toEqual({ ok: true, metrics: [], samples: [] });
  });

  it('names phase metrics after their metric', () => {
    expect(phaseMetricName('getpid_cycles', 'cycles', 'ipc_call')).toBe('getpid_phase_ipc_call_cycles');
    expect(phaseMetricName('bw', 'MB/s', 'user')).toBeNull();
    expect(medianIndices([3, 1, 2])).toEqual([2]);
    expect(medianIndices([4, 1, 3, 2])).toEqual([3, 2]);
  });
});

describe('the getpid guest', () => {
  it("prints the phases of libs/pentium/src/clock/phases.ts, in id order (its phase_names table)", () => {
    const src = fs.readFileSync(path.join(repoRoot(), 'guest/bench/getpid.c'), 'utf8');
    const table = /phase_names\[NPHASES\] = \{([^}]*)\}/.exec(src);
    expect(table).not.toBeNull();
    const names = [...(table as RegExpExecArray)[1].matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
    expect(names).toEqual(PHASES.map((p) => p.name));
    expect(src).toContain(`#define NPHASES ${PHASES.length}\n`);
  });
});
