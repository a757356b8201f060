import { EventQueue } from './event-queue';

describe('EventQueue', () => {
  test('fires in cycle order, and in scheduling order for equal cycles', () => {
    const q = new EventQueue();
    const log: string[] = [];
    q.schedule(300, () => log.push('c'));
    q.schedule(100, () => log.push('a1'));
    q.schedule(200, () => log.push('b'));
    q.schedule(100, () => log.push('a2'));
    q.schedule(100, () => log.push('a3'));
    expect(q.nextEventCycle).toBe(100);
    expect(q.runDue(99)).toBe(0);
    expect(q.runDue(200)).toBe(4);
    expect(log).toEqual(['a1', 'a2', 'a3', 'b']);
    expect(q.nextEventCycle).toBe(300);
    q.runDue(1000);
    expect(log).toEqual(['a1', 'a2', 'a3', 'b', 'c']);
    expect(q.nextEventCycle).toBe(Infinity);
  });

  test('equal-time order holds across many events (heap stability)', () => {
    const q = new EventQueue();
    const log: number[] = [];
    for (let i = 0; i < 200; i++) q.schedule((i * 7) % 5, () => log.push(i));
    q.runDue(10);
    const expected = [...Array(200).keys()].sort((a, b) => (a * 7) % 5 - (b * 7) % 5 || a - b);
    expect(log).toEqual(expected);
  });

  test('cancel removes an event; nextEventCycle skips it; cancelling twice or after firing is harmless', () => {
    const q = new EventQueue();
    const log: string[] = [];
    const a = q.schedule(10, () => log.push('a'));
    const b = q.schedule(20, () => log.push('b'));
    q.cancel(a);
    q.cancel(a);
    expect(q.nextEventCycle).toBe(20);
    expect(q.size).toBe(1);
    q.runDue(100);
    q.cancel(b);
    expect(log).toEqual(['b']);
    expect(q.size).toBe(0);
  });

  test('events scheduled by a firing event at or before now fire in the same runDue', () => {
    const q = new EventQueue();
    const log: number[] = [];
    q.schedule(5, (at) => {
      log.push(at);
      q.schedule(at + 5, (at2) => log.push(at2));
      q.schedule(at + 50, (at3) => log.push(at3));
    });
    expect(q.runDue(12)).toBe(2);
    expect(log).toEqual([5, 10]);
    expect(q.nextEventCycle).toBe(55);
  });

  test('a cancelled event under the top does not hide the next one', () => {
    const q = new EventQueue();
    q.schedule(1, () => undefined);
    const mid = q.schedule(2, () => undefined);
    q.schedule(3, () => undefined);
    q.cancel(mid);
    q.runDue(1);
    expect(q.nextEventCycle).toBe(3);
  });

  test('rejects a non-finite cycle', () => {
    expect(() => new EventQueue().schedule(NaN, () => undefined)).toThrow(/finite/);
  });
});
