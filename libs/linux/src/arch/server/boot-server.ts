// The boot glue every single-server system shares (bootL4Linux, bootMkLinux): the root
// file system, the core on the server's arch layer, the idle task's µ-kernel task, and
// init spawned as the core's current task. What comes before (the µ-kernel, the arch)
// and after (starting to serve) is the system's own.
import type { Machine } from '@mklab/pentium';
import type { Arch } from '../arch';
import { prepareRoot, type RootOptions } from '../../boot';
import type { FileTree } from '../../core/fs/ramfs';
import { LinuxKernel } from '../../core/kernel';

/** What every single-server system's boot options hold. */
export interface ServerBootOptions extends RootOptions {
  rootfs: FileTree;
  init: { path: string; argv?: string[]; envp?: string[] };
  stdin?: 'console' | 'null';
  bootEpochSeconds?: number;
}

/** Throws unless init is named by an absolute path; `boot` names the caller in the error. */
export function checkInitPath(boot: string, opts: ServerBootOptions): void {
  if (!opts.init || typeof opts.init.path !== 'string' || !opts.init.path.startsWith('/')) {
    throw new Error(`${boot}: init.path must be an absolute path`);
  }
}

/** The Linux core on `arch` (its server already set up), with init spawned and current. */
export function bootLinuxServer(machine: Machine, arch: Arch, opts: ServerBootOptions): LinuxKernel {
  const root = prepareRoot(machine, opts.rootfs, opts); // the RamFs, or the disk root (boot.ts)
  const kernel = new LinuxKernel({ mem: machine.memory, arch, ...root, counters: () => machine.counters.kernel, bootEpochSeconds: opts.bootEpochSeconds });
  arch.createTask(kernel.idle);
  const argv = opts.init.argv ?? [opts.init.path];
  const envp = opts.init.envp ?? [];
  const init = kernel.spawnInit(opts.init.path, argv, envp, opts.stdin ?? 'console');
  kernel.current = init;
  return kernel;
}
