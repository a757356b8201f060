// The handlers of the farm's two jobs. RunCell: reuse a stored result if the
// identity has one; otherwise run the experiment (in the worker's thread pool),
// watching for cancellation, and store the result once. FinishSweep: settle the
// sweep's status when its flow completes.
import type { ExperimentOptions, ExperimentSpec, RunResult } from '@mklab/lab';
import { FarmJobName, type RunCellJobData } from '../jobs/job-names';
import { JobHandlerRegistry } from '../jobs/job-registry';
import { HandBackError } from '../queue/bullmq-queue-driver';
import { runRecordFrom, type RunIdentity } from '../results/run-record';
import type { FarmStore } from './farm-store';

/** Runs one experiment somewhere (the worker's piscina pool); never throws for guest problems. */
export interface ExperimentRunner {
  run(spec: ExperimentSpec, opts: Pick<ExperimentOptions, 'signal' | 'onProgress' | 'cycleBudget'>): Promise<RunResult>;
}

export interface CellExecutionDeps {
  store: FarmStore;
  runner: ExperimentRunner;
  host: string;
  /** the EMULATOR_VERSION this worker runs: it refuses cells planned for another one */
  emulatorVersion: string;
  /** how often a running cell checks whether any sweep still wants it */
  cancelPollMs?: number;
  /** how often progress is written to the job and the database */
  progressEveryMs?: number;
}

export type RunCellOutcome =
  | { runId: string; cached: true }
  | { runId: string; cached: false; inserted: boolean; status: 'ok' | 'error' }
  | { cancelled: true };

export class EmulatorMismatchError extends Error {}

export function createRunCellHandler(deps: CellExecutionDeps) {
  const pollMs = deps.cancelPollMs ?? 200;
  const progressMs = deps.progressEveryMs ?? 500;
  return async (data: RunCellJobData, ctx: { updateProgress(f: number): Promise<void>; shutdownSignal: AbortSignal; finalAttempt: boolean }): Promise<RunCellOutcome> => {
    const identity: RunIdentity = { emulatorVersion: data.emulatorVersion, configHash: data.configHash };
    const stored = await deps.store.findRunId(identity);
    if (stored) {
      await deps.store.refreshSweepStatus(await deps.store.linkStoredRun(identity, stored));
      return { runId: stored, cached: true };
    }
    // A result is stored under (emulator version, config hash): a worker running
    // another emulator build must not answer. Failing the attempt leaves the job
    // to a worker of the right build (or fails the cell with this message).
    if (data.emulatorVersion !== deps.emulatorVersion) {
      const message = `cell wants emulator ${data.emulatorVersion}, this worker (${deps.host}) runs ${deps.emulatorVersion}`;
      if (ctx.finalAttempt) await deps.store.refreshSweepStatus(await deps.store.failCells(identity, message));
      throw new EmulatorMismatchError(message);
    }
    if ((await deps.store.claimCells(identity, deps.host)) === 0) return { cancelled: true };

    const abort = new AbortController();
    let cancelled = false;
    let polling = false;
    const poll = setInterval(() => {
      if (polling) return;
      polling = true;
      deps.store
        .wantedCells(identity)
        .then((n) => {
          if (n === 0) {
            cancelled = true;
            abort.abort();
          }
        })
        .catch(() => undefined)
        .finally(() => (polling = false));
    }, pollMs);
    const onShutdown = () => abort.abort();
    ctx.shutdownSignal.addEventListener('abort', onShutdown);
    let lastProgress = 0;
    const onProgress = (p: { cycles: number; budget: number }) => {
      const now = Date.now();
      if (now - lastProgress < progressMs) return;
      lastProgress = now;
      const f = p.budget > 0 ? Math.min(1, p.cycles / p.budget) : 0;
      ctx.updateProgress(f).catch(() => undefined);
      deps.store.reportProgress(identity, f).catch(() => undefined);
    };

    let result: RunResult;
    try {
      result = await deps.runner.run(
        { system: data.system, bench: data.bench, params: data.params, seed: data.seed },
        { signal: abort.signal, onProgress, cycleBudget: data.cycleBudget },
      );
    } catch (e) {
      // An infrastructure failure (pool thread died, lab threw): BullMQ retries
      // with backoff; when no retry is left the cells are marked failed.
      if (ctx.finalAttempt) await deps.store.refreshSweepStatus(await deps.store.failCells(identity, (e as Error).message));
      throw e;
    } finally {
      clearInterval(poll);
      ctx.shutdownSignal.removeEventListener('abort', onShutdown);
    }

    if (result.provenance.emulatorVersion && result.provenance.emulatorVersion !== data.emulatorVersion) {
      const message = `the pool thread ran emulator ${result.provenance.emulatorVersion}, the cell wants ${data.emulatorVersion}`;
      if (ctx.finalAttempt) await deps.store.refreshSweepStatus(await deps.store.failCells(identity, message));
      throw new EmulatorMismatchError(message);
    }
    if (result.status === 'error' && result.error?.kind === 'aborted') {
      if (cancelled || (await deps.store.wantedCells(identity)) === 0) return { cancelled: true };
      throw new HandBackError('worker shutting down: cell handed back to the queue');
    }
    // writeRun settles the cells and their sweeps' status in its transaction
    const written = await deps.store.writeRun(runRecordFrom(result, identity, deps.host));
    return { runId: written.runId, cached: false, inserted: written.inserted, status: result.status };
  };
}

export function createFarmJobRegistry(deps: CellExecutionDeps): JobHandlerRegistry {
  const runCell = createRunCellHandler(deps);
  return new JobHandlerRegistry()
    .register(FarmJobName.RunCell, (data, ctx) => runCell(data, ctx))
    .register(FarmJobName.FinishSweep, async (data) => {
      await deps.store.refreshSweepStatus([data.sweepId]);
      return { sweepId: data.sweepId };
    });
}
