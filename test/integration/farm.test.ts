// The farm end to end against the real PostgreSQL and Redis, on both queue
// backends: sweeps complete with every result stored, identical cells are
// served from stored results, cancellation stops running cells, a SIGKILLed
// worker loses and duplicates nothing, bad specs are refused before anything
// is stored or queued.
import { fixture, startHarness, type FarmHarness } from './support/farm-harness';
import type { QueueBackendKind } from '@mklab/farm';

const BACKENDS: QueueBackendKind[] = ['redis', 'postgres'];

describe.each(BACKENDS)('farm on the %s queue backend', (backend) => {
  let h: FarmHarness;
  beforeAll(async () => {
    h = await startHarness(backend, backend);
    await h.startWorker({ poolSize: 2 });
  });
  afterAll(async () => {
    await h?.close();
  });

  const SMALL = { name: 'small', systems: 'all', benches: ['spin'], params: { cycles: [2_000_000, 3_000_000], work: 1000 }, repeats: 2 };

  it('runs a sweep of several cells and stores every result', async () => {
    const res = await h.http().post('/api/sweeps').send(SMALL).expect(201);
    expect(res.body).toMatchObject({ cells: 8, cached: 0 });
    const sweep = await h.drainAndWait(res.body.id);
    expect(sweep.status).toBe('done');
    expect(sweep.counts).toMatchObject({ total: 8, done: 8 });
    expect(sweep.cells.every((c: any) => c.status === 'done' && c.runId && c.progress === 1 && !c.cached)).toBe(true);

    const [{ runs }] = await h.sql(`SELECT count(*)::int AS runs FROM runs`);
    expect(runs).toBe(8);
    const run = (await h.http().get(`/api/runs/${sweep.cells[0].runId}`).expect(200)).body;
    expect(run).toMatchObject({ status: 'ok', system: 'sim-a', bench: 'spin', seed: 1, sweepId: res.body.id });
    expect(run.metrics).toEqual([{ name: 'checksum', value: expect.any(Number), unit: 'count', better: 'lower' }]);
    expect(run.samples[0].values.length).toBeGreaterThan(0);
    expect(run.provenance).toMatchObject({ emulatorVersion: 'fixture-1', configHash: sweep.cells[0].configHash });
    expect(run.counters.cycles).toBe(2_000_000);

    const csv = await h.http().get(`/api/metrics?sweep=${res.body.id}&format=csv`).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.trim().split('\n')).toHaveLength(9);
    const json = (await h.http().get(`/api/metrics?sweep=${res.body.id}&metric=checksum`).expect(200)).body;
    expect(json.rows).toHaveLength(8);
    expect(json.series).toHaveLength(4);
    expect(json.series[0]).toMatchObject({ n: 2, seeds: [1, 2] });
  });

  it('serves the same sweep again from stored results without running anything', async () => {
    const before = await h.sql(`SELECT id FROM runs ORDER BY id`);
    const res = await h.http().post('/api/sweeps').set('content-type', 'text/yaml')
      .send('name: small again\nsystems: all\nbenches: [spin]\nparams: {cycles: [2000000, 3000000], work: 1000}\nrepeats: 2\n')
      .expect(201);
    expect(res.body).toMatchObject({ cells: 8, cached: 8 });
    const sweep = (await h.http().get(`/api/sweeps/${res.body.id}`).expect(200)).body;
    expect(sweep.status).toBe('done');
    expect(sweep.cells.every((c: any) => c.status === 'cached' && c.cached && c.runId)).toBe(true);
    expect(await h.sql(`SELECT id FROM runs ORDER BY id`)).toEqual(before);
  });

  it.each([
    [{ ...SMALL, systems: ['sim-a', 'pdp11'] }, 'systems[1]'],
    [{ ...SMALL, params: { cycles: 'lots' } }, 'params.cycles'],
    [{ ...SMALL, params: { cycles: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }, repeats: 11 }, 'maxCells'],
    [{ ...SMALL, priority: 'urgent' }, 'priority'],
  ])('refuses a bad spec with a 400 naming the field, storing and queueing nothing (%#)', async (spec, field) => {
    const [{ n: sweepsBefore }] = await h.sql(`SELECT count(*)::int AS n FROM sweeps`);
    const countsBefore = await h.api.queue.counts();
    const res = await h.http().post('/api/sweeps').send(spec).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, field, message: expect.stringContaining(field) });
    const [{ n: sweepsAfter }] = await h.sql(`SELECT count(*)::int AS n FROM sweeps`);
    expect(sweepsAfter).toBe(sweepsBefore);
    expect(await h.api.queue.counts()).toEqual(countsBefore);
  });

  it('cancels a sweep: queued cells removed, the running cell stopped promptly', async () => {
    // one endless cell per pool thread plus queued ones behind them
    const res = await h.http().post('/api/sweeps')
      .send({ name: 'endless', systems: ['sim-a'], benches: ['spin'], params: { cycles: 1_000_000_000_000, work: 20_000 }, seeds: [1, 2, 3, 4] })
      .expect(201);
    const id = res.body.id;
    const running = await h.waitFor('two running cells with progress', async () => {
      const s = (await h.http().get(`/api/sweeps/${id}`)).body;
      return s.cells.filter((c: any) => c.status === 'running' && c.progress > 0).length === 2 ? s : null;
    });
    const queuedJobs = running.cells.filter((c: any) => c.status === 'queued').map((c: any) => c.jobId);
    expect(queuedJobs).toHaveLength(2);
    for (const j of queuedJobs) expect(await h.api.queue.inspectJob(j)).not.toBeNull();
    const t0 = Date.now();
    const cancelled = (await h.http().post(`/api/sweeps/${id}/cancel`).expect(200)).body;
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.cells.every((c: any) => c.status === 'cancelled')).toBe(true);
    for (const j of queuedJobs) expect(await h.api.queue.inspectJob(j)).toBeNull();
    // The pool threads are free again once the running cells have stopped:
    // a small sweep completes right away.
    const next = await h.http().post('/api/sweeps').send({ name: 'after', systems: ['sim-b'], benches: ['spin'], params: { cycles: 1_000_000, work: 10 }, seeds: [77, 78] }).expect(201);
    const after = await h.drainAndWait(next.body.id, 10_000);
    expect(after.status).toBe('done');
    // cooperative abort only (the harness disables the thread-termination backstop);
    // the bound is loose for a loaded 2-core machine: experiment-pool.spec.ts
    // measures the simulated work done after an abort.
    expect(Date.now() - t0).toBeLessThan(10_000);
    const [{ n }] = await h.sql(`SELECT count(*)::int AS n FROM runs WHERE params->>'cycles' = '1000000000000'`);
    expect(n).toBe(0);
    await h.waitFor('the endless jobs to leave the queue', async () => {
      const c = await h.api.queue.counts();
      return c.active === 0 && c.waiting === 0 && c.prioritized === 0 ? c : null;
    }, 10_000);
  });

  it('answers the rest of the API: lists, filters, catalogue, reference data, health, OpenAPI, errors', async () => {
    const sweeps = (await h.http().get('/api/sweeps').expect(200)).body;
    expect(sweeps.length).toBeGreaterThan(0);
    expect(sweeps[0]).toMatchObject({ id: expect.any(String), status: expect.any(String), counts: { total: expect.any(Number) } });
    const runs = (await h.http().get('/api/runs?system=sim-b&status=ok&limit=3').expect(200)).body;
    expect(runs).toHaveLength(3);
    expect(runs.every((r: any) => r.system === 'sim-b' && r.status === 'ok')).toBe(true);
    const csv = await h.http().get('/api/metrics?system=sim-a&format=csv').expect(200);
    expect(csv.text.split('\n')[0]).toBe('run_id,sweep_id,system,bench,params,seed,metric,value,unit,better,config_hash,emulator_version');
    expect(csv.text).toContain('"{""cycles"":2000000,""mode"":""ok"",""work"":1000}"');

    expect((await h.http().get('/api/catalog/systems').expect(200)).body.map((s: any) => s.id)).toEqual(['sim-a', 'sim-b']);
    expect((await h.http().get('/api/catalog/benches').expect(200)).body[0].params.map((p: any) => p.name)).toEqual(['cycles', 'work', 'mode']);
    const ref = (await h.http().get('/api/reference/sosp97-table2-getpid').expect(200)).body;
    expect(ref.rows).toContainEqual({ system: 'l4linux', systemLabel: 'L4Linux', bench: 'getpid', metric: 'getpid_cycles', value: 526, unit: 'cycles' });
    expect((await h.http().get('/api/health').expect(200)).body).toMatchObject({ status: 'ok', database: true, queue: { backend } });
    const openapi = (await h.http().get('/api/docs-json').expect(200)).body;
    expect(Object.keys(openapi.paths).sort()).toEqual([
      '/api/catalog/benches', '/api/catalog/systems', '/api/health', '/api/metrics', '/api/reference/{dataset}',
      '/api/runs', '/api/runs/{id}', '/api/sweeps', '/api/sweeps/{id}', '/api/sweeps/{id}/cancel',
    ]);

    // the dashboard's pages are served beside the API, outside /api
    expect((await h.http().get('/').expect(200)).headers['content-type']).toMatch(/text\/html/);
    await h.http().get(`/sweeps/${sweeps[0].id}`).expect(200);
    await h.http().get(`/views/getpid?sweep=${sweeps[0].id}`).expect(200);

    expect((await h.http().get('/api/sweeps/not-a-uuid').expect(404)).body).toEqual({ statusCode: 404, message: "no sweep 'not-a-uuid'" });
    await h.http().get('/api/runs/00000000-0000-0000-0000-000000000000').expect(404);
    await h.http().post('/api/sweeps/00000000-0000-0000-0000-000000000000/cancel').expect(404);
    await h.http().get('/api/reference/nope').expect(404);
    expect((await h.http().get('/api/runs?limit=lots').expect(400)).body).toMatchObject({ statusCode: 400, field: 'limit' });
    expect((await h.http().get('/api/metrics?format=xml').expect(400)).body).toMatchObject({ field: 'format' });
    expect((await h.http().get('/api/metrics?sweep=7').expect(400)).body).toMatchObject({ field: 'sweep' });
    const yaml = await h.http().post('/api/sweeps').set('content-type', 'application/yaml').send('name: [unclosed').expect(400);
    expect(yaml.body).toMatchObject({ statusCode: 400, field: 'body', message: expect.stringMatching(/not valid JSON or YAML/) });
  });

  it('stores a guest error as a result and does not retry it', async () => {
    const res = await h.http().post('/api/sweeps').send({ name: 'crash', systems: ['sim-a'], benches: ['spin'], params: { cycles: 1_000_000, mode: 'crash' } }).expect(201);
    const sweep = await h.drainAndWait(res.body.id);
    expect(sweep.status).toBe('failed');
    const run = (await h.http().get(`/api/runs/${sweep.cells[0].runId}`).expect(200)).body;
    expect(run).toMatchObject({ status: 'error', error: { kind: 'guest-crashed' }, output: { exitStatus: 139 } });
  });
});

