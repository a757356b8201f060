// Thread identifiers: one dword, (task << 8) | lthread. Task 0 is the kernel: its
// "threads" 1..16 are the interrupt sources (IRQ n has id n + 1, as L4 v2 numbers
// them), so a receive from id 1..16 waits for an interrupt.
import { LTHREADS_PER_TASK, MAX_TASKS } from './layout';

export type ThreadId = number;

export const NIL_ID = 0;
export const INVALID_ID = 0xffffffff;

export function threadId(task: number, lthread: number): ThreadId {
  if (!(Number.isInteger(task) && task >= 0 && task < MAX_TASKS)) throw new Error(`threadId: task ${task} is outside 0..${MAX_TASKS - 1}`);
  if (!(Number.isInteger(lthread) && lthread >= 0 && lthread < LTHREADS_PER_TASK))
    throw new Error(`threadId: lthread ${lthread} is outside 0..${LTHREADS_PER_TASK - 1}`);
  return ((task << 8) | lthread) >>> 0;
}

export const taskOf = (id: ThreadId): number => (id >>> 8) & 0xfff;
export const lthreadOf = (id: ThreadId): number => id & 0xff;

/** A syntactically valid id of a user thread (not nil, not an interrupt, in range). */
export function isUserThreadId(id: ThreadId): boolean {
  const t = id >>> 8;
  return t >= 1 && t < MAX_TASKS && (id & 0xff) < LTHREADS_PER_TASK;
}

export const interruptId = (irq: number): ThreadId => irq + 1;
/** The IRQ an id names, or -1 when it is not an interrupt id. */
export const irqOfId = (id: ThreadId): number => (id >= 1 && id <= 16 ? id - 1 : -1);

/** Index into the TCB array. */
export const tcbIndex = (id: ThreadId): number => taskOf(id) * LTHREADS_PER_TASK + lthreadOf(id);

/** Well-known tasks (L4 v2 numbering: sigma0 is task 2, the root task 4). */
export const SIGMA0_TASK = 2;
export const ROOT_TASK = 4;
export const SIGMA0_ID = threadId(SIGMA0_TASK, 0);
