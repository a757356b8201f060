// Thread control blocks. Each thread owns 1 KiB of the TCB array in kernel memory
// (the "virtual array" indexed by thread number, Liedtke SOSP'93): the fields the IPC
// path touches, then its kernel stack growing down from the end. While a thread is
// off the CPU its kernel stack holds the trap frame it entered with, and the kernel
// resumes it by loading that stack pointer and jumping to the rest of the stub it
// entered through (resumeEip): the stub's IRET returns it to user mode.
import type { Fpage } from './fpage';
import type { Task } from './task';
import type { ThreadId } from './thread-id';
import { kernelLinear, TCB_BYTES } from './layout';
import type { EventHandleLike } from '@mklab/pentium';

export const enum ThreadState {
  /** no thread (a free lthread slot): ex_regs or task_new activates it */
  Inactive = 0,
  /** running or runnable */
  Ready = 1,
  /** waiting for its partner to receive */
  SendWait = 2,
  /** waiting for a message */
  ReceiveWait = 3,
}

export type OpKind = 'user' | 'pagefault' | 'exception';

/** The send phase a thread has asked for (kept until the message is delivered). */
export interface SendOp {
  kind: OpKind;
  dest: ThreadId;
  /** the three register dwords */
  w0: number;
  w1: number;
  w2: number;
  map: boolean;
  /** long-message buffer (user address in the sender's space), 0 = registers only */
  buffer: number;
  /** µs; Infinity = never */
  timeout: number;
}

/** The receive phase a thread has asked for. */
export interface ReceiveOp {
  kind: OpKind;
  /** null = open receive (from anyone) */
  from: ThreadId | null;
  window: Fpage | null;
  buffer: number;
  timeout: number;
}

export class Thread {
  state = ThreadState.Inactive;
  /** saved general registers (EAX..EDI; the ESP slot unused: see kernelEsp) */
  readonly regs = new Int32Array(8);
  /** kernel stack pointer (linear) while off the CPU */
  kernelEsp = 0;
  /** where the thread continues in kernel text (the rest of its entry stub) */
  resumeEip = 0;
  prio = 100;
  /** time slice in timer ticks, and what is left of it */
  timesliceTicks = 10;
  remainingTicks = 10;
  inReadyQueue = false;
  pager: ThreadId = 0;
  exceptionHandler: ThreadId = 0;

  sendOp: SendOp | null = null;
  receiveOp: ReceiveOp | null = null;
  /** threads waiting to send to this one, FIFO */
  readonly senders: Thread[] = [];
  /** the thread whose senders queue this one waits in */
  sendingTo: Thread | null = null;
  timeoutEvent: EventHandleLike | null = null;
  /** the IRQ this thread is attached to, or -1 */
  irq = -1;
  /** the thread has x87 state (it used the FPU since it started): FRSTOR, not FNINIT, when it gets the FPU back */
  fpuUsed = false;

  constructor(
    readonly id: ThreadId,
    readonly task: Task,
    readonly lthread: number,
    /** physical address of its 1 KiB TCB */
    readonly tcbPhys: number,
  ) {}

  /** linear address of a TCB field (the kernel's view, for path profiles) */
  field(offset: number): number {
    return kernelLinear(this.tcbPhys + offset);
  }

  /** linear address of the top of its kernel stack (TSS.ESP0 while it runs) */
  get stackTop(): number {
    return kernelLinear(this.tcbPhys + TCB_BYTES);
  }

  /** physical address of the user-mode trap frame (EIP, CS, EFLAGS, ESP, SS) at the top of its kernel stack */
  get framePhys(): number {
    return this.tcbPhys + TCB_BYTES - 20;
  }

  toString(): string {
    return `thread ${this.task.number}.${this.lthread}`;
  }
}
