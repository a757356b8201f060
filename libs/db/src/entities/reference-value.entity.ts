import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ReferenceDatasetEntity } from './reference-dataset.entity';

/** One published value: system × bench × metric, as printed in the source. */
@Entity('reference_values')
@Index('UQ_reference_values_key', ['datasetId', 'systemId', 'benchId', 'metric'], { unique: true })
export class ReferenceValueEntity {
  @PrimaryGeneratedColumn({ type: 'integer', primaryKeyConstraintName: 'PK_reference_values' })
  id!: number;

  @ManyToOne(() => ReferenceDatasetEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'dataset_id', foreignKeyConstraintName: 'FK_reference_values_dataset' })
  dataset?: ReferenceDatasetEntity;

  @Column({ name: 'dataset_id', type: 'varchar', length: 100 })
  datasetId!: string;

  /** the lab's system id this figure corresponds to */
  @Column({ name: 'system_id', type: 'varchar', length: 64 })
  systemId!: string;

  /** the paper's own name for the system */
  @Column({ name: 'system_label', type: 'varchar', length: 100 })
  systemLabel!: string;

  @Column({ name: 'bench_id', type: 'varchar', length: 64 })
  benchId!: string;

  @Column({ type: 'varchar', length: 100 })
  metric!: string;

  @Column({ type: 'double precision' })
  value!: number;

  @Column({ type: 'varchar', length: 32 })
  unit!: string;
}
