// Mach 3's scheduler, reduced to its fixed-priority core: 32 run queues (0 highest,
// kern/sched.h NRQS), FIFO inside a priority, a thread runs for a quantum of clock
// ticks and is then put at the tail of its queue if an equal-priority thread is
// runnable (round robin). Mach's priority aging by CPU usage is not modelled.
import { Thread, ThreadState } from './thread';

export const NRQS = 32;
/** Quantum in clock ticks: Mach 3 sched_prim.c's min_quantum = hz / 10 (10 ticks = 100 ms at hz = 100, approx.). */
export const QUANTUM_TICKS = 10;

export class Scheduler {
  private readonly queues: Thread[][] = Array.from({ length: NRQS }, () => []);

  enqueue(t: Thread): void {
    if (t.state !== ThreadState.Running) throw new Error(`scheduler: ${t} is not runnable`);
    if (t.inRunQueue) return;
    t.inRunQueue = true;
    this.queues[t.priority].push(t);
  }

  /** Back at the head of its queue (a thread chosen but never run: its turn is not used up). */
  enqueueFront(t: Thread): void {
    if (t.state !== ThreadState.Running) throw new Error(`scheduler: ${t} is not runnable`);
    if (t.inRunQueue) return;
    t.inRunQueue = true;
    this.queues[t.priority].unshift(t);
  }

  remove(t: Thread): void {
    if (!t.inRunQueue) return;
    const q = this.queues[t.priority];
    q.splice(q.indexOf(t), 1);
    t.inRunQueue = false;
  }

  /** Takes the best runnable thread off its queue. */
  pick(): Thread | null {
    for (const q of this.queues) {
      const t = q.shift();
      if (t) {
        t.inRunQueue = false;
        return t;
      }
    }
    return null;
  }

  /** Priority of the best queued thread (NRQS when none). */
  bestPriority(): number {
    for (let p = 0; p < NRQS; p++) if (this.queues[p].length) return p;
    return NRQS;
  }
}
