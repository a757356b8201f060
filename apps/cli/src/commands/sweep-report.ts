// What `mklab sweep` prints: the progress line while a sweep runs and the table of
// results when it ends. Pure functions over the API's documents.
import { formatTable } from '../format-table';
import type { MetricRow, SweepCell, SweepDetail, SweepSummary } from '../http-client';

export const TERMINAL_SWEEP_STATUSES = new Set(['done', 'failed', 'cancelled']);
const FINISHED_CELL = new Set(['done', 'failed', 'cancelled', 'cached']);

export function countCells(cells: SweepCell[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of cells) counts[c.status] = (counts[c.status] ?? 0) + 1;
  return counts;
}

/** Finished cells count whole, running cells by their own progress. */
export function sweepFraction(sweep: SweepDetail): number {
  if (!sweep.cells.length) return TERMINAL_SWEEP_STATUSES.has(sweep.status) ? 1 : 0;
  let sum = 0;
  for (const c of sweep.cells) sum += FINISHED_CELL.has(c.status) ? 1 : Math.min(1, Math.max(0, Number(c.progress) || 0));
  return sum / sweep.cells.length;
}

/** `[##########··········]  50%  2/4 cells · 1 running · 1 queued` */
export function progressLine(sweep: SweepDetail, width = 30): string {
  const f = sweepFraction(sweep);
  const filled = Math.round(f * width);
  const counts = countCells(sweep.cells);
  const finished = sweep.cells.filter((c) => FINISHED_CELL.has(c.status)).length;
  const parts = ['running', 'queued', 'cached', 'failed', 'cancelled'].filter((s) => counts[s]).map((s) => `${counts[s]} ${s}`);
  const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
  return `[${bar}] ${String(Math.floor(f * 100)).padStart(3)}%  ${finished}/${sweep.cells.length} cells${parts.length ? ' · ' + parts.join(' · ') : ''}`;
}

function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  return abs >= 100 ? v.toFixed(1) : abs >= 1 ? v.toFixed(3) : v.toPrecision(4);
}

// Sorted by name: the API's params come from jsonb, which orders keys its own way.
function paramsText(params: Record<string, unknown> | undefined): string {
  return Object.entries(params ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

function cellKey(x: { system: string; bench: string; seed?: number; params?: Record<string, unknown> }): string {
  const params = Object.keys(x.params ?? {})
    .sort()
    .map((k) => [k, (x.params ?? {})[k]]);
  return JSON.stringify([x.system, x.bench, x.seed ?? null, params]);
}

/**
 * One row per cell with one column per metric. Metric rows are matched to cells by run
 * id, or (when the API gives no run id) by system, bench, seed and params.
 */
export function resultsTable(sweep: SweepDetail, metrics: MetricRow[]): string {
  const metricNames: string[] = [];
  const units = new Map<string, string>();
  const byRun = new Map<string, Map<string, number>>();
  const byKey = new Map<string, Map<string, number>>();
  for (const m of metrics) {
    if (!metricNames.includes(m.metric)) metricNames.push(m.metric);
    if (m.unit) units.set(m.metric, m.unit);
    const target = m.runId !== undefined && m.runId !== null ? byRun : byKey;
    const key = m.runId !== undefined && m.runId !== null ? String(m.runId) : cellKey(m);
    const values = target.get(key) ?? new Map<string, number>();
    values.set(m.metric, m.value);
    target.set(key, values);
  }
  const header = ['system', 'bench', 'params', 'seed', 'status', ...metricNames.map((n) => (units.get(n) ? `${n} (${units.get(n)})` : n))];
  const rows = sweep.cells.map((c) => {
    const values = (c.runId !== null && c.runId !== undefined ? byRun.get(String(c.runId)) : undefined) ?? byKey.get(cellKey(c));
    return [
      c.system,
      c.bench,
      paramsText(c.params),
      String(c.seed),
      c.status,
      ...metricNames.map((n) => (values?.has(n) ? formatValue(values.get(n) as number) : '—')),
    ];
  });
  return formatTable(header, rows);
}

export function sweepSummary(sweep: SweepDetail): string {
  const counts = countCells(sweep.cells);
  const parts = Object.entries(counts).map(([s, n]) => `${n} ${s}`);
  return `sweep ${sweep.id} "${sweep.name}": ${sweep.status} (${sweep.cells.length} cells${parts.length ? ': ' + parts.join(', ') : ''})`;
}

/** `mklab sweep list`: one line per sweep, newest first as the API gives them. */
export function sweepListTable(sweeps: SweepSummary[]): string {
  const rows = sweeps.map((s) => {
    const c = s.counts ?? {};
    const finished = (c.done ?? 0) + (c.cached ?? 0) + (c.failed ?? 0) + (c.cancelled ?? 0);
    return [s.id, s.name, s.status, `${finished}/${c.total ?? '?'}`, (c.failed ?? 0) ? String(c.failed) : '', String(s.createdAt ?? '')];
  });
  return formatTable(['id', 'name', 'status', 'finished', 'failed', 'created'], rows);
}
