// `npm run start:api`: the API process (REST, OpenAPI, dashboards, queue producer).
// Needs DATABASE_URL; REDIS_URL selects the Redis queue.
import { farmConfigFromEnv } from '@mklab/farm';
import { startFarmApi } from './farm-api';

async function main(): Promise<void> {
  const cfg = farmConfigFromEnv();
  if (!cfg.databaseUrl) {
    console.error('mklab api: DATABASE_URL is required (or use `mklab start` for the embedded farm)');
    process.exit(2);
  }
  const api = await startFarmApi({
    databaseUrl: cfg.databaseUrl,
    redisUrl: cfg.redisUrl,
    queueNamespace: cfg.queueNamespace,
    cellCeiling: cfg.cellCeiling,
    retries: cfg.retries,
    retryBackoffMs: cfg.retryBackoffMs,
    port: cfg.port,
  });
  console.log(`mklab api: ${api.url}/ (dashboard), ${api.url}/api/docs (OpenAPI), queue on ${api.queue.kind}`);
  const stop = () => api.close().then(() => process.exit(0), () => process.exit(1));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e) => {
  console.error(`mklab api: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
