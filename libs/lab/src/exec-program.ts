import type { RunError } from './types';
import { SYSTEMS } from './catalog/systems';
import { standardRootfs } from './images';
import { runGuest, type GuestRunRequest } from './guest-run';
import type { FileTree } from './catalog/system-entry';

export interface ExecRequest {
  system: string;
  /** a static i386 ELF executable */
  image: Uint8Array;
  argv: string[];
  env?: string[];
  /** extra files for the root file system (path → contents) */
  files?: Record<string, Uint8Array>;
  cycleBudget?: number;
  signal?: AbortSignal;
  /** called with the fresh machine before the system boots on it (instrumentation, e.g. a timing trace) */
  onMachine?: GuestRunRequest['onMachine'];
  /** run hot blocks compiled (Machine's jit option): the same results, another speed */
  jit?: boolean;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitStatus: number | null;
  termSignal: number | null;
  error?: RunError;
  counters: Record<string, number>;
}

/** Default budget for `mklab exec`: 60 simulated seconds. */
const DEFAULT_EXEC_BUDGET = 60 * 133_000_000;

/** Runs any static i386 Linux executable as the first process of an emulated system. */
export async function execProgram(req: ExecRequest): Promise<ExecResult> {
  const system = SYSTEMS.find((s) => s.id === req.system);
  if (!system) {
    return failed(`unknown system '${req.system}' (known: ${SYSTEMS.map((s) => s.id).join(', ')})`);
  }
  const rootfs: FileTree = { ...standardRootfs(system.libcBackend), ...(req.files ?? {}) };
  const name = (req.argv[0] ?? 'program').split('/').pop() || 'program';
  const path = `/tmp/${name}`;
  rootfs[path] = req.image;
  const run = await runGuest({
    system,
    setup: { rootfs, init: { path, argv: req.argv.length ? req.argv : [name], envp: req.env ?? [] } },
    cycleBudget: req.cycleBudget ?? DEFAULT_EXEC_BUDGET,
    signal: req.signal,
    onMachine: req.onMachine,
    jit: req.jit,
  });
  return {
    stdout: run.stdout,
    stderr: run.stderr,
    exitStatus: run.exitStatus,
    termSignal: run.termSignal,
    error: run.error,
    counters: run.counters,
  };
}

function failed(message: string): ExecResult {
  return { stdout: '', stderr: '', exitStatus: null, termSignal: null, error: { kind: 'bad-input', message }, counters: {} };
}
