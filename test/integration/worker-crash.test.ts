// Workers in other processes: one SIGKILLed mid-job (its lock expires, another
// worker takes the stalled job over) and one stopped with SIGTERM (it hands its
// running cell back). Either way every cell ends with exactly one stored run.
import type { QueueBackendKind } from '@mklab/farm';
import { startHarness, type FarmHarness } from './support/farm-harness';

const BACKENDS: QueueBackendKind[] = ['redis', 'postgres'];
// each cell burns about 1-2 s of host CPU (more on a loaded machine) in the fixture lab
const SLOW = { systems: ['sim-a'], benches: ['spin'], params: { cycles: 5_000_000_000, work: 100_000 }, seeds: [1, 2, 3] };

async function runningOn(h: FarmHarness, sweepId: string, pid: number) {
  return h.waitFor(`a cell running on worker ${pid}`, async () => {
    const s = (await h.http().get(`/api/sweeps/${sweepId}`)).body;
    return s.cells.find((c: any) => c.status === 'running' && c.progress > 0 && String(c.host).endsWith(`:${pid}`));
  }, 30_000);
}

async function expectExactlyOneRunPerCell(h: FarmHarness, sweep: any) {
  expect(sweep.status).toBe('done');
  expect(sweep.cells).toHaveLength(3);
  expect(sweep.cells.every((c: any) => c.status === 'done' && c.runId)).toBe(true);
  const runs = await h.sql(`SELECT config_hash, count(*)::int AS n FROM runs GROUP BY config_hash`);
  expect(runs).toHaveLength(3);
  expect(runs.every((r: any) => r.n === 1)).toBe(true);
  expect(new Set(runs.map((r: any) => r.config_hash))).toEqual(new Set(sweep.cells.map((c: any) => c.configHash)));
  const [{ n }] = await h.sql(`SELECT count(*)::int AS n FROM metrics`);
  expect(n).toBe(3);
}

describe.each(BACKENDS)('worker processes on the %s queue backend', (backend) => {
  let h: FarmHarness;
  beforeEach(async () => {
    h = await startHarness(backend, `crash_${backend}`);
  });
  afterEach(async () => {
    await h?.close();
  });

  it('loses and duplicates no cell when a worker is SIGKILLed mid-job', async () => {
    const child = h.spawnWorker({ poolSize: 1, lockDurationMs: 2000 });
    const res = await h.http().post('/api/sweeps').send({ name: 'kill', ...SLOW }).expect(201);
    const victim = await runningOn(h, res.body.id, child.pid!);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const survivor = await h.startWorker({ poolSize: 2, lockDurationMs: 2000 });
    const sweep = await h.drainAndWait(res.body.id, 90_000);
    await expectExactlyOneRunPerCell(h, sweep);
    // the killed worker's cell was finished by the survivor
    const [run] = await h.sql(`SELECT host FROM runs WHERE config_hash = $1`, [victim.configHash]);
    expect(run.host).toBe(survivor.host);
  });

  it('hands a running cell back on SIGTERM after the grace period', async () => {
    const child = h.spawnWorker({ poolSize: 1, lockDurationMs: 2000, graceMs: 300 });
    const res = await h.http().post('/api/sweeps').send({ name: 'term', ...SLOW }).expect(201);
    const handedBack = await runningOn(h, res.body.id, child.pid!);
    const t0 = Date.now();
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);

    const survivor = await h.startWorker({ poolSize: 2, lockDurationMs: 2000 });
    const sweep = await h.drainAndWait(res.body.id, 90_000);
    await expectExactlyOneRunPerCell(h, sweep);
    const [run] = await h.sql(`SELECT host FROM runs WHERE config_hash = $1`, [handedBack.configHash]);
    expect(run.host).toBe(survivor.host);
  });
});
