import { bootMach } from './testing/boot';
import { Asm, R } from './testing/asm';
import type { MachKernel } from './kernel';
import { QUANTUM_TICKS } from './scheduler';

const CODE = 0x08048000;
const DATA = 0x08050000;

function spinner(kernel: MachKernel, priority: number) {
  const a = new Asm(CODE);
  a.label('loop').load(R.EAX, DATA).inc(R.EAX).store(DATA, R.EAX).jmp('loop');
  const { task } = kernel.loadTask({ image: a.assemble(), at: CODE, dataAt: DATA, priority });
  return () => kernel.readUser32(task, DATA);
}

describe('Mach scheduling', () => {
  it('equal priorities share the CPU by quanta of PIT ticks; a higher priority runs alone', () => {
    const { machine, kernel } = bootMach({ timerHz: 100 });
    const a = spinner(kernel, 12);
    const b = spinner(kernel, 12);
    const ms = 133_000;
    expect(machine.run({ cycleBudget: 50 * ms }).reason).toBe('budget');
    expect(a()).toBeGreaterThan(0);
    expect(b()).toBe(0); // the first quantum (10 ticks = 100 ms) is not over yet
    expect(machine.run({ cycleBudget: 250 * ms }).reason).toBe('budget'); // the budget is the cycle to stop at
    expect(b()).toBeGreaterThan(0);
    expect(machine.counters.kernel.quantumEnds).toBeGreaterThanOrEqual(2);
    expect(machine.counters.kernel.clockTicks).toBeGreaterThanOrEqual(2 * QUANTUM_TICKS);
    // shares within a quantum of each other
    expect(Math.abs(a() - b()) / (a() + b())).toBeLessThan(0.3);

    const m2 = bootMach({ timerHz: 100 });
    const hi = spinner(m2.kernel, 5);
    const lo = spinner(m2.kernel, 20);
    expect(m2.machine.run({ cycleBudget: 100 * ms }).reason).toBe('budget');
    expect(hi()).toBeGreaterThan(0);
    expect(lo()).toBe(0);
  });

  it('is deterministic: two boots running the same threads end with identical counters', () => {
    const run = () => {
      const { machine, kernel } = bootMach({ timerHz: 100 });
      spinner(kernel, 12);
      spinner(kernel, 12);
      machine.run({ cycleBudget: 15_000_000 });
      return machine.counters.snapshot();
    };
    const x = run();
    expect(x['kernel.quantumEnds']).toBeGreaterThan(0);
    expect(run()).toEqual(x);
  });
});
