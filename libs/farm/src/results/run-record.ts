// The farm's record of one finished experiment: a RunResult plus where and by
// what it ran. Identity (emulator version + config hash) is what makes a run
// reusable; host, wall time and speed are recorded but never part of it.
import type { Metric, ParamValue, RunResult, Sample } from '@mklab/lab';

export type CellStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'cached';
export const CELL_STATUSES: readonly CellStatus[] = ['queued', 'running', 'done', 'failed', 'cancelled', 'cached'];
export const TERMINAL_CELL_STATUSES: readonly CellStatus[] = ['done', 'failed', 'cancelled', 'cached'];

export type SweepStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface RunIdentity {
  emulatorVersion: string;
  configHash: string;
}

export interface RunRecord extends RunIdentity {
  system: string;
  bench: string;
  params: Record<string, ParamValue>;
  seed: number;
  status: 'ok' | 'error';
  errorKind: string | null;
  errorMessage: string | null;
  metrics: Metric[];
  samples: Sample[];
  counters: Record<string, number>;
  output: RunResult['output'];
  provenance: RunResult['provenance'];
  host: string;
  wallMs: number;
  simulatedCycles: number;
  cyclesPerSecond: number;
}

export function runRecordFrom(result: RunResult, identity: RunIdentity, hostName: string): RunRecord {
  return {
    emulatorVersion: identity.emulatorVersion,
    configHash: identity.configHash,
    system: result.system,
    bench: result.bench,
    params: result.params,
    seed: result.seed,
    status: result.status,
    errorKind: result.error?.kind ?? null,
    errorMessage: result.error?.message ?? null,
    metrics: result.metrics,
    samples: result.samples,
    counters: result.counters,
    output: result.output,
    provenance: result.provenance,
    host: hostName,
    wallMs: Math.round(result.host.wallMs),
    simulatedCycles: result.host.simulatedCycles,
    cyclesPerSecond: result.host.cyclesPerSecond,
  };
}
