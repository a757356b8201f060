// `mklab sweep submit|status|cancel`: talk to a running farm (MKLAB_URL, default
// http://localhost:3000). submit POSTs the spec, shows a progress bar on stderr until
// the sweep ends and prints the results table on stdout.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FarmApiError, FarmClient, FarmUnreachableError, type SweepDetail } from '../http-client';
import { progressLine, resultsTable, sweepListTable, sweepSummary, TERMINAL_SWEEP_STATUSES } from './sweep-report';

const USAGE = `usage:
  mklab sweep submit <spec.json|spec.yaml> [--no-wait] [--json] [--interval ms]
  mklab sweep status <id> [--watch] [--json]
  mklab sweep list [--json]
  mklab sweep cancel <id>
The farm's URL comes from MKLAB_URL (default http://localhost:3000).`;

/** Exit codes: 0 all cells done, 1 the sweep ended with failed or cancelled cells, 2 usage
 *  or a spec the API rejected, 3 the API is unreachable or answered an unexpected error,
 *  130 interrupted while watching (the sweep itself goes on). */
export const EXIT = { ok: 0, sweepFailed: 1, usage: 2, api: 3, interrupted: 130 } as const;

export interface SweepCommandIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  /** the farm's base URL (defaults to MKLAB_URL) */
  baseUrl?: string;
  /** stops watching (Ctrl-C) */
  signal?: AbortSignal;
  pollMs?: number;
}

class UsageError extends Error {}

interface Options {
  positional: string[];
  wait: boolean;
  json: boolean;
  watch: boolean;
  intervalMs: number | null;
}

function parseOptions(args: string[]): Options {
  const o: Options = { positional: [], wait: true, json: false, watch: false, intervalMs: null };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--no-wait') o.wait = false;
    else if (a === '--json') o.json = true;
    else if (a === '--watch') o.watch = true;
    else if (a === '--interval') {
      const v = Number(args[++i]);
      if (!Number.isInteger(v) || v < 50) throw new UsageError(`--interval wants milliseconds ≥ 50, got '${args[i] ?? ''}'`);
      o.intervalMs = v;
    } else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else o.positional.push(a);
  }
  return o;
}

// From the terminal: Ctrl-C stops watching, not the sweep.
function processIo(): SweepCommandIo {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  return { stdout: process.stdout, stderr: process.stderr, signal: controller.signal };
}

export async function runSweepCommand(argv: string[], io: SweepCommandIo = processIo()): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    const opts = parseOptions(rest);
    if (sub === undefined) {
      io.stderr.write(USAGE + '\n');
      return EXIT.usage;
    }
    if (sub === 'help' || sub === '--help') {
      io.stdout.write(USAGE + '\n');
      return EXIT.ok;
    }
    const client = new FarmClient(io.baseUrl);
    switch (sub) {
      case 'submit':
        return await submit(client, opts, io);
      case 'status':
        return await status(client, opts, io);
      case 'cancel':
        return await cancel(client, opts, io);
      case 'list':
        return await list(client, opts, io);
      default:
        throw new UsageError(`unknown sweep command '${sub}'`);
    }
  } catch (err) {
    return reportError(err, io);
  }
}

function reportError(err: unknown, io: SweepCommandIo): number {
  if (err instanceof UsageError) {
    io.stderr.write(`mklab sweep: ${err.message}\n${USAGE}\n`);
    return EXIT.usage;
  }
  if (err instanceof FarmApiError) {
    const field = err.field ? ` [field: ${err.field}]` : '';
    io.stderr.write(`mklab sweep: the farm refused: ${err.apiMessage}${field} (${err.status}, ${err.url})\n`);
    return err.status === 400 || err.status === 404 || err.status === 422 ? EXIT.usage : EXIT.api;
  }
  if (err instanceof FarmUnreachableError) {
    io.stderr.write(`mklab sweep: ${err.message}\n`);
    return EXIT.api;
  }
  io.stderr.write(`mklab sweep: ${err instanceof Error ? err.message : String(err)}\n`);
  return EXIT.api;
}

function onePositional(opts: Options, what: string): string {
  if (opts.positional.length !== 1) throw new UsageError(`expected one ${what}, got ${opts.positional.length}`);
  return opts.positional[0];
}

