// The Linux 2.0 scheduler's decisions (kernel/sched.c), kept free of side effects
// on the machine so they can be tested alone.
//
//   goodness(p) = p.counter (+1 when p is the previous task, a slight preference for
//                 not switching) for SCHED_OTHER; 0 when the time slice is used up.
//   schedule()  = the runnable task with the highest goodness; ties go to the task
//                 first on the run queue; when the best goodness is 0, every task's
//                 counter is recalculated: counter = counter/2 + priority. That is how
//                 priority enters 2.0's decision (2.2 later added priority to goodness).
//   timer tick  = the current task's counter drops by one; at 0 need_resched is set.

import type { Task } from './task';

export function goodness(p: Task, prev: Task): number {
  let weight = p.counter;
  if (weight > 0 && p === prev) weight += 1;
  return weight;
}

export interface ScheduleDecision {
  next: Task;
  /** every counter was 0: recalculate */
  recalc: boolean;
  examined: number;
}

/** Picks the next task among `runQueue` (in run-queue order); `idle` when none is runnable. */
export function pickNext(runQueue: Iterable<Task>, prev: Task, idle: Task): ScheduleDecision {
  let c = -1000;
  let next = idle;
  let examined = 0;
  for (const p of runQueue) {
    examined++;
    const w = goodness(p, prev);
    if (w > c) {
      c = w;
      next = p;
    }
  }
  return { next, recalc: c === 0, examined };
}

/** 2.0's recalculation: counter = (counter >> 1) + priority for every task. */
export function recalculateCounters(tasks: Iterable<Task>): void {
  for (const p of tasks) p.counter = (p.counter >> 1) + p.priority;
}
