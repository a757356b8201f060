import type { BenchInfo, Metric, ParamValue, Sample } from '../types';
import { parseResultLines } from '../result-lines';

/** A benchmark: which guest program runs with which arguments, and how its output becomes metrics. */
export interface BenchEntry extends BenchInfo {
  /** image name under guest/images/<libc backend>/ */
  program: string;
  argv(params: Record<string, ParamValue>): string[];
  /** simulated cycles after which the run is cut off as a runaway */
  cycleBudget(params: Record<string, ParamValue>): number;
}

export type ParsedOutput = { ok: true; metrics: Metric[]; samples: Sample[] } | { ok: false; message: string };

/** Turns the guest's result lines into the bench's declared metrics. Several lines of one
 *  metric are repetitions: the metric is their median and the values are kept as samples. */
export function parseBenchOutput(bench: BenchInfo, stdout: string): ParsedOutput {
  const lines = parseResultLines(stdout);
  const metrics: Metric[] = [];
  const samples: Sample[] = [];
  // every missing metric is named at once: a suite that could not run some tests says which
  const missing = bench.metrics.filter((spec) => !lines.some((l) => l.name === spec.name)).map((spec) => `'${spec.name}'`);
  if (missing.length === 1) return { ok: false, message: `the guest printed no ${missing[0]} result line` };
  if (missing.length > 1) return { ok: false, message: `the guest printed no result lines for ${missing.length} metrics: ${missing.join(', ')}` };
  for (const spec of bench.metrics) {
    const found = lines.filter((l) => l.name === spec.name);
    const wrongUnit = found.find((l) => l.unit !== spec.unit);
    if (wrongUnit) {
      return { ok: false, message: `'${spec.name}' is in ${wrongUnit.unit}, expected ${spec.unit}` };
    }
    const values = found.map((l) => l.value);
    metrics.push({ name: spec.name, value: median(values), unit: spec.unit, better: spec.better });
    samples.push({ name: spec.name, values });
  }
  return { ok: true, metrics, samples };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
