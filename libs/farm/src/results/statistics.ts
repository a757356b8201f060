// Aggregates over repeats (cells that differ only by seed). Raw values are kept
// beside the aggregates in the database (Conbench), so these are recomputable.
import type { ParamValue } from '@mklab/lab';

export interface Summary {
  n: number;
  mean: number;
  median: number;
  /** sample standard deviation (n − 1); 0 for a single value */
  stddev: number;
  min: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summarize: no values');
  for (const v of values) if (!Number.isFinite(v)) throw new Error(`summarize: non-finite value ${v}`);
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((s, v) => s + v, 0) / n;
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  const variance = n > 1 ? sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { n, mean, median, stddev: Math.sqrt(variance), min: sorted[0], max: sorted[n - 1] };
}

export interface MetricPoint {
  system: string;
  bench: string;
  params: Record<string, ParamValue>;
  seed: number;
  metric: string;
  value: number;
  unit: string;
  better: string;
}

export interface SeriesSummary extends Summary {
  system: string;
  bench: string;
  params: Record<string, ParamValue>;
  metric: string;
  unit: string;
  better: string;
  seeds: number[];
}

/** Canonical JSON: object keys sorted, so equal params give equal strings. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Groups points by (system, bench, params, metric) and summarizes across seeds. */
export function summarizeSeries(points: readonly MetricPoint[]): SeriesSummary[] {
  const groups = new Map<string, MetricPoint[]>();
  for (const p of points) {
    const key = canonicalJson([p.system, p.bench, p.params, p.metric]);
    const g = groups.get(key);
    if (g) g.push(p);
    else groups.set(key, [p]);
  }
  return [...groups.values()].map((g) => ({
    system: g[0].system,
    bench: g[0].bench,
    params: g[0].params,
    metric: g[0].metric,
    unit: g[0].unit,
    better: g[0].better,
    seeds: g.map((p) => p.seed).sort((a, b) => a - b),
    ...summarize(g.map((p) => p.value)),
  }));
}
