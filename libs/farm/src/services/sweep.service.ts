// Submission and cancellation of sweeps: validate and expand first, store, then
// queue. A spec that fails validation stores and queues nothing.
import type { LabPort } from '../lab/lab-port';
import { parseSweepSpec, type FieldError } from '../sweep/sweep-spec';
import { planSweep } from '../sweep/sweep-plan';
import type { FarmQueueDriver } from '../queue/queue-driver';
import type { FarmStore } from './farm-store';

export class SweepValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => e.message).join('; '));
  }
  get field(): string {
    return this.errors[0]?.field ?? 'body';
  }
}

export interface SubmittedSweep {
  id: string;
  cells: number;
  cached: number;
}

export interface SweepServiceDeps {
  lab: LabPort;
  store: FarmStore;
  queue: FarmQueueDriver;
  gitSha?: string | null;
  cellCeiling?: number;
}

export class SweepService {
  constructor(private readonly deps: SweepServiceDeps) {}

  /** Throws SweepValidationError for a bad spec (nothing stored or queued). */
  async submit(input: unknown): Promise<SubmittedSweep> {
    const parsed = parseSweepSpec(input);
    if (!parsed.ok) throw new SweepValidationError(parsed.errors);
    const plan = planSweep(parsed.value, this.deps.lab, { ceiling: this.deps.cellCeiling });
    if (!plan.ok) throw new SweepValidationError(plan.errors);
    const created = await this.deps.store.createSweep(plan.value, this.deps.gitSha ?? null);
    if (created.toQueue.length > 0) {
      try {
        await this.deps.queue.addSweepFlow(
          created.sweepId,
          created.toQueue.map((c) => ({
            jobId: c.jobId,
            data: {
              sweepId: created.sweepId,
              configHash: c.configHash,
              emulatorVersion: plan.value.emulatorVersion,
              system: c.system,
              bench: c.bench,
              params: c.params,
              seed: c.seed,
              ...(plan.value.spec.cycleBudget ? { cycleBudget: plan.value.spec.cycleBudget } : {}),
            },
          })),
          plan.value.spec.priority,
        );
      } catch (e) {
        await this.deps.store.markSweepFailed(created.sweepId, `could not queue: ${(e as Error).message}`);
        throw e;
      }
    }
    // A run of one of these identities may have been written while the sweep's
    // transaction was open (neither saw the other): link it now.
    await this.deps.store.reconcileStoredRuns(created.sweepId);
    return { id: created.sweepId, cells: plan.value.cells.length, cached: created.cached };
  }

  /** Returns false when no such sweep exists. */
  async cancel(sweepId: string): Promise<boolean> {
    const c = await this.deps.store.cancelSweep(sweepId);
    if (!c.found) return false;
    await this.deps.queue.removeJobs(c.unwantedJobIds);
    await this.deps.store.refreshSweepStatus([sweepId]);
    return true;
  }
}

