import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { RunEntity } from './run.entity';

/** The raw per-repetition values a metric was aggregated from (Conbench keeps them beside the aggregate). */
@Entity('samples')
@Index('UQ_samples_run_name', ['runId', 'name'], { unique: true })
export class SampleEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_samples' })
  id!: string;

  @ManyToOne(() => RunEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'FK_samples_run' })
  run?: RunEntity;

  @Column({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'double precision', array: true })
  values!: number[];
}
