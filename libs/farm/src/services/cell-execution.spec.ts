// The RunCell handler's decisions, against an in-memory FarmStore (the real
// store and queue are exercised by test/integration).
import type { ExperimentSpec, RunResult } from '@mklab/lab';
import { HandBackError } from '../queue/bullmq-queue-driver';
import type { RunIdentity, RunRecord } from '../results/run-record';
import type { RunCellJobData } from '../jobs/job-names';
import { createRunCellHandler, EmulatorMismatchError, type ExperimentRunner } from './cell-execution';
import type { FarmStore } from './farm-store';

const HASH = 'ab'.repeat(32);
const DATA: RunCellJobData = { sweepId: 's1', configHash: HASH, emulatorVersion: 'v1', system: 'sim-a', bench: 'spin', params: { cycles: 5 }, seed: 1 };

class MemoryStore implements Partial<FarmStore> {
  run: string | null = null;
  live = 1;
  writes: RunRecord[] = [];
  failed: string[] = [];
  async findRunId() {
    return this.run;
  }
  async linkStoredRun() {
    this.live = 0;
    return ['s1'];
  }
  async claimCells() {
    return this.live;
  }
  async wantedCells() {
    return this.live;
  }
  async reportProgress() {}
  async writeRun(r: RunRecord) {
    this.writes.push(r);
    this.live = 0;
    return { runId: 'r1', inserted: true, sweepIds: ['s1'] };
  }
  async failCells(_i: RunIdentity, message: string) {
    this.failed.push(message);
    return ['s1'];
  }
  async refreshSweepStatus() {}
}

function result(over: Partial<RunResult> = {}): RunResult {
  return {
    status: 'ok', system: 'sim-a', bench: 'spin', params: { cycles: 5 }, seed: 1, metrics: [], samples: [], counters: {},
    output: { stdout: '', stderr: '', exitStatus: 0 },
    provenance: { emulatorVersion: 'v1', gitSha: null, configHash: HASH, machineConfig: {}, nodeVersion: 'x' },
    host: { wallMs: 1, simulatedCycles: 5, cyclesPerSecond: 5000 },
    ...over,
  };
}

/** A runner that waits for its signal (or returns `r` at once). */
function runner(r?: RunResult): ExperimentRunner & { calls: number } {
  const self = {
    calls: 0,
    run: (spec: ExperimentSpec, opts: { signal?: AbortSignal }) => {
      self.calls++;
      if (r) return Promise.resolve(r);
      return new Promise<RunResult>((resolve) =>
        opts.signal!.addEventListener('abort', () => resolve(result({ status: 'error', error: { kind: 'aborted', message: 'aborted' } }))),
      );
    },
  };
  return self;
}

function ctx(over: { finalAttempt?: boolean; shutdown?: AbortController } = {}) {
  return { updateProgress: async () => undefined, shutdownSignal: (over.shutdown ?? new AbortController()).signal, finalAttempt: over.finalAttempt ?? false };
}

function handler(store: MemoryStore, run: ExperimentRunner, version = 'v1') {
  return createRunCellHandler({ store: store as unknown as FarmStore, runner: run, host: 'h', emulatorVersion: version, cancelPollMs: 10 });
}

describe('RunCell handler', () => {
  it('runs the experiment and stores its result once', async () => {
    const store = new MemoryStore();
    const run = runner(result());
    expect(await handler(store, run)(DATA, ctx())).toEqual({ runId: 'r1', cached: false, inserted: true, status: 'ok' });
    expect(store.writes).toHaveLength(1);
    expect(store.writes[0]).toMatchObject({ emulatorVersion: 'v1', configHash: HASH, host: 'h', status: 'ok' });
  });

  it('serves a stored result without running anything', async () => {
    const store = new MemoryStore();
    store.run = 'stored';
    const run = runner(result());
    expect(await handler(store, run)(DATA, ctx())).toEqual({ runId: 'stored', cached: true });
    expect(run.calls).toBe(0);
  });

  it('skips a cell every sweep has cancelled', async () => {
    const store = new MemoryStore();
    store.live = 0;
    const run = runner(result());
    expect(await handler(store, run)(DATA, ctx())).toEqual({ cancelled: true });
    expect(run.calls).toBe(0);
  });

  it('stores a guest error as a result', async () => {
    const store = new MemoryStore();
    await handler(store, runner(result({ status: 'error', error: { kind: 'guest-crashed', message: 'signal 11' } })))(DATA, ctx());
    expect(store.writes[0]).toMatchObject({ status: 'error', errorKind: 'guest-crashed', errorMessage: 'signal 11' });
  });

  it('aborts a running cell once no sweep wants it, storing nothing', async () => {
    const store = new MemoryStore();
    const h = handler(store, runner());
    const done = h(DATA, ctx());
    setTimeout(() => (store.live = 0), 30);
    expect(await done).toEqual({ cancelled: true });
    expect(store.writes).toHaveLength(0);
  });

  it('hands a running cell back when the worker shuts down', async () => {
    const store = new MemoryStore();
    const shutdown = new AbortController();
    const done = handler(store, runner())(DATA, ctx({ shutdown }));
    setTimeout(() => shutdown.abort(), 30);
    await expect(done).rejects.toBeInstanceOf(HandBackError);
    expect(store.writes).toHaveLength(0);
  });

  it('refuses cells of another emulator build, before and after running', async () => {
    const store = new MemoryStore();
    await expect(handler(store, runner(result()), 'v2')(DATA, ctx())).rejects.toBeInstanceOf(EmulatorMismatchError);
    const thread = runner(result({ provenance: { ...result().provenance, emulatorVersion: 'v3' } }));
    await expect(handler(store, thread)(DATA, ctx({ finalAttempt: true }))).rejects.toThrow(/pool thread ran emulator v3, the cell wants v1/);
    expect(store.writes).toHaveLength(0);
    expect(store.failed).toHaveLength(1);
  });

  it('rethrows infrastructure failures, failing the cells on the last attempt only', async () => {
    const store = new MemoryStore();
    const broken: ExperimentRunner = { run: () => Promise.reject(new Error('thread died')) };
    await expect(handler(store, broken)(DATA, ctx())).rejects.toThrow('thread died');
    expect(store.failed).toEqual([]);
    await expect(handler(store, broken)(DATA, ctx({ finalAttempt: true }))).rejects.toThrow('thread died');
    expect(store.failed).toEqual(['thread died']);
  });
});
