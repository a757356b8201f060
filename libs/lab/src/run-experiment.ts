import type { ExperimentOptions, ExperimentSpec, ParamValue, RunResult } from './types';
import { resolveExperiment } from './resolve';
import { configHash } from './config-hash';
import { machineConfig } from './machine-config';
import { EMULATOR_VERSION, GIT_SHA } from './version';
import { guestImage, standardRootfs } from './images';
import { parseBenchOutput } from './catalog/bench-entry';
import { runGuest } from './guest-run';
import { parsePhaseBreakdowns } from './breakdown';

/** The one entry point every layer above calls: boot the system, run the benchmark's
 *  guest program as the first process, turn what it printed into metrics. Never throws
 *  for bad input or anything the guest does: those become an error result. */
export async function runExperiment(spec: ExperimentSpec, opts: ExperimentOptions = {}): Promise<RunResult> {
  const resolution = resolveExperiment(spec);
  if (!resolution.ok) {
    return emptyResult(spec, 'bad-input', resolution.errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
  const e = resolution.experiment;
  const provenance = {
    emulatorVersion: EMULATOR_VERSION,
    gitSha: GIT_SHA,
    configHash: configHash(e.spec),
    machineConfig: machineConfig(),
    nodeVersion: process.version,
  };
  const base = { ...e.spec, provenance };

  let image: Uint8Array;
  try {
    image = guestImage(e.system.libcBackend, e.bench.program);
  } catch (err) {
    return { ...emptyResult(spec, 'bad-input', (err as Error).message), ...base };
  }
  const argv = e.bench.argv(e.spec.params);
  const cycleBudget = opts.cycleBudget ?? e.bench.cycleBudget(e.spec.params);
  const rootfs = standardRootfs(e.system.libcBackend);
  const initPath = `/bin/${e.bench.program}`;
  rootfs[initPath] = image;

  const run = await runGuest({
    system: e.system,
    setup: { rootfs, init: { path: initPath, argv, envp: ['PATH=/bin', 'HOME=/', `MKLAB_SEED=${e.spec.seed}`] } },
    cycleBudget,
    signal: opts.signal,
    onProgress: opts.onProgress,
    jit: opts.jit,
  });

  const host = {
    wallMs: Math.round(run.wallMs),
    simulatedCycles: run.cycles,
    cyclesPerSecond: run.wallMs > 0 ? Math.round(run.cycles / (run.wallMs / 1000)) : 0,
  };
  const result: RunResult = {
    ...base,
    status: 'ok',
    metrics: [],
    samples: [],
    counters: run.counters,
    output: { stdout: run.stdout, stderr: run.stderr, exitStatus: run.exitStatus },
    host,
  };
  if (run.error) return { ...result, status: 'error', error: run.error };
  if (run.termSignal !== null) {
    return { ...result, status: 'error', error: { kind: 'guest-crashed', message: `the benchmark was killed by signal ${run.termSignal}` } };
  }
  if (run.exitStatus !== 0) {
    return { ...result, status: 'error', error: { kind: 'guest-crashed', message: `the benchmark exited with status ${run.exitStatus}` } };
  }
  const parsed = parseBenchOutput(e.bench, run.stdout);
  if (!parsed.ok) return { ...result, status: 'error', error: { kind: 'guest-output', message: parsed.message } };
  // per-phase breakdowns the guest measured with the phase counters (breakdown.ts)
  const phases = parsePhaseBreakdowns(e.bench.metrics, run.stdout);
  if (!phases.ok) return { ...result, status: 'error', error: { kind: 'guest-output', message: phases.message } };
  return { ...result, metrics: [...parsed.metrics, ...phases.metrics], samples: [...parsed.samples, ...phases.samples] };
}

function emptyResult(spec: ExperimentSpec, kind: 'bad-input', message: string): RunResult {
  return {
    status: 'error',
    error: { kind, message },
    system: String(spec?.system),
    bench: String(spec?.bench),
    params: (spec?.params ?? {}) as Record<string, ParamValue>,
    seed: spec?.seed ?? 1,
    metrics: [],
    samples: [],
    counters: {},
    output: { stdout: '', stderr: '', exitStatus: null },
    provenance: { emulatorVersion: EMULATOR_VERSION, gitSha: GIT_SHA, configHash: '', machineConfig: machineConfig(), nodeVersion: process.version },
    host: { wallMs: 0, simulatedCycles: 0, cyclesPerSecond: 0 },
  };
}
