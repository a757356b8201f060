// `npm run start:worker`: one worker process. Needs DATABASE_URL; REDIS_URL
// selects the Redis queue. SIGTERM/SIGINT: stop taking jobs, let running cells
// finish for MKLAB_SHUTDOWN_GRACE_MS (default 30 s), then hand them back.
import { farmConfigFromEnv } from '@mklab/farm';
import { startFarmWorker } from './farm-worker';

async function main(): Promise<void> {
  const cfg = farmConfigFromEnv();
  if (!cfg.databaseUrl) {
    console.error('mklab worker: DATABASE_URL is required (or use `mklab start` for the embedded farm)');
    process.exit(2);
  }
  const worker = await startFarmWorker({
    databaseUrl: cfg.databaseUrl,
    redisUrl: cfg.redisUrl,
    queueNamespace: cfg.queueNamespace,
    poolSize: cfg.poolSize,
    lockDurationMs: cfg.lockDurationMs,
    retries: cfg.retries,
  });
  console.log(`mklab worker ${worker.host}: ${worker.pool.size} threads, queue on ${worker.queue.kind}, lab ${worker.pool.labModulePath}`);
  const grace = Number(process.env.MKLAB_SHUTDOWN_GRACE_MS ?? 30_000);
  const shutdown = (signal: string) => {
    console.log(`mklab worker: ${signal}, finishing running cells (up to ${grace} ms)`);
    worker.stop(grace).then(
      () => process.exit(0),
      (e) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((e) => {
  console.error(`mklab worker: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
