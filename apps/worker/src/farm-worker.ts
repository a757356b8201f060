// A farm worker: consumes the farm queue and runs each cell in the thread pool.
// Many of these (threads × processes × hosts) may share one queue and database.
import * as os from 'os';
import {
  createFarmJobRegistry,
  defaultLab,
  selectQueueDriver,
  type FarmQueueDriver,
  type FarmWorker,
  type LabPort,
} from '@mklab/farm';
import { openFarmDatabase, TypeormFarmStore } from '@mklab/db';
import type { DataSource } from 'typeorm';
import { ExperimentPool } from './experiment-pool';

export interface FarmWorkerOptions {
  databaseUrl: string;
  redisUrl?: string;
  queueNamespace?: string;
  poolSize?: number;
  lockDurationMs?: number;
  retries?: number;
  /** the catalogue this worker registers (default: @mklab/lab) */
  lab?: LabPort;
  /** the module the pool threads load (default: the lab, compiled or from sources) */
  labModulePath?: string;
  cancelPollMs?: number;
  /** after a cooperative abort, how long before the pool thread is terminated instead (ms) */
  hardAbortMs?: number;
  /** how often queued cells are checked against stored runs and the queue (ms) */
  reconcileEveryMs?: number;
  /** a queued cell untouched this long whose job the queue does not hold is re-queued (ms) */
  lostJobAfterMs?: number;
  /** reuse an open data source (the embedded farm shares one with the api) */
  dataSource?: DataSource;
}

export interface RunningFarmWorker {
  host: string;
  pool: ExperimentPool;
  queue: FarmQueueDriver;
  /** stops taking jobs; running cells get `graceMs` to finish, then are handed back */
  stop(graceMs?: number): Promise<void>;
}

export async function startFarmWorker(opts: FarmWorkerOptions): Promise<RunningFarmWorker> {
  const lab = opts.lab ?? defaultLab();
  const ownDb = !opts.dataSource;
  const dataSource = opts.dataSource ?? (await openFarmDatabase({ url: opts.databaseUrl })).dataSource;
  const store = new TypeormFarmStore(dataSource);
  await store.syncCatalogue(lab.listSystems(), lab.listBenches());
  const host = `${os.hostname()}:${process.pid}`;
  const pool = new ExperimentPool({ size: opts.poolSize, labModulePath: opts.labModulePath, hardAbortMs: opts.hardAbortMs });
  const queue = selectQueueDriver({
    redisUrl: opts.redisUrl,
    databaseUrl: opts.databaseUrl,
    namespace: opts.queueNamespace,
    retries: opts.retries,
  });
  // Take jobs only once the threads have loaded the lab; a thread that loaded
  // other emulator code than this process (sources edited in between) would be
  // refused cell by cell, so say so now.
  const registry = createFarmJobRegistry({ store, runner: pool, host, emulatorVersion: lab.EMULATOR_VERSION, cancelPollMs: opts.cancelPollMs });
  let worker: FarmWorker;
  try {
    for (const v of new Set(await pool.warmUp())) {
      if (v !== lab.EMULATOR_VERSION) console.error(`[farm worker] pool threads run emulator ${v}, this process ${lab.EMULATOR_VERSION}: their results will be refused`);
    }
    worker = await queue.startWorker(registry, { concurrency: pool.size, lockDurationMs: opts.lockDurationMs });
  } catch (e) {
    await pool.close();
    await queue.close();
    if (ownDb) await dataSource.destroy();
    throw e;
  }
  // Safety nets, every reconcileEveryMs: a queued cell whose identity got a
  // stored run behind its back is linked to it (the window the submit-time check
  // cannot close), and a queued cell whose job the queue no longer holds (lost,
  // e.g. a flushed Redis) gets its job again.
  let reconciling = false;
  const reconcile = setInterval(() => {
    if (reconciling) return;
    reconciling = true;
    (async () => {
      await store.reconcileStoredRuns();
      const stale = await store.staleQueuedCells(opts.lostJobAfterMs ?? 60_000, 500);
      for (const c of stale) {
        if (await queue.inspectJob(c.jobId)) continue;
        console.error(`[farm worker] re-queueing lost job ${c.jobId} (sweep ${c.data.sweepId})`);
        await queue.addCellJobs([{ jobId: c.jobId, data: c.data }], c.priority);
      }
    })()
      .catch((e) => console.error(`[farm worker] reconcile: ${(e as Error).message}`))
      .finally(() => (reconciling = false));
  }, opts.reconcileEveryMs ?? 10_000);
  reconcile.unref();
  let stopped: Promise<void> | null = null;
  return {
    host,
    pool,
    queue,
    stop: (graceMs = 30_000) =>
      (stopped ??= (async () => {
        clearInterval(reconcile);
        await worker.close(graceMs);
        await queue.close();
        await pool.close();
        if (ownDb) await dataSource.destroy();
      })()),
  };
}
