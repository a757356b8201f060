// The system-call table (arch/i386/kernel/entry.S's sys_call_table, 2.0 numbers):
// number → the core's implementation. Missing entries return -ENOSYS (counted).

import type { UserRegs } from '../../arch/arch';
import type { LinuxKernel } from '../kernel';
import { NR, NR_SYSCALLS } from '../syscall-numbers';
import type { Blocking, Task } from '../task';
import { fsCalls } from './fs-calls';
import { fdCalls } from './fd-calls';
import { mmCalls } from './mm-calls';
import { procCalls } from './proc-calls';
import { signalCalls } from './signal-calls';
import { miscCalls } from './misc-calls';
import { netCalls } from './net-calls';
import { syncCalls } from './sync-calls';

export type SyscallFn = (k: LinuxKernel, t: Task, r: UserRegs) => number | Blocking;

export interface SyscallEntry {
  name: string;
  fn: SyscallFn;
}

export type SyscallImpls = Partial<Record<keyof typeof NR, SyscallFn>>;

export function buildSyscallTable(): (SyscallEntry | undefined)[] {
  const table: (SyscallEntry | undefined)[] = new Array(NR_SYSCALLS);
  const groups: SyscallImpls[] = [procCalls, signalCalls, mmCalls, fsCalls, fdCalls, miscCalls, netCalls, syncCalls];
  for (const g of groups) {
    for (const [name, fn] of Object.entries(g)) {
      const nr = NR[name as keyof typeof NR];
      if (nr === undefined) throw new Error(`syscall table: unknown system call ${name}`);
      if (table[nr]) throw new Error(`syscall table: ${name} defined twice`);
      table[nr] = { name, fn: fn! };
    }
  }
  return table;
}
