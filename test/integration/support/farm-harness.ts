// Boots the farm for an integration test: a scratch database on the real
// PostgreSQL, the API (in-process, supertest), workers in-process or as child
// processes, the queue on the real Redis (unique prefix) or on BullMQ's
// Postgres backend. The fixture lab stands in for the emulator (see
// libs/farm/src/testing/fixture-lab.ts).
import { spawn, type ChildProcess } from 'child_process';
import * as path from 'path';
import request from 'supertest';
import { createScratchDatabase, type ScratchDatabase } from '@mklab/db';
import type { LabPort, QueueBackendKind } from '@mklab/farm';
import * as fixtureLab from '../../../libs/farm/src/testing/fixture-lab';
import { startFarmApi, type RunningFarmApi } from '../../../apps/api/src/farm-api';
import { startFarmWorker, type RunningFarmWorker } from '../../../apps/worker/src/farm-worker';

export const PG_ADMIN_URL = process.env.MKLAB_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.MKLAB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = path.resolve(__dirname, '../../..');
export const FIXTURE_LAB_PATH = path.join(ROOT, 'libs/farm/src/testing/fixture-lab.ts');
export const fixture = fixtureLab as unknown as LabPort;

export interface FarmHarness {
  backend: QueueBackendKind;
  db: ScratchDatabase;
  api: RunningFarmApi;
  namespace: string;
  http(): ReturnType<typeof request>;
  startWorker(opts?: { poolSize?: number; lockDurationMs?: number; lab?: LabPort; reconcileEveryMs?: number; lostJobAfterMs?: number }): Promise<RunningFarmWorker>;
  spawnWorker(opts?: { poolSize?: number; lockDurationMs?: number; graceMs?: number }): ChildProcess;
  sql<T = any>(query: string, params?: unknown[]): Promise<T[]>;
  /** polls the sweep until it leaves queued/running; throws with the last state after timeoutMs */
  drainAndWait(sweepId: string, timeoutMs?: number): Promise<any>;
  waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export interface HarnessLab {
  /** the catalogue the api and workers use (default: the fixture lab) */
  lab: LabPort;
  /** the module the pool threads load; undefined: the worker's default (the real lab) */
  labModulePath?: string;
}

export async function startHarness(
  backend: QueueBackendKind,
  name: string,
  labChoice: HarnessLab = { lab: fixture, labModulePath: FIXTURE_LAB_PATH },
): Promise<FarmHarness> {
  const db = await createScratchDatabase(PG_ADMIN_URL, `mklab_it_${name}`);
  const namespace = `mklab-it-${name}-${process.pid}-${Date.now().toString(36)}`.replace(/[^a-z0-9_-]/gi, '_');
  const queueNamespace = backend === 'redis' ? namespace : 'bullmq_test';
  const redisUrl = backend === 'redis' ? REDIS_URL : undefined;
  const api = await startFarmApi({ databaseUrl: db.url, redisUrl, queueNamespace, lab: labChoice.lab, logger: false, retries: 2, retryBackoffMs: 200, cellCeiling: 200 });
  const workers: RunningFarmWorker[] = [];
  const children: ChildProcess[] = [];

  const waitFor = async <T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      const v = await probe();
      if (v) return v as T;
      last = v;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const h: FarmHarness = {
    backend,
    db,
    api,
    namespace,
    http: () => request(api.app.getHttpServer()),
    startWorker: async (o = {}) => {
      const w = await startFarmWorker({
        databaseUrl: db.url,
        redisUrl,
        queueNamespace,
        poolSize: o.poolSize ?? 2,
        lockDurationMs: o.lockDurationMs ?? 3000,
        retries: 2,
        lab: o.lab ?? labChoice.lab,
        labModulePath: labChoice.labModulePath,
        cancelPollMs: 100,
        reconcileEveryMs: o.reconcileEveryMs,
        lostJobAfterMs: o.lostJobAfterMs,
        // no thread termination backstop: cancellation must be cooperative to pass
        hardAbortMs: 600_000,
      });
      workers.push(w);
      return w;
    },
    spawnWorker: (o = {}) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'apps/worker/thread/ts-source-hook.js'), path.join(ROOT, 'apps/worker/src/main.ts')], {
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          REDIS_URL: redisUrl ?? '',
          MKLAB_QUEUE_NAMESPACE: queueNamespace,
          MKLAB_POOL_SIZE: String(o.poolSize ?? 1),
          MKLAB_LOCK_MS: String(o.lockDurationMs ?? 2000),
          MKLAB_LAB_MODULE: FIXTURE_LAB_PATH,
          MKLAB_RETRIES: '2',
          MKLAB_SHUTDOWN_GRACE_MS: String(o.graceMs ?? 30_000),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', () => undefined);
      child.stderr!.on('data', (d) => process.env.MKLAB_TEST_VERBOSE && process.stderr.write(d));
      children.push(child);
      return child;
    },
    sql: (query, params) => api.dataSource.query(query, params),
    waitFor,
    drainAndWait: async (sweepId, timeoutMs = 60_000) => {
      let last: any = null;
      try {
        return await waitFor(
          `sweep ${sweepId} to finish`,
          async () => {
            const res = await request(api.app.getHttpServer()).get(`/api/sweeps/${sweepId}`);
            last = res.body;
            return res.status === 200 && !['queued', 'running'].includes(res.body.status) ? res.body : null;
          },
          timeoutMs,
        );
      } catch (e) {
        const cells = (last?.cells ?? []).map((c: any) => `${c.ordinal}:${c.status}@${c.progress}`).join(' ');
        throw new Error(`${(e as Error).message}; sweep ${last?.status}, cells ${cells}, queue ${JSON.stringify(await api.queue.counts())}`);
      }
    },
    close: async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.stop(0)));
      await api.queue.obliterate();
      await api.close();
      await db.drop();
    },
  };
  return h;
}
