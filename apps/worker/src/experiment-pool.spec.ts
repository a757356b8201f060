// The pool runs experiments in worker threads; an abort reaches the running
// experiment through shared memory and stops it within one slice of simulated
// work, without terminating the thread.
import * as path from 'path';
import { ExperimentPool } from './experiment-pool';

const FIXTURE = path.resolve(__dirname, '../../../libs/farm/src/testing/fixture-lab.ts');
/** one second of the emulated 133 MHz Pentium */
const ONE_SECOND_OF_CYCLES = 133_000_000;

describe('ExperimentPool', () => {
  let pool: ExperimentPool;
  beforeAll(() => {
    pool = new ExperimentPool({ size: 1, labModulePath: FIXTURE, hardAbortMs: 600_000 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('runs an experiment in a thread and reports progress', async () => {
    const seen: number[] = [];
    const r = await pool.run({ system: 'sim-a', bench: 'spin', params: { cycles: 50_000_000, work: 20_000 } }, { onProgress: (p) => seen.push(p.cycles) });
    expect(r).toMatchObject({ status: 'ok', counters: { cycles: 50_000_000 } });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((c) => c > 0 && c <= 50_000_000)).toBe(true);
  });

  it('stops a running experiment cooperatively within a second of simulated work', async () => {
    const threadsBefore = pool.threadIds;
    expect(threadsBefore).toHaveLength(1);
    const controller = new AbortController();
    let cyclesAtAbort = -1;
    const done = pool.run(
      { system: 'sim-a', bench: 'spin', params: { cycles: 1_000_000_000_000, work: 1_000_000 } },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (cyclesAtAbort < 0 && p.cycles >= 20_000_000) {
            cyclesAtAbort = p.cycles;
            controller.abort();
          }
        },
      },
    );
    const r = await done;
    expect(r.status).toBe('error');
    expect(r.error?.kind).toBe('aborted');
    expect(cyclesAtAbort).toBeGreaterThan(0);
    expect(r.host.simulatedCycles).toBeGreaterThanOrEqual(cyclesAtAbort);
    expect(r.host.simulatedCycles - cyclesAtAbort).toBeLessThan(ONE_SECOND_OF_CYCLES);
    // the same thread takes the next task
    const next = await pool.run({ system: 'sim-b', bench: 'spin', params: { cycles: 1_000_000, work: 10 } }, {});
    expect(next.status).toBe('ok');
    expect(pool.threadIds).toEqual(threadsBefore);
  });

  it('passes infrastructure failures on as rejections', async () => {
    await expect(pool.run({ system: 'sim-a', bench: 'spin', params: { mode: 'throw' } }, {})).rejects.toThrow(/infrastructure failure/);
  });
});
