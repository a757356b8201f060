// Priority scheduling: 256 priorities, round robin with time slices inside one
// priority, the highest ready priority runs. Lazy scheduling (Liedtke SOSP'93, 5.3):
// a thread that blocks in IPC is not taken out of its ready queue; the queue is
// cleaned when the scheduler walks it, so the common call/reply pair touches no queue.
import { Thread, ThreadState } from './tcb';

export const PRIORITIES = 256;

export class Scheduler {
  private readonly queues: Thread[][] = Array.from({ length: PRIORITIES }, () => []);
  /** highest priority whose queue may be non-empty */
  private top = -1;

  /** Make `t` eligible (it must be Ready); appends it to its priority's queue if it is not there. */
  enqueue(t: Thread): void {
    if (t.state !== ThreadState.Ready) throw new Error(`scheduler: ${t} is not ready`);
    if (t.inReadyQueue) return;
    t.inReadyQueue = true;
    this.queues[t.prio].push(t);
    if (t.prio > this.top) this.top = t.prio;
  }

  /** Remove `t` from its queue now (priority change, deletion). */
  remove(t: Thread): void {
    if (!t.inReadyQueue) return;
    const q = this.queues[t.prio];
    const i = q.indexOf(t);
    if (i >= 0) q.splice(i, 1);
    t.inReadyQueue = false;
  }

  /** Move `t` to the tail of its queue (its time slice ended). */
  rotate(t: Thread): void {
    this.remove(t);
    if (t.state === ThreadState.Ready) this.enqueue(t);
  }

  /**
   * The ready thread to run: the first of the highest non-empty queue. Threads that
   * blocked since they were queued are dropped on the way (lazy dequeueing). Returns
   * the number of queue entries it dropped through `dropped` for the cost model.
   */
  pick(dropped?: { n: number }): Thread | null {
    for (let p = this.top; p >= 0; p--) {
      const q = this.queues[p];
      while (q.length > 0) {
        const t = q[0];
        if (t.state === ThreadState.Ready && t.prio === p) {
          this.top = p;
          return t;
        }
        q.shift();
        t.inReadyQueue = false;
        if (dropped) dropped.n++;
      }
    }
    this.top = -1;
    return null;
  }

  /** Highest priority of a ready thread (−1 when none), cleaning lazily. */
  topPriority(): number {
    const t = this.pick();
    return t ? t.prio : -1;
  }
}
