// Small pure helpers over the API's sweep documents (GET /api/sweeps, /api/sweeps/:id).

const FINISHED_CELL = new Set(['done', 'failed', 'cancelled', 'cached']);

/**
 * Overall progress of a sweep: finished cells plus the running cells' own progress,
 * over all cells. Uses the cells when present, else the counts.
 */
export function sweepProgress(sweep) {
  if (Array.isArray(sweep.cells) && sweep.cells.length) {
    let sum = 0;
    for (const c of sweep.cells) sum += FINISHED_CELL.has(c.status) ? 1 : Math.max(0, Math.min(1, Number(c.progress) || 0));
    return { fraction: sum / sweep.cells.length, total: sweep.cells.length };
  }
  const counts = sweep.counts || {};
  const total = typeof counts.total === 'number' ? counts.total : Object.values(counts).reduce((a, b) => a + (typeof b === 'number' ? b : 0), 0);
  if (!total) return { fraction: FINISHED_CELL.has(sweep.status) ? 1 : 0, total: null };
  const finished = ['done', 'failed', 'cancelled', 'cached'].reduce((a, k) => a + (Number(counts[k]) || 0), 0);
  return { fraction: finished / total, total };
}

/** The bench ids a sweep covers, from its cells or, in the list, from its spec. */
export function benchesOfSweep(sweep) {
  if (Array.isArray(sweep.cells) && sweep.cells.length) return [...new Set(sweep.cells.map((c) => c.bench))];
  const spec = sweep.spec || {};
  const candidates = [spec.bench, spec.benches, spec.axes && spec.axes.bench, spec.axes && spec.axes.benches];
  for (const c of candidates) {
    if (typeof c === 'string') return [c];
    if (Array.isArray(c)) return c.map((b) => (typeof b === 'string' ? b : b && b.id)).filter(Boolean);
  }
  return [];
}

/** Counts per cell status, e.g. { done: 3, running: 1 }. */
export function countCells(cells) {
  const counts = {};
  for (const c of cells) counts[c.status] = (counts[c.status] || 0) + 1;
  return counts;
}

/**
 * A run's params as one key, to group runs by and to show: `iterations=300 repeats=2`.
 * Names sorted: jsonb hands keys back in its own order.
 */
export function paramsKey(params) {
  if (!params || typeof params !== 'object') return '';
  return Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join(' ');
}

/** The params as the pages show them (the same text as their key). */
export const formatParams = paramsKey;
