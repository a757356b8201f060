// The farm's settings, from the environment in one place.
export interface FarmConfig {
  /** postgres://… of the farm database (required by the api and the workers; `mklab start` provides one) */
  databaseUrl?: string;
  /** redis://…: when set the queue lives in Redis, otherwise in the farm database (BullMQ's Postgres backend) */
  redisUrl?: string;
  /** Redis key prefix / Postgres queue schema */
  queueNamespace?: string;
  /** threads per worker process */
  poolSize?: number;
  /** queue lock duration (ms): a killed worker's job is taken over after about this long */
  lockDurationMs?: number;
  /** how many cells any sweep may have */
  cellCeiling?: number;
  /** infrastructure retries per cell */
  retries?: number;
  /** first retry delay (ms), doubled per attempt */
  retryBackoffMs?: number;
  port: number;
}

function int(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected a non-negative integer, got '${v}'`);
  return n;
}

export function farmConfigFromEnv(env: NodeJS.ProcessEnv = process.env): FarmConfig {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    queueNamespace: env.MKLAB_QUEUE_NAMESPACE || undefined,
    poolSize: int(env.MKLAB_POOL_SIZE) || undefined,
    lockDurationMs: int(env.MKLAB_LOCK_MS),
    cellCeiling: int(env.MKLAB_MAX_CELLS),
    retries: int(env.MKLAB_RETRIES),
    retryBackoffMs: int(env.MKLAB_RETRY_BACKOFF_MS),
    port: int(env.PORT) ?? 3000,
  };
}
