// A stand-in for libs/lab used by the farm's own tests: the same exports as
// `@mklab/lab` (listSystems, listBenches, resolveExperiment, configHash,
// runExperiment, EMULATOR_VERSION), with a tiny catalogue whose "benchmarks"
// burn real host CPU in slices of simulated cycles, report progress and check
// the AbortSignal between slices exactly as Machine.run does. It exists so the
// farm's queue, pool, cancellation and crash recovery can be tested without
// waiting for (or depending on the speed of) the emulator. Its numbers are
// computed by its own loop; they are farm test data, never paper results.
import { createHash } from 'node:crypto';
import type {
  BenchInfo,
  ExperimentOptions,
  ExperimentSpec,
  ParamValue,
  RunResult,
  SystemInfo,
} from '@mklab/lab';

export const EMULATOR_VERSION = 'fixture-1';

/** Simulated cycles per slice between progress reports and abort checks. */
const SLICE_CYCLES = 1_000_000;

const SYSTEMS: SystemInfo[] = [
  { id: 'sim-a', title: 'Simulated A', description: 'fixture system', arch: 'native', libcBackend: 'int80' },
  { id: 'sim-b', title: 'Simulated B', description: 'fixture system', arch: 'l4', libcBackend: 'l4ipc' },
];

const BENCHES: BenchInfo[] = [
  {
    id: 'spin',
    title: 'Spin',
    description: 'burns `work` host iterations per million simulated cycles',
    params: [
      { name: 'cycles', type: 'int', default: 10_000_000, min: 1, max: 1_000_000_000_000, description: 'simulated cycles' },
      { name: 'work', type: 'int', default: 2_000, min: 0, max: 100_000_000, description: 'host loop iterations per slice' },
      { name: 'mode', type: 'string', default: 'ok', choices: ['ok', 'crash', 'throw'], description: 'ok, guest crash, infrastructure throw' },
    ],
    metrics: [{ name: 'checksum', unit: 'count', better: 'lower', description: 'xorshift checksum modulo 1000' }],
  },
];

export function listSystems(): SystemInfo[] {
  return SYSTEMS.map((s) => ({ ...s }));
}

export function listBenches(): BenchInfo[] {
  return BENCHES.map((b) => ({ ...b, params: b.params.map((p) => ({ ...p })), metrics: [...b.metrics] }));
}

export interface FixtureResolved {
  system: string;
  bench: string;
  params: Record<string, ParamValue>;
  seed: number;
}

export function resolveExperiment(
  spec: ExperimentSpec,
): { ok: true; spec: FixtureResolved } | { ok: false; errors: { field: string; message: string }[] } {
  const errors: { field: string; message: string }[] = [];
  if (!SYSTEMS.some((s) => s.id === spec.system)) errors.push({ field: 'system', message: `unknown system '${spec.system}'` });
  const bench = BENCHES.find((b) => b.id === spec.bench);
  if (!bench) {
    errors.push({ field: 'bench', message: `unknown bench '${spec.bench}'` });
    return { ok: false, errors };
  }
  const params: Record<string, ParamValue> = {};
  for (const p of bench.params) params[p.name] = p.default;
  for (const [k, v] of Object.entries(spec.params ?? {})) {
    const p = bench.params.find((q) => q.name === k);
    if (!p) errors.push({ field: `params.${k}`, message: `unknown param '${k}' for bench '${bench.id}'` });
    else if (p.type === 'int' && !(typeof v === 'number' && Number.isInteger(v)))
      errors.push({ field: `params.${k}`, message: `'${k}' must be an integer` });
    else if (p.type === 'string' && (typeof v !== 'string' || (p.choices && !p.choices.includes(v))))
      errors.push({ field: `params.${k}`, message: `'${k}' must be one of ${p.choices?.join(', ')}` });
    else if (typeof v === 'number' && ((p.min !== undefined && v < p.min) || (p.max !== undefined && v > p.max)))
      errors.push({ field: `params.${k}`, message: `'${k}' must be within [${p.min}, ${p.max}]` });
    else params[k] = v;
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, spec: { system: spec.system, bench: spec.bench, params, seed: spec.seed ?? 1 } };
}

export function configHash(r: FixtureResolved): string {
  const keys = Object.keys(r.params).sort();
  const canon = JSON.stringify([r.system, r.bench, keys.map((k) => [k, r.params[k]]), r.seed, 'fixture-machine']);
  return createHash('sha256').update(canon).digest('hex');
}

export async function runExperiment(spec: ExperimentSpec, opts: ExperimentOptions = {}): Promise<RunResult> {
  const t0 = performance.now();
  const resolved = resolveExperiment(spec);
  const base = {
    system: spec.system,
    bench: spec.bench,
    params: resolved.ok ? resolved.spec.params : { ...(spec.params ?? {}) },
    seed: spec.seed ?? 1,
    metrics: [],
    samples: [],
    counters: {},
    output: { stdout: '', stderr: '', exitStatus: null },
  };
  const provenance = {
    emulatorVersion: EMULATOR_VERSION,
    gitSha: null,
    configHash: resolved.ok ? configHash(resolved.spec) : '',
    machineConfig: { fixture: true },
    nodeVersion: process.version,
  };
  const host = (cycles: number) => {
    const wallMs = performance.now() - t0;
    return { wallMs, simulatedCycles: cycles, cyclesPerSecond: wallMs > 0 ? (cycles * 1000) / wallMs : 0 };
  };
  if (!resolved.ok) {
    return { ...base, status: 'error', error: { kind: 'bad-input', message: resolved.errors.map((e) => e.message).join('; ') }, provenance, host: host(0) };
  }
  const p = resolved.spec.params;
  if (p.mode === 'throw') throw new Error('fixture: infrastructure failure requested');
  const budget = opts.cycleBudget ?? Number.MAX_SAFE_INTEGER;
  const total = Math.min(p.cycles as number, budget);
  let x = (resolved.spec.seed | 0) || 1;
  let cycles = 0;
  const samples: number[] = [];
  while (cycles < total) {
    if (opts.signal?.aborted) {
      return { ...base, params: p, status: 'error', error: { kind: 'aborted', message: 'aborted' }, provenance, host: host(cycles) };
    }
    for (let i = 0; i < (p.work as number); i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
    }
    cycles = Math.min(total, cycles + SLICE_CYCLES);
    opts.onProgress?.({ cycles, budget: total });
    if (samples.length < 5) samples.push((x >>> 0) % 1000);
    // A slice ends the way Machine.run's does: give the event loop a turn.
    if ((cycles / SLICE_CYCLES) % 16 === 0) await new Promise((r) => setImmediate(r));
  }
  if (p.mode === 'crash') {
    return {
      ...base, params: p, status: 'error', error: { kind: 'guest-crashed', message: 'fixture guest exited with status 139' },
      output: { stdout: '', stderr: 'Segmentation fault\n', exitStatus: 139 }, provenance, host: host(cycles),
    };
  }
  const checksum = (x >>> 0) % 1000;
  return {
    ...base,
    params: p,
    status: 'ok',
    metrics: [{ name: 'checksum', value: checksum, unit: 'count', better: 'lower' }],
    samples: [{ name: 'checksum', values: samples }],
    counters: { cycles, slices: Math.ceil(cycles / SLICE_CYCLES) },
    output: { stdout: `checksum ${checksum} count\n`, stderr: '', exitStatus: 0 },
    provenance,
    host: host(cycles),
  };
}
