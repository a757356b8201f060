import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A system of the lab's catalogue (listSystems()), mirrored so runs can reference it. */
@Entity('systems')
export class SystemEntity {
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'PK_systems' })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'varchar', length: 16 })
  arch!: string;

  @Column({ name: 'libc_backend', type: 'varchar', length: 16 })
  libcBackend!: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
