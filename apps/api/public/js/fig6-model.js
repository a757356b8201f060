// The Figure 6 view's numbers, kept apart from the DOM so they can be tested alone:
// every lmbench metric of a sweep (from /api/metrics, whichever lmbench bench produced
// it: the suite or a single test), each system's slowdown against native Linux.
// Latencies [lat] as the time ratio (system ÷ native); bandwidths [bw⁻¹] as the inverse
// bandwidth ratio (native ÷ system). 1 = as fast as native; 2 = twice as slow.

import { paramsKey } from './sweep-model.js';

export const SUITE_BENCH = 'lmbench';

/** Is this bench one of lmbench's (the suite or lmbench-<test>)? */
export function isLmbenchBench(id) {
  return id === SUITE_BENCH || String(id).startsWith(`${SUITE_BENCH}-`);
}

/** 'lmb_ctx_2p_16k_us' → 'ctx 2p/16K'; 'lmb_bw_mem_read_mbs' → 'mem read'; 'lmb_rpc_udp_us' → 'rpc/udp' */
export function testLabel(metric) {
  let s = String(metric).replace(/^lmb_/, '').replace(/_(us|mbs)$/, '');
  let m = /^ctx_(\d+)p_(\d+)k$/.exec(s);
  if (m) return `ctx ${m[1]}p/${m[2]}K`;
  m = /^fs_(create|delete)_(\d+)k$/.exec(s);
  if (m) return `fs ${m[1]} ${m[2]}K`;
  s = s.replace(/^bw_/, '');
  if (s === 'rpc_udp' || s === 'rpc_tcp') return s.replace('_', '/');
  if (s === 'open') return 'open+close';
  return s.replace(/_/g, ' ');
}

/** '[lat]' for a latency (lower is better), '[bw⁻¹]' for a bandwidth (higher is better) */
export function kindOf(better) {
  return better === 'higher' ? 'bw' : 'lat';
}
export const KIND_TAG = { lat: '[lat]', bw: '[bw⁻¹]' };

/** Slowdown against native: the time ratio for a latency, the inverse bandwidth ratio for a bandwidth. */
export function slowdown(value, nativeValue, better) {
  if (typeof value !== 'number' || typeof nativeValue !== 'number' || !(value > 0) || !(nativeValue > 0)) return null;
  return better === 'higher' ? nativeValue / value : value / nativeValue;
}

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/**
 * The view: one group per lmbench metric the sweep has, one bar per non-native system.
 * Runs with different params are never averaged together: each metric is shown at one
 * params combination, the same for every system: `params` (a paramsKey) when that
 * metric has runs at it, else the first in sorted order. Seeds of one combination are
 * averaged.
 * @param {{ metricRows: object[], systems: {id:string,title?:string,arch?:string}[],
 *           benches?: {id:string, metrics:{name:string,unit:string,better:string,description?:string}[]}[],
 *           selected?: string[] | null, params?: string | null }} input
 */
export function buildFig6View({ metricRows, systems, benches = [], selected = null, params = null }) {
  const rows = metricRows.filter((r) => isLmbenchBench(r.bench) && typeof r.value === 'number' && r.system && r.metric);
  const catalog = new Map(systems.map((s) => [s.id, s]));
  const titleOf = (id) => catalog.get(id)?.title ?? id;
  const nativeId = systems.find((s) => s.arch === 'native')?.id ?? 'linux';

  // metric order: the suite's declaration order, then any other metric by name
  const suite = benches.find((b) => b.id === SUITE_BENCH);
  const declared = new Map();
  for (const b of [suite, ...benches.filter((b) => b !== suite)]) {
    for (const m of b?.metrics ?? []) if (!declared.has(m.name)) declared.set(m.name, m);
  }
  const present = [...new Set(rows.map((r) => r.metric))];
  const order = [...declared.keys()].filter((n) => present.includes(n));
  order.push(...present.filter((n) => !declared.has(n)).sort());

  const paramChoices = [...new Set(rows.map((r) => paramsKey(r.params)))].sort();
  const systemOrder = [nativeId, ...systems.map((s) => s.id).filter((id) => id !== nativeId)];
  const measuredSystems = new Set(rows.map((r) => r.system));
  const available = [...systemOrder.filter((id) => measuredSystems.has(id)), ...[...measuredSystems].filter((id) => !systemOrder.includes(id)).sort()];
  const shown = available.filter((id) => id !== nativeId && (!selected || !selected.length || selected.includes(id)));

  const metrics = order.map((name) => {
    const of = rows.filter((r) => r.metric === name);
    const keys = [...new Set(of.map((r) => paramsKey(r.params)))].sort();
    const key = params !== null && keys.includes(params) ? params : keys[0];
    const at = of.filter((r) => paramsKey(r.params) === key);
    const spec = declared.get(name);
    const better = spec?.better ?? at[0]?.better ?? (name.endsWith('_mbs') ? 'higher' : 'lower');
    const unit = spec?.unit ?? at[0]?.unit ?? '';
    const valueOf = (system) => mean(at.filter((r) => r.system === system).map((r) => r.value));
    const runsOf = (system) => at.filter((r) => r.system === system).length;
    const native = valueOf(nativeId);
    const kind = kindOf(better);
    return {
      metric: name,
      label: `${KIND_TAG[kind]} ${testLabel(name)}`,
      description: spec?.description ?? '',
      kind,
      unit,
      better,
      params: key,
      native,
      nativeRuns: runsOf(nativeId),
      systems: shown.map((id) => {
        const value = valueOf(id);
        return { system: id, value, runs: runsOf(id), slowdown: slowdown(value, native, better) };
      }),
    };
  });

  return {
    nativeId,
    nativeTitle: titleOf(nativeId),
    paramChoices,
    params,
    available: available.filter((id) => id !== nativeId).map((id) => ({ id, title: titleOf(id) })),
    systems: shown.map((id) => ({ id, title: titleOf(id) })),
    metrics,
    chart: {
      labels: metrics.map((m) => m.label),
      metrics: metrics.map((m) => m.metric),
      datasets: shown.map((id, i) => ({
        system: id,
        label: titleOf(id),
        data: metrics.map((m) => m.systems[i].slowdown),
        raw: metrics.map((m) => m.systems[i].value),
      })),
      native: metrics.map((m) => m.native),
      units: metrics.map((m) => m.unit),
    },
  };
}

/** The tooltip line of one bar: slowdown, then the raw values it comes from. */
export function barTooltip(view, datasetIndex, index) {
  const d = view.chart.datasets[datasetIndex];
  const m = view.metrics[index];
  if (!d || !m) return '';
  const s = d.data[index];
  const unit = m.unit === 'us' ? 'µs' : m.unit;
  const num = (v) => (v === null || v === undefined ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: v < 10 ? 3 : 1 }));
  return `${d.label}: ${s === null ? '—' : `${num(s)}×`} (${num(d.raw[index])} ${unit} vs ${num(m.native)} ${unit} on ${view.nativeTitle})`;
}
