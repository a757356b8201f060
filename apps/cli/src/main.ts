// The `mklab` command: run one experiment locally, run any static i386 program on an
// emulated system, list the catalogues, and (through the farm commands) start the
// embedded farm and submit sweeps.
import * as fs from 'fs';
import { breakdownsOf, execProgram, listBenches, listSystems, resolveExperiment, runExperiment, parseParamText } from '@mklab/lab';
import type { ParamValue, RunResult } from '@mklab/lab';
import { formatTable } from './format-table';

const USAGE = `usage:
  mklab run --system <id> --bench <id> [--param k=v]... [--seed n] [--budget cycles] [--json] [--breakdown]
                                   --breakdown: the per-phase cycle breakdown the guest measured
  mklab exec [--system <id>] [--budget cycles] <static-i386-elf> [args...] [--system <id>]
  mklab systems [--json]
  mklab benches [--json]
  mklab start                      the farm on the embedded PostgreSQL (npm start)
  mklab migrate                    apply database migrations
  mklab sweep submit <spec> | status <id> [--watch] | list | cancel <id>
                                   talk to a running farm (MKLAB_URL, default http://localhost:3000)`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return cmdRun(rest);
    case 'exec':
      return cmdExec(rest);
    case 'systems':
      return cmdSystems(rest);
    case 'benches':
      return cmdBenches(rest);
    case 'start':
    case 'migrate':
    case 'sweep':
      return farmCommand(command, rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

// The farm commands live beside the farm code; they are loaded only when asked for so
// that `mklab run` does not pay for Nest and TypeORM.
async function farmCommand(command: 'start' | 'migrate' | 'sweep', rest: string[]): Promise<number> {
  const modules = { start: './commands/start', migrate: './commands/migrate', sweep: './commands/sweep' } as const;
  const exportsByCommand = { start: 'runStartCommand', migrate: 'runMigrateCommand', sweep: 'runSweepCommand' } as const;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(modules[command]);
  return mod[exportsByCommand[command]](rest);
}

interface Flags {
  values: Map<string, string[]>;
  bools: Set<string>;
  positional: string[];
}

function parseFlags(args: string[], valued: string[], booleans: string[]): Flags {
  const flags: Flags = { values: new Map(), bools: new Set(), positional: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (valued.includes(a)) {
      if (i + 1 >= args.length) throw new UsageError(`${a} needs a value`);
      const list = flags.values.get(a) ?? [];
      list.push(args[++i]);
      flags.values.set(a, list);
    } else if (booleans.includes(a)) {
      flags.bools.add(a);
    } else if (a.startsWith('--')) {
      throw new UsageError(`unknown option ${a}`);
    } else {
      flags.positional.push(a);
    }
  }
  return flags;
}

function one(flags: Flags, name: string): string | undefined {
  const v = flags.values.get(name);
  if (v && v.length > 1) throw new UsageError(`${name} given more than once`);
  return v?.[0];
}

function parseBudget(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--budget must be a positive integer of cycles, got '${text}'`);
  return n;
}

async function cmdRun(args: string[]): Promise<number> {
  const flags = parseFlags(args, ['--system', '--bench', '--param', '--seed', '--budget'], ['--json', '--breakdown']);
  if (flags.positional.length) throw new UsageError(`unexpected argument '${flags.positional[0]}'`);
  const system = one(flags, '--system');
  const bench = one(flags, '--bench');
  if (!system) throw new UsageError('--system is required');
  if (!bench) throw new UsageError('--bench is required');
  const benchInfo = listBenches().find((b) => b.id === bench);
  const params: Record<string, ParamValue> = {};
  for (const kv of flags.values.get('--param') ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param wants k=v, got '${kv}'`);
    const key = kv.slice(0, eq);
    const spec = benchInfo?.params.find((p) => p.name === key);
    params[key] = spec ? parseParamText(spec, kv.slice(eq + 1)) : kv.slice(eq + 1);
  }
  const seedText = one(flags, '--seed');
  const spec = { system, bench, params, seed: seedText === undefined ? undefined : Number(seedText) };
  const resolution = resolveExperiment(spec);
  if (!resolution.ok) {
    for (const e of resolution.errors) console.error(`mklab: ${e.field}: ${e.message}`);
    return 2;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const result = await runExperiment(spec, { signal: controller.signal, cycleBudget: parseBudget(one(flags, '--budget')) });
  if (flags.bools.has('--json')) {
    process.stdout.write(JSON.stringify(jsonView(result), null, 2) + '\n');
  } else {
    printRun(result);
  }
  if (flags.bools.has('--breakdown') && result.status === 'ok') {
    const ok = printBreakdowns(result, flags.bools.has('--json'));
    if (!ok) return 1;
  }
  return result.status === 'ok' ? 0 : 1;
}

/**
 * `--breakdown`: per metric with phase metrics, a table of phase, value and share, then
 * the sum and the metric it must equal (contracts.md "Phase accounting"). Returns false
 * (exit status 1) when there is no breakdown or it does not add up. With --json the
 * tables go to stderr so that stdout stays one JSON document.
 */
