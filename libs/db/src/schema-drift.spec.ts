// Applies every migration to a fresh database and asks TypeORM's schema builder
// what it would change: anything at all means the entities and the migrations
// have drifted apart. Also checks that `down` reverses `up` exactly.
import { createScratchDatabase, type ScratchDatabase } from './scratch-database';
import { createFarmDataSource, openFarmDatabase } from './data-source';

const ADMIN_URL = process.env.MKLAB_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

describe('farm migrations', () => {
  let db: ScratchDatabase;
  beforeAll(async () => {
    db = await createScratchDatabase(ADMIN_URL, 'mklab_drift');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('leave nothing for the schema builder to change, and revert to an empty schema', async () => {
    const { dataSource, applied } = await openFarmDatabase({ url: db.url });
    try {
      expect(applied).toEqual(['FarmSchema1764300000000', 'PaperTable2Reference1764300100000', 'SweepCellsStatusIndex1764300200000']);
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);

      const ref = await dataSource.query(`SELECT system_id, metric, value FROM reference_values ORDER BY id`);
      expect(ref).toHaveLength(10);
      expect(ref[0]).toEqual({ system_id: 'linux', metric: 'getpid_us', value: 1.68 });
      expect(ref[9]).toEqual({ system_id: 'mklinux-user', metric: 'getpid_cycles', value: 14710 });

      // A second start applies nothing.
      expect(await dataSource.runMigrations()).toEqual([]);

      for (let i = 0; i < applied.length; i++) await dataSource.undoLastMigration();
      const tables = await dataSource.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'farm_migrations'`,
      );
      expect(tables).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('does not synchronize on its own', () => {
    expect(createFarmDataSource({ url: db.url }).options.synchronize).toBe(false);
  });
});
