import { goodness, pickNext, recalculateCounters } from './scheduler';
import { DEF_PRIORITY, Task } from './task';

const task = (pid: number, counter: number, priority = DEF_PRIORITY): Task => {
  const t = new Task(pid, pid, pid);
  t.counter = counter;
  t.priority = priority;
  return t;
};

describe('the Linux 2.0 scheduler decisions', () => {
  const idle = task(0, -100, 0);

  test('goodness is the remaining counter, +1 for the previous task while it has time left', () => {
    const a = task(1, 5);
    const b = task(2, 0);
    expect(goodness(a, idle)).toBe(5);
    expect(goodness(a, a)).toBe(6);
    expect(goodness(b, b)).toBe(0);
  });

  test('the highest goodness wins; ties go to the first on the run queue; the previous task wins a tie', () => {
    const a = task(1, 5);
    const b = task(2, 7);
    const c = task(3, 7);
    expect(pickNext([a, b, c], idle, idle).next).toBe(b);
    expect(pickNext([a, b, c], c, idle).next).toBe(c);
    expect(pickNext([a, b, c], a, idle).next).toBe(b);
  });

  test('an empty run queue runs the idle task', () => {
    const d = pickNext([], idle, idle);
    expect(d.next).toBe(idle);
    expect(d.recalc).toBe(false);
  });

  test('all counters at 0: recalculation counter = counter/2 + priority (sleepers keep half their time)', () => {
    const a = task(1, 0, 20);
    const b = task(2, 0, 10);
    const sleeper = task(3, 9, 20);
    const d = pickNext([a, b], a, idle);
    expect(d.recalc).toBe(true);
    recalculateCounters([a, b, sleeper]);
    expect([a.counter, b.counter, sleeper.counter]).toEqual([20, 10, 24]);
    expect(pickNext([a, b], a, idle).next).toBe(a);
  });
});
