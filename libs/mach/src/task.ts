// A Mach task: an address map, a port name space, its threads, its special ports
// (the task's kernel port, its exception port) and — MkLinux's addition — the server
// port its `int 0x80` system calls are redirected to.
import type { IpcSpace } from './ipc-space';
import type { Port } from './port';
import type { Thread } from './thread';
import type { VmMap } from './vm-map';

export class Task {
  readonly threads: Thread[] = [];
  /** the task's kernel port (task_self) */
  port: Port | null = null;
  /** name of the send right to its own kernel port in its space */
  selfName = 0;
  exceptionPort: Port | null = null;
  /** where `int 0x80` goes (a send right the kernel holds) */
  syscallServer: Port | null = null;
  terminated = false;

  constructor(
    readonly number: number,
    readonly map: VmMap,
    readonly space: IpcSpace,
  ) {}

  toString(): string {
    return `task ${this.number}`;
  }
}
