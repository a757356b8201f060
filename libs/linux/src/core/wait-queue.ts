// A wait queue (include/linux/wait.h): tasks sleeping until an event. The core wakes
// them through LinuxKernel.wakeUp, which puts them back on the run queue.

import type { Task } from './task';

export class WaitQueue {
  readonly sleepers = new Set<Task>();
  constructor(readonly name: string) {}
}
