// Per-phase breakdowns of a benchmark's metric (contracts.md "Phase accounting").
//
// A guest that reads the machine's phase counters prints, next to a metric
// `<stem>_<unit>` (getpid_cycles), one line per phase `<stem>_phase_<phase>_<unit>`
// (getpid_phase_ipc_call_cycles) in every repetition, with values that add up to the
// metric's value of that repetition. The phase names are those of
// libs/pentium/src/clock/phases.ts; a name outside that list is an error. The catalogue
// declares nothing for this: a breakdown is found by the naming convention, for any bench.
//
// Aggregation: the metric is the median of its repetitions; each phase metric takes the
// value of that same repetition (the mean of the two middle ones for an even count), so
// the phase metrics add up to the metric. Phases that are zero in every repetition are left out.
import { PHASES } from '@mklab/pentium';
import type { Metric, MetricSpec, RunResult, Sample } from './types';

const PHASE_NAMES: readonly string[] = PHASES.map((p) => p.name);
const LINE = /^([a-z][a-z0-9_]*)\s+(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s+(\S+)\s*$/;

interface Printed {
  value: number;
  /** the largest rounding error of the printed number: half a unit of its last decimal */
  resolution: number;
}

function printed(text: string): Printed {
  const m = /\.(\d+)/.exec(text.replace(/[eE].*$/, ''));
  const decimals = m ? m[1].length : 0;
  return { value: Number(text), resolution: 0.5 * 10 ** -decimals };
}

/** The stem of a metric `<stem>_<unit>`, or null when its name does not end in its unit. */
function stemOf(spec: Pick<MetricSpec, 'name' | 'unit'>): string | null {
  const suffix = `_${spec.unit}`;
  return spec.name.endsWith(suffix) && spec.name.length > suffix.length ? spec.name.slice(0, -suffix.length) : null;
}

/** The metric name of phase `phase` of metric `metric` (getpid_cycles, cycles, ipc_call → getpid_phase_ipc_call_cycles). */
export function phaseMetricName(metric: string, unit: string, phase: string): string | null {
  const stem = stemOf({ name: metric, unit });
  return stem === null ? null : `${stem}_phase_${phase}_${unit}`;
}

export type BreakdownParse = { ok: true; metrics: Metric[]; samples: Sample[] } | { ok: false; message: string };

/**
 * The phase metrics and samples of every declared metric that has a breakdown in `stdout`.
 * Checks that each repetition's phases add up to its metric within the printed numbers'
 * rounding, and that every repetition printed every phase it names.
 */
export function parsePhaseBreakdowns(specs: readonly MetricSpec[], stdout: string): BreakdownParse {
  const lines: { name: string; text: string; unit: string }[] = [];
  for (const raw of stdout.split('\n')) {
    const m = LINE.exec(raw.trim());
    if (m) lines.push({ name: m[1], text: m[2], unit: m[3] });
  }
  const metrics: Metric[] = [];
  const samples: Sample[] = [];
  for (const spec of specs) {
    const stem = stemOf(spec);
    if (stem === null) continue;
    const prefix = `${stem}_phase_`;
    const suffix = `_${spec.unit}`;
    const totals = lines.filter((l) => l.name === spec.name).map((l) => printed(l.text));
    const byPhase = new Map<string, Printed[]>();
    for (const l of lines) {
      if (!l.name.startsWith(prefix) || !l.name.endsWith(suffix)) continue;
      const phase = l.name.slice(prefix.length, l.name.length - suffix.length);
      if (!PHASE_NAMES.includes(phase)) {
        return { ok: false, message: `'${l.name}': no phase '${phase}' (the phases are ${PHASE_NAMES.join(', ')}: libs/pentium/src/clock/phases.ts)` };
      }
      if (l.unit !== spec.unit) return { ok: false, message: `'${l.name}' is in ${l.unit}, expected ${spec.unit}` };
      const list = byPhase.get(phase) ?? [];
      list.push(printed(l.text));
      byPhase.set(phase, list);
    }
    if (byPhase.size === 0) continue;
    const n = totals.length;
    for (const [phase, values] of byPhase) {
      if (values.length !== n) {
        return { ok: false, message: `${n} repetitions of '${spec.name}' but ${values.length} of its phase '${phase}'` };
      }
    }
    const phases = PHASE_NAMES.filter((p) => byPhase.has(p));
    for (let r = 0; r < n; r++) {
      const parts = phases.map((p) => (byPhase.get(p) as Printed[])[r]);
      const sum = parts.reduce((a, b) => a + b.value, 0);
      const tolerance = parts.reduce((a, b) => a + b.resolution, totals[r].resolution) + 1e-9 * Math.abs(totals[r].value);
      if (Math.abs(sum - totals[r].value) > tolerance) {
        return {
          ok: false,
          message: `repetition ${r + 1}: the phases of '${spec.name}' add up to ${round(sum)}, not ${totals[r].value} (beyond the printed rounding, ±${round(tolerance)})`,
        };
      }
    }
    const middle = medianIndices(totals.map((t) => t.value));
    for (const phase of phases) {
      const values = (byPhase.get(phase) as Printed[]).map((v) => v.value);
      if (values.every((v) => v === 0)) continue;
      const name = `${prefix}${phase}${suffix}`;
      metrics.push({ name, value: middle.reduce((a, i) => a + values[i], 0) / middle.length, unit: spec.unit, better: spec.better });
      samples.push({ name, values });
    }
  }
  return { ok: true, metrics, samples };
}

/** The repetition(s) whose value is the median: the middle one, or the two middle ones (ties by order). */
export function medianIndices(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const mid = order.length >> 1;
  return order.length % 2 ? [order[mid][1]] : [order[mid - 1][1], order[mid][1]];
}

export interface PhaseShare {
  phase: string;
  value: number;
  /** value / total */
  share: number;
}

export interface Breakdown {
  metric: string;
  unit: string;
  total: number;
  /** in the order of libs/pentium/src/clock/phases.ts */
  phases: PhaseShare[];
  /** the phases' sum (equal to total up to floating-point rounding) */
  sum: number;
}

/** The breakdowns in a run's metrics: one per metric that has phase metrics. */
export function breakdownsOf(result: Pick<RunResult, 'metrics'>): Breakdown[] {
  const out: Breakdown[] = [];
  for (const m of result.metrics) {
    const phases: PhaseShare[] = [];
    for (const phase of PHASE_NAMES) {
      const name = phaseMetricName(m.name, m.unit, phase);
      const pm = name === null ? undefined : result.metrics.find((x) => x.name === name);
      if (pm) phases.push({ phase, value: pm.value, share: m.value !== 0 ? pm.value / m.value : 0 });
    }
    if (phases.length === 0) continue;
    out.push({ metric: m.name, unit: m.unit, total: m.value, phases, sum: phases.reduce((a, p) => a + p.value, 0) });
  }
  return out;
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
