import { CycleClock } from '../clock/cycle-clock';
import { EventQueue } from '../clock/event-queue';
import { P54C_CONFIG } from '../timing/p54c-config';
import { Pic } from './pic';
import { Pit } from './pit';

const HZ_100 = 11932; // LATCH = (1193182 + HZ/2) / HZ, Linux 2.0 include/linux/timex.h

function machine(): { clock: CycleClock; events: EventQueue; pit: Pit; edges: number[] } {
  const clock = new CycleClock(P54C_CONFIG.coreClockHz);
  const events = new EventQueue();
  const edges: number[] = [];
  const pit = new Pit(P54C_CONFIG, clock, events, { pulse: (irq) => (irq === 0 ? edges.push(clock.now) : undefined) });
  return { clock, events, pit, edges };
}

/** Run the clock to `until`, jumping from event to event as an idle machine does. */
function runTo(m: ReturnType<typeof machine>, until: number): void {
  while (m.events.nextEventCycle <= until) {
    m.clock.now = m.events.nextEventCycle;
    m.events.runDue(m.clock.now);
  }
  m.clock.now = until;
}

/** Linux 2.0 time_init: channel 0, LSB then MSB, mode 2, binary. */
function programHz100(pit: Pit): void {
  pit.out8(0x43, 0x34);
  pit.out8(0x40, HZ_100 & 0xff);
  pit.out8(0x40, HZ_100 >> 8);
}

describe('8254 channel 0 at HZ = 100', () => {
  test('IRQ 0 every 11932 PIT ticks ≈ 1,330,022 core clocks, without drift', () => {
    const m = machine();
    programHz100(m.pit);
    runTo(m, 133_000_000 * 10);
    // the count loads on the first PIT clock, edges follow every 11932 ticks
    expect(m.edges.length).toBe(Math.floor((1_193_182 * 10 - 1) / HZ_100));
    const exact = (HZ_100 * 133_000_000) / 1_193_182; // 1,330,021.9…
    for (let i = 1; i < m.edges.length; i++) {
      const d = m.edges[i] - m.edges[i - 1];
      expect(d === Math.floor(exact) || d === Math.ceil(exact)).toBe(true);
    }
    const span = m.edges[m.edges.length - 1] - m.edges[0];
    expect(Math.abs(span - exact * (m.edges.length - 1))).toBeLessThan(1);
  });

  test('the edges raise IRQ 0 through the PIC as vector 0x20', () => {
    const clock = new CycleClock(P54C_CONFIG.coreClockHz);
    const events = new EventQueue();
    const pic = new Pic();
    for (const [p, v] of [[0x20, 0x11], [0x21, 0x20], [0x21, 0x04], [0x21, 0x01], [0x21, 0x00]]) pic.out8(p, v);
    const pit = new Pit(P54C_CONFIG, clock, events, pic);
    programHz100(pit);
    clock.now = events.nextEventCycle - 1;
    events.runDue(clock.now);
    expect(pic.hasInterrupt()).toBe(false);
    clock.now++;
    events.runDue(clock.now);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x20);
  });

  test('counter latch reads the count at the latch time, LSB then MSB', () => {
    const m = machine();
    programHz100(m.pit);
    runTo(m, 665_000); // 5 ms: floor(665000 · 1193182 / 133e6) = 5965 ticks
    m.pit.out8(0x43, 0x00);
    runTo(m, 700_000); // later reads still see the latched value
    const lo = m.pit.in8(0x40);
    const hi = m.pit.in8(0x40);
    expect(lo | (hi << 8)).toBe(HZ_100 - (5965 - 1)); // loaded at tick 1
    // without a latch the count is live
    const live = m.pit.count(0);
    expect(live).toBe(HZ_100 - (m.pit.ticksAt(700_000) - 1));
  });

  test('the count wraps to the reload value at each edge (gettimeofday interpolation)', () => {
    const m = machine();
    programHz100(m.pit);
    runTo(m, m.events.nextEventCycle);
    expect(m.pit.count(0)).toBe(HZ_100);
    runTo(m, m.clock.now + m.pit.cycleOfTick(100) - m.pit.cycleOfTick(0));
    expect(m.pit.count(0)).toBe(HZ_100 - 100);
  });

  test('read-back: status byte and count', () => {
    const m = machine();
    programHz100(m.pit);
    runTo(m, 10_000);
    m.pit.out8(0x43, 0xc2); // read-back: count and status, channel 0
    expect(m.pit.in8(0x40)).toBe(0x80 | 0x30 | (2 << 1)); // OUT high, loaded, LSB/MSB, mode 2
    const n = m.pit.in8(0x40) | (m.pit.in8(0x40) << 8);
    expect(n).toBe(HZ_100 - (m.pit.ticksAt(10_000) - 1));
  });

  test('a new count in mode 2 takes effect at the end of the current period', () => {
    const m = machine();
    programHz100(m.pit);
    runTo(m, 133_000); // 1 ms into the first period
    m.pit.out8(0x40, 1000 & 0xff);
    m.pit.out8(0x40, 1000 >> 8);
    runTo(m, 133_000_000 / 10);
    const tick = (c: number): number => m.pit.ticksAt(c);
    expect(tick(m.edges[0])).toBe(1 + HZ_100);
    expect(tick(m.edges[1])).toBe(1 + HZ_100 + 1000);
    expect(tick(m.edges[2])).toBe(1 + HZ_100 + 2000);
  });

  test('mode 0 interrupts once, at terminal count', () => {
    const m = machine();
    m.pit.out8(0x43, 0x30);
    m.pit.out8(0x40, 100);
    m.pit.out8(0x40, 0);
    runTo(m, 133_000_000);
    expect(m.edges.length).toBe(1);
    expect(m.pit.ticksAt(m.edges[0])).toBe(101);
  });

  test('LSB-only access and the square-wave mode', () => {
    const m = machine();
    m.pit.out8(0x43, 0x16); // ch 0, LSB only, mode 3
    m.pit.out8(0x40, 200);
    runTo(m, m.pit.cycleOfTick(1 + 200 * 5));
    expect(m.edges.length).toBe(5);
    expect(m.pit.in8(0x40)).toBe(200);
  });

  test('tick/cycle conversions are exact inverses at edges', () => {
    const m = machine();
    for (const t of [0, 1, 11932, 1_193_182, 123_456_789_01]) {
      const c = m.pit.cycleOfTick(t);
      expect(m.pit.ticksAt(c)).toBe(t);
      if (c > 0) expect(m.pit.ticksAt(c - 1)).toBe(t - 1);
    }
  });

  test('BCD mode is rejected clearly', () => {
    expect(() => machine().pit.out8(0x43, 0x35)).toThrow(/BCD/);
  });
});
