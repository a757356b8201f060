import { runExperiment } from './run-experiment';
import { breakdownsOf } from './breakdown';
import type { RunResult } from './types';

// The per-phase breakdown of getpid measured by the guest (contracts.md "Phase
// accounting") on the three systems that mark phases: it adds up to getpid_cycles, its
// phases are the ones each system's path goes through, with plausible sizes, and two runs
// give bit-identical figures.
const params = { iterations: 1000, repeats: 3 };

async function run(system: string): Promise<RunResult> {
  const r = await runExperiment({ system, bench: 'getpid', params });
  expect(r.error).toBeUndefined();
  expect(r.status).toBe('ok');
  return r;
}

function phases(r: RunResult): Record<string, number> {
  const b = breakdownsOf(r);
  expect(b.map((x) => x.metric)).toEqual(['getpid_cycles']);
  // exact up to the sum of doubles: the guest's printed values are exact per call (1000 | 10^4)
  expect(Math.abs(b[0].sum - b[0].total)).toBeLessThan(1e-9 * b[0].total);
  return Object.fromEntries(b[0].phases.map((p) => [p.phase, p.value]));
}

describe('getpid per-phase breakdown', () => {
  it('native Linux: user, kernel entry (the INT), the system call, kernel exit (the IRET); identical twice', async () => {
    const a = await run('linux');
    const p = phases(a);
    // (a timer tick that falls in one loop and not the other shows as irq)
    expect(Object.keys(p).filter((k) => k !== 'irq')).toEqual(['user', 'entry', 'kernel', 'exit']);
    expect(p.entry).toBeGreaterThan(42); // INT n to ring 0: 42 clocks alone [REF]
    expect(p.exit).toBeGreaterThan(27); // IRET to ring 3: 27 [REF]
    expect(p.kernel).toBeGreaterThan(0);
    expect(p.user).toBeLessThan(20); // the libc stub only: the loop is subtracted
    const b = await run('linux');
    expect(b.metrics).toEqual(a.metrics);
    expect(b.samples).toEqual(a.samples);
  }, 300_000);

  it('L4Linux: the five phases of the paper (enter, IPC call, Linux, IPC reply, leave) plus the libc stub', async () => {
    const a = await run('l4linux');
    const p = phases(a);
    for (const k of ['emu_enter', 'ipc_call', 'kernel', 'ipc_reply', 'emu_leave', 'user']) expect(p[k]).toBeDefined();
    expect(p.reflect).toBeUndefined();
    expect(p.entry).toBeUndefined();
    expect(p.ipc_call).toBeGreaterThan(100);
    expect(p.ipc_reply).toBeGreaterThan(100);
    expect(p.kernel).toBeGreaterThan(50);
    expect(p.emu_enter).toBeGreaterThan(0);
    expect(p.emu_enter).toBeLessThan(60);
    expect(p.emu_leave).toBeGreaterThan(0);
    expect(p.emu_leave).toBeLessThan(60);
    const b = await run('l4linux');
    expect(b.metrics).toEqual(a.metrics);
  }, 300_000);

  it('L4Linux trampoline: the same path after the reflection of int 0x80 into the library', async () => {
    const a = await run('l4linux-trampoline');
    const p = phases(a);
    expect(p.reflect).toBeGreaterThan(42); // at least the #GP's delivery
    expect(p.ipc_call).toBeGreaterThan(100);
    expect(p.ipc_reply).toBeGreaterThan(100);
    expect(p.kernel).toBeGreaterThan(50);
    const ipc = phases(await run('l4linux'));
    // the Linux server's work is the same request on both paths
    expect(p.kernel).toBeCloseTo(ipc.kernel, 0);
    const b = await run('l4linux-trampoline');
    expect(b.metrics).toEqual(a.metrics);
  }, 300_000);
});
