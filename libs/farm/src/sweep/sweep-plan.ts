// A SweepSpec checked against the lab's catalogue and expanded to cells.
// Everything here happens before anything is stored or queued.
import type { BenchInfo, ParamSpec, ParamValue } from '@mklab/lab';
import type { LabPort, ResolvedExperiment } from '../lab/lab-port';
import { cellJobId } from '../jobs/job-id';
import { DEFAULT_CELL_CEILING, DEFAULT_MAX_CELLS, type Checked, type FieldError, type SweepSpec } from './sweep-spec';

export interface PlannedCell {
  /** position in the sweep's expansion order */
  ordinal: number;
  system: string;
  bench: string;
  /** params after the lab applied defaults */
  params: Record<string, ParamValue>;
  seed: number;
  /** lab.configHash over the resolved cell: the identity of its result */
  configHash: string;
  /** queue job id: configHash + emulator version */
  jobId: string;
}

export interface SweepPlan {
  spec: SweepSpec;
  emulatorVersion: string;
  systems: string[];
  benches: string[];
  seeds: number[];
  cells: PlannedCell[];
  /** cells dropped because an earlier cell of the sweep has the same identity */
  duplicates: number;
}

export interface PlanLimits {
  /** the most cells any sweep may have (server setting) */
  ceiling?: number;
}

function checkValue(p: ParamSpec, v: ParamValue): string | null {
  switch (p.type) {
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v)) return `must be an integer, got ${JSON.stringify(v)}`;
      break;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) return `must be a number, got ${JSON.stringify(v)}`;
      break;
    case 'bool':
      if (typeof v !== 'boolean') return `must be true or false, got ${JSON.stringify(v)}`;
      break;
    case 'string':
      if (typeof v !== 'string') return `must be a string, got ${JSON.stringify(v)}`;
      if (p.choices && !p.choices.includes(v)) return `must be one of ${p.choices.join(', ')}, got '${v}'`;
      break;
  }
  if (typeof v === 'number') {
    if (p.min !== undefined && v < p.min) return `must be ≥ ${p.min}, got ${v}`;
    if (p.max !== undefined && v > p.max) return `must be ≤ ${p.max}, got ${v}`;
  }
  return null;
}

function cartesian(axes: [string, ParamValue[]][]): Record<string, ParamValue>[] {
  let out: Record<string, ParamValue>[] = [{}];
  for (const [name, values] of axes) {
    const next: Record<string, ParamValue>[] = [];
    for (const partial of out) for (const v of values) next.push({ ...partial, [name]: v });
    out = next;
  }
  return out;
}

export function seedsOf(spec: SweepSpec): number[] {
  if (spec.seeds) return [...new Set(spec.seeds)];
  const n = spec.repeats ?? 1;
  return Array.from({ length: n }, (_, i) => i + 1);
}

export function planSweep(spec: SweepSpec, lab: LabPort, limits: PlanLimits = {}): Checked<SweepPlan> {
  const errors: FieldError[] = [];
  const catalogueSystems = lab.listSystems().map((s) => s.id);
  const catalogueBenches = new Map<string, BenchInfo>(lab.listBenches().map((b) => [b.id, b]));

  const systems = spec.systems === 'all' ? catalogueSystems : [...new Set(spec.systems)];
  if (spec.systems !== 'all') {
    spec.systems.forEach((s, i) => {
      if (!catalogueSystems.includes(s))
        errors.push({ field: `systems[${i}]`, message: `systems[${i}]: unknown system '${s}' (known: ${catalogueSystems.join(', ')})` });
    });
  }
  const benches = [...new Set(spec.benches)];
  spec.benches.forEach((b, i) => {
    if (!catalogueBenches.has(b))
      errors.push({ field: `benches[${i}]`, message: `benches[${i}]: unknown bench '${b}' (known: ${[...catalogueBenches.keys()].join(', ')})` });
  });
  if (errors.length) return { ok: false, errors };

  // Every param must be declared by at least one of the sweep's benches, and
  // every value must fit each bench that declares it.
  const axes = Object.entries(spec.params).map(([name, v]) => [name, Array.isArray(v) ? v : [v]] as [string, ParamValue[]]);
  for (const [name, values] of axes) {
    const declaring = benches.map((b) => catalogueBenches.get(b)!).filter((b) => b.params.some((p) => p.name === name));
    if (declaring.length === 0) {
      errors.push({ field: `params.${name}`, message: `params.${name}: unknown param for bench ${benches.join(', ')}` });
      continue;
    }
    const list = Array.isArray(spec.params[name]);
    for (const b of declaring) {
      const p = b.params.find((q) => q.name === name)!;
      values.forEach((v, i) => {
        const why = checkValue(p, v);
        const field = list ? `params.${name}[${i}]` : `params.${name}`;
        if (why) errors.push({ field, message: `${field}: ${why} (bench '${b.id}', ${p.type})` });
      });
    }
  }
  if (errors.length) return { ok: false, errors };

  const seeds = seedsOf(spec);
  // Count before expanding so an enormous spec is refused without building it.
  let count = 0;
  for (const b of benches) {
    const info = catalogueBenches.get(b)!;
    let perBench = systems.length * seeds.length;
    for (const [name, values] of axes) if (info.params.some((p) => p.name === name)) perBench *= values.length;
    count += perBench;
  }
  const ceiling = limits.ceiling ?? DEFAULT_CELL_CEILING;
  if (spec.maxCells !== undefined && spec.maxCells > ceiling) {
    return { ok: false, errors: [{ field: 'maxCells', message: `maxCells: ${spec.maxCells} is over this farm's ceiling of ${ceiling}` }] };
  }
  const maxCells = spec.maxCells ?? Math.min(DEFAULT_MAX_CELLS, ceiling);
  if (count > maxCells) {
    return {
      ok: false,
      errors: [{ field: 'maxCells', message: `maxCells: the sweep expands to ${count} cells, over the limit of ${maxCells}` }],
    };
  }

  const cells: PlannedCell[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const bench of benches) {
    const info = catalogueBenches.get(bench)!;
    const benchAxes = axes.filter(([name]) => info.params.some((p) => p.name === name));
    for (const system of systems) {
      for (const params of cartesian(benchAxes)) {
        for (const seed of seeds) {
          const r = lab.resolveExperiment({ system, bench, params, seed });
          if (!r.ok) {
            for (const e of r.errors) errors.push({ field: e.field, message: `${system}/${bench}: ${e.message}` });
            continue;
          }
          const resolved: ResolvedExperiment = r.spec;
          const configHash = lab.configHash(r.spec);
          if (seen.has(configHash)) {
            duplicates++;
            continue;
          }
          seen.add(configHash);
          cells.push({
            ordinal: cells.length,
            system,
            bench,
            params: { ...resolved.params },
            seed: resolved.seed ?? seed,
            configHash,
            jobId: cellJobId(configHash, lab.EMULATOR_VERSION),
          });
        }
      }
    }
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, value: { spec, emulatorVersion: lab.EMULATOR_VERSION, systems, benches, seeds, cells, duplicates } };
}
