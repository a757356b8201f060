// The getpid view's numbers, kept apart from the DOM so they can be tested alone:
// measured getpid cost per system (from /api/metrics) beside the paper's Table 2
// (from /api/reference/sosp97-table2-getpid).

import { paramsKey } from './sweep-model.js';

export const REFERENCE_DATASET = 'sosp97-table2-getpid';
export const METRIC_BY_KIND = { cycles: 'getpid_cycles', us: 'getpid_us' };

function unitKind(nameOrUnit) {
  const s = String(nameOrUnit || '').toLowerCase();
  if (s.includes('cycle')) return 'cycles';
  if (s === 'us' || s === 'µs' || s.endsWith('_us') || s.includes('micro') || s.includes('µs')) return 'us';
  return null;
}

function rowsOf(body) {
  if (Array.isArray(body)) return body;
  for (const key of ['rows', 'values', 'data', 'items', 'entries']) {
    if (body && Array.isArray(body[key])) return body[key];
  }
  return null;
}

/**
 * The reference dataset as Map<systemId, { cycles, us }>. Rows may be wide
 * ({ system, cycles, us }) or long ({ system, metric, value, unit }).
 */
export function normalizeReference(body) {
  const out = new Map();
  const put = (system, kind, value, label) => {
    if (!system || !kind || typeof value !== 'number') return;
    const entry = out.get(system) || { cycles: null, us: null, label: null };
    entry[kind] = value;
    if (label) entry.label = label;
    out.set(system, entry);
  };
  const rows = rowsOf(body);
  if (rows) {
    for (const row of rows) {
      const system = row.system ?? row.systemId ?? row.id;
      const label = row.systemLabel ?? row.label ?? null;
      if (typeof row.value === 'number') {
        put(system, unitKind(row.metric ?? row.name) || unitKind(row.unit), row.value, label);
        continue;
      }
      for (const [key, value] of Object.entries(row)) {
        if (typeof value === 'number') put(system, unitKind(key), value, label);
      }
    }
  } else if (body && typeof body === 'object') {
    for (const [system, value] of Object.entries(body)) {
      if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) put(system, unitKind(k), v);
    }
  }
  return out;
}

/** /api/metrics rows of the getpid bench as Map<systemId, { cycles: number[], us: number[] }>. */
export function collectMeasured(metricRows) {
  const out = new Map();
  for (const row of metricRows) {
    const name = row.metric ?? row.name;
    const kind = name === METRIC_BY_KIND.cycles ? 'cycles' : name === METRIC_BY_KIND.us ? 'us' : null;
    if (!kind || typeof row.value !== 'number' || !row.system) continue;
    const entry = out.get(row.system) || { cycles: [], us: [] };
    entry[kind].push(row.value);
    out.set(row.system, entry);
  }
  return out;
}

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/**
 * Rows of the getpid table and the chart's series. Runs with different params are never
 * averaged together: when the sweep varies them, `params` (a paramsKey) picks one
 * combination, by default the first in sorted order; seeds of one combination are.
 * @param {{ metricRows: object[], reference: object, systems: {id:string,title?:string,arch?:string}[],
 *           selected?: string[] | null, kind?: 'cycles'|'us', params?: string | null }} input
 */
export function buildGetpidView({ metricRows, reference, systems, selected, kind = 'cycles', params = null }) {
  const paramChoices = [...new Set(metricRows.map((r) => paramsKey(r.params)))].sort();
  const chosenParams = params !== null && paramChoices.includes(params) ? params : (paramChoices[0] ?? null);
  const measured = collectMeasured(metricRows.filter((r) => paramsKey(r.params) === chosenParams));
  const paper = normalizeReference(reference);
  const catalog = new Map(systems.map((s) => [s.id, s]));
  const titleOf = (id) => catalog.get(id)?.title ?? paper.get(id)?.label ?? id;

  // The paper's order first (Linux, L4Linux, trampoline, MkLinux in-kernel, user), then
  // any measured system the paper does not have.
  const order = [...paper.keys(), ...[...measured.keys()].filter((id) => !paper.has(id))].filter((id) => measured.has(id) || paper.has(id));
  const chosen = selected && selected.length ? order.filter((id) => selected.includes(id)) : order;

  const nativeId = systems.find((s) => s.arch === 'native')?.id ?? 'linux';
  const nativeCycles = measured.has(nativeId) ? mean(measured.get(nativeId).cycles) : null;

  const rows = chosen.map((id) => {
    const m = measured.get(id) || { cycles: [], us: [] };
    const p = paper.get(id) || { cycles: null, us: null };
    const cycles = mean(m.cycles);
    const us = mean(m.us);
    return {
      system: id,
      title: titleOf(id),
      runs: Math.max(m.cycles.length, m.us.length),
      cycles,
      us,
      ratioToNative: cycles !== null && nativeCycles ? cycles / nativeCycles : null,
      paperCycles: p.cycles,
      paperUs: p.us,
      errorPct: cycles !== null && p.cycles ? ((cycles - p.cycles) / p.cycles) * 100 : null,
    };
  });

  const paperKey = kind === 'us' ? 'paperUs' : 'paperCycles';
  return {
    kind,
    params: chosenParams,
    paramChoices,
    nativeId,
    rows,
    available: order.map((id) => ({ id, title: titleOf(id), measured: measured.has(id) })),
    chart: {
      systems: rows.map((r) => r.system),
      labels: rows.map((r) => r.title),
      measured: rows.map((r) => r[kind]),
      paper: rows.map((r) => r[paperKey]),
      unit: kind === 'us' ? 'µs' : 'cycles',
    },
  };
}
