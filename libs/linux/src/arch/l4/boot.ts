// bootL4Linux: L4 on the machine, the Linux server on L4, the first process.
import type { Machine } from '@mklab/pentium';
import { L4Kernel } from '@mklab/l4';
import { LinuxSystem, prepareRoot, type RootOptions } from '../../boot';
import type { FileTree } from '../../core/fs/ramfs';
import { LinuxKernel } from '../../core/kernel';
import { L4Arch } from './l4-arch';

export interface L4LinuxBootOptions extends RootOptions {
  rootfs: FileTree;
  init: { path: string; argv?: string[]; envp?: string[] };
  /**
   * How the guest's system calls reach the server. Both are always served (an
   * unmodified `int $0x80` binary takes the trampoline whatever the variant; a binary
   * built with the L4 IPC libc backend calls the emulation library's protocol
   * directly): the variant names the system the experiment means.
   */
  variant: 'trampoline' | 'ipc';
  /** the server in a small address space (no TLB flush on process ↔ server IPC) */
  smallSpaces?: boolean;
  stdin?: 'console' | 'null';
  bootEpochSeconds?: number;
}

export interface L4LinuxSystem extends LinuxSystem {
  readonly l4: L4Kernel;
  readonly arch: L4Arch;
}

export function bootL4Linux(machine: Machine, opts: L4LinuxBootOptions): L4LinuxSystem {
  if (opts.variant !== 'trampoline' && opts.variant !== 'ipc') throw new Error(`bootL4Linux: variant must be 'trampoline' or 'ipc', not '${String(opts.variant)}'`);
  if (!opts.init || typeof opts.init.path !== 'string' || !opts.init.path.startsWith('/')) {
    throw new Error('bootL4Linux: init.path must be an absolute path');
  }
  // L4's own timer drives its time slices; the Linux server has no interrupt thread yet (l4-arch.ts)
  const l4 = new L4Kernel(machine, { smallSpaces: !!opts.smallSpaces });
  const arch = new L4Arch(machine, l4, { smallSpaces: !!opts.smallSpaces });
  const root = prepareRoot(machine, opts.rootfs, opts); // the RamFs, or the disk root (boot.ts)
  const kernel = new LinuxKernel({ mem: machine.memory, arch, ...root, counters: () => machine.counters.kernel, bootEpochSeconds: opts.bootEpochSeconds });
  arch.createTask(kernel.idle);
  const argv = opts.init.argv ?? [opts.init.path];
  const envp = opts.init.envp ?? [];
  const init = kernel.spawnInit(opts.init.path, argv, envp, opts.stdin ?? 'console');
  kernel.current = init;
  const sys = new LinuxSystem(kernel, machine) as LinuxSystem & { l4: L4Kernel; arch: L4Arch };
  Object.assign(sys, { l4, arch });
  return sys as L4LinuxSystem;
}
