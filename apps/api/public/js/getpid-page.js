// `/views/getpid?sweep=<id>&systems=<id,id,…>&metric=cycles|us&scale=log|linear&params=<k=v k=v>`
// The paper's Table 2: getpid cost per system, measured (from the sweep's runs) beside
// the published value, as a grouped bar chart and a table. Everything the view shows
// is decided by the URL, so a link reproduces it.
/* global document, location, URLSearchParams */
import './site-header.js';
import { asList, fetchJson, fmt, fmtFixed, h } from './common.js';
import { buildGetpidView, REFERENCE_DATASET } from './getpid-model.js';
import { axisType, bindParamsChoice, bindRadios, createBarChart, loadSweepView, readSweepViewState, renderSystemChoices, showSweep } from './sweep-view.js';

const query = new URLSearchParams(location.search);
// `params`: which params combination when the sweep varies them (absent: the first)
const state = readSweepViewState(query, { metric: query.get('metric') === 'us' ? 'us' : 'cycles' });

const canvas = document.getElementById('getpid-chart');
const chart = createBarChart('getpid', canvas, {
  scales: { y: { type: axisType(state.scale), title: { display: true, text: '' } } },
  tooltipLabel: (ctx) => `${ctx.dataset.label}: ${fmt(ctx.parsed.y)} ${chartUnit()}`,
});

let data = null; // { sweep, metricRows, reference, systems }
bindRadios(state, 'metric', render);
bindRadios(state, 'scale', render);
const renderParamsChoice = bindParamsChoice(state, render);

function chartUnit() {
  return state.metric === 'us' ? 'µs' : 'cycles';
}

function render() {
  if (!data) return;
  const view = buildGetpidView({ ...data, selected: state.systems, kind: state.metric, params: state.params });
  showSweep(data.sweep);
  renderSystemChoices(state, view.available, render);
  renderParamsChoice(view.paramChoices, view.params);
  canvas.dataset.params = view.params ?? '';

  chart.data.labels = view.chart.labels;
  chart.data.datasets = [
    { label: 'measured (mklab)', data: view.chart.measured, backgroundColor: '#2f6fb3' },
    { label: "paper (SOSP'97 Table 2)", data: view.chart.paper, backgroundColor: '#b0b8c4' },
  ];
  chart.options.scales.y.type = axisType(state.scale);
  chart.options.scales.y.title.text = `${chartUnit()} per getpid()`;
  chart.update();
  canvas.dataset.systems = view.chart.systems.join(',');
  canvas.dataset.metric = state.metric;

  document.querySelector('#getpid-table tbody').replaceChildren(
    ...view.rows.map((r) =>
      h(
        'tr',
        { 'data-system': r.system },
        h('td', {}, r.title),
        h('td', { class: 'num' }, r.runs),
        h('td', { class: 'num' }, fmtFixed(r.cycles, 1)),
        h('td', { class: 'num' }, fmtFixed(r.us, 3)),
        h('td', { class: 'num' }, r.ratioToNative === null ? '—' : `${fmtFixed(r.ratioToNative, 2)}×`),
        h('td', { class: 'num' }, fmt(r.paperCycles)),
        h('td', { class: 'num' }, fmtFixed(r.paperUs, 2)),
        h('td', { class: 'num' }, r.errorPct === null ? '—' : `${r.errorPct > 0 ? '+' : ''}${fmtFixed(r.errorPct, 1)}%`),
      ),
    ),
  );
}

loadSweepView({
  state,
  path: '/views/getpid',
  each: { metricRows: (sweepId) => fetchJson(`/api/metrics?sweep=${sweepId}&bench=getpid&format=json`).then(asList) },
  once: { reference: () => fetchJson(`/api/reference/${REFERENCE_DATASET}`), systems: () => fetchJson('/api/catalog/systems').then(asList) },
  onData: (loaded) => {
    data = loaded;
    render();
  },
});
