// `/runs/:id` — one run: metrics (with their raw samples), counters, provenance and the
// guest's output. State in the URL: the run id (path).
/* global document */
import './site-header.js';
import { formatParams } from './sweep-model.js';
import { clearError, fetchJson, fmt, fmtDate, h, idFromPath, shortId, showError, statusBadge } from './common.js';

const runId = idFromPath();

function entries(obj) {
  return obj && typeof obj === 'object' ? Object.entries(obj) : [];
}

function flatten(obj, prefix = '') {
  const out = [];
  for (const [key, value] of entries(obj)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object' && !Array.isArray(value)) out.push(...flatten(value, name));
    else out.push([name, Array.isArray(value) ? JSON.stringify(value) : value]);
  }
  return out;
}

async function load() {
  try {
    const run = await fetchJson(`/api/runs/${encodeURIComponent(runId)}`);
    clearError();
    render(run);
  } catch (err) {
    showError(err);
  }
}

function render(run) {
  document.title = `Run ${shortId(run.id)} · mklab`;
  document.getElementById('title').replaceChildren(`Run ${shortId(run.id)}: ${run.system} · ${run.bench} `, statusBadge(run.status));
  const params = formatParams(run.params);
  document.getElementById('subtitle').replaceChildren(
    `params ${params || '—'} · seed ${run.seed ?? '—'}`,
    ...(run.sweepId ? [' · ', h('a', { href: `/sweeps/${encodeURIComponent(run.sweepId)}` }, `sweep ${shortId(run.sweepId)}`)] : []),
    run.createdAt || run.finishedAt ? ` · ${fmtDate(run.finishedAt || run.createdAt)}` : '',
  );
  document.body.dataset.runStatus = run.status;

  const error = run.error || (run.errorKind ? { kind: run.errorKind, message: run.errorMessage } : null);
  document.getElementById('run-error').replaceChildren(error ? h('div', { class: 'error' }, `${error.kind}: ${error.message}`) : '');

  const samples = new Map((run.samples || []).map((s) => [s.name, s.values]));
  document.querySelector('#metrics tbody').replaceChildren(
    ...(run.metrics || []).map((m) =>
      h(
        'tr',
        { 'data-metric': m.name },
        h('td', {}, m.name),
        h('td', { class: 'num' }, fmt(m.value, 3)),
        h('td', {}, m.unit),
        h('td', {}, m.better),
        h('td', {}, h('code', {}, (samples.get(m.name) || []).map((v) => fmt(v, 3)).join(', '))),
      ),
    ),
  );

  document.querySelector('#counters tbody').replaceChildren(
    ...flatten(run.counters)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => h('tr', { 'data-counter': name }, h('td', {}, h('code', {}, name)), h('td', { class: 'num' }, fmt(value)))),
  );

  // Identity first (what makes the run reusable), then what was only recorded; the long
  // machine configuration folds away below.
  const { machineConfig, ...identity } = run.provenance || {};
  const provenance = [...flatten(identity), ...flatten(run.build, 'build'), ...flatten(run.host, 'host')];
  if (run.configHash && !provenance.some(([k]) => k === 'configHash')) provenance.unshift(['configHash', run.configHash]);
  const kvRows = (pairs) => pairs.map(([name, value]) => h('tr', { 'data-key': name }, h('th', {}, name), h('td', {}, h('code', {}, value === null || value === undefined ? '—' : String(value)))));
  document.querySelector('#provenance tbody').replaceChildren(...kvRows(provenance));
  const machine = flatten(machineConfig);
  document.getElementById('machine-config-count').textContent = String(machine.length);
  document.querySelector('#machine-config tbody').replaceChildren(...kvRows(machine));
  document.getElementById('machine-config').hidden = machine.length === 0;

  const output = run.output || {};
  document.getElementById('exit-status').textContent = `exit status ${output.exitStatus ?? '—'}`;
  document.getElementById('stdout').textContent = output.stdout ?? '';
  const stderr = document.getElementById('stderr');
  stderr.textContent = output.stderr ?? '';
  stderr.hidden = !output.stderr;
}

load();
