// The store against a real PostgreSQL: a run is written once per identity with
// its metrics and samples, cells of every sweep asking for it are settled, and
// stored runs are found again at submission and by the reconciler.
import * as fixtureLab from '../../farm/src/testing/fixture-lab';
import { parseSweepSpec, planSweep, runRecordFrom, type LabPort, type SweepPlan } from '@mklab/farm';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database';
import { openFarmDatabase } from './data-source';
import { TypeormFarmStore } from './typeorm-farm-store';
import type { DataSource } from 'typeorm';

const ADMIN_URL = process.env.MKLAB_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const lab = fixtureLab as unknown as LabPort;

function plan(doc: object): SweepPlan {
  const spec = parseSweepSpec({ name: 't', systems: ['sim-a'], benches: ['spin'], ...doc });
  if (!spec.ok) throw new Error(JSON.stringify(spec.errors));
  const p = planSweep(spec.value, lab);
  if (!p.ok) throw new Error(JSON.stringify(p.errors));
  return p.value;
}

describe('TypeormFarmStore', () => {
  let db: ScratchDatabase;
  let ds: DataSource;
  let store: TypeormFarmStore;
  beforeAll(async () => {
    db = await createScratchDatabase(ADMIN_URL, 'mklab_store');
    ds = (await openFarmDatabase({ url: db.url })).dataSource;
    store = new TypeormFarmStore(ds);
    await store.syncCatalogue(lab.listSystems(), lab.listBenches());
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('writes a run once per identity and settles every sweep that asked for it', async () => {
    const p = plan({ params: { cycles: 1_000_000, work: 1 }, seeds: [1] });
    const a = await store.createSweep(p, null);
    const b = await store.createSweep(p, null);
    expect(a.toQueue).toHaveLength(1);
    const cell = p.cells[0];
    const identity = { emulatorVersion: p.emulatorVersion, configHash: cell.configHash };
    expect(await store.claimCells(identity, 'host-1')).toBe(2);
    const result = await lab.runExperiment({ system: cell.system, bench: cell.bench, params: cell.params, seed: cell.seed }, {});
    const first = await store.writeRun(runRecordFrom(result, identity, 'host-1'));
    const second = await store.writeRun(runRecordFrom(result, identity, 'host-2'));
    expect(first.inserted).toBe(true);
    expect(second).toEqual({ runId: first.runId, inserted: false, sweepIds: [] });
    expect(new Set(first.sweepIds)).toEqual(new Set([a.sweepId, b.sweepId]));
    const [{ runs, metrics, samples }] = await ds.query(
      `SELECT (SELECT count(*)::int FROM runs) AS runs, (SELECT count(*)::int FROM metrics) AS metrics, (SELECT count(*)::int FROM samples) AS samples`,
    );
    expect({ runs, metrics, samples }).toEqual({ runs: 1, metrics: 1, samples: 1 });
    const sweeps = await ds.query(`SELECT status FROM sweeps WHERE id = ANY($1::uuid[])`, [[a.sweepId, b.sweepId]]);
    expect(sweeps.map((s: any) => s.status)).toEqual(['done', 'done']);

    // submitted again: served from the stored run
    const c = await store.createSweep(p, null);
    expect(c).toMatchObject({ cached: 1, toQueue: [] });
    expect(await store.findRunId(identity)).toBe(first.runId);
  });

  it('links queued cells to a run stored behind their back', async () => {
    const p = plan({ params: { cycles: 2_000_000, work: 1 }, seeds: [5] });
    const s = await store.createSweep(p, null);
    const cell = p.cells[0];
    const identity = { emulatorVersion: p.emulatorVersion, configHash: cell.configHash };
    const result = await lab.runExperiment({ system: cell.system, bench: cell.bench, params: cell.params, seed: cell.seed }, {});
    // as if the run had been written by a worker before this sweep's cells were visible
    await ds.query(`UPDATE sweep_cells SET status = 'cancelled' WHERE sweep_id = $1`, [s.sweepId]);
    const w = await store.writeRun(runRecordFrom(result, identity, 'host-1'));
    expect(w.sweepIds).toEqual([]);
    await ds.query(`UPDATE sweep_cells SET status = 'queued' WHERE sweep_id = $1`, [s.sweepId]);
    expect(await store.reconcileStoredRuns()).toEqual([s.sweepId]);
    const [cellRow] = await ds.query(`SELECT status, cached, run_id FROM sweep_cells WHERE sweep_id = $1`, [s.sweepId]);
    expect(cellRow).toEqual({ status: 'cached', cached: true, run_id: w.runId });
  });

  it('cancels a sweep and reports which jobs nobody wants any more', async () => {
    const p = plan({ params: { cycles: 3_000_000, work: 1 }, seeds: [1, 2] });
    const x = await store.createSweep(p, null);
    const shared = plan({ params: { cycles: 3_000_000, work: 1 }, seeds: [2] });
    await store.createSweep(shared, null);
    const c = await store.cancelSweep(x.sweepId);
    expect(c.found).toBe(true);
    expect(c.unwantedJobIds).toEqual([p.cells[0].jobId]);
    expect(await store.cancelSweep('00000000-0000-0000-0000-000000000000')).toEqual({ found: false, unwantedJobIds: [] });
    const [s] = await ds.query(`SELECT status FROM sweeps WHERE id = $1`, [x.sweepId]);
    expect(s.status).toBe('cancelled');
  });
});
