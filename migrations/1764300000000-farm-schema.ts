import type { MigrationInterface, QueryRunner } from 'typeorm';

// The farm's schema (docs/design/farm-data-model.md). Hand-kept raw SQL: `up`
// creates every table, index and constraint; `down` is its exact reverse.
// TypeORM's schema builder must find nothing to change after this migration
// (libs/db/src/schema-drift.test.ts).
export class FarmSchema1764300000000 implements MigrationInterface {
  name = 'FarmSchema1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "emulator_builds" ("id" SERIAL NOT NULL, "version" character varying(100) NOT NULL, "git_sha" character varying(64), "ordinal" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_emulator_builds_ordinal" UNIQUE ("ordinal"), CONSTRAINT "UQ_emulator_builds_version" UNIQUE ("version"), CONSTRAINT "PK_emulator_builds" PRIMARY KEY ("id"))`);
    await q.query(`CREATE TABLE "systems" ("id" character varying(64) NOT NULL, "title" character varying(200) NOT NULL, "description" text NOT NULL, "arch" character varying(16) NOT NULL, "libc_backend" character varying(16) NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_systems" PRIMARY KEY ("id"))`);
    await q.query(`CREATE TABLE "benchmarks" ("id" character varying(64) NOT NULL, "title" character varying(200) NOT NULL, "description" text NOT NULL, "params" jsonb NOT NULL, "metrics" jsonb NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_benchmarks" PRIMARY KEY ("id"))`);
    await q.query(`CREATE TABLE "sweeps" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "status" character varying(16) NOT NULL, "priority" integer NOT NULL, "spec" jsonb NOT NULL, "emulator_build_id" integer NOT NULL, "error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_sweeps_status" CHECK ("status" IN ('queued', 'running', 'done', 'failed', 'cancelled')), CONSTRAINT "PK_sweeps" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_sweeps_created_at" ON "sweeps" ("created_at")`);
    await q.query(`CREATE TABLE "runs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "emulator_build_id" integer NOT NULL, "config_hash" character varying(64) NOT NULL, "system_id" character varying(64) NOT NULL, "benchmark_id" character varying(64) NOT NULL, "params" jsonb NOT NULL, "seed" integer NOT NULL, "status" character varying(8) NOT NULL, "error_kind" character varying(32), "error" text, "counters" jsonb NOT NULL, "stdout" text NOT NULL, "stderr" text NOT NULL, "exit_status" integer, "provenance" jsonb NOT NULL, "host" character varying(200) NOT NULL, "wall_ms" integer NOT NULL, "simulated_cycles" bigint NOT NULL, "cycles_per_second" double precision NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_runs_status" CHECK ("status" IN ('ok', 'error')), CONSTRAINT "PK_runs" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_runs_config_hash" ON "runs" ("config_hash")`);
    await q.query(`CREATE INDEX "IDX_runs_system_bench" ON "runs" ("system_id", "benchmark_id", "created_at")`);
    await q.query(`CREATE UNIQUE INDEX "UQ_runs_identity" ON "runs" ("emulator_build_id", "config_hash")`);
    await q.query(`CREATE TABLE "sweep_cells" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "sweep_id" uuid NOT NULL, "ordinal" integer NOT NULL, "emulator_build_id" integer NOT NULL, "config_hash" character varying(64) NOT NULL, "system_id" character varying(64) NOT NULL, "benchmark_id" character varying(64) NOT NULL, "params" jsonb NOT NULL, "seed" integer NOT NULL, "status" character varying(16) NOT NULL, "progress" real NOT NULL DEFAULT '0', "cached" boolean NOT NULL DEFAULT false, "run_id" uuid, "job_id" character varying(200) NOT NULL, "host" character varying(200), "error" text, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_sweep_cells_status" CHECK ("status" IN ('queued', 'running', 'done', 'failed', 'cancelled', 'cached')), CONSTRAINT "PK_sweep_cells" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_sweep_cells_run" ON "sweep_cells" ("run_id")`);
    await q.query(`CREATE INDEX "IDX_sweep_cells_identity" ON "sweep_cells" ("emulator_build_id", "config_hash", "status")`);
    await q.query(`CREATE UNIQUE INDEX "UQ_sweep_cells_sweep_ordinal" ON "sweep_cells" ("sweep_id", "ordinal")`);
    await q.query(`CREATE TABLE "metrics" ("id" BIGSERIAL NOT NULL, "run_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "value" double precision NOT NULL, "unit" character varying(32) NOT NULL, "direction" character varying(8) NOT NULL, CONSTRAINT "CHK_metrics_direction" CHECK ("direction" IN ('lower', 'higher')), CONSTRAINT "PK_metrics" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_metrics_name" ON "metrics" ("name")`);
    await q.query(`CREATE UNIQUE INDEX "UQ_metrics_run_name" ON "metrics" ("run_id", "name")`);
    await q.query(`CREATE TABLE "samples" ("id" BIGSERIAL NOT NULL, "run_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "values" double precision array NOT NULL, CONSTRAINT "PK_samples" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "UQ_samples_run_name" ON "samples" ("run_id", "name")`);
    await q.query(`CREATE TABLE "reference_datasets" ("id" character varying(100) NOT NULL, "title" character varying(200) NOT NULL, "source" text NOT NULL, "description" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_reference_datasets" PRIMARY KEY ("id"))`);
    await q.query(`CREATE TABLE "reference_values" ("id" SERIAL NOT NULL, "dataset_id" character varying(100) NOT NULL, "system_id" character varying(64) NOT NULL, "system_label" character varying(100) NOT NULL, "bench_id" character varying(64) NOT NULL, "metric" character varying(100) NOT NULL, "value" double precision NOT NULL, "unit" character varying(32) NOT NULL, CONSTRAINT "PK_reference_values" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "UQ_reference_values_key" ON "reference_values" ("dataset_id", "system_id", "bench_id", "metric")`);
    await q.query(`ALTER TABLE "sweeps" ADD CONSTRAINT "FK_sweeps_emulator_build" FOREIGN KEY ("emulator_build_id") REFERENCES "emulator_builds"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "runs" ADD CONSTRAINT "FK_runs_emulator_build" FOREIGN KEY ("emulator_build_id") REFERENCES "emulator_builds"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "runs" ADD CONSTRAINT "FK_runs_system" FOREIGN KEY ("system_id") REFERENCES "systems"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "runs" ADD CONSTRAINT "FK_runs_benchmark" FOREIGN KEY ("benchmark_id") REFERENCES "benchmarks"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "sweep_cells" ADD CONSTRAINT "FK_sweep_cells_sweep" FOREIGN KEY ("sweep_id") REFERENCES "sweeps"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "sweep_cells" ADD CONSTRAINT "FK_sweep_cells_run" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "metrics" ADD CONSTRAINT "FK_metrics_run" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "samples" ADD CONSTRAINT "FK_samples_run" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "reference_values" ADD CONSTRAINT "FK_reference_values_dataset" FOREIGN KEY ("dataset_id") REFERENCES "reference_datasets"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "reference_values" DROP CONSTRAINT "FK_reference_values_dataset"`);
    await q.query(`ALTER TABLE "samples" DROP CONSTRAINT "FK_samples_run"`);
    await q.query(`ALTER TABLE "metrics" DROP CONSTRAINT "FK_metrics_run"`);
    await q.query(`ALTER TABLE "sweep_cells" DROP CONSTRAINT "FK_sweep_cells_run"`);
    await q.query(`ALTER TABLE "sweep_cells" DROP CONSTRAINT "FK_sweep_cells_sweep"`);
    await q.query(`ALTER TABLE "runs" DROP CONSTRAINT "FK_runs_benchmark"`);
    await q.query(`ALTER TABLE "runs" DROP CONSTRAINT "FK_runs_system"`);
    await q.query(`ALTER TABLE "runs" DROP CONSTRAINT "FK_runs_emulator_build"`);
    await q.query(`ALTER TABLE "sweeps" DROP CONSTRAINT "FK_sweeps_emulator_build"`);
    await q.query(`DROP INDEX "UQ_reference_values_key"`);
    await q.query(`DROP TABLE "reference_values"`);
    await q.query(`DROP TABLE "reference_datasets"`);
    await q.query(`DROP INDEX "UQ_samples_run_name"`);
    await q.query(`DROP TABLE "samples"`);
    await q.query(`DROP INDEX "UQ_metrics_run_name"`);
    await q.query(`DROP INDEX "IDX_metrics_name"`);
    await q.query(`DROP TABLE "metrics"`);
    await q.query(`DROP INDEX "UQ_sweep_cells_sweep_ordinal"`);
    await q.query(`DROP INDEX "IDX_sweep_cells_identity"`);
    await q.query(`DROP INDEX "IDX_sweep_cells_run"`);
    await q.query(`DROP TABLE "sweep_cells"`);
    await q.query(`DROP INDEX "UQ_runs_identity"`);
    await q.query(`DROP INDEX "IDX_runs_system_bench"`);
    await q.query(`DROP INDEX "IDX_runs_config_hash"`);
    await q.query(`DROP TABLE "runs"`);
    await q.query(`DROP INDEX "IDX_sweeps_created_at"`);
    await q.query(`DROP TABLE "sweeps"`);
    await q.query(`DROP TABLE "benchmarks"`);
    await q.query(`DROP TABLE "systems"`);
    await q.query(`DROP TABLE "emulator_builds"`);
  }
}
