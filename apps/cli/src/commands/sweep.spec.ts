import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EXIT, runSweepCommand } from './sweep';

// The CLI against a small HTTP stand-in that answers as contracts.md says the farm does.
// (test/browser/ drives the same command against the real farm.)

interface Recorded {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
}

function cell(id: string, system: string, status: string, progress: number, runId: string | null) {
  return { id, configHash: `hash-${id}`, system, bench: 'getpid', params: { iterations: 100 }, seed: 1, status, progress, runId };
}

function startStub(handler: (req: Recorded, res: ServerResponse) => void): Promise<{ server: Server; url: string; seen: Recorded[] }> {
  const seen: Recorded[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'], body };
      seen.push(r);
      handler(r, res);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen })));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: (baseUrl: string) => ({ baseUrl, pollMs: 10, stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s), isTTY: false } }),
  };
}

const dir = mkdtempSync(path.join(tmpdir(), 'mklab-sweep-cli-'));
function specFile(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('mklab sweep', () => {
  let stub: Awaited<ReturnType<typeof startStub>> | null = null;
  afterEach(async () => {
    if (stub) await new Promise((r) => stub!.server.close(r));
    stub = null;
  });

  it('submits, shows progress on stderr until the sweep ends, then prints the results', async () => {
    let polls = 0;
    stub = await startStub((req, res) => {
      if (req.method === 'POST' && req.url === '/api/sweeps') return json(res, 201, { id: '42', cells: 2, cached: 0 });
      if (req.url === '/api/sweeps/42') {
        polls++;
        const cells =
          polls === 1
            ? [cell('1', 'linux', 'running', 0.5, null), cell('2', 'l4linux', 'queued', 0, null)]
            : [cell('1', 'linux', 'done', 1, 'r1'), cell('2', 'l4linux', 'done', 1, 'r2')];
        return json(res, 200, { id: '42', name: 'tbl2', status: polls === 1 ? 'running' : 'done', priority: 50, createdAt: '', spec: {}, counts: {}, cells });
      }
      if (req.url === '/api/metrics?sweep=42&format=json') {
        return json(res, 200, [
          { runId: 'r1', system: 'linux', bench: 'getpid', metric: 'getpid_cycles', value: 224, unit: 'cycles' },
          { runId: 'r2', system: 'l4linux', bench: 'getpid', metric: 'getpid_cycles', value: 531.5, unit: 'cycles' },
        ]);
      }
      json(res, 404, { statusCode: 404, message: `no route ${req.url}` });
    });
    const c = capture();
    const code = await runSweepCommand(['submit', specFile('s.json', '{"name":"tbl2","systems":["linux","l4linux"],"benches":["getpid"]}')], c.io(stub.url));
    expect(code).toBe(EXIT.ok);
    expect(stub.seen[0]).toMatchObject({ method: 'POST', contentType: 'application/json' });
    expect(JSON.parse(stub.seen[0].body)).toEqual({ name: 'tbl2', systems: ['linux', 'l4linux'], benches: ['getpid'] });
    const err = c.err.join('');
    expect(err).toContain('sweep 42: 2 cells');
    expect(err).toContain(' 25%  0/2 cells · 1 running · 1 queued');
    expect(err).toContain('100%  2/2 cells');
    const out = c.out.join('');
    expect(out).toContain('sweep 42 "tbl2": done');
    expect(out).toMatch(/linux\s+getpid\s+iterations=100\s+1\s+done\s+224\n/);
    expect(out).toMatch(/l4linux\s+getpid\s+iterations=100\s+1\s+done\s+531\.5/);
    expect(out).toContain('getpid_cycles (cycles)');
  });

  it('sends YAML as YAML and exits 1 when cells failed', async () => {
    stub = await startStub((req, res) => {
      if (req.method === 'POST') return json(res, 201, { id: '7', cells: 1, cached: 0 });
      if (req.url === '/api/sweeps/7') return json(res, 200, { id: '7', name: 'y', status: 'failed', cells: [cell('1', 'linux', 'failed', 0, null)] });
      return json(res, 200, []);
    });
    const c = capture();
    const code = await runSweepCommand(['submit', specFile('s.yaml', 'name: y\nsystems: [linux]\nbenches: [getpid]\n')], c.io(stub.url));
    expect(code).toBe(EXIT.sweepFailed);
    expect(stub.seen[0].contentType).toBe('application/yaml');
    expect(stub.seen[0].body).toContain('benches: [getpid]');
    expect(c.out.join('')).toMatch(/linux\s+getpid\s+iterations=100\s+1\s+failed/);
  });

  it("reports the API's 400 with the offending field and queues nothing", async () => {
    stub = await startStub((_req, res) => json(res, 400, { statusCode: 400, message: 'systems[0]: unknown system "linx"', field: 'systems[0]' }));
    const c = capture();
    const code = await runSweepCommand(['submit', specFile('bad.json', '{"name":"x","systems":["linx"],"benches":["getpid"]}')], c.io(stub.url));
    expect(code).toBe(EXIT.usage);
    expect(c.err.join('')).toContain('the farm refused: systems[0]: unknown system "linx" [field: systems[0]] (400, POST /api/sweeps)');
    expect(stub.seen).toHaveLength(1);
  });

  it('says so when nothing answers at MKLAB_URL', async () => {
    const closed = await startStub(() => undefined);
    const url = closed.url;
    await new Promise((r) => closed.server.close(r));
    const c = capture();
    const code = await runSweepCommand(['status', '3'], c.io(url));
    expect(code).toBe(EXIT.api);
    expect(c.err.join('')).toContain(`cannot reach the farm API at ${url} (ECONNREFUSED)`);
  });

  it('refuses a spec that is not JSON before sending it, and a missing file', async () => {
    const c = capture();
    expect(await runSweepCommand(['submit', specFile('broken.json', '{"name": ')], c.io('http://127.0.0.1:9'))).toBe(EXIT.usage);
    expect(c.err.join('')).toContain('broken.json is not valid JSON');
    expect(await runSweepCommand(['submit', path.join(dir, 'nope.yaml')], c.io('http://127.0.0.1:9'))).toBe(EXIT.usage);
    expect(c.err.join('')).toContain('no such spec file');
    expect(await runSweepCommand(['launch'], c.io('http://127.0.0.1:9'))).toBe(EXIT.usage);
    expect(c.err.join('')).toContain("unknown sweep command 'launch'");
  });

  it('lists the sweeps and watches a running one with status --watch', async () => {
    let polls = 0;
    stub = await startStub((req, res) => {
      if (req.url === '/api/sweeps') {
        return json(res, 200, [{ id: 'a1', name: 'first', status: 'running', createdAt: '2026-11-28T06:00:00.000Z', counts: { total: 4, done: 1, failed: 1, running: 2 } }]);
      }
      if (req.url === '/api/sweeps/a1') {
        polls++;
        return json(res, 200, { id: 'a1', name: 'first', status: polls < 3 ? 'running' : 'done', cells: [cell('1', 'linux', polls < 3 ? 'running' : 'done', 0.5, polls < 3 ? null : 'r1')] });
      }
      return json(res, 200, { rows: [{ runId: 'r1', system: 'linux', bench: 'getpid', metric: 'getpid_cycles', value: 223, unit: 'cycles' }], series: [] });
    });
    const c = capture();
    expect(await runSweepCommand(['list'], c.io(stub.url))).toBe(EXIT.ok);
    expect(c.out.join('')).toMatch(/a1\s+first\s+running\s+2\/4\s+1\s+2026-11-28T06:00:00.000Z/);
    expect(await runSweepCommand(['status', 'a1', '--watch'], c.io(stub.url))).toBe(EXIT.ok);
    expect(polls).toBe(3);
    expect(c.err.join('')).toContain(' 50%  0/1 cells · 1 running');
    expect(c.out.join('')).toMatch(/linux\s+getpid\s+iterations=100\s+1\s+done\s+223/);
  });

  it('cancels and shows the sweep afterwards; a 404 is reported with its message', async () => {
    stub = await startStub((req, res) => {
      if (req.url === '/api/sweeps/5/cancel') return json(res, 201, { ok: true });
      if (req.url === '/api/sweeps/5') return json(res, 200, { id: '5', name: 'c', status: 'cancelled', cells: [cell('1', 'linux', 'cancelled', 0, null)] });
      return json(res, 404, { statusCode: 404, message: 'no sweep 6' });
    });
    const c = capture();
    expect(await runSweepCommand(['cancel', '5'], c.io(stub.url))).toBe(EXIT.ok);
    expect(c.out.join('')).toContain('sweep 5 "c": cancelled (1 cells: 1 cancelled)');
    expect(await runSweepCommand(['cancel', '6'], c.io(stub.url))).toBe(EXIT.usage);
    expect(c.err.join('')).toContain('no sweep 6');
  });
});
