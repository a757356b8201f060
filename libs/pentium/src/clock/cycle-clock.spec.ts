import { Counters } from '../timing/counters';
import { CycleClock } from './cycle-clock';

describe('CycleClock', () => {
  test('stand-alone: holds its own cycle', () => {
    const c = new CycleClock(133_000_000);
    c.now = 266_000_000;
    expect(c.now).toBe(266_000_000);
    expect(c.seconds()).toBe(2);
  });

  test('backed by the counters: always the CPU\'s current cycle', () => {
    const counters = new Counters();
    const c = new CycleClock(133_000_000, counters);
    counters.cycles = 1234;
    expect(c.now).toBe(1234);
    c.now = 2000;
    expect(counters.cycles).toBe(2000);
  });

  test('rejects a non-positive frequency', () => {
    expect(() => new CycleClock(0)).toThrow(/positive/);
  });
});
