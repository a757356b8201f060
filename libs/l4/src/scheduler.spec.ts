import { Scheduler } from './scheduler';
import { Thread, ThreadState } from './tcb';
import type { Task } from './task';

const thread = (id: number, prio: number) => {
  const t = new Thread(id, {} as Task, 0, 0);
  t.prio = prio;
  t.state = ThreadState.Ready;
  return t;
};

describe('scheduler', () => {
  it('runs the highest priority first and round-robins within a priority', () => {
    const s = new Scheduler();
    const a = thread(1, 100),
      b = thread(2, 100),
      c = thread(3, 50);
    [c, a, b].forEach((t) => s.enqueue(t));
    expect(s.pick()).toBe(a);
    s.rotate(a);
    expect(s.pick()).toBe(b);
    s.rotate(b);
    expect(s.pick()).toBe(a);
  });

  it('lazy scheduling: a thread that blocked stays queued until the scheduler walks past it', () => {
    const s = new Scheduler();
    const a = thread(1, 100),
      c = thread(3, 50);
    s.enqueue(a);
    s.enqueue(c);
    a.state = ThreadState.ReceiveWait; // blocked in IPC: no queue operation
    expect(a.inReadyQueue).toBe(true);
    const dropped = { n: 0 };
    expect(s.pick(dropped)).toBe(c);
    expect(dropped.n).toBe(1);
    expect(a.inReadyQueue).toBe(false);
    a.state = ThreadState.Ready;
    s.enqueue(a);
    expect(s.pick()).toBe(a);
    expect(() => s.enqueue(Object.assign(thread(4, 1), { state: ThreadState.SendWait }))).toThrow(/not ready/);
  });
});
