import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { RunEntity } from './run.entity';

/** One aggregated metric of a run, as the bench's parser reported it. */
@Entity('metrics')
@Check('CHK_metrics_direction', `"direction" IN ('lower', 'higher')`)
@Index('UQ_metrics_run_name', ['runId', 'name'], { unique: true })
@Index('IDX_metrics_name', ['name'])
export class MetricEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_metrics' })
  id!: string;

  @ManyToOne(() => RunEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'FK_metrics_run' })
  run?: RunEntity;

  @Column({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'double precision' })
  value!: number;

  @Column({ type: 'varchar', length: 32 })
  unit!: string;

  /** which way is better */
  @Column({ type: 'varchar', length: 8 })
  direction!: string;
}
