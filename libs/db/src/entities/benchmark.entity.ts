import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A benchmark of the lab's catalogue (listBenches()) with its params and metrics as declared. */
@Entity('benchmarks')
export class BenchmarkEntity {
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'PK_benchmarks' })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'jsonb' })
  params!: unknown[];

  @Column({ type: 'jsonb' })
  metrics!: unknown[];

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
