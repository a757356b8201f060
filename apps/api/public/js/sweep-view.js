// What the views of one sweep's results (getpid: /views/getpid, Figure 6: /views/fig6)
// share: their state in the URL, the load of the sweep's data polled until the sweep
// ends, the systems / params / scale controls, and the bar chart. Each view's page
// module keeps only what it shows: its model, its chart's series and its table.
/* global window, document, setTimeout, clearTimeout */
import { clearError, fetchJson, h, setQuery, shortId, showError, TERMINAL_SWEEP } from './common.js';

const POLL_MS = 2000;

/**
 * The view's state from its query string: `sweep`, `systems` (null: all), `scale`
 * (log unless linear), `params` (null: the model's default), and the view's own fields
 * (`own`), kept in that order in the URL.
 */
export function readSweepViewState(query, own = {}) {
  return {
    sweep: query.get('sweep') || '',
    systems: query.get('systems') ? query.get('systems').split(',').filter(Boolean) : null,
    ...own,
    scale: query.get('scale') === 'linear' ? 'linear' : 'log',
    params: query.get('params'),
  };
}

/** Write the state back into the URL, so a copied link reproduces the view. */
export function writeSweepViewState(state) {
  setQuery({ ...state, systems: state.systems ? state.systems.join(',') : '' });
}

/** chart.js's y-axis type for the state's scale. */
export function axisType(scale) {
  return scale === 'log' ? 'logarithmic' : 'linear';
}

/**
 * A bar chart on `canvas`, published as `window.__charts[name]` (for tests and for the
 * curious: the live chart object). chart.js (window.Chart) comes from
 * /assets/vendor/chart.umd.min.js, served from node_modules.
 */
export function createBarChart(name, canvas, { scales, tooltipLabel }) {
  const chart = new window.Chart(canvas, {
    type: 'bar',
    data: { labels: [], datasets: [] },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales,
      plugins: {
        legend: { position: 'top' },
        tooltip: { callbacks: { label: tooltipLabel } },
      },
    },
  });
  window.__charts = Object.assign(window.__charts || {}, { [name]: chart });
  return chart;
}

/** A radio group bound to one field of the state (and so of the URL). */
export function bindRadios(state, name, onChange) {
  for (const input of document.querySelectorAll(`input[name="${name}"]`)) {
    input.checked = input.value === state[name];
    input.addEventListener('change', () => {
      state[name] = input.value;
      writeSweepViewState(state);
      onChange();
    });
  }
}

/**
 * The params choice (#params in #params-box, shown when the sweep varies the params).
 * Returns the function that fills it: `choices` (paramsKeys), the `selected` one, and
 * optionally a first entry `none` (value '') that leaves the choice to the model.
 */
export function bindParamsChoice(state, onChange) {
  const select = document.getElementById('params');
  select.addEventListener('change', () => {
    state.params = select.value || null;
    writeSweepViewState(state);
    onChange();
  });
  return (choices, selected, none) => {
    document.getElementById('params-box').hidden = choices.length < 2;
    select.replaceChildren(
      ...(none ? [h('option', { value: '', selected: !selected }, none)] : []),
      ...choices.map((key) => h('option', { value: key, selected: key === selected }, key)),
    );
  };
}

/**
 * The systems' checkboxes (#systems): one per `available` system ({ id, title,
 * measured? }); all checked means no filter in the URL.
 */
export function renderSystemChoices(state, available, onChange) {
  const box = document.getElementById('systems');
  const shown = state.systems;
  box.replaceChildren(
    h('legend', {}, 'systems'),
    ...available.map(({ id, title, measured }) =>
      h(
        'label',
        { title: measured === false ? 'no run of this system in the sweep' : null },
        h('input', {
          type: 'checkbox',
          value: id,
          checked: !shown || shown.includes(id),
          onchange: () => {
            const picked = [...box.querySelectorAll('input:checked')].map((i) => i.value);
            state.systems = picked.length === available.length ? null : picked;
            writeSweepViewState(state);
            onChange();
          },
        }),
        ` ${title}`,
      ),
    ),
  );
}

/** The sweep the view shows (#sweep-link) and its status on <body data-sweep-status>. */
export function showSweep(sweep) {
  document.getElementById('sweep-link').replaceChildren(
    h('a', { href: `/sweeps/${encodeURIComponent(sweep.id)}` }, `sweep ${sweep.name || shortId(sweep.id)}`),
    `, ${sweep.status}`,
  );
  document.body.dataset.sweepStatus = sweep.status;
}

/**
 * Loads the view's data and hands it to `onData`, again every few seconds until the
 * sweep has ended. `each`: fetches redone at every poll, given the encoded sweep id;
 * `once`: fetches of things that do not change while the page is open (the catalogue,
 * the paper's figures). The data is { sweep, ...each, ...once }.
 * @param {{ state: {sweep:string}, path: string, each: Record<string, (sweepId:string) => Promise<unknown>>,
 *           once: Record<string, () => Promise<unknown>>, onData: (data: object) => void }} view
 */
export function loadSweepView({ state, path, each, once, onData }) {
  let data = null;
  let timer = null;
  const load = async () => {
    clearTimeout(timer);
    if (!state.sweep) {
      showError(`No sweep chosen: open this view as ${path}?sweep=<id> (the sweep page links here).`);
      return;
    }
    try {
      const sweepId = encodeURIComponent(state.sweep);
      const fetches = [
        ['sweep', fetchJson(`/api/sweeps/${sweepId}`)],
        ...Object.entries(each).map(([key, fetch]) => [key, fetch(sweepId)]),
        ...Object.entries(once).map(([key, fetch]) => [key, data ? Promise.resolve(data[key]) : fetch()]),
      ];
      const values = await Promise.all(fetches.map(([, promise]) => promise));
      clearError();
      data = Object.fromEntries(fetches.map(([key], i) => [key, values[i]]));
      onData(data);
      if (!TERMINAL_SWEEP.has(data.sweep.status)) timer = setTimeout(load, POLL_MS);
    } catch (err) {
      showError(err);
    }
  };
  load();
}
