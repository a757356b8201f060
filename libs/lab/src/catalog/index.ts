import type { BenchInfo, SystemInfo } from '../types';
import { BENCHES } from './benches';
import { SYSTEMS } from './systems';

/** The systems as plain data (what the CLI and the farm show). */
export function listSystems(): SystemInfo[] {
  return SYSTEMS.map(({ id, title, description, arch, libcBackend }) => ({ id, title, description, arch, libcBackend }));
}

/** The benchmarks as plain data. */
export function listBenches(): BenchInfo[] {
  return BENCHES.map(({ id, title, description, params, metrics }) => ({ id, title, description, params, metrics }));
}
