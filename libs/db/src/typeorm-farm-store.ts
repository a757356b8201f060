// FarmStore on PostgreSQL through TypeORM's DataSource. The writes that must
// be atomic (a run with its metrics, samples and cell updates; a sweep with its
// cells) each run in one transaction; the run write is idempotent on identity.
import type { DataSource, EntityManager } from 'typeorm';
import type {
  CancelledSweep,
  CreatedSweep,
  FarmStore,
  RunIdentity,
  RunRecord,
  SweepPlan,
  WrittenRun,
} from '@mklab/farm';
import type { BenchInfo, SystemInfo } from '@mklab/lab';

const LIVE = `('queued', 'running')`;

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>;
}

/** Rows of an UPDATE … RETURNING: TypeORM's postgres driver answers those with [rows, affectedCount]. */
async function updateReturning<T>(q: Queryable, sql: string, params: unknown[]): Promise<T[]> {
  const r = await q.query(sql, params);
  if (Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number') return r[0];
  return r;
}

export class TypeormFarmStore implements FarmStore {
  private readonly buildIds = new Map<string, number>();

  constructor(private readonly db: DataSource) {}

  async syncCatalogue(systems: SystemInfo[], benches: BenchInfo[]): Promise<void> {
    await this.db.transaction(async (m) => {
      for (const s of systems) {
        await m.query(
          `INSERT INTO systems (id, title, description, arch, libc_backend) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, description = EXCLUDED.description,
             arch = EXCLUDED.arch, libc_backend = EXCLUDED.libc_backend, updated_at = now()`,
          [s.id, s.title, s.description, s.arch, s.libcBackend],
        );
      }
      for (const b of benches) {
        await m.query(
          `INSERT INTO benchmarks (id, title, description, params, metrics) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, description = EXCLUDED.description,
             params = EXCLUDED.params, metrics = EXCLUDED.metrics, updated_at = now()`,
          [b.id, b.title, b.description, JSON.stringify(b.params), JSON.stringify(b.metrics)],
        );
      }
    });
  }

  async ensureBuild(version: string, gitSha: string | null): Promise<number> {
    const known = this.buildIds.get(version);
    if (known !== undefined) return known;
    for (let attempt = 0; attempt < 5; attempt++) {
      const found = await this.db.query(`SELECT id FROM emulator_builds WHERE version = $1`, [version]);
      if (found.length) {
        this.buildIds.set(version, found[0].id);
        return found[0].id;
      }
      try {
        const rows = await this.db.query(
          `INSERT INTO emulator_builds (version, git_sha, ordinal)
           VALUES ($1, $2, (SELECT COALESCE(MAX(ordinal), 0) + 1 FROM emulator_builds)) RETURNING id`,
          [version, gitSha],
        );
        this.buildIds.set(version, rows[0].id);
        return rows[0].id;
      } catch (e) {
        // another process registered a build at the same moment (unique version or ordinal): look again
        if ((e as { code?: string }).code !== '23505') throw e;
      }
    }
    throw new Error(`could not register emulator build ${version}`);
  }

  private async buildId(version: string): Promise<number | null> {
    const known = this.buildIds.get(version);
    if (known !== undefined) return known;
    const found = await this.db.query(`SELECT id FROM emulator_builds WHERE version = $1`, [version]);
    if (!found.length) return null;
    this.buildIds.set(version, found[0].id);
    return found[0].id;
  }

  async createSweep(plan: SweepPlan, gitSha: string | null): Promise<CreatedSweep> {
    const buildId = await this.ensureBuild(plan.emulatorVersion, gitSha);
    return this.db.transaction(async (m) => {
      const [sweep] = await m.query(
        `INSERT INTO sweeps (name, status, priority, spec, emulator_build_id) VALUES ($1, 'queued', $2, $3, $4) RETURNING id`,
        [plan.spec.name, plan.spec.priority, JSON.stringify(plan.spec), buildId],
      );
      const stored: { id: string; config_hash: string }[] = await m.query(
        `SELECT id, config_hash FROM runs WHERE emulator_build_id = $1 AND config_hash = ANY($2::varchar[])`,
        [buildId, plan.cells.map((c) => c.configHash)],
      );
      const runByHash = new Map(stored.map((r) => [r.config_hash, r.id]));
      const rows = plan.cells.map((c) => {
        const runId = runByHash.get(c.configHash) ?? null;
        return {
          ordinal: c.ordinal,
          config_hash: c.configHash,
          system_id: c.system,
          benchmark_id: c.bench,
          params: c.params,
          seed: c.seed,
          status: runId ? 'cached' : 'queued',
          progress: runId ? 1 : 0,
          cached: runId !== null,
          run_id: runId,
          job_id: c.jobId,
        };
      });
      await m.query(
        `INSERT INTO sweep_cells (sweep_id, emulator_build_id, ordinal, config_hash, system_id, benchmark_id, params, seed, status, progress, cached, run_id, job_id)
         SELECT $1, $2, x.ordinal, x.config_hash, x.system_id, x.benchmark_id, x.params, x.seed, x.status, x.progress, x.cached, x.run_id, x.job_id
         FROM jsonb_to_recordset($3::jsonb) AS x(ordinal int, config_hash varchar, system_id varchar, benchmark_id varchar,
              params jsonb, seed int, status varchar, progress real, cached boolean, run_id uuid, job_id varchar)`,
        [sweep.id, buildId, JSON.stringify(rows)],
      );
      await refreshSweeps(m, [sweep.id]);
      return {
        sweepId: sweep.id,
        cached: runByHash.size === 0 ? 0 : plan.cells.filter((c) => runByHash.has(c.configHash)).length,
        toQueue: plan.cells.filter((c) => !runByHash.has(c.configHash)),
      };
    });
  }

  async markSweepFailed(sweepId: string, message: string): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query(`UPDATE sweep_cells SET status = 'failed', error = $2, updated_at = now() WHERE sweep_id = $1 AND status IN ${LIVE}`, [sweepId, message]);
      await m.query(`UPDATE sweeps SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`, [sweepId, message]);
    });
  }

  async cancelSweep(sweepId: string): Promise<CancelledSweep> {
    return this.db.transaction(async (m) => {
      // Lock order everywhere: cells first, then their sweeps (see refreshSweeps).
      const found = await m.query(`SELECT status FROM sweeps WHERE id = $1`, [sweepId]);
      if (!found.length) return { found: false, unwantedJobIds: [] };
      const cancelled: { emulator_build_id: number; config_hash: string; job_id: string }[] = await updateReturning(m, `UPDATE sweep_cells SET status = 'cancelled', updated_at = now() WHERE sweep_id = $1 AND status IN ${LIVE}
         RETURNING emulator_build_id, config_hash, job_id`,
        [sweepId],
      );
      const unwanted: string[] = [];
      for (const c of cancelled) {
        const [{ n }] = await m.query(
          `SELECT count(*)::int AS n FROM sweep_cells WHERE emulator_build_id = $1 AND config_hash = $2 AND status IN ${LIVE}`,
          [c.emulator_build_id, c.config_hash],
        );
        if (n === 0) unwanted.push(c.job_id);
      }
      await m.query(`SELECT id FROM sweeps WHERE id = $1 FOR UPDATE`, [sweepId]);
      await m.query(`UPDATE sweeps SET status = 'cancelled', finished_at = COALESCE(finished_at, now()) WHERE id = $1 AND status IN ${LIVE}`, [sweepId]);
      return { found: true, unwantedJobIds: unwanted };
    });
  }

  async findRunId(identity: RunIdentity): Promise<string | null> {
    const buildId = await this.buildId(identity.emulatorVersion);
    if (buildId === null) return null;
    const rows = await this.db.query(`SELECT id FROM runs WHERE emulator_build_id = $1 AND config_hash = $2`, [buildId, identity.configHash]);
    return rows[0]?.id ?? null;
  }

  private async updateLive(identity: RunIdentity, set: string, params: unknown[]): Promise<string[]> {
    const buildId = await this.buildId(identity.emulatorVersion);
    if (buildId === null) return [];
    const rows: { sweep_id: string }[] = await updateReturning(this.db, `UPDATE sweep_cells SET ${set}, updated_at = now() WHERE emulator_build_id = $1 AND config_hash = $2 AND status IN ${LIVE} RETURNING sweep_id`,
      [buildId, identity.configHash, ...params],
    );
    return [...new Set(rows.map((r) => r.sweep_id))];
  }

  async claimCells(identity: RunIdentity, host: string): Promise<number> {
    const buildId = await this.buildId(identity.emulatorVersion);
    if (buildId === null) return 0;
    const rows: { sweep_id: string }[] = await updateReturning(this.db, `UPDATE sweep_cells SET status = 'running', host = $3, updated_at = now()
       WHERE emulator_build_id = $1 AND config_hash = $2 AND status IN ${LIVE} RETURNING sweep_id`,
      [buildId, identity.configHash, host],
    );
    // queued → running needs no recount
    if (rows.length) {
      await this.db.query(`UPDATE sweeps SET status = 'running' WHERE id = ANY($1::uuid[]) AND status = 'queued'`, [
        [...new Set(rows.map((r) => r.sweep_id))],
      ]);
    }
    return rows.length;
  }

  async wantedCells(identity: RunIdentity): Promise<number> {
    const buildId = await this.buildId(identity.emulatorVersion);
    if (buildId === null) return 0;
    const [{ n }] = await this.db.query(
      `SELECT count(*)::int AS n FROM sweep_cells WHERE emulator_build_id = $1 AND config_hash = $2 AND status IN ${LIVE}`,
      [buildId, identity.configHash],
    );
    return n;
  }

  async reportProgress(identity: RunIdentity, fraction: number): Promise<void> {
    await this.updateLive(identity, `progress = $3`, [fraction]);
  }

  async linkStoredRun(identity: RunIdentity, runId: string): Promise<string[]> {
    return this.updateLive(identity, `status = 'cached', cached = true, run_id = $3, progress = 1`, [runId]);
  }

  async failCells(identity: RunIdentity, message: string): Promise<string[]> {
    return this.updateLive(identity, `status = 'failed', error = $3`, [message]);
  }

  async writeRun(r: RunRecord): Promise<WrittenRun> {
    const buildId = await this.ensureBuild(r.emulatorVersion, r.provenance.gitSha ?? null);
    return this.db.transaction(async (m) => {
      const inserted: { id: string }[] = await m.query(
        `INSERT INTO runs (emulator_build_id, config_hash, system_id, benchmark_id, params, seed, status, error_kind, error,
           counters, stdout, stderr, exit_status, provenance, host, wall_ms, simulated_cycles, cycles_per_second)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
         ON CONFLICT (emulator_build_id, config_hash) DO NOTHING RETURNING id`,
        [
          buildId, r.configHash, r.system, r.bench, JSON.stringify(r.params), r.seed, r.status, r.errorKind, r.errorMessage,
          JSON.stringify(r.counters), r.output.stdout, r.output.stderr, r.output.exitStatus, JSON.stringify(r.provenance),
          r.host, r.wallMs, Math.round(r.simulatedCycles), r.cyclesPerSecond,
        ],
      );
      let runId: string;
      if (inserted.length) {
        runId = inserted[0].id;
        if (r.metrics.length) {
          await m.query(
            `INSERT INTO metrics (run_id, name, value, unit, direction)
             SELECT $1, x.name, x.value, x.unit, x.better FROM jsonb_to_recordset($2::jsonb) AS x(name varchar, value float8, unit varchar, better varchar)`,
            [runId, JSON.stringify(r.metrics)],
          );
        }
        for (const s of r.samples) {
          await m.query(`INSERT INTO samples (run_id, name, "values") VALUES ($1, $2, $3::float8[])`, [runId, s.name, s.values]);
        }
      } else {
        const [existing] = await m.query(`SELECT id FROM runs WHERE emulator_build_id = $1 AND config_hash = $2`, [buildId, r.configHash]);
        runId = existing.id;
      }
      const cells: { sweep_id: string }[] = await updateReturning(m, `UPDATE sweep_cells SET status = $3, run_id = $4, progress = 1, cached = false, updated_at = now()
         WHERE emulator_build_id = $1 AND config_hash = $2 AND status IN ${LIVE} RETURNING sweep_id`,
        [buildId, r.configHash, r.status === 'ok' ? 'done' : 'failed', runId],
      );
      const sweepIds = [...new Set(cells.map((c) => c.sweep_id))];
      await refreshSweeps(m, sweepIds);
      return { runId, inserted: inserted.length > 0, sweepIds };
    });
  }

  async reconcileStoredRuns(sweepId?: string): Promise<string[]> {
    const rows: { sweep_id: string }[] = await updateReturning(this.db, `UPDATE sweep_cells c SET status = 'cached', cached = true, run_id = r.id, progress = 1, updated_at = now()
       FROM runs r
       WHERE c.status = 'queued' AND r.emulator_build_id = c.emulator_build_id AND r.config_hash = c.config_hash
         ${sweepId ? 'AND c.sweep_id = $1' : ''}
       RETURNING c.sweep_id`,
      sweepId ? [sweepId] : [],
    );
    const sweepIds = [...new Set(rows.map((r) => r.sweep_id))];
    await this.refreshSweepStatus(sweepIds);
    return sweepIds;
  }

  async staleQueuedCells(olderThanMs: number, limit: number) {
    const rows = await this.db.query(
      `SELECT DISTINCT ON (c.emulator_build_id, c.config_hash)
              c.job_id, c.sweep_id, c.config_hash, b.version, c.system_id, c.benchmark_id, c.params, c.seed,
              s.priority, s.spec->>'cycleBudget' AS cycle_budget
       FROM sweep_cells c JOIN sweeps s ON s.id = c.sweep_id JOIN emulator_builds b ON b.id = c.emulator_build_id
       WHERE c.status = 'queued' AND s.status IN ${LIVE} AND c.updated_at < now() - make_interval(secs => $1::float8 / 1000)
       ORDER BY c.emulator_build_id, c.config_hash, s.priority DESC
       LIMIT $2`,
      [olderThanMs, limit],
    );
    return rows.map((r: any) => ({
      jobId: r.job_id,
      priority: r.priority,
      data: {
        sweepId: r.sweep_id,
        configHash: r.config_hash,
        emulatorVersion: r.version,
        system: r.system_id,
        bench: r.benchmark_id,
        params: r.params,
        seed: r.seed,
        ...(r.cycle_budget ? { cycleBudget: Number(r.cycle_budget) } : {}),
      },
    }));
  }

  async refreshSweepStatus(sweepIds: string[]): Promise<void> {
    if (sweepIds.length) await refreshSweeps(this.db.manager, sweepIds);
  }
}

