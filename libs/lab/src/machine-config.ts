import { IDE_DISK_CONFIG, P54C_CONFIG } from '@mklab/pentium';

/**
 * The one machine every experiment runs on: the paper's 133 MHz Pentium with 64 MiB and a
 * ~1 GB IDE disk (its figures and sources: libs/pentium/src/devices/ide-config.ts). Hot
 * blocks run compiled (docs/design/jit.md): the same counters as the interpreter, so the
 * execution engine is not part of the configuration below.
 */
export const MACHINE_OPTIONS = { memoryBytes: 64 * 1024 * 1024, timing: P54C_CONFIG, disk: { config: IDE_DISK_CONFIG }, jit: true };

/** The machine configuration as recorded in provenance and covered by the config hash. */
export function machineConfig(): Record<string, unknown> {
  return JSON.parse(JSON.stringify({ memoryBytes: MACHINE_OPTIONS.memoryBytes, timing: MACHINE_OPTIONS.timing, disk: MACHINE_OPTIONS.disk.config }));
}
