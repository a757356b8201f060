import type { MigrationInterface, QueryRunner } from 'typeorm';

// REFERENCE DATA, NOT RESULTS: the paper's own published figures, typed in from
// Härtig, Hohmuth, Liedtke, Schönberg, Wolter, "The Performance of µ-Kernel-Based
// Systems", SOSP'97, Table 2 ("getpid system-call costs on the different
// implementations", 133 MHz Pentium). The dashboards show them beside what the
// farm measures; nothing in the farm or the emulator reads them.
const DATASET = 'sosp97-table2-getpid';

const TABLE2: [systemId: string, label: string, us: number, cycles: number][] = [
  ['linux', 'Linux', 1.68, 223],
  ['l4linux', 'L4Linux', 3.95, 526],
  ['l4linux-trampoline', 'L4Linux (trampoline)', 5.66, 753],
  ['mklinux-inkernel', 'MkLinux in-kernel', 15.41, 2050],
  ['mklinux-user', 'MkLinux user', 110.6, 14710],
];

export class PaperTable2Reference1764300100000 implements MigrationInterface {
  name = 'PaperTable2Reference1764300100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `INSERT INTO "reference_datasets" ("id", "title", "source", "description") VALUES ($1, $2, $3, $4)`,
      [
        DATASET,
        'getpid system-call cost (paper, Table 2)',
        "Härtig et al., The Performance of µ-Kernel-Based Systems, SOSP'97, Table 2",
        'Published figures of the paper, 133 MHz Pentium: µs and cycles per getpid() call. Reference data typed in from the paper, never measured by mklab.',
      ],
    );
    for (const [systemId, label, us, cycles] of TABLE2) {
      await q.query(
        `INSERT INTO "reference_values" ("dataset_id", "system_id", "system_label", "bench_id", "metric", "value", "unit") VALUES ($1, $2, $3, 'getpid', 'getpid_us', $4, 'us'), ($1, $2, $3, 'getpid', 'getpid_cycles', $5, 'cycles')`,
        [DATASET, systemId, label, us, cycles],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "reference_values" WHERE "dataset_id" = $1`, [DATASET]);
    await q.query(`DELETE FROM "reference_datasets" WHERE "id" = $1`, [DATASET]);
  }
}
