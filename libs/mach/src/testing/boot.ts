// Test harness: a fresh machine with the Mach kernel booted, and a mark hook for guests.
import { Machine } from '@mklab/pentium';
import { MachKernel, type MachBootOptions } from '../kernel';
import type { KernelMachine } from '@mklab/pentium';

/** HOSTCALL id of the tests' user-level "mark" hook (records the cycle and registers, may stop the run). */
export const TEST_MARK = 0x7f10;

export function bootMach(options: MachBootOptions = {}) {
  const machine = new Machine();
  const km: KernelMachine = machine;
  const kernel = new MachKernel(km, options);
  const marks: { cycle: number; eax: number; regs: number[] }[] = [];
  let stopAfter = 1;
  machine.hostcalls.register(
    TEST_MARK,
    'test.mark',
    (cpu) => {
      marks.push({ cycle: machine.counters.cycles, eax: cpu.getReg(0), regs: [0, 1, 2, 3, 4, 5, 6, 7].map((r) => cpu.getReg(r)) });
      if (marks.length >= stopAfter) machine.stop('test-mark');
    },
    { fromUser: true },
  );
  return {
    machine,
    kernel,
    marks,
    runUntilMarks(n: number, budget = 50_000_000) {
      stopAfter = n;
      return machine.run({ cycleBudget: machine.counters.cycles + budget });
    },
  };
}

/** Little-endian dwords as bytes. */
export const dwords = (...v: number[]): number[] => v.flatMap((x) => [x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff]);
