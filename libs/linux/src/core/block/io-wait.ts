// Waiting for the disk. A kernel path that needs a block that is not in the buffer
// cache starts the read and throws IoWait: the system-call layer (kernel.ts) sleeps
// on the buffer's queue, uninterruptibly as Linux's wait_on_buffer does, and runs the
// call again when the I/O is done. Paths that may throw IoWait do all their reads
// before they change anything, so running them again is always safe. Generators
// (read, write, sync) catch IoWait themselves and `yield` the queue instead.

import { WaitQueue } from '../wait-queue';

/** A wait queue whose sleepers are TASK_UNINTERRUPTIBLE (signals do not wake them). */
export class IoWaitQueue extends WaitQueue {
  readonly uninterruptible = true;
}

export class IoWait {
  constructor(
    readonly queue: WaitQueue,
    readonly why: string,
  ) {}
}

export const isUninterruptible = (q: WaitQueue): boolean => (q as Partial<IoWaitQueue>).uninterruptible === true;
