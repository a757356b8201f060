// `/` — the list of sweeps with their status. State in the URL: ?status=<filter>.
/* global document, location, URLSearchParams, setTimeout, clearTimeout */
import './site-header.js';
import { asList, clearError, fetchJson, fmtDate, h, progressBar, setQuery, shortId, showError, statusBadge, TERMINAL_SWEEP } from './common.js';
import { benchesOfSweep, sweepProgress } from './sweep-model.js';
import { isLmbenchBench } from './fig6-model.js';

const POLL_MS = 2000;
const filter = document.getElementById('status-filter');
filter.value = new URLSearchParams(location.search).get('status') || '';
filter.addEventListener('change', () => {
  setQuery({ status: filter.value });
  refresh();
});

let timer = null;

async function refresh() {
  clearTimeout(timer);
  try {
    const sweeps = asList(await fetchJson('/api/sweeps'));
    clearError();
    render(sweeps);
    if (sweeps.some((s) => !TERMINAL_SWEEP.has(s.status))) timer = setTimeout(refresh, POLL_MS);
  } catch (err) {
    showError(err);
    timer = setTimeout(refresh, POLL_MS * 3);
  }
}

function render(sweeps) {
  const wanted = filter.value;
  const shown = sweeps
    .filter((s) => !wanted || s.status === wanted)
    .sort((a, b) => String(b.createdAt ?? '').localeCompare(String(a.createdAt ?? '')) || String(b.id).localeCompare(String(a.id)));
  const tbody = document.querySelector('#sweeps tbody');
  tbody.replaceChildren(
    ...shown.map((s) => {
      const p = sweepProgress(s);
      const benches = benchesOfSweep(s);
      const views = [
        benches.includes('getpid') ? h('a', { href: `/views/getpid?sweep=${encodeURIComponent(s.id)}` }, 'getpid table') : null,
        benches.some(isLmbenchBench) ? h('a', { href: `/views/fig6?sweep=${encodeURIComponent(s.id)}` }, 'lmbench (Figure 6)') : null,
      ].filter(Boolean);
      return h(
        'tr',
        { 'data-sweep-id': s.id },
        h('td', {}, h('a', { href: `/sweeps/${encodeURIComponent(s.id)}`, title: s.id }, h('code', {}, shortId(s.id)))),
        h('td', {}, s.name || '—'),
        h('td', {}, statusBadge(s.status)),
        h('td', {}, progressBar(p.fraction, s.status)),
        h('td', { class: 'num' }, p.total ?? '—'),
        h('td', {}, fmtDate(s.createdAt)),
        h('td', {}, ...views.flatMap((v, i) => (i ? [' · ', v] : [v]))),
      );
    }),
  );
  document.getElementById('empty').hidden = shown.length > 0;
}

refresh();
