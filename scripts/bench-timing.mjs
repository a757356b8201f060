#!/usr/bin/env node
// npm run bench:timing — the P54C timing model's own speed, without the interpreter.
// Records every call cpubench's run makes into the timing model (libs/pentium/src/timing/
// timing-trace.ts), then replays the trace through fresh timing models: the replay does
// exactly the timing work of the run and nothing else, so its time per guest instruction
// is the timing model's cost, deterministic and comparable across builds (docs/design/
// jit.md: the budget is ~40 ns per instruction for everything). Exits 1 when a replay's
// counters, clocks or state differ from the live run's: the trace is then no oracle. As in
// bench:cpu, the CPU-time rows are the ones to compare on a shared host: fastest of N.
// Usage: npm run bench:timing [-- --size N] [--repeat N] [--system ID]   (build first: npm run build)
// --system records cpubench on another system of the catalogue (default linux), e.g.
// to check the trace on a µ-kernel's path charges.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const dist = path.join(root, 'dist/libs');
if (!existsSync(path.join(dist, 'lab/src/index.js'))) {
  console.error('bench:timing: build first (npm run build)');
  process.exit(2);
}
const pentium = require(path.join(dist, 'pentium/src/index.js'));

if (isMainThread) await main();
else parentPort.postMessage(workerData.decodeOnly ? decodeOnly(workerData.data, workerData.repeat) : replays(workerData.data, workerData.state, workerData.repeat));

async function main() {
  const size = option('--size', 2);
  const repeat = option('--repeat', 5);
  const si = process.argv.indexOf('--system');
  const system = si > 0 ? process.argv[si + 1] : 'linux';
  const { data, state, recordMs } = await record(system, size);
  const insns = data.live.instructions;
  const traceBytes = data.words.byteLength + data.wide.byteLength;
  // The replays run in workers: fresh V8 isolates whose inline caches have seen only the
  // replay's objects, as the interpreter's timing model sees only its own. (In this
  // process the model's code has also run on the recorder's wrapped instances.) The
  // words go to a SharedArrayBuffer once; both workers read them in place.
  const shared = new Int32Array(new SharedArrayBuffer(data.words.byteLength));
  shared.set(data.words);
  data.words = shared;
  const inWorker = (decodeOnly) =>
    new Promise((resolve, reject) => {
      const w = new Worker(fileURLToPath(import.meta.url), { workerData: { data, state, repeat, decodeOnly } });
      w.once('message', resolve);
      w.once('error', reject);
    });
  const result = await inWorker(false);
  // a worker of its own, so the replay's call sites stay monomorphic in both
  const decodeBest = result.failure === null ? (await inWorker(true)).decodeBest : NaN;
  if (result.failure !== null) console.error(`bench:timing: a replay differs from the live run:\n  ${result.failure.join('\n  ')}`);
  const rows = [
    ['system, cpubench size', `${system}, ${size}`],
    ['guest instructions', insns],
    ['timing calls recorded', data.calls],
    ['calls per instruction', (data.calls / insns).toFixed(2)],
    ['trace size (MB)', (traceBytes / 1e6).toFixed(1)],
    ['recorded run, host wall (s)', (recordMs / 1000).toFixed(2)],
    [`replay, fastest of ${repeat}, host wall (ms)`, (result.best / 1e6).toFixed(1)],
    ['replay ns per guest instruction (wall)', (result.best / insns).toFixed(1)],
    ['replay ns per guest instruction (CPU time)', (result.bestCpu / insns).toFixed(1)],
    ['replay ns per call (CPU time)', (result.bestCpu / data.calls).toFixed(1)],
    ['  of which trace decoding + calls (CPU, ns/insn)', (decodeBest / insns).toFixed(1)],
    ['replay = live run', result.failure !== null ? 'NO' : `yes (${Object.keys(data.live).length} counters, the clocks, ${Object.keys(state).length} state fields)`],
  ];
  for (const [k, v] of rows) console.log(`${String(k).padEnd(48)} ${v}`);
  process.exit(result.failure !== null ? 1 : 0);
}

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    console.error(`bench:timing: ${name} takes a positive integer, got ${process.argv[i + 1]}`);
    process.exit(2);
  }
  return v;
}