function printBreakdowns(r: RunResult, json: boolean): boolean {
  const out = json ? console.error : console.log;
  const breakdowns = breakdownsOf(r);
  if (breakdowns.length === 0) {
    console.error(`mklab: --breakdown: ${r.bench} on ${r.system} printed no per-phase breakdown (the guest found no phase counters, or the bench measures none)`);
    return false;
  }
  let ok = true;
  for (const b of breakdowns) {
    const rows = b.phases.map((p) => [p.phase, p.value.toFixed(1), `${(100 * p.share).toFixed(1)}%`]);
    const adds = Math.abs(b.sum - b.total) <= 1e-6 * Math.max(1, Math.abs(b.total));
    ok &&= adds;
    rows.push(['sum', b.sum.toFixed(1), adds ? `= ${b.metric}` : `!= ${b.metric} (${b.total})`]);
    out(`\nper-phase breakdown of ${b.metric} (${b.unit}, median repetition)`);
    out(formatTable(['phase', b.unit, 'share'], rows));
    out(`total ${b.metric} ${fmt(b.total)} ${b.unit}`);
  }
  if (!ok) console.error('mklab: --breakdown: the phases do not add up to the total');
  return ok;
}

/** The JSON of `mklab run`: the RunResult minus nothing, with the guest's output last. */
function jsonView(r: RunResult): Record<string, unknown> {
  const { system, bench, params, seed, status, error, metrics, samples, counters, provenance, host, output } = r;
  return { system, bench, params, seed, status, error, metrics, samples, counters, provenance, host, output };
}

function printRun(r: RunResult): void {
  console.log(`${r.system} / ${r.bench}  ${JSON.stringify(r.params)}  seed ${r.seed}`);
  if (r.status === 'error') console.log(`error (${r.error?.kind}): ${r.error?.message}`);
  if (r.metrics.length) {
    console.log(
      formatTable(
        ['metric', 'value', 'unit', 'better'],
        r.metrics.map((m) => [m.name, fmt(m.value), m.unit, m.better]),
      ),
    );
  }
  const keys = ['cycles', 'instructions', 'pairs', 'l1iMisses', 'l1dMisses', 'l2Misses', 'itlbMisses', 'dtlbMisses', 'tlbFlushes', 'mispredictions', 'traps'];
  const shown = keys.filter((k) => k in r.counters).map((k) => [k, String(r.counters[k])]);
  if (shown.length) console.log(formatTable(['counter', 'value'], shown));
  console.log(
    `simulated ${r.host.simulatedCycles} cycles in ${(r.host.wallMs / 1000).toFixed(2)} s ` +
      `(${(r.host.cyclesPerSecond / 1e6).toFixed(1)} M cycles/s); emulator ${r.provenance.emulatorVersion}`,
  );
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}

async function cmdExec(args: string[]): Promise<number> {
  // Options come before the program; a trailing `--system <id>` is also ours (as in the
  // issue's usage line). Use `--` to pass a literal `--system` to the guest.
  let system = 'linux';
  let budget: number | undefined;
  let i = 0;
  for (; i < args.length; i++) {
    if (args[i] === '--system' && i + 1 < args.length) system = args[++i];
    else if (args[i] === '--budget' && i + 1 < args.length) budget = parseBudget(args[++i]);
    else if (args[i] === '--') {
      i++;
      break;
    } else if (args[i].startsWith('--')) throw new UsageError(`unknown option ${args[i]}`);
    else break;
  }
  let programArgs = args.slice(i);
  const n = programArgs.length;
  if (n >= 3 && programArgs[n - 2] === '--system' && args[i - 1] !== '--') {
    system = programArgs[n - 1];
    programArgs = programArgs.slice(0, n - 2);
  }
  const [file, ...guestArgs] = programArgs;
  if (!file) throw new UsageError('exec needs a program');
  let image: Uint8Array;
  try {
    image = fs.readFileSync(file);
  } catch (e) {
    console.error(`mklab: cannot read ${file}: ${(e as Error).message}`);
    return 127;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const r = await execProgram({
    system,
    image,
    argv: [file.split('/').pop() ?? file, ...guestArgs],
    env: ['PATH=/bin', 'HOME=/'],
    cycleBudget: budget,
    signal: controller.signal,
  });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  if (r.error) {
    console.error(`mklab: ${r.error.kind}: ${r.error.message}`);
    return 125;
  }
  if (r.termSignal !== null) return 128 + r.termSignal;
  return r.exitStatus ?? 125;
}

function cmdSystems(args: string[]): number {
  const flags = parseFlags(args, [], ['--json']);
  const systems = listSystems();
  if (flags.bools.has('--json')) console.log(JSON.stringify(systems, null, 2));
  else console.log(formatTable(['id', 'arch', 'libc', 'title'], systems.map((s) => [s.id, s.arch, s.libcBackend, s.title])));
  return 0;
}

function cmdBenches(args: string[]): number {
  const flags = parseFlags(args, [], ['--json']);
  const benches = listBenches();
  if (flags.bools.has('--json')) console.log(JSON.stringify(benches, null, 2));
  else
    console.log(
      formatTable(
        ['id', 'params', 'metrics'],
        benches.map((b) => [b.id, b.params.map((p) => `${p.name}=${p.default}`).join(' '), b.metrics.map((m) => m.name).join(' ')]),
      ),
    );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    if (err instanceof UsageError) {
      console.error(`mklab: ${err.message}\n${USAGE}`);
      process.exitCode = 2;
    } else {
      console.error(`mklab: ${err?.stack ?? err}`);
      process.exitCode = 1;
    }
  },
);
