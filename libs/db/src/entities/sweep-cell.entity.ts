import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { SweepEntity } from './sweep.entity';
import { RunEntity } from './run.entity';

/**
 * One cell of a sweep: the sweep's view of an experiment (status, progress) and
 * the run that answered it. Several cells (of several sweeps) may point to one
 * run: `cached` says the run existed before this cell asked for it.
 */
@Entity('sweep_cells')
@Check('CHK_sweep_cells_status', `"status" IN ('queued', 'running', 'done', 'failed', 'cancelled', 'cached')`)
@Index('UQ_sweep_cells_sweep_ordinal', ['sweepId', 'ordinal'], { unique: true })
@Index('IDX_sweep_cells_identity', ['emulatorBuildId', 'configHash', 'status'])
@Index('IDX_sweep_cells_run', ['runId'])
@Index('IDX_sweep_cells_sweep_status', ['sweepId', 'status'])
export class SweepCellEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_sweep_cells' })
  id!: string;

  @ManyToOne(() => SweepEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'sweep_id', foreignKeyConstraintName: 'FK_sweep_cells_sweep' })
  sweep?: SweepEntity;

  @Column({ name: 'sweep_id', type: 'uuid' })
  sweepId!: string;

  @Column({ type: 'integer' })
  ordinal!: number;

  @Column({ name: 'emulator_build_id', type: 'integer' })
  emulatorBuildId!: number;

  @Column({ name: 'config_hash', type: 'varchar', length: 64 })
  configHash!: string;

  @Column({ name: 'system_id', type: 'varchar', length: 64 })
  systemId!: string;

  @Column({ name: 'benchmark_id', type: 'varchar', length: 64 })
  benchmarkId!: string;

  @Column({ type: 'jsonb' })
  params!: Record<string, unknown>;

  @Column({ type: 'integer' })
  seed!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: string;

  /** 0..1: simulated cycles so far over the cycle budget */
  @Column({ type: 'real', default: 0 })
  progress!: number;

  @Column({ type: 'boolean', default: false })
  cached!: boolean;

  @ManyToOne(() => RunEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'FK_sweep_cells_run' })
  run?: RunEntity | null;

  @Column({ name: 'run_id', type: 'uuid', nullable: true })
  runId!: string | null;

  @Column({ name: 'job_id', type: 'varchar', length: 200 })
  jobId!: string;

  /** the worker host that last claimed the cell */
  @Column({ type: 'varchar', length: 200, nullable: true })
  host!: string | null;

  /** infrastructure failure after the last retry (guest errors live on the run) */
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
