import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A published set of figures to compare against (e.g. the paper's Table 2). Never produced by the farm. */
@Entity('reference_datasets')
export class ReferenceDatasetEntity {
  @PrimaryColumn({ type: 'varchar', length: 100, primaryKeyConstraintName: 'PK_reference_datasets' })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  /** the publication, table and page the values come from */
  @Column({ type: 'text' })
  source!: string;

  @Column({ type: 'text' })
  description!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
