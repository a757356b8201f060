import type { ExperimentSpec, ParamSpec, ParamValue } from './types';
import { BENCHES } from './catalog/benches';
import { SYSTEMS } from './catalog/systems';
import type { BenchEntry } from './catalog/bench-entry';
import type { SystemEntry } from './catalog/system-entry';

/** An experiment whose system and bench exist and whose params are complete and typed
 *  (plain data: what the farm stores and hashes). */
export interface ResolvedSpec {
  system: string;
  bench: string;
  params: Record<string, ParamValue>;
  seed: number;
}

/** A resolved spec with its catalogue entries, for running it. */
export interface ResolvedExperiment {
  spec: ResolvedSpec;
  system: SystemEntry;
  bench: BenchEntry;
}

export interface SpecError {
  /** dotted path of the offending field, e.g. 'params.iterations' */
  field: string;
  message: string;
}

export type Resolution = { ok: true; spec: ResolvedSpec; experiment: ResolvedExperiment } | { ok: false; errors: SpecError[] };

export function resolveExperiment(spec: ExperimentSpec): Resolution {
  const errors: SpecError[] = [];
  if (spec === null || typeof spec !== 'object') {
    return { ok: false, errors: [{ field: '', message: 'the experiment must be an object' }] };
  }
  const system = SYSTEMS.find((s) => s.id === spec.system);
  if (!system) {
    errors.push({ field: 'system', message: `unknown system '${String(spec.system)}' (known: ${SYSTEMS.map((s) => s.id).join(', ')})` });
  }
  const bench = BENCHES.find((b) => b.id === spec.bench);
  if (!bench) {
    errors.push({ field: 'bench', message: `unknown bench '${String(spec.bench)}' (known: ${BENCHES.map((b) => b.id).join(', ')})` });
  }
  const seed = spec.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0) {
    errors.push({ field: 'seed', message: `seed must be a non-negative integer, got ${JSON.stringify(spec.seed)}` });
  }
  const params: Record<string, ParamValue> = {};
  if (bench) {
    const given = spec.params ?? {};
    if (given === null || typeof given !== 'object' || Array.isArray(given)) {
      errors.push({ field: 'params', message: 'params must be an object of name → value' });
    } else {
      for (const name of Object.keys(given)) {
        if (!bench.params.some((p) => p.name === name)) {
          errors.push({
            field: `params.${name}`,
            message: `bench '${bench.id}' has no parameter '${name}' (it has: ${bench.params.map((p) => p.name).join(', ') || 'none'})`,
          });
        }
      }
      for (const p of bench.params) {
        const value = name(given, p.name) ? given[p.name] : p.default;
        const problem = checkParam(p, value);
        if (problem) errors.push({ field: `params.${p.name}`, message: problem });
        else params[p.name] = value;
      }
    }
  }
  if (errors.length > 0 || !system || !bench) return { ok: false, errors };
  const resolved: ResolvedSpec = { system: system.id, bench: bench.id, params, seed };
  return { ok: true, spec: resolved, experiment: { spec: resolved, system, bench } };
}

function name(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** Returns a message naming what is wrong with `value` for `p`, or null when it is acceptable. */
export function checkParam(p: ParamSpec, value: unknown): string | null {
  switch (p.type) {
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return `${p.name} must be an integer, got ${JSON.stringify(value)}`;
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${p.name} must be a number, got ${JSON.stringify(value)}`;
      break;
    case 'bool':
      if (typeof value !== 'boolean') return `${p.name} must be true or false, got ${JSON.stringify(value)}`;
      return null;
    case 'string':
      if (typeof value !== 'string') return `${p.name} must be a string, got ${JSON.stringify(value)}`;
      if (p.choices && !p.choices.includes(value)) return `${p.name} must be one of ${p.choices.join(', ')}, got '${value}'`;
      return null;
  }
  if (p.min !== undefined && (value as number) < p.min) return `${p.name} must be at least ${p.min}, got ${value}`;
  if (p.max !== undefined && (value as number) > p.max) return `${p.name} must be at most ${p.max}, got ${value}`;
  return null;
}

/** Parses a command-line `k=v` value into the param's type. */
export function parseParamText(p: ParamSpec, text: string): ParamValue {
  // text that is not a number stays text, so the type check names what was given
  if (p.type === 'int' || p.type === 'number') return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
  if (p.type === 'bool') return text === 'true' ? true : text === 'false' ? false : (text as unknown as boolean);
  return text;
}
