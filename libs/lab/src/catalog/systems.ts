import { bootL4Linux, bootLinux, bootMkLinux } from '@mklab/linux';
import type { SystemEntry } from './system-entry';

// The system catalogue. A new system is one entry here; the farm reads this list.
export const SYSTEMS: readonly SystemEntry[] = [
  {
    id: 'linux',
    title: 'Linux 2.0 (native)',
    description: 'Linux 2.0 running directly on the Pentium: kernel at 0xC0000000, int 0x80 system calls, hardware task switch.',
    arch: 'native',
    libcBackend: 'int80',
    boot: (machine, setup) => bootLinux(machine, { arch: 'native', rootfs: setup.rootfs, init: setup.init }),
  },
  {
    id: 'l4linux',
    title: 'L4Linux',
    description:
      'The same Linux core as a user-level server on the L4 µ-kernel; binaries built with the L4 IPC libc ' +
      'backend call the server by IPC through the emulation library, without a trap. Our images are static, ' +
      "so this is the paper's modified libc.a path; a shared libc.so would make the same calls (same cost).",
    arch: 'l4',
    libcBackend: 'l4ipc',
    boot: (machine, setup) => bootL4Linux(machine, { rootfs: setup.rootfs, init: setup.init, variant: 'ipc' }),
  },
  {
    id: 'l4linux-trampoline',
    title: 'L4Linux (trampoline)',
    description:
      'The same Linux core as a user-level server on the L4 µ-kernel; unmodified int 0x80 binaries: the trap is ' +
      'reflected to an emulation library in the process, which calls the server by IPC.',
    arch: 'l4',
    libcBackend: 'int80',
    boot: (machine, setup) => bootL4Linux(machine, { rootfs: setup.rootfs, init: setup.init, variant: 'trampoline' }),
  },
  {
    id: 'mklinux-inkernel',
    title: 'MkLinux in-kernel',
    description:
      'The same Linux core as a single server on the Mach 3 µ-kernel, co-located in the kernel\'s address space: ' +
      'unmodified int 0x80 binaries are redirected by Mach to the server as a kernel-internal message; page faults ' +
      'through Mach VM with the server as external pager; the clock reaches the server as a kernel upcall.',
    arch: 'mach',
    libcBackend: 'int80',
    boot: (machine, setup) => bootMkLinux(machine, { rootfs: setup.rootfs, init: setup.init, config: 'inkernel' }),
  },
  {
    id: 'mklinux-user',
    title: 'MkLinux user',
    description:
      'The same Linux core as a single server on the Mach 3 µ-kernel, running as a Mach user task: int 0x80 is ' +
      'redirected by Mach to the server as a cross-address-space message, page faults go to the server as external ' +
      'pager, user memory is reached through Mach VM operations, the clock arrives as a message-driven tick.',
    arch: 'mach',
    libcBackend: 'int80',
    boot: (machine, setup) => bootMkLinux(machine, { rootfs: setup.rootfs, init: setup.init, config: 'user' }),
  },
];
