import type { BenchEntry } from './bench-entry';
import { LMBENCH_BENCHES } from './lmbench-benches';

// The benchmark catalogue. A new benchmark is one entry here plus its guest program;
// nothing above libs/lab changes (the farm reads this list).
export const BENCHES: readonly BenchEntry[] = [
  {
    id: 'getpid',
    title: 'getpid system call',
    description:
      "The paper's shortest system call (Table 2): the guest times many getpid() calls with RDTSC, " +
      'subtracts its own loop overhead and reports cycles and µs per call. Where the machine has phase counters ' +
      '(contracts.md "Phase accounting") it also reports the per-phase breakdown of a call (getpid_phase_<phase>_cycles: ' +
      'user, kernel entry, kernel, exit; on L4Linux emu_enter, ipc_call, kernel, ipc_reply, emu_leave), which adds up to getpid_cycles.',
    program: 'getpid',
    params: [
      { name: 'iterations', type: 'int', default: 10000, min: 10, max: 10_000_000, description: 'timed calls per repetition' },
      { name: 'repeats', type: 'int', default: 5, min: 1, max: 100, description: 'repetitions inside the guest (each prints one sample)' },
    ],
    metrics: [
      { name: 'getpid_cycles', unit: 'cycles', better: 'lower', description: 'cycles per getpid() call' },
      { name: 'getpid_us', unit: 'us', better: 'lower', description: 'µs per getpid() call at the measured TSC rate' },
    ],
    argv: (p) => ['getpid', String(p.iterations), String(p.repeats)],
    // A call costs up to ~15k cycles on the slowest system (MkLinux user): leave 4x room,
    // plus a fixed allowance for boot and TSC calibration.
    cycleBudget: (p) => 200_000_000 + Number(p.iterations) * Number(p.repeats) * 2 * 60_000,
  },
  // the lmbench 1.x suite and its tests (lmbench-benches.ts)
  ...LMBENCH_BENCHES,
];
