// What the farm's services need from storage. libs/db implements it with
// TypeORM on Postgres (immich: domain depends on an interface, infra binds it).
import type { BenchInfo, SystemInfo } from '@mklab/lab';
import type { SweepPlan, PlannedCell } from '../sweep/sweep-plan';
import type { RunIdentity, RunRecord } from '../results/run-record';
import type { RunCellJobData } from '../jobs/job-names';

export interface CreatedSweep {
  sweepId: string;
  /** cells served from stored results at submission */
  cached: number;
  /** cells that need a job */
  toQueue: PlannedCell[];
}

export interface CancelledSweep {
  found: boolean;
  /** job ids of cells no sweep wants any more: remove them from the queue */
  unwantedJobIds: string[];
}

export interface WrittenRun {
  runId: string;
  /** false when another worker had already stored this identity (idempotent write) */
  inserted: boolean;
  sweepIds: string[];
}

export interface FarmStore {
  syncCatalogue(systems: SystemInfo[], benches: BenchInfo[]): Promise<void>;
  ensureBuild(version: string, gitSha: string | null): Promise<number>;

  createSweep(plan: SweepPlan, gitSha: string | null): Promise<CreatedSweep>;
  markSweepFailed(sweepId: string, message: string): Promise<void>;
  cancelSweep(sweepId: string): Promise<CancelledSweep>;

  findRunId(identity: RunIdentity): Promise<string | null>;
  /** marks the identity's live cells running; returns how many cells want it (0: all cancelled) */
  claimCells(identity: RunIdentity, host: string): Promise<number>;
  wantedCells(identity: RunIdentity): Promise<number>;
  reportProgress(identity: RunIdentity, fraction: number): Promise<void>;
  /** links a stored run to the identity's live cells as cached; returns the sweeps touched */
  linkStoredRun(identity: RunIdentity, runId: string): Promise<string[]>;
  /** run + metrics + samples + cell updates in ONE transaction, idempotent on identity */
  writeRun(record: RunRecord): Promise<WrittenRun>;
  failCells(identity: RunIdentity, message: string): Promise<string[]>;
  /**
   * Links queued cells whose identity already has a stored run (a run written
   * while their sweep was being submitted); returns the sweeps touched.
   */
  reconcileStoredRuns(sweepId?: string): Promise<string[]>;
  /**
   * Live sweeps' queued cells not touched for `olderThanMs`, one per identity,
   * as the job that should be running them (for re-queueing lost jobs).
   */
  staleQueuedCells(olderThanMs: number, limit: number): Promise<{ jobId: string; priority: number; data: RunCellJobData }[]>;
  /** recomputes each sweep's status from its cells */
  refreshSweepStatus(sweepIds: string[]): Promise<void>;
}
