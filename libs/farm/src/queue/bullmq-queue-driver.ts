// The BullMQ driver, over Redis or over BullMQ's own Postgres backend. Both
// backends get the same queue, flow and worker code; only the factory differs.
import {
  createPostgresBackend,
  createRedisBackend,
  withBackend,
  type FlowJob,
  type Job,
  type Processor,
} from 'bullmq';
import { FARM_QUEUE, FarmJobName } from '../jobs/job-names';
import { sweepJobId } from '../jobs/job-id';
import type { JobHandlerRegistry } from '../jobs/job-registry';
import {
  bullPriority,
  type CellJob,
  type FarmQueueDriver,
  type FarmWorker,
  type FarmWorkerOptions,
  type QueueBackendKind,
} from './queue-driver';

export interface BullmqDriverOptions {
  kind: QueueBackendKind;
  /** redis://… or postgres://… */
  url: string;
  /** Redis key prefix or Postgres schema, so several farms (or tests) can share one server */
  namespace?: string;
  /** infrastructure retries per cell (attempts = retries + 1) */
  retries?: number;
  backoffMs?: number;
}

/** Thrown by a handler to hand its job back to the queue during shutdown. */
export class HandBackError extends Error {}

export class BullmqQueueDriver implements FarmQueueDriver {
  readonly kind: QueueBackendKind;
  private readonly classes: ReturnType<typeof withBackend<any, any>>;
  private readonly connection: unknown;
  private readonly baseOpts: Record<string, unknown>;
  private readonly queue;
  /** created on first use: a worker process never adds flows (each BullMQ object holds its own connections) */
  private flowProducer: InstanceType<ReturnType<typeof withBackend<any, any>>['FlowProducer']> | null = null;
  private readonly workers = new Set<FarmWorker>();

  constructor(private readonly opts: BullmqDriverOptions) {
    this.kind = opts.kind;
    if (opts.kind === 'redis') {
      this.classes = withBackend(createRedisBackend as any);
      this.connection = { url: opts.url, maxRetriesPerRequest: null };
      this.baseOpts = { prefix: opts.namespace ?? 'mklab' };
    } else {
      this.classes = withBackend(createPostgresBackend as any);
      this.connection = { connectionString: opts.url, schema: opts.namespace ?? 'bullmq', migrate: true, max: 6 };
      this.baseOpts = {};
    }
    this.queue = new this.classes.Queue(FARM_QUEUE, { connection: this.connection, ...this.baseOpts });
  }

  async addSweepFlow(sweepId: string, cells: CellJob[], priority: number): Promise<void> {
    const p = bullPriority(priority);
    const flow: FlowJob = {
      name: FarmJobName.FinishSweep,
      queueName: FARM_QUEUE,
      data: { sweepId },
      opts: { jobId: sweepJobId(sweepId), priority: p, removeOnComplete: true, removeOnFail: 1000 },
      children: cells.map((c) => ({
        name: FarmJobName.RunCell,
        queueName: FARM_QUEUE,
        data: c.data,
        // A failed cell must not block its sweep's parent job.
        opts: { ...this.cellJobOpts(c.jobId, p), ignoreDependencyOnFailure: true },
      })),
    };
    this.flowProducer ??= new this.classes.FlowProducer({ connection: this.connection, ...this.baseOpts });
    await this.flowProducer.add(flow);
  }

  private cellJobOpts(jobId: string, priority: number) {
    return {
      jobId,
      priority,
      attempts: (this.opts.retries ?? 3) + 1,
      backoff: { type: 'exponential', delay: this.opts.backoffMs ?? 2000 },
      removeOnComplete: true,
      removeOnFail: 1000,
    };
  }

  async addCellJobs(cells: CellJob[], priority: number): Promise<void> {
    if (!cells.length) return;
    await this.queue.addBulk(cells.map((c) => ({ name: FarmJobName.RunCell, data: c.data, opts: this.cellJobOpts(c.jobId, bullPriority(priority)) })));
  }

  async removeJobs(jobIds: string[]): Promise<number> {
    let removed = 0;
    for (const id of jobIds) {
      const job = await this.queue.getJob(id);
      if (!job) continue;
      const state = await job.getState();
      if (state === 'active' || state === 'completed' || state === 'failed') continue;
      try {
        await job.remove();
        removed++;
      } catch {
        // taken by a worker meanwhile: the worker's cancellation check stops it
      }
    }
    return removed;
  }

  async startWorker(registry: JobHandlerRegistry, wopts: FarmWorkerOptions): Promise<FarmWorker> {
    registry.assertComplete();
    const shutdown = new AbortController();
    const processor: Processor = async (job: Job) => {
      const handler = registry.handlerFor(job.name);
      return handler(job.data, {
        id: job.id!,
        attemptsMade: job.attemptsMade,
        updateProgress: (f: number) => job.updateProgress(Math.round(f * 1000) / 1000),
        shutdownSignal: shutdown.signal,
        finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
      });
    };
    const worker = new this.classes.Worker(FARM_QUEUE, processor, {
      connection: this.connection,
      ...this.baseOpts,
      concurrency: wopts.concurrency,
      lockDuration: wopts.lockDurationMs ?? 30_000,
      stalledInterval: wopts.stalledIntervalMs ?? wopts.lockDurationMs ?? 30_000,
      maxStalledCount: 2,
    });
    worker.on('error', (e: Error) => console.error(`[farm worker] ${e.message}`));
    await worker.waitUntilReady();
    const handle: FarmWorker = {
      close: async (graceMs = 30_000) => {
        const closing = worker.close();
        const timer = setTimeout(() => shutdown.abort(), graceMs);
        try {
          await closing;
        } finally {
          clearTimeout(timer);
          this.workers.delete(handle);
        }
      },
    };
    this.workers.add(handle);
    return handle;
  }

  async inspectJob(jobId: string): Promise<{ state: string; attemptsMade: number; failedReason?: string } | null> {
    const job = await this.queue.getJob(jobId);
    if (!job) return null;
    return { state: await job.getState(), attemptsMade: job.attemptsMade, failedReason: job.failedReason };
  }

  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('active', 'waiting', 'waiting-children', 'prioritized', 'delayed', 'completed', 'failed');
  }

  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }

  async close(): Promise<void> {
    for (const w of [...this.workers]) await w.close(0);
    await this.flowProducer?.close();
    await this.queue.close();
  }
}
