// `/sweeps/:id` — one sweep: overall and per-cell progress, polled until the sweep ends.
// State in the URL: the sweep id (path) and ?status=<cell filter>.
/* global document, location, URLSearchParams, setTimeout, clearTimeout, confirm */
import './site-header.js';
import { clearError, fetchJson, fmtDate, h, idFromPath, progressBar, setQuery, shortId, showError, statusBadge, TERMINAL_SWEEP } from './common.js';
import { benchesOfSweep, countCells, formatParams, sweepProgress } from './sweep-model.js';
import { isLmbenchBench } from './fig6-model.js';

const POLL_MS = 1000;
const sweepId = idFromPath();
const filter = document.getElementById('status-filter');
filter.value = new URLSearchParams(location.search).get('status') || '';
filter.addEventListener('change', () => {
  setQuery({ status: filter.value });
  refresh();
});

const cancelButton = document.getElementById('cancel');
cancelButton.addEventListener('click', async () => {
  if (!confirm(`Cancel sweep ${sweepId}? Queued and running cells stop.`)) return;
  try {
    await fetchJson(`/api/sweeps/${encodeURIComponent(sweepId)}/cancel`, { method: 'POST' });
    refresh();
  } catch (err) {
    showError(err);
  }
});

let timer = null;

async function refresh() {
  clearTimeout(timer);
  try {
    const sweep = await fetchJson(`/api/sweeps/${encodeURIComponent(sweepId)}`);
    clearError();
    render(sweep);
    if (!TERMINAL_SWEEP.has(sweep.status)) timer = setTimeout(refresh, POLL_MS);
  } catch (err) {
    showError(err);
    timer = setTimeout(refresh, POLL_MS * 5);
  }
}

function render(sweep) {
  const cells = Array.isArray(sweep.cells) ? sweep.cells : [];
  document.title = `Sweep ${sweep.name || shortId(sweep.id)} · mklab`;
  document.getElementById('title').replaceChildren(`Sweep ${sweep.name || shortId(sweep.id)} `, statusBadge(sweep.status));
  const finished = sweep.finishedAt ? ` · finished ${fmtDate(sweep.finishedAt)}` : '';
  document.getElementById('subtitle').textContent = `${sweep.id} · created ${fmtDate(sweep.createdAt)}${finished} · priority ${sweep.priority ?? '—'} · ${cells.length} cells`;
  // a sweep-level failure (for instance: it could not be queued)
  document.getElementById('sweep-error').textContent = sweep.error ?? '';
  document.body.dataset.sweepStatus = sweep.status;

  const overall = sweepProgress(sweep);
  document.getElementById('overall').replaceChildren(progressBar(overall.fraction, sweep.status, true));
  const counts = countCells(cells);
  document.getElementById('counts').replaceChildren(...Object.entries(counts).map(([status, n]) => h('span', {}, statusBadge(status), ` ${n}`)));

  document.getElementById('views').replaceChildren(
    benchesOfSweep(sweep).includes('getpid') ? h('a', { href: `/views/getpid?sweep=${encodeURIComponent(sweep.id)}` }, 'getpid table (paper Table 2) →') : '',
    benchesOfSweep(sweep).some(isLmbenchBench) ? h('a', { href: `/views/fig6?sweep=${encodeURIComponent(sweep.id)}` }, ' lmbench slowdowns (paper Figure 6) →') : '',
  );
  cancelButton.hidden = TERMINAL_SWEEP.has(sweep.status);

  const wanted = filter.value;
  document.querySelector('#cells tbody').replaceChildren(
    ...cells
      .filter((c) => !wanted || c.status === wanted)
      .map((c) =>
        h(
          'tr',
          { 'data-cell-id': c.id, 'data-status': c.status },
          h('td', {}, h('code', { title: c.configHash }, String(c.configHash || c.id).slice(0, 12))),
          h('td', {}, c.system),
          h('td', {}, c.bench),
          h('td', {}, h('code', {}, formatParams(c.params))),
          h('td', { class: 'num' }, c.seed ?? '—'),
          // an infrastructure failure after the last retry (guest errors are on the run)
          h('td', {}, statusBadge(c.status), c.error ? h('div', { class: 'note cell-error' }, c.error) : null),
          h('td', {}, progressBar(c.status === 'done' || c.status === 'cached' ? 1 : c.progress, c.status)),
          h('td', {}, c.runId ? h('a', { href: `/runs/${encodeURIComponent(c.runId)}` }, shortId(c.runId)) : '—'),
        ),
      ),
  );
  document.getElementById('spec').textContent = JSON.stringify(sweep.spec ?? {}, null, 2);
}

refresh();
