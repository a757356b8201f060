// The farm's view of libs/lab: exactly the exports the contract promises
// (docs/design/contracts.md, "libs/lab"). The farm takes a LabPort instead of
// importing the module everywhere so that the API, the worker and the tests
// share one seam; `defaultLab()` returns the real catalogue.
import type {
  BenchInfo,
  ExperimentOptions,
  ExperimentSpec,
  ParamValue,
  RunResult,
  SystemInfo,
} from '@mklab/lab';

export interface LabFieldError {
  field: string;
  message: string;
}

/** What the farm needs from a resolved spec: the params after defaults and the seed. */
export interface ResolvedExperiment {
  system: string;
  bench: string;
  params: Record<string, ParamValue>;
  seed: number;
}

export type ResolveOutcome<R> = { ok: true; spec: R } | { ok: false; errors: LabFieldError[] };

export interface LabPort<R extends ResolvedExperiment = any> {
  listSystems(): SystemInfo[];
  listBenches(): BenchInfo[];
  resolveExperiment(spec: ExperimentSpec): ResolveOutcome<R>;
  configHash(resolved: R): string;
  runExperiment(spec: ExperimentSpec, opts: ExperimentOptions): Promise<RunResult>;
  EMULATOR_VERSION: string;
}
