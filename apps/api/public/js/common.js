// Shared helpers of the dashboard pages: API access, DOM building, formatting.
// Plain ES module, no framework, no build step.
/* global document, location, history, fetch, URL, Node */

/** GET (or POST) a JSON document from the farm's REST API; throws an Error with the API's message. */
export async function fetchJson(url, init) {
  let res;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' }, ...init });
  } catch (err) {
    throw new Error(`cannot reach the API (${url}): ${err.message}`);
  }
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const message = body && body.message ? [].concat(body.message).join('; ') : text || res.statusText;
    const field = body && body.field ? ` (field ${body.field})` : '';
    throw new Error(`${res.status} ${url}: ${message}${field}`);
  }
  return body;
}

/** Lists may come bare or wrapped ({ items }, { rows }, { data }). */
export function asList(body) {
  if (Array.isArray(body)) return body;
  for (const key of ['items', 'rows', 'data', 'sweeps', 'runs', 'metrics', 'values']) {
    if (body && Array.isArray(body[key])) return body[key];
  }
  return [];
}

/** h('td', { class: 'num' }, '12') — build an element; children may be strings, nodes, arrays or null. */
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function statusBadge(status) {
  return h('span', { class: `status status-${status}`, 'data-status': status }, status);
}

/** A progress bar for a fraction 0..1; `data-progress` carries the exact fraction. */
export function progressBar(fraction, status, wide) {
  const f = Math.max(0, Math.min(1, Number(fraction) || 0));
  const cls = ['bar', wide ? 'wide' : '', status === 'done' || status === 'cached' ? 'done' : '', status === 'failed' ? 'failed' : '']
    .filter(Boolean)
    .join(' ');
  return h('span', { class: 'bar-wrap' }, h('span', { class: cls, 'data-progress': f, role: 'progressbar', 'aria-valuenow': Math.round(f * 100), 'aria-valuemin': 0, 'aria-valuemax': 100 }, h('span', { style: `width:${(f * 100).toFixed(1)}%` })), h('span', { class: 'bar-label' }, `${Math.round(f * 100)}%`));
}

/** Numbers as a reader wants them: integers grouped, others with `digits` significant decimals. */
export function fmt(value, digits = 2) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (typeof value !== 'number') return String(value);
  if (Number.isInteger(value) && Math.abs(value) >= 1000) return value.toLocaleString('en-US');
  if (Number.isInteger(value)) return String(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Exactly `digits` decimals (table columns of one quantity line up). */
export function fmtFixed(value, digits) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtDate(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

export function showError(err) {
  const box = document.getElementById('error');
  if (box) box.textContent = err instanceof Error ? err.message : String(err);
}

export function clearError() {
  const box = document.getElementById('error');
  if (box) box.textContent = '';
}

/** The last path segment (`/sweeps/42` → '42'). */
export function idFromPath() {
  const parts = location.pathname.split('/').filter(Boolean);
  return decodeURIComponent(parts[parts.length - 1] || '');
}

/** Write view state into the URL without reloading, so a copied link reproduces the view. */
export function setQuery(params) {
  const url = new URL(location.href);
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  history.replaceState(null, '', url);
}

/** Sweep and run ids are UUIDs: show the first 8 hex digits, the whole id on hover. */
export function shortId(id) {
  const s = String(id ?? '');
  return s.length > 12 ? s.slice(0, 8) : s;
}

export const TERMINAL_SWEEP = new Set(['done', 'failed', 'cancelled', 'cached']);
