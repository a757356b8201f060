// `/views/fig6?sweep=<id>&systems=<id,id,…>&scale=log|linear&params=<k=v k=v>`
// The paper's Figure 6: lmbench normalised to native Linux. One group of bars per
// test, one bar per system (its slowdown), and a table with the raw values. Everything
// the view shows is decided by the URL, so a link reproduces it.
/* global document, location, URLSearchParams */
import './site-header.js';
import { asList, fetchJson, fmt, h } from './common.js';
import { barTooltip, buildFig6View } from './fig6-model.js';
import { axisType, bindParamsChoice, bindRadios, createBarChart, loadSweepView, readSweepViewState, renderSystemChoices, showSweep } from './sweep-view.js';

// one colour per system, in catalogue order (the paper's greys and blues)
const COLOURS = ['#2f6fb3', '#7fa7d6', '#c0504d', '#e3a35b', '#6b8e23', '#8064a2', '#4bacc6'];

const state = readSweepViewState(new URLSearchParams(location.search));

const canvas = document.getElementById('fig6-chart');
let view = null;
const chart = createBarChart('fig6', canvas, {
  scales: {
    x: { ticks: { autoSkip: false, maxRotation: 60, minRotation: 45 } },
    y: { type: axisType(state.scale), title: { display: true, text: 'slowdown against native Linux (×)' } },
  },
  tooltipLabel: (ctx) => (view ? barTooltip(view, ctx.datasetIndex, ctx.dataIndex) : ''),
});

let data = null; // { sweep, metricRows, systems, benches }
bindRadios(state, 'scale', render);
const renderParamsChoice = bindParamsChoice(state, render);

const unitText = (u) => (u === 'us' ? 'µs' : u);
const ratio = (s) => (s === null ? '—' : `${fmt(s, 2)}×`);

function render() {
  if (!data) return;
  view = buildFig6View({ ...data, selected: state.systems, params: state.params });
  showSweep(data.sweep);
  renderSystemChoices(state, view.available, render);
  renderParamsChoice(view.paramChoices, state.params, 'first of each test');

  chart.data.labels = view.chart.labels;
  chart.data.datasets = view.chart.datasets.map((d, i) => ({ label: d.label, data: d.data, backgroundColor: COLOURS[i % COLOURS.length] }));
  chart.options.scales.y.type = axisType(state.scale);
  // on the log axis the bars grow from just below 1 (or below the smallest ratio), so
  // a bar's length shows how far from native Linux it is
  const ratios = view.chart.datasets.flatMap((d) => d.data).filter((v) => typeof v === 'number' && v > 0);
  chart.options.scales.y.min = state.scale === 'log' ? Math.min(1, ...ratios) * 0.8 : 0;
  chart.update();
  canvas.dataset.systems = view.chart.datasets.map((d) => d.system).join(',');
  canvas.dataset.metrics = view.chart.metrics.join(',');

  const table = document.getElementById('fig6-table');
  table.querySelector('thead').replaceChildren(
    h(
      'tr',
      {},
      h('th', {}, 'test'),
      h('th', {}, 'unit'),
      h('th', { class: 'num' }, view.nativeTitle),
      ...view.systems.map((s) => h('th', { class: 'num', colspan: 2, 'data-system': s.id }, s.title)),
      h('th', {}, 'params'),
    ),
  );
  table.querySelector('tbody').replaceChildren(
    ...view.metrics.map((m) =>
      h(
        'tr',
        { 'data-metric': m.metric, title: m.description },
        h('td', {}, m.label),
        h('td', {}, unitText(m.unit)),
        h('td', { class: 'num' }, fmt(m.native, 2)),
        ...m.systems.flatMap((s) => [
          h('td', { class: 'num', 'data-system': s.system }, fmt(s.value, 2)),
          h('td', { class: 'num ratio', 'data-system': s.system }, ratio(s.slowdown)),
        ]),
        h('td', {}, h('code', {}, m.params || '')),
      ),
    ),
  );
}

loadSweepView({
  state,
  path: '/views/fig6',
  each: { metricRows: (sweepId) => fetchJson(`/api/metrics?sweep=${sweepId}&format=json`).then(asList) },
  once: { systems: () => fetchJson('/api/catalog/systems').then(asList), benches: () => fetchJson('/api/catalog/benches').then(asList) },
  onData: (loaded) => {
    data = loaded;
    render();
  },
});
