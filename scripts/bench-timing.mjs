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
else {
  const { mode, data, state, repeat } = workerData;
  parentPort.postMessage(mode === 'decode' ? decodeOnly(data, repeat) : mode === 'wasm' ? wasmReplays(data, state, repeat) : replays(data, state, repeat));
}

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
  const inWorker = (mode) =>
    new Promise((resolve, reject) => {
      const w = new Worker(fileURLToPath(import.meta.url), { workerData: { data, state, repeat, mode } });
      w.once('message', resolve);
      w.once('error', reject);
    });
  const result = await inWorker('ts');
  // a worker of its own each, so the replay's call sites stay monomorphic in all three
  const decodeBest = result.failure === null ? (await inWorker('decode')).decodeBest : NaN;
  const wasm = await inWorker('wasm');
  if (result.failure !== null) console.error(`bench:timing: a replay differs from the live run:\n  ${result.failure.join('\n  ')}`);
  if (wasm.failure !== null) console.error(`bench:timing: the Wasm timing runtime's replay differs from the live run:\n  ${wasm.failure.join('\n  ')}`);
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
    ['Wasm timing runtime replay (CPU, ns/insn)', (wasm.bestCpu / insns).toFixed(1)],
    ['Wasm replay = live run', wasm.failure !== null ? 'NO' : 'yes (the same checks)'],
  ];
  for (const [k, v] of rows) console.log(`${String(k).padEnd(48)} ${v}`);
  process.exit(result.failure !== null || wasm.failure !== null ? 1 : 0);
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
  const entry = SYSTEMS.find((s) => s.id === systemId);
  if (entry === undefined) {
    console.error(`bench:timing: unknown system '${systemId}' (known: ${SYSTEMS.map((s) => s.id).join(', ')})`);
    process.exit(2);
  }
  // the trace is attached to the fresh machine before the kernel boots on it (boot already runs code)
  const trace = new pentium.TimingTrace();
  let timing = null;
  const onMachine = (machine) => {
    timing = machine.timing;
    trace.attach(timing);
  };
  const image = readFileSync(path.join(root, 'guest/images', entry.libcBackend, 'cpubench'));
  const t0 = performance.now();
  let run;
  try {
    // the interpreter alone: compiled blocks call the timing model's Wasm twin, which the trace does not see
    run = await execProgram({ system: systemId, image, argv: ['cpubench', String(size)], cycleBudget: 1e12, onMachine, jit: false });
  } finally {
    trace.detach();
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

/**
 * In a third worker: the same trace through the Wasm timing runtime (jit/timing), one JS→Wasm
 * call per timing call. The runtime works on a TimingModel's tables in a linear memory;
 * the rare calls it does not export (cache and TLB flushes, idle, fractional advances) go
 * to that TypeScript model between leave() and enter(). Checked like the TypeScript replay.
 */
function wasmReplays(data, state, repeat) {
  const { TimingTrace, replayInto, timingCounters, diffTimingCounters, diffTimingState, P54C_CONFIG, TimingModel, Counters, LinearMemory } = pentium;
  const { TimingRuntime, packTiming } = require(path.join(dist, 'pentium/src/jit/index.js'));
  const trace = TimingTrace.fromData(data);
  let best = Infinity;
  let bestCpu = Infinity;
  for (let i = 0; i < repeat; i++) {
    const lin = new LinearMemory(0, 1 << 20);
    const tm = new TimingModel(P54C_CONFIG, new Counters(), lin);
    const rt = new TimingRuntime(tm, lin);
    const w = rt.exports;
    const packed = new Map();
    const words = (info) => {
      let p = packed.get(info);
      if (p === undefined) packed.set(info, (p = packTiming(info)));
      return p;
    };
    // a rare call on the TypeScript model, with the state handed over around it
    const onModel = (f) => (...args) => {
      rt.leave();
      const r = f(...args);
      rt.enter();
      return r;
    };
    // a Path step adds to counters the runtime keeps in its slots (instructions, pairs)
    const onModelCounter = (name) => ({
      get: () => onModel(() => tm.counters[name])(),
      set: (v) => onModel(() => (tm.counters[name] = v))(),
    });
    const counters = Object.defineProperties({}, { instructions: onModelCounter('instructions'), pairs: onModelCounter('pairs'), pathCharges: onModelCounter('pathCharges') });
    const target = {
      counters,
      hierarchy: {
        fetch: (p, n) => w.fetch(p, n),
        read: (p, n) => w.read(p, n),
        write: (p, n) => w.write(p, n),
        advance: (c) => (Number.isInteger(c) && c >= 0 && c < 2 ** 31 ? w.advance(c) : onModel((x) => tm.hierarchy.advance(x))(c)),
        noteTakenBranch: () => w.noteTakenBranch(),
        flushAll: onModel((wb) => tm.hierarchy.flushAll(wb)),
        invalidateRange: onModel((p, n) => tm.hierarchy.invalidateRange(p, n)),
      },
      // the code TLB stays in TypeScript: compiled code does not use it (timing-runtime.ts)
      itlb: tm.itlb,
      dtlb: { lookup: (l, large) => w.dtlbLookup(l, +large) === 1, flush: onModel(() => tm.dtlb.flush()), invalidate: onModel((l) => tm.dtlb.invalidate(l)) },
      pipeline: {
        issue: (info, stall, first, phys) => {
          const [w0, w1] = words(info);
          return w.issue(w0, w1, stall, +first, phys);
        },
        // the same result and state as issue (pipeline.ts)
        issueAfter: (info, stall, first, phys) => {
          const [w0, w1] = words(info);
          return w.issue(w0, w1, stall, +first, phys);
        },
        branch: (eip, taken, target, kind) => {
          w.branch(eip, +taken, target, kind);
          return 0;
        },
        serialize: () => w.serialize(),
      },
      pageWalk: (pde, pte, ad) => w.pageWalk(pde, pte, ad),
      flushTlbs: onModel(() => tm.flushTlbs()),
      invlpg: onModel((l) => tm.invlpg(l)),
      idle: onModel((c) => tm.idle(c)),
    };
    const t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    rt.enter();
    const clocks = replayInto(trace, target);
    rt.leave();
    best = Math.min(best, Number(process.hrtime.bigint() - t));
    bestCpu = Math.min(bestCpu, cpuNs(cpu));
    const diff = diffTimingCounters(data.live, timingCounters(tm.counters));
    if (clocks !== data.liveClocks) diff.push(`clocks returned: ${data.liveClocks} live ≠ ${clocks} replayed`);
    diff.push(...diffTimingState(state, tm).slice(0, 10));
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
