import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { EmulatorBuildEntity } from './emulator-build.entity';
import { SystemEntity } from './system.entity';
import { BenchmarkEntity } from './benchmark.entity';

/**
 * One finished experiment, stored once per identity (emulator build + config
 * hash). Guest and emulator errors are results too (status 'error').
 */
@Entity('runs')
@Check('CHK_runs_status', `"status" IN ('ok', 'error')`)
@Index('UQ_runs_identity', ['emulatorBuildId', 'configHash'], { unique: true })
@Index('IDX_runs_system_bench', ['systemId', 'benchmarkId', 'createdAt'])
@Index('IDX_runs_config_hash', ['configHash'])
export class RunEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_runs' })
  id!: string;

  @ManyToOne(() => EmulatorBuildEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'emulator_build_id', foreignKeyConstraintName: 'FK_runs_emulator_build' })
  emulatorBuild?: EmulatorBuildEntity;

  @Column({ name: 'emulator_build_id', type: 'integer' })
  emulatorBuildId!: number;

  @Column({ name: 'config_hash', type: 'varchar', length: 64 })
  configHash!: string;

  @ManyToOne(() => SystemEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'system_id', foreignKeyConstraintName: 'FK_runs_system' })
  system?: SystemEntity;

  @Column({ name: 'system_id', type: 'varchar', length: 64 })
  systemId!: string;

  @ManyToOne(() => BenchmarkEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'benchmark_id', foreignKeyConstraintName: 'FK_runs_benchmark' })
  benchmark?: BenchmarkEntity;

  @Column({ name: 'benchmark_id', type: 'varchar', length: 64 })
  benchmarkId!: string;

  /** params after defaults */
  @Column({ type: 'jsonb' })
  params!: Record<string, unknown>;

  @Column({ type: 'integer' })
  seed!: number;

  @Column({ type: 'varchar', length: 8 })
  status!: string;

  @Column({ name: 'error_kind', type: 'varchar', length: 32, nullable: true })
  errorKind!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** machine and kernel counters of the run */
  @Column({ type: 'jsonb' })
  counters!: Record<string, number>;

  @Column({ type: 'text' })
  stdout!: string;

  @Column({ type: 'text' })
  stderr!: string;

  @Column({ name: 'exit_status', type: 'integer', nullable: true })
  exitStatus!: number | null;

  /** emulator version, git sha, config hash, machine config, node version */
  @Column({ type: 'jsonb' })
  provenance!: Record<string, unknown>;

  /** recorded, never part of the identity */
  @Column({ type: 'varchar', length: 200 })
  host!: string;

  @Column({ name: 'wall_ms', type: 'integer' })
  wallMs!: number;

  @Column({ name: 'simulated_cycles', type: 'bigint' })
  simulatedCycles!: string;

  @Column({ name: 'cycles_per_second', type: 'double precision' })
  cyclesPerSecond!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
