// `mklab migrate` (npm run migration:run): applies pending migrations to
// DATABASE_URL, or to the embedded PostgreSQL under ./.mklab/ when it is unset.
//   mklab migrate            apply pending migrations
//   mklab migrate --revert   undo the last applied migration
//   mklab migrate --status   list applied and pending migrations
import * as path from 'path';
import { createFarmDataSource, DEFAULT_EMBEDDED_PG_PORT, openFarmDatabase, startEmbeddedPostgres } from '@mklab/db';

export function farmHome(): string {
  return path.resolve(process.env.MKLAB_HOME ?? '.mklab');
}

export function embeddedPort(): number {
  const p = Number(process.env.MKLAB_PG_PORT ?? DEFAULT_EMBEDDED_PG_PORT);
  if (!Number.isInteger(p) || p <= 0 || p > 65535) throw new Error(`MKLAB_PG_PORT must be a TCP port, got '${process.env.MKLAB_PG_PORT}'`);
  return p;
}

export async function runMigrateCommand(argv: string[]): Promise<number> {
  const unknown = argv.filter((a) => a !== '--revert' && a !== '--status');
  if (unknown.length) {
    console.error(`mklab migrate: unknown argument '${unknown[0]}' (usage: mklab migrate [--revert | --status])`);
    return 2;
  }
  let url = process.env.DATABASE_URL;
  const embedded = url ? null : await startEmbeddedPostgres({ dataDir: path.join(farmHome(), 'pg'), port: embeddedPort() });
  url ??= embedded!.url;
  try {
    if (argv.includes('--status') || argv.includes('--revert')) {
      const ds = createFarmDataSource({ url });
      await ds.initialize();
      try {
        if (argv.includes('--revert')) {
          await ds.undoLastMigration({ transaction: 'each' });
          console.log('mklab migrate: reverted the last migration');
        }
        const applied = new Set<string>(
          (await ds.query(`SELECT name FROM farm_migrations`).catch(() => [])).map((r: { name: string }) => r.name),
        );
        for (const m of ds.migrations) console.log(`${applied.has(m.name!) ? 'applied' : 'pending'}  ${m.name}`);
      } finally {
        await ds.destroy();
      }
      return 0;
    }
    const { dataSource, applied } = await openFarmDatabase({ url });
    await dataSource.destroy();
    console.log(applied.length ? `mklab migrate: applied ${applied.join(', ')}` : 'mklab migrate: the database is up to date');
    return 0;
  } finally {
    await embedded?.stop();
  }
}
