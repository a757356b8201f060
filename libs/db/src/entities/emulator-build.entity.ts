import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** One emulator version that produced results (LNT's "order"): results are comparable within a build. */
@Entity('emulator_builds')
@Unique('UQ_emulator_builds_version', ['version'])
@Unique('UQ_emulator_builds_ordinal', ['ordinal'])
export class EmulatorBuildEntity {
  @PrimaryGeneratedColumn({ type: 'integer', primaryKeyConstraintName: 'PK_emulator_builds' })
  id!: number;

  /** EMULATOR_VERSION from libs/lab: package version + digest of emulator code and guest images */
  @Column({ type: 'varchar', length: 100 })
  version!: string;

  @Column({ name: 'git_sha', type: 'varchar', length: 64, nullable: true })
  gitSha!: string | null;

  /** the order builds were first seen in; history views use it as their x-axis */
  @Column({ type: 'integer' })
  ordinal!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
