// The queue seam (Twenty's message-queue drivers): the farm adds sweep flows,
// removes queued cells and runs workers through this interface only.
// select-queue-driver.ts is the one place a backend is chosen.
import type { JobHandlerRegistry } from '../jobs/job-registry';
import type { RunCellJobData } from '../jobs/job-names';

export type QueueBackendKind = 'redis' | 'postgres';

export interface CellJob {
  jobId: string;
  data: RunCellJobData;
}

export interface FarmWorkerOptions {
  concurrency: number;
  /** how long a job's lock lives without renewal: a killed worker's job is taken over after about this long */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export interface FarmWorker {
  /**
   * Stops taking jobs. Running jobs get `graceMs` to finish; after that their
   * shutdown signal fires and they are handed back to the queue (retried).
   */
  close(graceMs?: number): Promise<void>;
}

export interface FarmQueueDriver {
  readonly kind: QueueBackendKind;
  /** Adds the sweep's flow: a parent FinishSweep job with one RunCell child per cell. */
  addSweepFlow(sweepId: string, cells: CellJob[], priority: number): Promise<void>;
  /** Adds cell jobs outside any flow (re-queueing cells whose job was lost); an id still queued is left alone. */
  addCellJobs(cells: CellJob[], priority: number): Promise<void>;
  /** Removes waiting or delayed jobs; active (locked) jobs are left to cooperative abort. Returns how many were removed. */
  removeJobs(jobIds: string[]): Promise<number>;
  startWorker(registry: JobHandlerRegistry, opts: FarmWorkerOptions): Promise<FarmWorker>;
  /** a job's state and attempts so far (null when the queue no longer holds it) */
  inspectJob(jobId: string): Promise<{ state: string; attemptsMade: number; failedReason?: string } | null>;
  /** job counts by state, for health and for tests' drain-and-wait */
  counts(): Promise<Record<string, number>>;
  /** Deletes the queue and all its jobs (tests and benchmarks clean up their namespace). */
  obliterate(): Promise<void>;
  close(): Promise<void>;
}

/** Sweep priority 0..100 (higher first) → BullMQ priority (1 = highest). */
export function bullPriority(sweepPriority: number): number {
  return 101 - Math.max(0, Math.min(100, Math.round(sweepPriority)));
}
