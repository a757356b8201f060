// One handler per job name, checked before a worker takes its first job
// (immich: a job without a handler, or with two, is a start-up error).
import { FarmJobName, type FarmJobData } from './job-names';

/** What a handler sees of the queue's job. */
export interface FarmJobContext {
  id: string;
  attemptsMade: number;
  /** reports progress (0..1) to the queue */
  updateProgress(fraction: number): Promise<void>;
  /** aborted when the worker is shutting down and will hand the job back */
  shutdownSignal: AbortSignal;
  /** true when a failure now is final (no retry left) */
  finalAttempt: boolean;
}

export type FarmJobHandler<N extends FarmJobName> = (data: FarmJobData[N], ctx: FarmJobContext) => Promise<unknown>;

export class JobHandlerRegistry {
  private readonly handlers = new Map<FarmJobName, FarmJobHandler<any>[]>();

  register<N extends FarmJobName>(name: N, handler: FarmJobHandler<N>): this {
    const list = this.handlers.get(name) ?? [];
    list.push(handler);
    this.handlers.set(name, list);
    return this;
  }

  /** Throws unless every FarmJobName has exactly one handler and no unknown names are registered. */
  assertComplete(): void {
    const problems: string[] = [];
    for (const name of Object.values(FarmJobName)) {
      const n = this.handlers.get(name)?.length ?? 0;
      if (n === 0) problems.push(`job '${name}' has no handler`);
      if (n > 1) problems.push(`job '${name}' has ${n} handlers`);
    }
    for (const name of this.handlers.keys()) {
      if (!(Object.values(FarmJobName) as string[]).includes(name)) problems.push(`handler for unknown job '${name}'`);
    }
    if (problems.length) throw new Error(`farm job handlers: ${problems.join('; ')}`);
  }

  handlerFor(name: string): FarmJobHandler<any> {
    const list = this.handlers.get(name as FarmJobName);
    if (!list || list.length !== 1) throw new Error(`no single handler for job '${name}'`);
    return list[0];
  }
}
