// The one place the queue backend is chosen (ARCHITECTURE.md, "The farm"):
// Redis when REDIS_URL is set, otherwise BullMQ's Postgres backend on the
// farm's own database.
import { BullmqQueueDriver } from './bullmq-queue-driver';
import type { FarmQueueDriver } from './queue-driver';

export interface QueueSelection {
  redisUrl?: string;
  databaseUrl: string;
  namespace?: string;
  retries?: number;
  backoffMs?: number;
}

export function selectQueueDriver(sel: QueueSelection): FarmQueueDriver {
  if (sel.redisUrl) {
    return new BullmqQueueDriver({ kind: 'redis', url: sel.redisUrl, namespace: sel.namespace, retries: sel.retries, backoffMs: sel.backoffMs });
  }
  return new BullmqQueueDriver({ kind: 'postgres', url: sel.databaseUrl, namespace: sel.namespace, retries: sel.retries, backoffMs: sel.backoffMs });
}
