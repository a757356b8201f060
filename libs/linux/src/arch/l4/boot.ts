// bootL4Linux: L4 on the machine, the Linux server on L4, the first process.
import type { Machine } from '@mklab/pentium';
import { L4Kernel } from '@mklab/l4';
import { LinuxSystem } from '../../boot';
import { bootLinuxServer, checkInitPath, type ServerBootOptions } from '../server/boot-server';
import { L4Arch } from './l4-arch';

export interface L4LinuxBootOptions extends ServerBootOptions {
  /**
   * How the guest's system calls reach the server. Both are always served (an
   * unmodified `int $0x80` binary takes the trampoline whatever the variant; a binary
   * built with the L4 IPC libc backend calls the emulation library's protocol
   * directly): the variant names the system the experiment means.
   */
  variant: 'trampoline' | 'ipc';
  /** the server in a small address space (no TLB flush on process ↔ server IPC) */
  smallSpaces?: boolean;
}

export interface L4LinuxSystem extends LinuxSystem {
  readonly l4: L4Kernel;
  readonly arch: L4Arch;
}

export function bootL4Linux(machine: Machine, opts: L4LinuxBootOptions): L4LinuxSystem {
  if (opts.variant !== 'trampoline' && opts.variant !== 'ipc') throw new Error(`bootL4Linux: variant must be 'trampoline' or 'ipc', not '${String(opts.variant)}'`);
  checkInitPath('bootL4Linux', opts);
  // L4's own timer drives its time slices; the Linux server has no interrupt thread yet (l4-arch.ts)
  const l4 = new L4Kernel(machine, { smallSpaces: !!opts.smallSpaces });
  const arch = new L4Arch(machine, l4, { smallSpaces: !!opts.smallSpaces });
  const kernel = bootLinuxServer(machine, arch, opts);
  return Object.assign(new LinuxSystem(kernel, machine), { l4, arch });
}
