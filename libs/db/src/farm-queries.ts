// The read side of the farm database: what the REST API and the dashboards ask for.
import type { DataSource } from 'typeorm';

export interface RunFilter {
  sweep?: string;
  system?: string;
  bench?: string;
  status?: string;
  limit?: number;
  offset?: number;
}

export interface MetricFilter {
  sweep?: string;
  system?: string;
  bench?: string;
  metric?: string;
}

export interface MetricRow {
  runId: string;
  sweepId: string | null;
  system: string;
  bench: string;
  params: Record<string, unknown>;
  seed: number;
  metric: string;
  value: number;
  unit: string;
  better: string;
  configHash: string;
  emulatorVersion: string;
}

const STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled', 'cached'];

function countsOf(rows: { status: string; n: number }[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  let total = 0;
  for (const r of rows) {
    counts[r.status] = r.n;
    total += r.n;
  }
  return { total, ...counts };
}

function sweepDoc(s: any, counts: Record<string, number>) {
  return {
    id: s.id,
    name: s.name,
    status: s.status,
    priority: s.priority,
    createdAt: s.created_at,
    finishedAt: s.finished_at,
    emulatorVersion: s.version,
    error: s.error,
    spec: s.spec,
    counts,
  };
}

function runDoc(r: any) {
  return {
    id: r.id,
    configHash: r.config_hash,
    emulatorVersion: r.version,
    system: r.system_id,
    bench: r.benchmark_id,
    params: r.params,
    seed: r.seed,
    status: r.status,
    error: r.error_kind ? { kind: r.error_kind, message: r.error } : null,
    host: { name: r.host, wallMs: r.wall_ms, simulatedCycles: Number(r.simulated_cycles), cyclesPerSecond: r.cycles_per_second },
    createdAt: r.created_at,
  };
}

export class FarmQueries {
  constructor(private readonly db: DataSource) {}

  async listSweeps(limit = 100, offset = 0) {
    const sweeps = await this.db.query(
      `SELECT s.*, b.version FROM sweeps s JOIN emulator_builds b ON b.id = s.emulator_build_id
       ORDER BY s.created_at DESC LIMIT $1 OFFSET $2`,
      [limit, offset],
    );
    if (!sweeps.length) return [];
    const counts: { sweep_id: string; status: string; n: number }[] = await this.db.query(
      `SELECT sweep_id, status, count(*)::int AS n FROM sweep_cells WHERE sweep_id = ANY($1::uuid[]) GROUP BY sweep_id, status`,
      [sweeps.map((s: any) => s.id)],
    );
    return sweeps.map((s: any) => sweepDoc(s, countsOf(counts.filter((c) => c.sweep_id === s.id))));
  }

  async getSweep(id: string) {
    const [s] = await this.db.query(
      `SELECT s.*, b.version FROM sweeps s JOIN emulator_builds b ON b.id = s.emulator_build_id WHERE s.id = $1`,
      [id],
    );
    if (!s) return null;
    const cells = await this.db.query(
      `SELECT id, ordinal, config_hash, system_id, benchmark_id, params, seed, status, progress, cached, run_id, job_id, host, error
       FROM sweep_cells WHERE sweep_id = $1 ORDER BY ordinal`,
      [id],
    );
    const counts = countsOf(
      Object.entries(
        cells.reduce((acc: Record<string, number>, c: any) => ((acc[c.status] = (acc[c.status] ?? 0) + 1), acc), {}),
      ).map(([status, n]) => ({ status, n: n as number })),
    );
    return {
      ...sweepDoc(s, counts),
      cells: cells.map((c: any) => ({
        id: c.id,
        ordinal: c.ordinal,
        configHash: c.config_hash,
        system: c.system_id,
        bench: c.benchmark_id,
        params: c.params,
        seed: c.seed,
        status: c.status,
        progress: c.progress,
        cached: c.cached,
        runId: c.run_id,
        jobId: c.job_id,
        host: c.host,
        error: c.error,
      })),
    };
  }

  async listRuns(f: RunFilter) {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.sweep) add(`r.id IN (SELECT run_id FROM sweep_cells WHERE sweep_id = ?)`, f.sweep);
    if (f.system) add(`r.system_id = ?`, f.system);
    if (f.bench) add(`r.benchmark_id = ?`, f.bench);
    if (f.status) add(`r.status = ?`, f.status);
    params.push(f.limit ?? 100, f.offset ?? 0);
    const rows = await this.db.query(
      `SELECT r.*, b.version FROM runs r JOIN emulator_builds b ON b.id = r.emulator_build_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY r.created_at DESC, r.id LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows.map(runDoc);
  }

  async getRun(id: string) {
    const [r] = await this.db.query(
      `SELECT r.*, b.version, b.git_sha, b.ordinal FROM runs r JOIN emulator_builds b ON b.id = r.emulator_build_id WHERE r.id = $1`,
      [id],
    );
    if (!r) return null;
    const metrics = await this.db.query(`SELECT name, value, unit, direction FROM metrics WHERE run_id = $1 ORDER BY name`, [id]);
    const samples = await this.db.query(`SELECT name, "values" FROM samples WHERE run_id = $1 ORDER BY name`, [id]);
    const sweeps = await this.db.query(
      `SELECT DISTINCT c.sweep_id, s.created_at FROM sweep_cells c JOIN sweeps s ON s.id = c.sweep_id WHERE c.run_id = $1 ORDER BY s.created_at`,
      [id],
    );
    return {
      ...runDoc(r),
      sweepId: sweeps[0]?.sweep_id ?? null,
      sweepIds: sweeps.map((s: any) => s.sweep_id),
      metrics: metrics.map((m: any) => ({ name: m.name, value: m.value, unit: m.unit, better: m.direction })),
      samples: samples.map((s: any) => ({ name: s.name, values: s.values })),
      counters: r.counters,
      output: { stdout: r.stdout, stderr: r.stderr, exitStatus: r.exit_status },
      provenance: r.provenance,
      build: { version: r.version, gitSha: r.git_sha, ordinal: r.ordinal },
    };
  }

  async metricRows(f: MetricFilter): Promise<MetricRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    let from = `runs r`;
    let sweepCol = `NULL::uuid`;
    if (f.sweep) {
      params.push(f.sweep);
      from = `sweep_cells c JOIN runs r ON r.id = c.run_id AND c.sweep_id = $1`;
      sweepCol = `c.sweep_id`;
    }
    if (f.system) add(`r.system_id = ?`, f.system);
    if (f.bench) add(`r.benchmark_id = ?`, f.bench);
    if (f.metric) add(`m.name = ?`, f.metric);
    const rows = await this.db.query(
      `SELECT r.id AS run_id, ${sweepCol} AS sweep_id, r.system_id, r.benchmark_id, r.params, r.seed, r.config_hash, b.version,
              m.name, m.value, m.unit, m.direction
       FROM ${from} JOIN metrics m ON m.run_id = r.id JOIN emulator_builds b ON b.id = r.emulator_build_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY r.system_id, r.benchmark_id, m.name, r.seed, r.id`,
      params,
    );
    return rows.map((x: any) => ({
      runId: x.run_id,
      sweepId: x.sweep_id,
      system: x.system_id,
      bench: x.benchmark_id,
      params: x.params,
      seed: x.seed,
      metric: x.name,
      value: x.value,
      unit: x.unit,
      better: x.direction,
      configHash: x.config_hash,
      emulatorVersion: x.version,
    }));
  }

  async reference(datasetId: string) {
    const [d] = await this.db.query(`SELECT * FROM reference_datasets WHERE id = $1`, [datasetId]);
    if (!d) return null;
    const rows = await this.db.query(
      `SELECT system_id, system_label, bench_id, metric, value, unit FROM reference_values WHERE dataset_id = $1 ORDER BY id`,
      [datasetId],
    );
    return {
      id: d.id,
      title: d.title,
      source: d.source,
      description: d.description,
      rows: rows.map((r: any) => ({ system: r.system_id, systemLabel: r.system_label, bench: r.bench_id, metric: r.metric, value: r.value, unit: r.unit })),
    };
  }

  async ping(): Promise<boolean> {
    await this.db.query('SELECT 1');
    return true;
  }
}
