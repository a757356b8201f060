// bootMkLinux: Mach on the machine, the Linux server on Mach (a user task or co-located
// in the kernel), the first process.
import type { Machine } from '@mklab/pentium';
import type { MachKernel } from '@mklab/mach';
import { LinuxSystem, prepareRoot, type RootOptions } from '../../boot';
import type { FileTree } from '../../core/fs/ramfs';
import { LinuxKernel } from '../../core/kernel';
import { MachArch, type MkLinuxConfig } from './mach-arch';

export interface MkLinuxBootOptions extends RootOptions {
  rootfs: FileTree;
  init: { path: string; argv?: string[]; envp?: string[] };
  /** 'user': the server is a Mach user task; 'inkernel': it is co-located in the kernel's address space */
  config: MkLinuxConfig;
  stdin?: 'console' | 'null';
  bootEpochSeconds?: number;
}

export interface MkLinuxSystem extends LinuxSystem {
  readonly mach: MachKernel;
  readonly arch: MachArch;
}

export function bootMkLinux(machine: Machine, opts: MkLinuxBootOptions): MkLinuxSystem {
  if (opts.config !== 'user' && opts.config !== 'inkernel') throw new Error(`bootMkLinux: config must be 'user' or 'inkernel', not '${String(opts.config)}'`);
  if (!opts.init || typeof opts.init.path !== 'string' || !opts.init.path.startsWith('/')) {
    throw new Error('bootMkLinux: init.path must be an absolute path');
  }
  const arch = new MachArch(machine, { config: opts.config });
  const root = prepareRoot(machine, opts.rootfs, opts); // the RamFs, or the disk root (boot.ts)
  const kernel = new LinuxKernel({ mem: machine.memory, arch, ...root, counters: () => machine.counters.kernel, bootEpochSeconds: opts.bootEpochSeconds });
  arch.createTask(kernel.idle);
  const argv = opts.init.argv ?? [opts.init.path];
  const envp = opts.init.envp ?? [];
  const init = kernel.spawnInit(opts.init.path, argv, envp, opts.stdin ?? 'console');
  kernel.current = init;
  arch.startServing();
  const sys = new LinuxSystem(kernel, machine) as LinuxSystem & { mach: MachKernel; arch: MachArch };
  Object.assign(sys, { mach: arch.mach, arch });
  return sys as MkLinuxSystem;
}
