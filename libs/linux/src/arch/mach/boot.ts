// bootMkLinux: Mach on the machine, the Linux server on Mach (a user task or co-located
// in the kernel), the first process.
import type { Machine } from '@mklab/pentium';
import type { MachKernel } from '@mklab/mach';
import { LinuxSystem } from '../../boot';
import { bootLinuxServer, checkInitPath, type ServerBootOptions } from '../server/boot-server';
import { MachArch, type MkLinuxConfig } from './mach-arch';

export interface MkLinuxBootOptions extends ServerBootOptions {
  /** 'user': the server is a Mach user task; 'inkernel': it is co-located in the kernel's address space */
  config: MkLinuxConfig;
}

export interface MkLinuxSystem extends LinuxSystem {
  readonly mach: MachKernel;
  readonly arch: MachArch;
}

export function bootMkLinux(machine: Machine, opts: MkLinuxBootOptions): MkLinuxSystem {
  if (opts.config !== 'user' && opts.config !== 'inkernel') throw new Error(`bootMkLinux: config must be 'user' or 'inkernel', not '${String(opts.config)}'`);
  checkInitPath('bootMkLinux', opts);
  const arch = new MachArch(machine, { config: opts.config });
  const kernel = bootLinuxServer(machine, arch, opts);
  arch.startServing();
  return Object.assign(new LinuxSystem(kernel, machine), { mach: arch.mach, arch });
}
