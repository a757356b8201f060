// `/views/getpid?sweep=<id>&systems=<id,id,…>&metric=cycles|us&scale=log|linear&params=<k=v k=v>`
// The paper's Table 2: getpid cost per system, measured (from the sweep's runs) beside
// the published value, as a grouped bar chart and a table. Everything the view shows
// is decided by the URL, so a link reproduces it.
/* global window, document, location, URLSearchParams, setTimeout, clearTimeout */
import { asList, clearError, fetchJson, fmt, fmtFixed, h, setQuery, shortId, showError, TERMINAL_SWEEP } from './common.js';
import { buildGetpidView, REFERENCE_DATASET } from './getpid-model.js';

const POLL_MS = 2000;
const query = new URLSearchParams(location.search);
const state = {
  sweep: query.get('sweep') || '',
  systems: query.get('systems') ? query.get('systems').split(',').filter(Boolean) : null,
  metric: query.get('metric') === 'us' ? 'us' : 'cycles',
  scale: query.get('scale') === 'linear' ? 'linear' : 'log',
  /** which params combination when the sweep varies them (absent: the first) */
  params: query.get('params'),
};

const canvas = document.getElementById('getpid-chart');
// chart.js (window.Chart) comes from /assets/vendor/chart.umd.min.js, served from node_modules.
const chart = new window.Chart(canvas, {
  type: 'bar',
  data: { labels: [], datasets: [] },
  options: {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    scales: { y: { type: state.scale === 'log' ? 'logarithmic' : 'linear', title: { display: true, text: '' } } },
    plugins: {
      legend: { position: 'top' },
      tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${fmt(ctx.parsed.y)} ${chartUnit()}` } },
    },
  },
});
// For tests and for the curious: the live chart objects by name.
window.__charts = Object.assign(window.__charts || {}, { getpid: chart });

let data = null; // { metricRows, reference, systems, sweep }
let timer = null;

function chartUnit() {
  return state.metric === 'us' ? 'µs' : 'cycles';
}

function syncUrl() {
  setQuery({ sweep: state.sweep, systems: state.systems ? state.systems.join(',') : '', metric: state.metric, scale: state.scale, params: state.params });
}

/** A radio group bound to one field of the state (and so of the URL). */
function bindRadios(name) {
  for (const input of document.querySelectorAll(`input[name="${name}"]`)) {
    input.checked = input.value === state[name];
    input.addEventListener('change', () => {
      state[name] = input.value;
      syncUrl();
      render();
    });
  }
}
bindRadios('metric');
bindRadios('scale');

const paramsSelect = document.getElementById('params');
paramsSelect.addEventListener('change', () => {
  state.params = paramsSelect.value;
  syncUrl();
  render();
});

async function load() {
  clearTimeout(timer);
  if (!state.sweep) {
    showError('No sweep chosen: open this view as /views/getpid?sweep=<id> (the sweep page links here).');
    return;
  }
  try {
    const sweepId = encodeURIComponent(state.sweep);
    const [sweep, metrics, reference, systems] = await Promise.all([
      fetchJson(`/api/sweeps/${sweepId}`),
      fetchJson(`/api/metrics?sweep=${sweepId}&bench=getpid&format=json`),
      data ? Promise.resolve(data.reference) : fetchJson(`/api/reference/${REFERENCE_DATASET}`),
      data ? Promise.resolve(data.systems) : fetchJson('/api/catalog/systems'),
    ]);
    clearError();
    data = { sweep, metricRows: asList(metrics), reference, systems: asList(systems) };
    render();
    if (!TERMINAL_SWEEP.has(sweep.status)) timer = setTimeout(load, POLL_MS);
  } catch (err) {
    showError(err);
  }
}

function render() {
  if (!data) return;
  const view = buildGetpidView({ ...data, selected: state.systems, kind: state.metric, params: state.params });
  const { sweep } = data;
  document.getElementById('sweep-link').replaceChildren(
    h('a', { href: `/sweeps/${encodeURIComponent(sweep.id)}` }, `sweep ${sweep.name || shortId(sweep.id)}`),
    `, ${sweep.status}`,
  );
  document.body.dataset.sweepStatus = sweep.status;

  renderSystemChoices(view.available);
  document.getElementById('params-box').hidden = view.paramChoices.length < 2;
  paramsSelect.replaceChildren(...view.paramChoices.map((key) => h('option', { value: key, selected: key === view.params }, key)));
  canvas.dataset.params = view.params ?? '';

  chart.data.labels = view.chart.labels;
  chart.data.datasets = [
    { label: 'measured (mklab)', data: view.chart.measured, backgroundColor: '#2f6fb3' },
    { label: "paper (SOSP'97 Table 2)", data: view.chart.paper, backgroundColor: '#b0b8c4' },
  ];
  chart.options.scales.y.type = state.scale === 'log' ? 'logarithmic' : 'linear';
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

function renderSystemChoices(available) {
  const box = document.getElementById('systems');
  const shown = state.systems;
  box.replaceChildren(
    h('legend', {}, 'systems'),
    ...available.map(({ id, title, measured }) =>
      h(
        'label',
        { title: measured ? '' : 'no run of this system in the sweep' },
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
