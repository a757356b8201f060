// `/views/fig6?sweep=<id>&systems=<id,id,…>&scale=log|linear&params=<k=v k=v>`
// The paper's Figure 6: lmbench normalised to native Linux. One group of bars per
// test, one bar per system (its slowdown), and a table with the raw values. Everything
// the view shows is decided by the URL, so a link reproduces it.
/* global window, document, location, URLSearchParams, setTimeout, clearTimeout */
import { asList, clearError, fetchJson, fmt, h, setQuery, shortId, showError, TERMINAL_SWEEP } from './common.js';
import { barTooltip, buildFig6View } from './fig6-model.js';

const POLL_MS = 2000;
// one colour per system, in catalogue order (the paper's greys and blues)
const COLOURS = ['#2f6fb3', '#7fa7d6', '#c0504d', '#e3a35b', '#6b8e23', '#8064a2', '#4bacc6'];

const query = new URLSearchParams(location.search);
const state = {
  sweep: query.get('sweep') || '',
  systems: query.get('systems') ? query.get('systems').split(',').filter(Boolean) : null,
  scale: query.get('scale') === 'linear' ? 'linear' : 'log',
  params: query.get('params'),
};

const canvas = document.getElementById('fig6-chart');
let view = null;
// chart.js (window.Chart) comes from /assets/vendor/chart.umd.min.js, served from node_modules.
const chart = new window.Chart(canvas, {
  type: 'bar',
  data: { labels: [], datasets: [] },
  options: {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    scales: {
      x: { ticks: { autoSkip: false, maxRotation: 60, minRotation: 45 } },
      y: { type: state.scale === 'log' ? 'logarithmic' : 'linear', title: { display: true, text: 'slowdown against native Linux (×)' } },
    },
    plugins: {
      legend: { position: 'top' },
      tooltip: { callbacks: { label: (ctx) => (view ? barTooltip(view, ctx.datasetIndex, ctx.dataIndex) : '') } },
    },
  },
});
// For tests and for the curious: the live chart objects by name.
window.__charts = Object.assign(window.__charts || {}, { fig6: chart });

let data = null; // { sweep, metricRows, systems, benches }
let timer = null;

function syncUrl() {
  setQuery({ sweep: state.sweep, systems: state.systems ? state.systems.join(',') : '', scale: state.scale, params: state.params });
}

for (const input of document.querySelectorAll('input[name="scale"]')) {
  input.checked = input.value === state.scale;
  input.addEventListener('change', () => {
    state.scale = input.value;
    syncUrl();
    render();
  });
}

const paramsSelect = document.getElementById('params');
paramsSelect.addEventListener('change', () => {
  state.params = paramsSelect.value || null;
  syncUrl();
  render();
});

async function load() {
  clearTimeout(timer);
  if (!state.sweep) {
    showError('No sweep chosen: open this view as /views/fig6?sweep=<id> (the sweep page links here).');
    return;
  }
  try {
    const sweepId = encodeURIComponent(state.sweep);
    const [sweep, metrics, systems, benches] = await Promise.all([
      fetchJson(`/api/sweeps/${sweepId}`),
      fetchJson(`/api/metrics?sweep=${sweepId}&format=json`),
      data ? Promise.resolve(data.systems) : fetchJson('/api/catalog/systems'),
      data ? Promise.resolve(data.benches) : fetchJson('/api/catalog/benches'),
    ]);
    clearError();
    data = { sweep, metricRows: asList(metrics), systems: asList(systems), benches: asList(benches) };
    render();
    if (!TERMINAL_SWEEP.has(sweep.status)) timer = setTimeout(load, POLL_MS);
  } catch (err) {
    showError(err);
  }
}

const unitText = (u) => (u === 'us' ? 'µs' : u);
const ratio = (s) => (s === null ? '—' : `${fmt(s, 2)}×`);

function render() {
  if (!data) return;
  view = buildFig6View({ ...data, selected: state.systems, params: state.params });
  const { sweep } = data;
  document.getElementById('sweep-link').replaceChildren(
    h('a', { href: `/sweeps/${encodeURIComponent(sweep.id)}` }, `sweep ${sweep.name || shortId(sweep.id)}`),
    `, ${sweep.status}`,
  );
  document.body.dataset.sweepStatus = sweep.status;
  renderSystemChoices(view.available);
  document.getElementById('params-box').hidden = view.paramChoices.length < 2;
  paramsSelect.replaceChildren(
    h('option', { value: '', selected: !state.params }, 'first of each test'),
    ...view.paramChoices.map((key) => h('option', { value: key, selected: key === state.params }, key)),
  );

  chart.data.labels = view.chart.labels;
  chart.data.datasets = view.chart.datasets.map((d, i) => ({ label: d.label, data: d.data, backgroundColor: COLOURS[i % COLOURS.length] }));
  chart.options.scales.y.type = state.scale === 'log' ? 'logarithmic' : 'linear';
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

function renderSystemChoices(available) {
  const box = document.getElementById('systems');
  const shown = state.systems;
  box.replaceChildren(
    h('legend', {}, 'systems'),
    ...available.map(({ id, title }) =>
      h(
        'label',
        {},
        h('input', {
          type: 'checkbox',
          value: id,
          checked: !shown || shown.includes(id),
          onchange: () => {
            const picked = [...box.querySelectorAll('input:checked')].map((i) => i.value);
            state.systems = picked.length === available.length ? null : picked;
            syncUrl();
            render();
          },
        }),
        ` ${title}`,
      ),
    ),
  );
}

load();
