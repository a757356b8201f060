// A Mach thread: its saved registers while in the kernel, its kernel stack (one page
// in the stack region, the thread structure's hot fields at the bottom), scheduling
// state and what it waits for.
import type { Task } from './task';
import type { Port, PortSet } from './port';
import type { KMsg } from './kmsg';
import type { VmObject } from './vm-object';
import type { EventHandleLike } from '@mklab/pentium';
import { kernelLinear, THREAD_STACK_BYTES } from './layout';

export const enum ThreadState {
  Running = 0,
  Waiting = 1,
  Terminated = 2,
}

/** What a waiting thread waits for, and how its mach_msg continues. */
export type Wait =
  | { kind: 'send'; port: Port; kmsg: KMsg; options: number; args: MsgArgs }
  | { kind: 'receive'; port: Port | PortSet; args: MsgArgs }
  | { kind: 'reply'; port: Port; onReply: (m: KMsg) => void }
  | { kind: 'page'; retry: true; object: VmObject; offset: number };

/** The mach_msg trap's arguments (from the user stack). */
export interface MsgArgs {
  msg: number;
  option: number;
  sendSize: number;
  rcvSize: number;
  rcvName: number;
  timeout: number;
  notify: number;
}

export class Thread {
  state = ThreadState.Running;
  readonly regs = new Int32Array(8);
  kernelEsp = 0;
  resumeEip = 0;
  /** Mach 3 priorities: 0 is the highest, 31 the lowest (NRQS = 32) */
  priority = 12;
  quantumLeft = 0;
  inRunQueue = false;
  wait: Wait | null = null;
  timeoutEvent: EventHandleLike | null = null;
  exceptionPort: Port | null = null;
  /** it has used the x87 (its state is in the FPU or in its save area) */
  fpuUsed = false;
  /** the linear address of its last page fault (CR2; the i386 exception state a pager's server may read) */
  faultAddress = 0;
  /** the kernel port representing the thread (thread_self) */
  port: Port | null = null;

  constructor(
    readonly number: number,
    readonly task: Task,
    /** physical address of its kernel-stack page */
    readonly stackPhys: number,
  ) {}

  field(offset: number): number {
    return kernelLinear(this.stackPhys + offset);
  }
  get stackTop(): number {
    return kernelLinear(this.stackPhys + THREAD_STACK_BYTES);
  }
  /** physical address of the user trap frame (EIP, CS, EFLAGS, ESP, SS) at the top of its kernel stack */
  get framePhys(): number {
    return this.stackPhys + THREAD_STACK_BYTES - 20;
  }
  toString(): string {
    return `thread ${this.number} of task ${this.task.number}`;
  }
}
