import { Machine } from '@mklab/pentium';
import type { RunError } from './types';
import type { BootSetup, SystemEntry } from './catalog/system-entry';
import { MACHINE_OPTIONS } from './machine-config';

export interface GuestRunRequest {
  system: SystemEntry;
  setup: BootSetup;
  cycleBudget: number;
  signal?: AbortSignal;
  onProgress?: (p: { cycles: number; budget: number }) => void;
  /** called with the fresh machine before the system boots on it (instrumentation, e.g. a timing trace) */
  onMachine?: (machine: Machine) => void;
  /** run hot blocks compiled (Machine's jit option): the same results, another speed; default MACHINE_OPTIONS.jit */
  jit?: boolean;
}

export interface GuestRun {
  stdout: string;
  stderr: string;
  exitStatus: number | null;
  termSignal: number | null;
  /** set when the run did not end with the first process exiting */
  error?: RunError;
  counters: Record<string, number>;
  cycles: number;
  wallMs: number;
}

// Simulated cycles per slice between looks at the AbortSignal and progress reports.
// Slicing only decides when the host looks up from the emulation; the machine's state
// after N cycles is the same however the run is sliced, so results stay bit-identical.
const SLICE_CYCLES = 20_000_000;

/** Boots `system` on a fresh machine, runs its first process to completion or to the
 *  budget, and collects what it printed. Never throws for anything the guest does. */
export async function runGuest(req: GuestRunRequest): Promise<GuestRun> {
  const started = performance.now();
  const machine = new Machine(req.jit === undefined ? MACHINE_OPTIONS : { ...MACHINE_OPTIONS, jit: req.jit });
  req.onMachine?.(machine);
  const finish = (error?: RunError, exit?: { code: number | null; signal: number | null } | null): GuestRun => ({
    stdout: booted?.stdout() ?? '',
    stderr: booted?.stderr() ?? '',
    exitStatus: exit?.code ?? null,
    termSignal: exit?.signal ?? null,
    error,
    counters: machine.counters.snapshot(),
    cycles: machine.counters.cycles,
    wallMs: performance.now() - started,
  });

  let booted: ReturnType<SystemEntry['boot']> | null = null;
  try {
    booted = req.system.boot(machine, req.setup);
  } catch (e) {
    return finish({ kind: 'machine-fault', message: `boot failed: ${(e as Error).message}` });
  }

  for (;;) {
    if (req.signal?.aborted) return finish({ kind: 'aborted', message: 'cancelled' });
    const limit = Math.min(req.cycleBudget, machine.counters.cycles + SLICE_CYCLES);
    let outcome;
    try {
      outcome = machine.run({ cycleBudget: limit });
    } catch (e) {
      return finish({ kind: 'machine-fault', message: `emulator error: ${(e as Error).message}` });
    }
    req.onProgress?.({ cycles: machine.counters.cycles, budget: req.cycleBudget });
    switch (outcome.reason) {
      case 'stopped': {
        const exit = booted.initExit();
        if (exit) return finish(undefined, exit);
        return finish({ kind: 'machine-fault', message: `machine stopped: ${outcome.stopReason ?? 'unknown reason'}` });
      }
      case 'budget':
        if (machine.counters.cycles >= req.cycleBudget) {
          return finish({ kind: 'budget-exceeded', message: `the guest ran past its budget of ${req.cycleBudget} cycles` });
        }
        break;
      case 'aborted':
        return finish({ kind: 'aborted', message: 'cancelled' });
      case 'deadlock':
        return finish({ kind: 'machine-fault', message: 'deadlock: every task waits and no device event is pending' });
      case 'triple-fault':
        return finish({ kind: 'machine-fault', message: `triple fault${outcome.stopReason ? ': ' + outcome.stopReason : ''}` });
    }
    // Let the host look at its events (an abort, a progress request) between slices.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
