#!/usr/bin/env node
/* global process, console, performance, setTimeout */
// npm run bench:farm — the farm's own overhead and scaling, on the real
// PostgreSQL and Redis (scratch database per measurement, dropped afterwards):
//   1. jobs/second through queue + pool for trivial cells (the fixture lab's
//      1-cycle "spin": nothing but farm overhead), on each queue backend;
//   2. the speed-up of a CPU-bound sweep from 1 to 2 pool threads (the real
//      emulator's getpid cells when the lab loads, else the fixture's spin).
// Runs the compiled farm: `npm run build` first.
//   --cells N      trivial cells (default 300)     --backend redis|postgres|both (default both)
//   --cpu-cells N  CPU-bound cells (default 6)
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => path.join(root, 'dist', p);
if (!fs.existsSync(dist('apps/worker/src/farm-worker.js'))) {
  console.error('bench:farm runs the compiled farm: run `npm run build` first');
  process.exit(2);
}
const { startFarmApi } = require(dist('apps/api/src/farm-api.js'));
const { startFarmWorker } = require(dist('apps/worker/src/farm-worker.js'));
const { createScratchDatabase } = require(dist('libs/db/src/index.js'));
const FIXTURE = dist('libs/farm/src/testing/fixture-lab.js');
const fixture = require(FIXTURE);

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const CELLS = Number(opt('cells', 300));
const CPU_CELLS = Number(opt('cpu-cells', 6));
const BACKENDS = opt('backend', 'both') === 'both' ? ['redis', 'postgres'] : [opt('backend')];
const PG = process.env.MKLAB_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function withFarm({ backend, poolSize, lab, labModulePath }, fn) {
  const db = await createScratchDatabase(PG, 'mklab_bench');
  const ns = `mklab-bench-${process.pid}-${Date.now().toString(36)}`;
  const common = { databaseUrl: db.url, redisUrl: backend === 'redis' ? REDIS : undefined, queueNamespace: backend === 'redis' ? ns : 'bullmq_bench', lab };
  const api = await startFarmApi({ ...common, logger: false, cellCeiling: 100_000 });
  const worker = await startFarmWorker({ ...common, poolSize, labModulePath });
  try {
    return await fn(api, worker);
  } finally {
    await worker.stop(0);
    await api.queue.obliterate();
    await api.close();
    await db.drop();
  }
}

async function runSweep(api, spec) {
  const t0 = performance.now();
  const s = await api.sweeps.submit(spec);
  for (;;) {
    const [row] = await api.dataSource.query(`SELECT status FROM sweeps WHERE id = $1`, [s.id]);
    if (!['queued', 'running'].includes(row.status)) {
      if (row.status !== 'done') {
        const why = await api.dataSource.query(
          `SELECT c.status, c.error, r.error_kind, r.error AS run_error FROM sweep_cells c LEFT JOIN runs r ON r.id = c.run_id WHERE c.sweep_id = $1 AND c.status <> 'done'`,
          [s.id],
        );
        throw new Error(`sweep ended ${row.status}: ${JSON.stringify(why)}`);
      }
      return { seconds: (performance.now() - t0) / 1000, cells: s.cells };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function realLab() {
  try {
    const lab = require(dist('libs/lab/src/index.js'));
    if (!lab.listBenches().some((b) => b.id === 'getpid')) return null;
    return lab;
  } catch (e) {
    console.log(`(the emulator's lab does not load: ${e.message.split('\n')[0]}; CPU-bound cells use the fixture)`);
    return null;
  }
}

if (!opt('cpu-pool')) console.log(`mklab bench:farm — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (const backend of opt('cpu-pool') ? [] : BACKENDS) {
  const seeds = Array.from({ length: CELLS }, (_, i) => i + 1);
  const r = await withFarm({ backend, poolSize: 2, lab: fixture, labModulePath: FIXTURE }, (api) =>
    runSweep(api, { name: 'trivial', systems: ['sim-a'], benches: ['spin'], params: { cycles: 1, work: 0 }, seeds, maxCells: CELLS }),
  );
  console.log(`trivial cells, ${backend} queue, 2 threads: ${r.cells} cells in ${r.seconds.toFixed(2)} s = ${(r.cells / r.seconds).toFixed(1)} jobs/s`);
}

// One CPU-bound measurement per child process, so that the lab this process
// loads and the one its pool threads load are read from the tree at nearly the
// same moment (see the retry below).
const CPU_POOL = opt('cpu-pool');
if (CPU_POOL) {
  const lab = realLab();
  const cpuSpec = lab
    ? { name: 'cpu', systems: [lab.listSystems()[0].id], benches: ['getpid'], params: { iterations: 20_000, repeats: 2 }, seeds: Array.from({ length: CPU_CELLS }, (_, i) => i + 1) }
    : { name: 'cpu', systems: ['sim-a'], benches: ['spin'], params: { cycles: 2_000_000_000, work: 100_000 }, seeds: Array.from({ length: CPU_CELLS }, (_, i) => i + 1) };
  const r = await withFarm({ backend: BACKENDS[0], poolSize: Number(CPU_POOL), lab: lab ?? fixture, labModulePath: lab ? dist('libs/lab/src/index.js') : FIXTURE }, (api) =>
    runSweep(api, cpuSpec),
  );
  console.log(JSON.stringify({ ...r, what: lab ? 'emulator getpid' : 'fixture spin' }));
  process.exit(0);
}

const { execFileSync } = await import('node:child_process');
const times = {};
for (const poolSize of [1, 2]) {
  let r;
  for (let attempt = 1; ; attempt++) {
    try {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--cpu-pool', String(poolSize), '--cpu-cells', String(CPU_CELLS), '--backend', BACKENDS[0]], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      r = JSON.parse(out.trim().split('\n').pop());
      break;
    } catch (e) {
      // EMULATOR_VERSION digests the emulator's sources at load time: in a tree
      // being edited, the pool threads may load another version than their
      // process, and the farm rightly refuses their results.
      const text = `${e.stdout ?? ''}${e.stderr ?? ''}`;
      if (attempt >= 3 || !/pool thread ran emulator/.test(text)) throw new Error(text || e.message);
      console.log('(the emulator sources changed while the pool loaded; again)');
    }
  }
  times[poolSize] = r.seconds;
  console.log(`CPU-bound sweep (${r.what}, ${r.cells} cells), ${poolSize} thread${poolSize > 1 ? 's' : ''}: ${r.seconds.toFixed(2)} s`);
}
console.log(`speed-up 1 → 2 threads: ${(times[1] / times[2]).toFixed(2)}× (ideal 2.00× on 2 idle cores)`);
process.exit(0);