/** cpubench on `systemId` through execProgram, its timing calls recorded from power-on. */
async function record(systemId, size) {
  const { execProgram } = require(path.join(dist, 'lab/src/index.js'));
  const { SYSTEMS } = require(path.join(dist, 'lab/src/catalog/systems.js'));
  // execProgram builds its Machine inside; the trace must be attached before the kernel
  // boots on it (boot already runs code). The catalogue entry's boot is the first thing
  // that sees the machine, so this process wraps it for the one run. (A hook in
  // execProgram would do the same without reaching into the catalogue.)
  const entry = SYSTEMS.find((s) => s.id === systemId);
  if (entry === undefined) {
    console.error(`bench:timing: unknown system '${systemId}' (known: ${SYSTEMS.map((s) => s.id).join(', ')})`);
    process.exit(2);
  }
  const trace = new pentium.TimingTrace();
  const boot = entry.boot;
  let timing = null;
  entry.boot = (machine, setup) => {
    timing = machine.timing;
    trace.attach(timing);
    return boot.call(entry, machine, setup);
  };
  const image = readFileSync(path.join(root, 'guest/images', entry.libcBackend, 'cpubench'));
  const t0 = performance.now();
  let run;
  try {
    run = await execProgram({ system: systemId, image, argv: ['cpubench', String(size)], cycleBudget: 1e12 });
  } finally {
    trace.detach();
    entry.boot = boot;
  }
  const recordMs = performance.now() - t0;
  if (run.error || run.exitStatus !== 0) {
    console.error('bench:timing: the guest did not complete:', run.error ?? run.exitStatus, run.stderr);
    process.exit(1);
  }
  // the trace saw the whole run: its instructions are the run's
  if (run.counters.instructions !== trace.liveCounters().instructions) {
    console.error(`bench:timing: the trace holds ${trace.liveCounters().instructions} instructions, the run retired ${run.counters.instructions}`);
    process.exit(1);
  }
  // the live model's whole state, for the replays to match (not only its counters)
  return { data: trace.toData(), state: pentium.timingState(timing), recordMs };
}

/** In the worker: replay `repeat` times, check each against the live run (counters, clocks, state), time the fastest. */
function replays(data, state, repeat) {
  const { TimingTrace, replayTrace, timingCounters, diffTimingCounters, diffTimingState, P54C_CONFIG } = pentium;
  const trace = TimingTrace.fromData(data);
  let best = Infinity;
  let bestCpu = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const r = replayTrace(trace, P54C_CONFIG);
    best = Math.min(best, Number(process.hrtime.bigint() - t));
    bestCpu = Math.min(bestCpu, cpuNs(cpu));
    const diff = diffTimingCounters(data.live, timingCounters(r.counters));
    if (r.clocks !== data.liveClocks) diff.push(`clocks returned: ${data.liveClocks} live ≠ ${r.clocks} replayed`);
    diff.push(...diffTimingState(state, r.model).slice(0, 10));
    if (diff.length > 0) return { best, bestCpu, failure: [`replay ${i + 1}:`, ...diff] };
  }
  return { best, bestCpu, failure: null };
}

/** In a second worker: the same loop driving parts that do nothing, i.e. what decoding the trace and making the calls cost. */
function decodeOnly(data, repeat) {
  const { TimingTrace, replayInto, Counters } = pentium;
  const trace = TimingTrace.fromData(data);
  const noop = () => 0;
  const hit = () => true;
  const idleTarget = {
    counters: new Counters(),
    hierarchy: { fetch: noop, read: noop, write: noop, advance: noop, noteTakenBranch: noop, flushAll: noop, invalidateRange: noop },
    itlb: { lookup: hit, flush: noop, invalidate: noop },
    dtlb: { lookup: hit, flush: noop, invalidate: noop },
    pipeline: { issue: noop, issueAfter: noop, branch: noop, serialize: noop },
    pageWalk: noop,
    flushTlbs: noop,
    invlpg: noop,
    idle: noop,
  };
  let decodeBest = Infinity;
  // it is short and noisy: twice the repeats
  for (let i = 0; i < 2 * repeat; i++) {
    const cpu = process.cpuUsage();
    replayInto(trace, idleTarget);
    decodeBest = Math.min(decodeBest, cpuNs(cpu));
  }
  return { decodeBest };
}

/** This process's CPU time since `since` (ns). In the worker it is the replay's: the main thread waits. */
function cpuNs(since) {
  const u = process.cpuUsage(since);
  return (u.user + u.system) * 1000;
}
