// The farm around the real emulator: the pool threads load libs/lab (from the
// sources here, from dist/ in production) and a getpid sweep over the whole
// catalogue stores the metrics the guest measured, with full provenance.
import { defaultLab } from '@mklab/farm';
import { startHarness, type FarmHarness } from './support/farm-harness';

describe('the farm running the emulator', () => {
  let h: FarmHarness;
  const lab = defaultLab();
  beforeAll(async () => {
    h = await startHarness('redis', 'real', { lab });
    await h.startWorker({ poolSize: 1 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('runs getpid on every system of the catalogue and stores what the guest measured', async () => {
    const res = await h.http().post('/api/sweeps').send({ name: 'getpid', systems: 'all', benches: ['getpid'], params: { iterations: 1000, repeats: 2 } }).expect(201);
    const systems = lab.listSystems().map((s) => s.id);
    expect(res.body.cells).toBe(systems.length);
    const sweep = await h.drainAndWait(res.body.id, 300_000);
    expect(sweep.status).toBe('done');
    for (const cell of sweep.cells) {
      const run = (await h.http().get(`/api/runs/${cell.runId}`).expect(200)).body;
      expect(run.status).toBe('ok');
      expect(run.provenance).toMatchObject({ emulatorVersion: lab.EMULATOR_VERSION, configHash: cell.configHash });
      const cycles = run.metrics.find((m: any) => m.name === 'getpid_cycles');
      expect(cycles.value).toBeGreaterThan(0);
      expect(run.samples.find((s: any) => s.name === 'getpid_cycles').values).toHaveLength(2);
      expect(run.counters.cycles).toBeGreaterThan(1000 * cycles.value);
    }
  }, 360_000);
});
