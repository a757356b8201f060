import type { MigrationInterface, QueryRunner } from 'typeorm';

// A sweep's status is refreshed after every cell; (sweep_id, status) answers
// "is any cell of this sweep still queued/running/failed?" without counting all
// of a large sweep's cells each time.
export class SweepCellsStatusIndex1764300200000 implements MigrationInterface {
  name = 'SweepCellsStatusIndex1764300200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "IDX_sweep_cells_sweep_status" ON "sweep_cells" ("sweep_id", "status")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_sweep_cells_sweep_status"`);
  }
}
