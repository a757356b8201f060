// The whole farm, for real, inside the test process: a scratch database on the real
// PostgreSQL (migrated by the API at start), the queue on the real Redis under a
// prefix of its own, the API listening on a free port, and a worker whose pool
// threads run the real lab (@mklab/lab: the emulator, the kernels, the guest images).
import Redis from 'ioredis';
import { createScratchDatabase, type ScratchDatabase } from '@mklab/db';
import { startFarmApi, type RunningFarmApi } from '../../../apps/api/src/farm-api';
import { startFarmWorker, type RunningFarmWorker } from '../../../apps/worker/src/farm-worker';

export const PG_ADMIN_URL = process.env.MKLAB_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.MKLAB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface RealFarm {
  /** http://127.0.0.1:<port> */
  url: string;
  api: RunningFarmApi;
  worker: RunningFarmWorker;
  /** GET a JSON document from the farm's REST API */
  get<T = any>(path: string): Promise<T>;
  /** polls GET /api/sweeps/:id until the sweep has ended */
  waitForSweep(id: string, timeoutMs: number): Promise<any>;
  close(): Promise<void>;
}

export async function startRealFarm(name: string, poolSize = 2): Promise<RealFarm> {
  const db: ScratchDatabase = await createScratchDatabase(PG_ADMIN_URL, `mklab_${name}`);
  const namespace = `mklab-${name}-${process.pid}-${Date.now().toString(36)}`;
  let api: RunningFarmApi | null = null;
  let worker: RunningFarmWorker | null = null;
  const close = async () => {
    await worker?.stop(0);
    await api?.close();
    await db.drop();
    // BullMQ leaves its keys behind: remove everything under this farm's prefix.
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 500);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  };
  try {
    api = await startFarmApi({ databaseUrl: db.url, redisUrl: REDIS_URL, queueNamespace: namespace, port: 0, logger: false });
    worker = await startFarmWorker({ databaseUrl: db.url, redisUrl: REDIS_URL, queueNamespace: namespace, poolSize });
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
  const url = api.url as string;
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(url + path);
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    url,
    api,
    worker,
    get,
    waitForSweep: async (id, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const sweep = await get<any>(`/api/sweeps/${id}`);
        if (!['queued', 'running'].includes(sweep.status)) return sweep;
        if (Date.now() > deadline) throw new Error(`sweep ${id} still ${sweep.status} after ${timeoutMs} ms: ${JSON.stringify(sweep.counts)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    close,
  };
}