/**
 * A sweep's status follows from its cells; a cancelled sweep stays cancelled.
 * Two transactions finishing the last two cells of a sweep must not both count
 * the other's cell as still running: each first locks the sweep rows (after
 * its own cell updates), so the second waits for the first to commit and its
 * count, a new statement with a new snapshot, sees both cells.
 */
async function refreshSweeps(m: EntityManager, sweepIds: string[]): Promise<void> {
  if (!sweepIds.length) return;
  await m.query(`SELECT id FROM sweeps WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [sweepIds]);
  const cell = (cond: string) => `EXISTS (SELECT 1 FROM sweep_cells c WHERE c.sweep_id = s.id AND ${cond})`;
  await m.query(
    `UPDATE sweeps s SET
       status = CASE WHEN s.status = 'cancelled' THEN 'cancelled'
                     WHEN s.status = 'failed' AND s.error IS NOT NULL THEN 'failed'
                     WHEN ${cell(`c.status IN ${LIVE}`)} THEN
                       CASE WHEN ${cell(`c.status <> 'queued'`)} THEN 'running' ELSE 'queued' END
                     WHEN ${cell(`c.status = 'failed'`)} THEN 'failed'
                     ELSE 'done' END,
       finished_at = CASE WHEN ${cell(`c.status IN ${LIVE}`)} THEN NULL ELSE COALESCE(s.finished_at, now()) END
     WHERE s.id = ANY($1::uuid[])`,
    [sweepIds],
  );
}
