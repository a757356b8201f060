// Runs a static i386 ELF (guest/images/int80/<name>) on the emulated P54C with the full
// timing model and reports guest MIPS per host CPU second. Usage (from the repo root):
//   npx tsc -p libs/pentium/bench/tsconfig.json && node /tmp/mklab-pentium-bench/bench/run-elf.js guest/images/int80/cpubench 1
// UNTIMED=1 runs without the timing model; REPEAT=n runs the program n times in fresh
// machines in one process and also reports the best run (the host is shared: the best of
// several runs is the least disturbed figure). The program's argv is part of its initial
// stack, so the cycle counts of runs given different paths differ (stack alignment
// changes cache behaviour): compare runs made with the same command line.
import { readFileSync } from 'fs';
import { ElfProcess } from '../src/cpu/testing/elf-runner';

const [, , path, ...args] = process.argv;
if (!path) {
  console.error('usage: run-elf <elf> [args...]   (env: UNTIMED=1, REPEAT=n)');
  process.exit(2);
}
const untimed = process.env.UNTIMED === '1';
const repeat = Number(process.env.REPEAT ?? '1');
if (!Number.isInteger(repeat) || repeat < 1) {
  console.error(`run-elf: REPEAT must be a positive integer, got ${process.env.REPEAT}`);
  process.exit(2);
}
const image = readFileSync(path);
let best = 0;
for (let i = 0; i < repeat; i++) {
  const p = new ElfProcess(image, { argv: [path, ...args], untimed });
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const r = p.run();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cu = process.cpuUsage(cpu0);
  const cpuMs = (cu.user + cu.system) / 1000;
  const c = p.machine.counters;
  if (i === 0) process.stdout.write(r.stdout);
  if (r.fault) console.error('FAULT', r.fault);
  const mips = c.instructions / cpuMs / 1000;
  if (mips > best) best = mips;
  console.error(
    `reason ${r.reason} exit ${r.exitCode}; ${c.instructions} instructions, ${c.cycles} cycles (${(c.cycles / c.instructions).toFixed(2)} CPI, ${(c.pairs / c.instructions * 100).toFixed(1)}% paired) in ${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU: ${mips.toFixed(2)} MIPS per CPU second${untimed ? ' (untimed)' : ''}`,
  );
}
if (repeat > 1) console.error(`best of ${repeat}: ${best.toFixed(2)} MIPS per CPU second${untimed ? ' (untimed)' : ''}`);
