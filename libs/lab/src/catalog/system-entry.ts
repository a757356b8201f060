import type { Machine } from '@mklab/pentium';
import type { SystemInfo } from '../types';

import type { FileTree } from '@mklab/linux';

export type { FileTree };

export interface BootSetup {
  rootfs: FileTree;
  init: { path: string; argv: string[]; envp: string[] };
}

/** What runExperiment needs from a booted system, whichever kernel it is. */
export interface BootedSystem {
  stdout(): string;
  stderr(): string;
  /** set once the first user process has exited */
  initExit(): { code: number | null; signal: number | null } | null;
}

/** A system: which kernel and arch layer boot on the machine, and which libc backend its images use. */
export interface SystemEntry extends SystemInfo {
  boot(machine: Machine, setup: BootSetup): BootedSystem;
}
