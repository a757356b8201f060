import { Counters } from './counters';

describe('Counters', () => {
  test('snapshot is flat: every numeric field plus kernel.<name>', () => {
    const c = new Counters();
    c.cycles = 223;
    c.instructions = 100;
    c.bump('syscalls');
    c.bump('syscalls');
    c.kernel.ipcs = 7;
    const s = c.snapshot();
    expect(s.cycles).toBe(223);
    expect(s.instructions).toBe(100);
    expect(s.l1dMisses).toBe(0);
    expect(s['kernel.syscalls']).toBe(2);
    expect(s['kernel.ipcs']).toBe(7);
    expect(Object.values(s).every((v) => typeof v === 'number')).toBe(true);
    c.cycles = 1;
    expect(s.cycles).toBe(223); // a copy
  });

  test('reset zeroes everything and drops kernel counters', () => {
    const c = new Counters();
    c.mispredictions = 4;
    c.bump('x');
    c.reset();
    expect(c.mispredictions).toBe(0);
    expect(c.snapshot()['kernel.x']).toBeUndefined();
  });
});
