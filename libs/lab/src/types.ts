// The experiment contract: what every layer above libs/lab (the CLI, the farm's
// workers, the API) may rely on. Changing a field here changes the farm's stored rows.

export type ParamValue = number | string | boolean;

export interface ParamSpec {
  name: string;
  type: 'int' | 'number' | 'string' | 'bool';
  default: ParamValue;
  /** inclusive bounds for int/number */
  min?: number;
  max?: number;
  /** allowed values for string params */
  choices?: string[];
  description: string;
}

export type Better = 'lower' | 'higher';

export interface MetricSpec {
  name: string;
  unit: string;
  better: Better;
  description: string;
}

export interface SystemInfo {
  /** catalogue id, e.g. 'linux', 'l4linux', 'mklinux-user' */
  id: string;
  title: string;
  description: string;
  /** the arch layer of the Linux personality this system uses */
  arch: 'native' | 'l4' | 'mach';
  /** which system-call backend the guest images use */
  libcBackend: 'int80' | 'l4ipc';
}

export interface BenchInfo {
  id: string;
  title: string;
  description: string;
  params: ParamSpec[];
  metrics: MetricSpec[];
}

export interface ExperimentSpec {
  system: string;
  bench: string;
  params?: Record<string, ParamValue>;
  /** seeds every pseudo-random choice of the guest and the machine; default 1 */
  seed?: number;
}

export interface ExperimentProgress {
  /** simulated cycles so far */
  cycles: number;
  /** the cycle budget of this run */
  budget: number;
}

export interface ExperimentOptions {
  signal?: AbortSignal;
  onProgress?: (p: ExperimentProgress) => void;
  /** overrides the bench's default cycle budget */
  cycleBudget?: number;
  /**
   * Run hot blocks compiled (true) or everything in the interpreter (false); default: the
   * machine's (MACHINE_OPTIONS). Both give the same results: not part of the configuration.
   */
  jit?: boolean;
}

export interface Metric {
  name: string;
  value: number;
  unit: string;
  better: Better;
}

/** Raw per-repetition values a metric was aggregated from (Conbench keeps them beside the aggregate). */
export interface Sample {
  name: string;
  values: number[];
}

export type RunErrorKind =
  | 'bad-input' // unknown system/bench/param, wrong type: nothing was run
  | 'budget-exceeded' // the guest ran past the cycle budget
  | 'guest-crashed' // the benchmark process died from a signal or exited non-zero
  | 'guest-output' // the benchmark's output did not contain its results
  | 'machine-fault' // triple fault, deadlock with nothing to wake up, broken ELF
  | 'aborted'; // cancelled through the AbortSignal

export interface RunError {
  kind: RunErrorKind;
  message: string;
}

export interface Provenance {
  emulatorVersion: string;
  gitSha: string | null;
  /** hash of the canonical experiment inputs (system, bench, resolved params, seed, machine config) */
  configHash: string;
  machineConfig: Record<string, unknown>;
  nodeVersion: string;
}

export interface RunResult {
  status: 'ok' | 'error';
  error?: RunError;
  system: string;
  bench: string;
  /** params after defaults were applied */
  params: Record<string, ParamValue>;
  seed: number;
  metrics: Metric[];
  samples: Sample[];
  /** machine and kernel counters: cycles, instructions, pairs, cache/TLB misses, traps, IPCs, ... */
  counters: Record<string, number>;
  output: { stdout: string; stderr: string; exitStatus: number | null };
  provenance: Provenance;
  /** recorded, never part of the identity */
  host: { wallMs: number; simulatedCycles: number; cyclesPerSecond: number };
}
