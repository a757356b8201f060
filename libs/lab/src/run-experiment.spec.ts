import { runExperiment } from './run-experiment';
import { execProgram } from './exec-program';
import { tinyElf } from '../../linux/test/tiny-elf';

// The paper's Table 2 row for native Linux (../shared/reference/calibration.md): the one
// figure the native cost table may be fitted to, within 5%.
const PAPER_LINUX_GETPID_CYCLES = 223;

describe('runExperiment on the emulated machine', () => {
  it('measures native getpid within 5% of the calibration row, with identical counters twice in a row', async () => {
    const spec = { system: 'linux', bench: 'getpid', params: { iterations: 2000, repeats: 2 } };
    const a = await runExperiment(spec);
    const b = await runExperiment(spec);
    expect(a.status).toBe('ok');
    const cycles = a.metrics.find((m) => m.name === 'getpid_cycles')!.value;
    expect(Math.abs(cycles - PAPER_LINUX_GETPID_CYCLES) / PAPER_LINUX_GETPID_CYCLES).toBeLessThan(0.05);
    expect(a.metrics).toEqual(b.metrics);
    expect(a.counters).toEqual(b.counters);
    expect(a.output.stdout).toBe(b.output.stdout);
    expect(a.provenance.configHash).toBe(b.provenance.configHash);
    expect(a.counters['kernel.syscalls']).toBeGreaterThan(2 * 2000 * 2);
  });

  it('turns bad input into a bad-input result without running anything', async () => {
    const r = await runExperiment({ system: 'plan9', bench: 'getpid' });
    expect(r.status).toBe('error');
    expect(r.error).toEqual({ kind: 'bad-input', message: expect.stringMatching(/system: unknown system 'plan9'/) });
    expect(r.host.simulatedCycles).toBe(0);
  });

  it('stops at the cycle budget and says so', async () => {
    const r = await runExperiment({ system: 'linux', bench: 'getpid' }, { cycleBudget: 5_000_000 });
    expect(r.status).toBe('error');
    expect(r.error!.kind).toBe('budget-exceeded');
    expect(r.host.simulatedCycles).toBeGreaterThanOrEqual(5_000_000);
  });

  it('ends on an AbortSignal with an aborted result', async () => {
    const controller = new AbortController();
    const r = await runExperiment(
      { system: 'linux', bench: 'getpid', params: { iterations: 1_000_000 } },
      { signal: controller.signal, onProgress: () => controller.abort() },
    );
    expect(r.error?.kind).toBe('aborted');
  });
});

describe('execProgram', () => {
  const exitWithEax = [0x89, 0xc3, 0xf7, 0xdb, 0xb8, 1, 0, 0, 0, 0xcd, 0x80]; // mov ebx,eax; neg ebx; mov eax,1; int 0x80

  it('answers an unsupported system call with -ENOSYS and counts it', async () => {
    const code = [0xb8, 0xfa, 0, 0, 0, 0xcd, 0x80, ...exitWithEax]; // mov eax,250; int 0x80
    const r = await execProgram({ system: 'linux', image: tinyElf(code), argv: ['enosys'] });
    expect(r.error).toBeUndefined();
    expect(r.exitStatus).toBe(38); // ENOSYS
    expect(r.counters['kernel.enosys']).toBe(1);
  });

  it('stops a runaway guest at its budget', async () => {
    const r = await execProgram({ system: 'linux', image: tinyElf([0xeb, 0xfe]), argv: ['spin'], cycleBudget: 3_000_000 });
    expect(r.error?.kind).toBe('budget-exceeded');
  });

  it('reports a broken ELF clearly', async () => {
    const broken = tinyElf([0x90]);
    broken[18] = 0x3e; // e_machine = x86-64
    const r = await execProgram({ system: 'linux', image: broken, argv: ['broken'] });
    expect(r.error?.kind).toBe('machine-fault');
    expect(r.error?.message).toMatch(/ENOEXEC|exec|ELF/i);
  });

  it('rejects an unknown system', async () => {
    const r = await execProgram({ system: 'vms', image: tinyElf([0x90]), argv: ['x'] });
    expect(r.error).toEqual({ kind: 'bad-input', message: expect.stringMatching(/unknown system 'vms'/) });
  });

  it('reports a guest killed by a signal', async () => {
    const code = [0xa1, 0, 0, 0, 0]; // mov eax,[0] -> SIGSEGV
    const r = await execProgram({ system: 'linux', image: tinyElf(code), argv: ['segv'] });
    expect(r.termSignal).toBe(11);
    expect(r.exitStatus).toBeNull();
  });
});
