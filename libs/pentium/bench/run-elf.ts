// Runs a static i386 ELF (guest/images/int80/<name>) on the emulated P54C with the full
// timing model and reports guest MIPS. Usage (from the repo root):
//   npx tsc -p libs/pentium/bench/tsconfig.json && node /tmp/mklab-pentium-bench/bench/run-elf.js guest/images/int80/cpubench 1
import { readFileSync } from 'fs';
import { ElfProcess } from '../src/cpu/testing/elf-runner';

const [, , path, ...args] = process.argv;
if (!path) {
  console.error('usage: run-elf <elf> [args...]');
  process.exit(2);
}
const untimed = process.env.UNTIMED === '1';
const p = new ElfProcess(readFileSync(path), { argv: [path, ...args], untimed });
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const r = p.run();
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const cu = process.cpuUsage(cpu0);
const cpuMs = (cu.user + cu.system) / 1000;
const c = p.machine.counters;
process.stdout.write(r.stdout);
if (r.fault) console.error('FAULT', r.fault);
console.error(
  `reason ${r.reason} exit ${r.exitCode}; ${c.instructions} instructions, ${c.cycles} cycles (${(c.cycles / c.instructions).toFixed(2)} CPI, ${(c.pairs / c.instructions * 100).toFixed(1)}% paired) in ${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU: ${(c.instructions / cpuMs / 1000).toFixed(2)} MIPS per CPU second${untimed ? ' (untimed)' : ''}`,
);