describe('infrastructure failures', () => {
  let h: FarmHarness;
  beforeAll(async () => {
    h = await startHarness('redis', 'infra');
    await h.startWorker({ poolSize: 1 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('are retried with backoff, then mark the cell failed without storing a run', async () => {
    const res = await h.http().post('/api/sweeps').send({ name: 'throw', systems: ['sim-a'], benches: ['spin'], params: { cycles: 1_000_000, mode: 'throw' } }).expect(201);
    const sweep = await h.drainAndWait(res.body.id, 30_000);
    expect(sweep.status).toBe('failed');
    expect(sweep.cells[0]).toMatchObject({ status: 'failed', runId: null, error: expect.stringMatching(/infrastructure failure/) });
    const [{ n }] = await h.sql(`SELECT count(*)::int AS n FROM runs`);
    expect(n).toBe(0);
    const counts = await h.api.queue.counts();
    expect(counts.failed).toBe(1);
    // harness: 2 retries, so three attempts in all
    expect(await h.api.queue.inspectJob(sweep.cells[0].jobId)).toMatchObject({ state: 'failed', attemptsMade: 3 });
  });
});

describe('a worker of another emulator build', () => {
  let h: FarmHarness;
  beforeAll(async () => {
    h = await startHarness('redis', 'mismatch');
    // same catalogue and thread code, but it says it is another build
    await h.startWorker({ poolSize: 1, lab: { ...fixture, EMULATOR_VERSION: 'fixture-2' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('does not answer cells planned for another build', async () => {
    const res = await h.http().post('/api/sweeps').send({ name: 'v1', systems: ['sim-a'], benches: ['spin'], params: { cycles: 1_000_000 } }).expect(201);
    const sweep = await h.drainAndWait(res.body.id, 30_000);
    expect(sweep.status).toBe('failed');
    expect(sweep.cells[0].error).toMatch(/cell wants emulator fixture-1, this worker .* runs fixture-2/);
    const [{ n }] = await h.sql(`SELECT count(*)::int AS n FROM runs`);
    expect(n).toBe(0);
  });
});

describe.each(BACKENDS)('overlapping sweeps on the %s queue backend', (backend) => {
  let h: FarmHarness;
  beforeAll(async () => {
    h = await startHarness(backend, `overlap_${backend}`);
    await h.startWorker({ poolSize: 2 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('run a cell both ask for once, and both get its result', async () => {
    const shared = { systems: ["sim-a"], benches: ["spin"], params: { cycles: 1_000_000_000, work: 100_000 } };
    const a = await h.http().post('/api/sweeps').send({ name: 'a', ...shared, seeds: [1] }).expect(201);
    await h.waitFor('the shared cell to run', async () => (await h.http().get(`/api/sweeps/${a.body.id}`)).body.cells[0].status === 'running');
    const b = await h.http().post('/api/sweeps').send({ name: 'b', ...shared, seeds: [1, 2] }).expect(201);
    expect(b.body).toMatchObject({ cells: 2, cached: 0 });
    const [sa, sb] = [await h.drainAndWait(a.body.id), await h.drainAndWait(b.body.id)];
    expect(sa.status).toBe('done');
    expect(sb.status).toBe('done');
    expect(sb.cells[0].runId).toBe(sa.cells[0].runId);
    const [{ n }] = await h.sql(`SELECT count(*)::int AS n FROM runs`);
    expect(n).toBe(2);
  });
});

describe.each(BACKENDS)('lost jobs on the %s queue backend', (backend) => {
  let h: FarmHarness;
  beforeAll(async () => {
    h = await startHarness(backend, `lost_${backend}`);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('are queued again for cells still waiting for them', async () => {
    const res = await h.http().post('/api/sweeps').send({ name: 'lost', systems: 'all', benches: ['spin'], params: { cycles: 1_000_000, work: 10 } }).expect(201);
    const sweep = (await h.http().get(`/api/sweeps/${res.body.id}`).expect(200)).body;
    // the queue loses both jobs (a flushed Redis, a dropped schema, …)
    expect(await h.api.queue.removeJobs(sweep.cells.map((c: any) => c.jobId))).toBe(2);
    await h.startWorker({ poolSize: 1, reconcileEveryMs: 200, lostJobAfterMs: 0 });
    const done = await h.drainAndWait(res.body.id, 30_000);
    expect(done.status).toBe('done');
    expect(done.cells.every((c: any) => c.status === 'done' && c.runId)).toBe(true);
  });
});

describe.each(BACKENDS)('priorities on the %s queue backend', (backend) => {
  let h: FarmHarness;
  beforeAll(async () => {
    h = await startHarness(backend, `prio_${backend}`);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('run the cells of a higher-priority sweep first', async () => {
    const cells = { systems: ['sim-a'], benches: ['spin'], params: { cycles: 2_000_000, work: 100 } };
    const low = await h.http().post('/api/sweeps').send({ name: 'low', priority: 10, ...cells, seeds: [1, 2, 3] }).expect(201);
    const high = await h.http().post('/api/sweeps').send({ name: 'high', priority: 90, ...cells, seeds: [11, 12, 13] }).expect(201);
    await h.startWorker({ poolSize: 1 });
    await h.drainAndWait(low.body.id);
    await h.drainAndWait(high.body.id);
    const order = await h.sql(`SELECT seed FROM runs ORDER BY created_at, id`);
    expect(order.slice(0, 3).map((r: any) => r.seed).sort()).toEqual([11, 12, 13]);
  });
});