async function readSpec(file: string): Promise<{ body: string; contentType: 'application/json' | 'application/yaml' }> {
  let body: string;
  try {
    body = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `no such spec file: ${file}` : `cannot read ${file}: ${(err as Error).message}`);
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return { body, contentType: 'application/yaml' };
  if (ext === '.json') {
    try {
      JSON.parse(body);
    } catch (err) {
      throw new UsageError(`${file} is not valid JSON: ${(err as Error).message}`);
    }
    return { body, contentType: 'application/json' };
  }
  throw new UsageError(`a spec file ends in .json, .yaml or .yml: ${file}`);
}

async function submit(client: FarmClient, opts: Options, io: SweepCommandIo): Promise<number> {
  const file = onePositional(opts, 'spec file');
  const spec = await readSpec(file);
  const created = await client.submitSweep(spec.body, spec.contentType);
  io.stderr.write(`sweep ${created.id}: ${created.cells} cells (${created.cached} from stored results) — ${client.baseUrl}/sweeps/${created.id}\n`);
  if (!opts.wait) {
    io.stdout.write(opts.json ? JSON.stringify(created) + '\n' : `${created.id}\n`);
    return EXIT.ok;
  }
  const sweep = await watch(client, created.id, opts.intervalMs ?? io.pollMs ?? 1000, io);
  if (!sweep) {
    io.stderr.write(`stopped watching; sweep ${created.id} goes on (mklab sweep status ${created.id} / mklab sweep cancel ${created.id})\n`);
    return EXIT.interrupted;
  }
  return printFinal(client, sweep, opts, io);
}

async function status(client: FarmClient, opts: Options, io: SweepCommandIo): Promise<number> {
  const id = onePositional(opts, 'sweep id');
  let sweep = await client.getSweep(id);
  if (opts.watch && !TERMINAL_SWEEP_STATUSES.has(sweep.status)) {
    const watched = await watch(client, id, opts.intervalMs ?? io.pollMs ?? 1000, io);
    if (!watched) return EXIT.interrupted;
    sweep = watched;
  }
  if (!TERMINAL_SWEEP_STATUSES.has(sweep.status)) {
    if (opts.json) {
      io.stdout.write(JSON.stringify(sweep, null, 2) + '\n');
      return EXIT.ok;
    }
    io.stdout.write(`${sweepSummary(sweep)}\n${progressLine(sweep)}\n`);
    const metrics = await client.getMetrics(id);
    io.stdout.write(resultsTable(sweep, metrics) + '\n');
    return EXIT.ok;
  }
  return printFinal(client, sweep, opts, io);
}

async function list(client: FarmClient, opts: Options, io: SweepCommandIo): Promise<number> {
  if (opts.positional.length) throw new UsageError(`unexpected argument '${opts.positional[0]}'`);
  const sweeps = await client.listSweeps();
  if (opts.json) io.stdout.write(JSON.stringify(sweeps, null, 2) + '\n');
  else io.stdout.write(sweepListTable(sweeps) + '\n');
  return EXIT.ok;
}

async function cancel(client: FarmClient, opts: Options, io: SweepCommandIo): Promise<number> {
  const id = onePositional(opts, 'sweep id');
  await client.cancelSweep(id);
  const sweep = await client.getSweep(id);
  io.stdout.write(sweepSummary(sweep) + '\n');
  return EXIT.ok;
}

async function printFinal(client: FarmClient, sweep: SweepDetail, opts: Options, io: SweepCommandIo): Promise<number> {
  const metrics = await client.getMetrics(sweep.id);
  if (opts.json) io.stdout.write(JSON.stringify({ ...sweep, metrics }, null, 2) + '\n');
  else io.stdout.write(`${sweepSummary(sweep)}\n${resultsTable(sweep, metrics)}\n`);
  const allGood = sweep.status === 'done' && sweep.cells.every((c) => c.status === 'done' || c.status === 'cached');
  return allGood ? EXIT.ok : EXIT.sweepFailed;
}

/** Polls the sweep until it ends; returns null if the signal stopped the watch. */
async function watch(client: FarmClient, id: string, pollMs: number, io: SweepCommandIo): Promise<SweepDetail | null> {
  const tty = Boolean(io.stderr.isTTY);
  let lastLine = '';
  for (;;) {
    if (io.signal?.aborted) {
      if (tty && lastLine) io.stderr.write('\n');
      return null;
    }
    const sweep = await client.getSweep(id);
    const line = progressLine(sweep);
    if (tty) io.stderr.write(`\r${line}\x1b[K`);
    else if (line !== lastLine) io.stderr.write(line + '\n');
    lastLine = line;
    if (TERMINAL_SWEEP_STATUSES.has(sweep.status)) {
      if (tty) io.stderr.write('\n');
      return sweep;
    }
    await sleep(pollMs, io.signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
