// The farm around the real emulator: the pool threads load libs/lab (from the
// sources here, from dist/ in production) and a getpid sweep over the whole
// catalogue stores the metrics the guest measured, with full provenance.
import type { LabPort } from '@mklab/farm';
import { startHarness, type FarmHarness } from './support/farm-harness';

/** The lab as the tree holds it now (EMULATOR_VERSION digests the sources at load time). */
function freshLab(): LabPort {
  let lab: LabPort | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    lab = require('@mklab/lab');
  });
  return lab!;
}

describe('the farm running the emulator', () => {
  let h: FarmHarness | undefined;
  afterEach(async () => {
    await h?.close();
  });

  it('runs getpid on every system of the catalogue and stores what the guest measured', async () => {
    let lab: LabPort;
    let sweep: any;
    // While other work edits the emulator's sources, the pool threads may load
    // a newer tree than this process planned with; the farm then (rightly)
    // refuses their results. Start again from the current tree, a few times.
    for (let attempt = 1; ; attempt++) {
      lab = freshLab();
      h = await startHarness('redis', `real${attempt}`, { lab });
      await h.startWorker({ poolSize: 1 });
      const res = await h.http().post('/api/sweeps').send({ name: 'getpid', systems: 'all', benches: ['getpid'], params: { iterations: 1000, repeats: 2 } }).expect(201);
      expect(res.body.cells).toBe(lab.listSystems().length);
      sweep = await h.drainAndWait(res.body.id, 300_000);
      const moved = sweep.cells.some((c: any) => /pool thread ran emulator/.test(c.error ?? ''));
      if (!moved || attempt === 3) break;
      await h.close();
      h = undefined;
    }
    expect(sweep.status).toBe('done');
    for (const cell of sweep.cells) {
      const run = (await h!.http().get(`/api/runs/${cell.runId}`).expect(200)).body;
      expect(run.status).toBe('ok');
      expect(run.provenance).toMatchObject({ emulatorVersion: lab.EMULATOR_VERSION, configHash: cell.configHash });
      const cycles = run.metrics.find((m: any) => m.name === 'getpid_cycles');
      expect(cycles.value).toBeGreaterThan(0);
      expect(run.samples.find((s: any) => s.name === 'getpid_cycles').values).toHaveLength(2);
      expect(run.counters.cycles).toBeGreaterThan(1000 * cycles.value);
    }
  }, 600_000);
});
