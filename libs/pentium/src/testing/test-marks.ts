// Kernel tests' user-level "mark" hook: a HOSTCALL a test guest executes to record the
// cycle and its registers, and to stop the run after the n-th mark. Shared by the
// µ-kernels' test harnesses (libs/l4, libs/mach), each with its own HOSTCALL id.
import type { Machine } from '../machine';

export interface TestMark {
  cycle: number;
  eax: number;
  regs: number[];
}

export function attachTestMarks(machine: Machine, hostcallId: number) {
  const marks: TestMark[] = [];
  let stopAfter = 1;
  machine.hostcalls.register(
    hostcallId,
    'test.mark',
    (cpu) => {
      marks.push({ cycle: machine.counters.cycles, eax: cpu.getReg(0), regs: [0, 1, 2, 3, 4, 5, 6, 7].map((r) => cpu.getReg(r)) });
      if (marks.length >= stopAfter) machine.stop('test-mark');
    },
    { fromUser: true },
  );
  return {
    marks,
    /** run until the guest has hit the mark `n` times in total (or the budget) */
    runUntilMarks(n: number, budget = 50_000_000) {
      stopAfter = n;
      return machine.run({ cycleBudget: machine.counters.cycles + budget });
    },
  };
}
