#!/usr/bin/env node
// The CPU/timing golden check: every counter the emulator reports (cycles, instructions,
// pairs, cache/TLB misses, mispredictions, traps, kernel counters ...), the guest's
// output and exit status, for a fixed set of runs, compared with the recorded set in
// scripts/cpu-golden.json. A speed change to the interpreter or the timing model must
// leave all of them bit-identical.
//
//   node scripts/cpu-golden.mjs            compare (exit 1 on any difference)
//   node scripts/cpu-golden.mjs --record   record the golden set anew (only when a
//                                          change is MEANT to change results)
//   node scripts/cpu-golden.mjs --only cpubench   run the cases whose name contains this
//   node scripts/cpu-golden.mjs --jit      the programs with hot blocks compiled (the
//                                          lab's default); without it the interpreter
//                                          alone runs them: the same golden set
//
// Runs from dist/: build first (npm run build).
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const labEntry = path.join(root, 'dist/libs/lab/src/index.js');
if (!existsSync(labEntry)) {
  console.error('cpu-golden: build first (npm run build)');
  process.exit(2);
}
const { execProgram, runExperiment } = require(labEntry);
const goldenPath = path.join(root, 'scripts/cpu-golden.json');
const record = process.argv.includes('--record');
const jit = process.argv.includes('--jit');
if (jit && record) {
  console.error('cpu-golden: the golden set is recorded by the interpreter (no --jit with --record)');
  process.exit(2);
}
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? process.argv[onlyArg + 1] : null;

/** name → () => Promise<comparable result> */
const cases = [];
for (const system of ['linux', 'l4linux', 'l4linux-trampoline']) {
  cases.push([
    `getpid@${system}`,
    async () => {
      const r = await runExperiment({ system, bench: 'getpid', params: {}, seed: 1 }, { jit });
      return { status: r.status, error: r.error ?? null, metrics: r.metrics, counters: r.counters, exitStatus: r.output.exitStatus, stdout: digest(r.output.stdout), stderr: digest(r.output.stderr) };
    },
  ]);
}
const execCase = (system, dir, name, argv) => [
  `${name}${argv.length > 1 ? ' ' + argv.slice(1).join(' ') : ''}@${system}`,
  async () => {
    const image = readFileSync(path.join(root, 'guest/images', dir, name));
    const r = await execProgram({ system, image, argv, cycleBudget: 1e12, jit });
    return { error: r.error ?? null, exitStatus: r.exitStatus, termSignal: r.termSignal, stdout: digest(r.stdout), stderr: digest(r.stderr), counters: r.counters };
  },
];
cases.push(execCase('linux', 'int80', 'cpubench', ['cpubench', '20']));
for (const name of readdirSync(path.join(root, 'guest/images/int80')).sort()) {
  if (name === 'cpubench' || name === 'getpid') continue;
  cases.push(execCase('linux', 'int80', name, [name]));
}
// the same programs under L4Linux (its libc backend calls the emulation library)
for (const name of ['test-fork', 'test-signals', 'test-sort', 'test-x87', 'instr-string']) {
  if (existsSync(path.join(root, 'guest/images/l4ipc', name))) cases.push(execCase('l4linux', 'l4ipc', name, [name]));
}

const golden = record || !existsSync(goldenPath) ? {} : JSON.parse(readFileSync(goldenPath, 'utf8'));
if (!record && !existsSync(goldenPath)) {
  console.error('cpu-golden: no scripts/cpu-golden.json (run with --record first)');
  process.exit(2);
}
const out = {};
let failures = 0;
for (const [name, run] of cases) {
  if (only && !name.includes(only)) continue;
  const t0 = process.hrtime.bigint();
  const result = JSON.parse(JSON.stringify(await run()));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  out[name] = result;
  if (record) {
    console.log(`recorded ${name.padEnd(36)} ${String(result.counters.instructions).padStart(10)} insns ${(ms / 1000).toFixed(2)} s`);
    continue;
  }
  const want = golden[name];
  if (want === undefined) {
    console.log(`MISSING  ${name} (not in the golden set)`);
    failures++;
    continue;
  }
  const diffs = diff(want, result, '');
  if (diffs.length === 0) console.log(`same     ${name.padEnd(36)} ${String(result.counters.instructions).padStart(10)} insns ${(ms / 1000).toFixed(2)} s`);
  else {
    failures++;
    console.log(`DIFFERS  ${name}`);
    for (const d of diffs.slice(0, 20)) console.log(`    ${d}`);
  }
}
if (record) {
  writeFileSync(goldenPath, JSON.stringify(out, null, 1) + '\n');
  console.log(`wrote ${path.relative(root, goldenPath)} (${Object.keys(out).length} runs)`);
} else {
  console.log(failures === 0 ? 'cpu-golden: all runs identical' : `cpu-golden: ${failures} run(s) differ`);
  process.exit(failures === 0 ? 0 : 1);
}

/** guest output is kept as its length and SHA-256 (the instruction tests print megabytes) */
function digest(text) {
  return { bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') };
}

function diff(a, b, at) {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    return a === b ? [] : [`${at || '.'}: golden ${JSON.stringify(a)?.slice(0, 120)} now ${JSON.stringify(b)?.slice(0, 120)}`];
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out = [];
  for (const k of keys) out.push(...diff(a[k], b[k], `${at}.${k}`));
  return out;
}
