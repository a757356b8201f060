// The farm database: TypeORM on PostgreSQL, migrations only (synchronize off).
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { FARM_ENTITIES } from './entities';
import { FARM_MIGRATIONS } from '../../../migrations';

/** pg_advisory_lock key serializing migrations across processes ('mklab' in ASCII). */
const MIGRATION_LOCK_KEY = 0x6d6b6c6162;

export interface FarmDataSourceOptions {
  /** postgres://user@host:port/db */
  url: string;
  poolSize?: number;
  logging?: boolean;
}

export function createFarmDataSource(opts: FarmDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: opts.url,
    entities: FARM_ENTITIES,
    migrations: FARM_MIGRATIONS,
    migrationsTableName: 'farm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    // gen_random_uuid() is built into PostgreSQL ≥ 13: no extension needed.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: opts.logging ?? false,
    extra: { max: opts.poolSize ?? 10 },
  });
}

/** Opens the data source and applies pending migrations; returns the names applied. */
export async function openFarmDatabase(opts: FarmDataSourceOptions): Promise<{ dataSource: DataSource; applied: string[] }> {
  const dataSource = createFarmDataSource(opts);
  await dataSource.initialize();
  // Several processes (api, workers) may start at once: one migrates, the
  // others wait on a session-level advisory lock and then find nothing to do.
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return { dataSource, applied: applied.map((m) => m.name) };
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } catch (e) {
    await dataSource.destroy();
    throw e;
  } finally {
    await lock.release();
  }
}
