import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { EmulatorBuildEntity } from './emulator-build.entity';

/** A submitted SweepSpec: its status is derived from its cells. */
@Entity('sweeps')
@Check('CHK_sweeps_status', `"status" IN ('queued', 'running', 'done', 'failed', 'cancelled')`)
@Index('IDX_sweeps_created_at', ['createdAt'])
export class SweepEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_sweeps' })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: string;

  /** 0..100, higher first */
  @Column({ type: 'integer' })
  priority!: number;

  /** the spec as submitted (after defaults) */
  @Column({ type: 'jsonb' })
  spec!: Record<string, unknown>;

  @ManyToOne(() => EmulatorBuildEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'emulator_build_id', foreignKeyConstraintName: 'FK_sweeps_emulator_build' })
  emulatorBuild?: EmulatorBuildEntity;

  @Column({ name: 'emulator_build_id', type: 'integer' })
  emulatorBuildId!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
