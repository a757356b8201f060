// The worker's thread pool: each experiment runs in a worker_threads thread
// (piscina) so a busy emulator never blocks the queue connection, progress
// reports or lock renewals of the main thread.
import * as os from 'os';
import * as path from 'path';
import { MessageChannel } from 'worker_threads';
import Piscina from 'piscina';
import type { ExperimentRunner } from '@mklab/farm';
import type { ExperimentOptions, ExperimentSpec, RunResult } from '@mklab/lab';
import { findRepoRoot } from './repo-root';

export interface ExperimentPoolOptions {
  /** threads; default MKLAB_POOL_SIZE or the number of cores */
  size?: number;
  /** the module exporting runExperiment (default: the lab, compiled or from sources) */
  labModulePath?: string;
  /** after a cooperative abort, how long before the thread is terminated instead */
  hardAbortMs?: number;
}

export function defaultPoolSize(): number {
  const env = Number(process.env.MKLAB_POOL_SIZE);
  if (Number.isInteger(env) && env > 0) return env;
  return os.availableParallelism?.() ?? os.cpus().length;
}

/** The lab this process should load into its threads: dist when running compiled, sources under jest. */
export function defaultLabModulePath(): string {
  if (process.env.MKLAB_LAB_MODULE) return path.resolve(process.env.MKLAB_LAB_MODULE);
  const root = findRepoRoot(__dirname);
  return __filename.endsWith('.ts')
    ? path.join(root, 'libs/lab/src/index.ts')
    : path.join(root, 'dist/libs/lab/src/index.js');
}

interface ThreadTask {
  spec: ExperimentSpec;
  cycleBudget?: number;
  abortFlag: SharedArrayBuffer;
  port: import('worker_threads').MessagePort;
}

export class ExperimentPool implements ExperimentRunner {
  private readonly pool: Piscina<ThreadTask, RunResult>;
  readonly size: number;
  readonly labModulePath: string;

  constructor(private readonly opts: ExperimentPoolOptions = {}) {
    this.size = opts.size ?? defaultPoolSize();
    this.labModulePath = opts.labModulePath ?? defaultLabModulePath();
    const root = findRepoRoot(__dirname);
    this.pool = new Piscina({
      filename: path.join(root, 'apps/worker/thread/experiment-thread.js'),
      minThreads: this.size,
      maxThreads: this.size,
      idleTimeout: 60_000,
      workerData: { labModule: this.labModulePath },
    });
  }

  async run(spec: ExperimentSpec, opts: Pick<ExperimentOptions, 'signal' | 'onProgress' | 'cycleBudget'>): Promise<RunResult> {
    const abortFlag = new SharedArrayBuffer(4);
    const flag = new Int32Array(abortFlag);
    const hard = new AbortController();
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (p: { cycles: number; budget: number }) => opts.onProgress?.(p));
    let backstop: NodeJS.Timeout | undefined;
    const onAbort = () => {
      Atomics.store(flag, 0, 1);
      backstop = setTimeout(() => hard.abort(), this.opts.hardAbortMs ?? 10_000);
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.pool.run(
        { spec, cycleBudget: opts.cycleBudget, abortFlag, port: port2 },
        { transferList: [port2 as any], signal: hard.signal },
      );
    } catch (e) {
      if (hard.signal.aborted) return abortedResult(spec, 'terminated after the cooperative abort timed out');
      throw e;
    } finally {
      clearTimeout(backstop);
      opts.signal?.removeEventListener('abort', onAbort);
      port1.close();
    }
  }

  /**
   * Resolves when every thread has loaded the lab (one warm-up task per thread:
   * with one task per thread at a time, simultaneous tasks spread over all of
   * them). Returns the EMULATOR_VERSION each thread loaded.
   */
  async warmUp(): Promise<string[]> {
    const answers = await Promise.all(
      Array.from({ length: this.size }, () => (this.pool as unknown as Piscina<void, { emulatorVersion: string }>).run(undefined, { name: 'ready' })),
    );
    return answers.map((a) => a.emulatorVersion);
  }

  /** ids of the threads alive now (a terminated thread is replaced by one with a new id) */
  get threadIds(): number[] {
    return this.pool.threads.map((t) => t.threadId);
  }

  /** tasks run to completion so far */
  get completed(): number {
    return this.pool.completed;
  }

  async close(): Promise<void> {
    await this.pool.close({ force: true });
  }
}

function abortedResult(spec: ExperimentSpec, message: string): RunResult {
  return {
    status: 'error',
    error: { kind: 'aborted', message },
    system: spec.system,
    bench: spec.bench,
    params: { ...(spec.params ?? {}) },
    seed: spec.seed ?? 1,
    metrics: [],
    samples: [],
    counters: {},
    output: { stdout: '', stderr: '', exitStatus: null },
    provenance: { emulatorVersion: '', gitSha: null, configHash: '', machineConfig: {}, nodeVersion: process.version },
    host: { wallMs: 0, simulatedCycles: 0, cyclesPerSecond: 0 },
  };
}
