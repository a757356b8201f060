// The 8254 programmable interval timer at ports 0x40–0x43, clocked at 1.193182 MHz
// (Intel 8254 datasheet, 1993). Channel 0's output drives IRQ 0: each rising edge is
// delivered through the event queue at the exact core cycle of that PIT tick, so the
// tick rate Linux programs (HZ = 100: count 11932, mode 2) holds with no drift.
// Modelled: control words, counter latch, read-back (count and status), LSB/MSB/both
// access with the byte toggles, modes 0 (interrupt on terminal count), 2 (rate
// generator), 3 (square wave), 4 (software strobe); a new count written in mode 2/3
// while counting takes effect at the end of the current period. Not modelled: BCD
// counting (rejected), the gates (hard-wired high; modes 1 and 5 therefore never
// trigger), the channel 1/2 outputs (DRAM refresh, speaker), mode-3 counts of odd
// values read back exactly (their halves differ by one tick; the edges are exact).
// Power-on state (there is no BIOS): every channel idle until a control word and a count
// are written, so no timer interrupt arrives before the kernel programs one.
import type { CycleClock } from '../clock/cycle-clock';
import type { EventHandle, EventQueue } from '../clock/event-queue';
import type { PortDevice } from './io-bus';

export interface IrqSink {
  /** a rising edge on IRQ line `irq` */
  pulse(irq: number): void;
}

const RW_LATCH = 0;
const RW_LSB = 1;
const RW_MSB = 2;
const RW_BOTH = 3;

class Channel {
  mode = 0;
  rw = RW_BOTH;
  /** the count in use (1..65536) */
  reload = 0x10000;
  /** the tick at which the count in use was loaded into the counting element, or -1 (not counting) */
  loadTick = -1;
  /** the count and load tick before a mode 2/3 reprogramming took effect (read-back in between) */
  prevReload = 0x10000;
  prevLoadTick = -1;
  /** a count value has been written but not yet loaded (status bit 6) */
  nullCount = true;
  writeLowNext = true;
  lowByte = 0;
  readLowNext = true;
  /** the latched count (-1: none) and the latched status byte (-1: none) */
  latched = -1;
  status = -1;
  event: EventHandle | null = null;

  constructor(readonly index: number) {}
}

export class Pit implements PortDevice {
  readonly name = 'pit';
  private readonly channels = [new Channel(0), new Channel(1), new Channel(2)];
  private readonly coreHz: number;
  private readonly pitHz: number;

  constructor(
    config: { coreClockHz: number; pitClockHz: number },
    private readonly clock: CycleClock,
    private readonly events: EventQueue,
    private readonly irq: IrqSink,
  ) {
    this.coreHz = config.coreClockHz;
    this.pitHz = config.pitClockHz;
    if (!Number.isInteger(this.coreHz) || !Number.isInteger(this.pitHz)) throw new Error('Pit: clock rates must be integers (Hz)');
  }

  /** PIT ticks elapsed by core cycle `cycle`: floor(cycle · pitHz / coreHz), exact. */
  ticksAt(cycle: number): number {
    const q = Math.floor(cycle / this.coreHz);
    const r = cycle - q * this.coreHz;
    return q * this.pitHz + Math.floor((r * this.pitHz) / this.coreHz);
  }

  /** The first core cycle by which `tick` PIT ticks have elapsed: ceil(tick · coreHz / pitHz), exact. */
  cycleOfTick(tick: number): number {
    const q = Math.floor(tick / this.pitHz);
    const r = tick - q * this.pitHz;
    return q * this.coreHz + Math.ceil((r * this.coreHz) / this.pitHz);
  }

  /** The current count of `channel` (what an unlatched read would see), 0..0xFFFF. */
  count(channel: number): number {
    return this.countAt(this.channels[channel], this.ticksAt(this.clock.now));
  }

  in8(port: number): number {
    if (port === 0x43) return 0xff; // the control register is write-only
    const ch = this.channels[port & 3];
    if (ch.status >= 0) {
      const s = ch.status;
      ch.status = -1;
      return s;
    }
    const value = ch.latched >= 0 ? ch.latched : this.countAt(ch, this.ticksAt(this.clock.now));
    let byte: number;
    switch (ch.rw) {
      case RW_LSB:
        byte = value & 0xff;
        ch.latched = -1;
        break;
      case RW_MSB:
        byte = value >>> 8;
        ch.latched = -1;
        break;
      default:
        if (ch.readLowNext) byte = value & 0xff;
        else {
          byte = value >>> 8;
          ch.latched = -1;
        }
        ch.readLowNext = !ch.readLowNext;
    }
    return byte;
  }

  out8(port: number, value: number): void {
    if (port === 0x43) return this.control(value);
    const ch = this.channels[port & 3];
    switch (ch.rw) {
      case RW_LSB:
        return this.writeCount(ch, value);
      case RW_MSB:
        return this.writeCount(ch, value << 8);
      default:
        if (ch.writeLowNext) {
          ch.lowByte = value;
          ch.writeLowNext = false;
        } else {
          ch.writeLowNext = true;
          this.writeCount(ch, ch.lowByte | (value << 8));
        }
    }
  }

  private control(value: number): void {
    const sc = value >> 6;
    if (sc === 3) return this.readBack(value);
    const ch = this.channels[sc];
    const rw = (value >> 4) & 3;
    if (rw === RW_LATCH) {
      if (ch.latched < 0) ch.latched = this.countAt(ch, this.ticksAt(this.clock.now));
      return;
    }
    if (value & 1) throw new Error('8254: BCD counting is not supported');
    let mode = (value >> 1) & 7;
    if (mode > 5) mode -= 4; // modes 6 and 7 are aliases of 2 and 3
    ch.mode = mode;
    ch.rw = rw;
    ch.writeLowNext = true;
    ch.readLowNext = true;
    ch.latched = -1;
    ch.status = -1;
    ch.nullCount = true;
    ch.loadTick = -1; // a control word stops the channel until a count is written
    ch.prevLoadTick = -1;
    this.cancelEvent(ch);
  }

  private readBack(value: number): void {
    const latchCount = (value & 0x20) === 0;
    const latchStatus = (value & 0x10) === 0;
    const now = this.ticksAt(this.clock.now);
    for (let i = 0; i < 3; i++) {
      if (!(value & (2 << i))) continue;
      const ch = this.channels[i];
      if (latchStatus && ch.status < 0) {
        ch.status = (this.outAt(ch, now) ? 0x80 : 0) | (ch.nullCount ? 0x40 : 0) | (ch.rw << 4) | (ch.mode << 1);
      }
      if (latchCount && ch.latched < 0) ch.latched = this.countAt(ch, now);
    }
  }

  private writeCount(ch: Channel, raw: number): void {
    const n = (raw & 0xffff) === 0 ? 0x10000 : raw & 0xffff;
    const now = this.ticksAt(this.clock.now);
    if (ch.loadTick >= 0 && now >= ch.loadTick && (ch.mode === 2 || ch.mode === 3)) {
      // the new count is loaded at the end of the current period
      const periods = Math.floor((now - ch.loadTick) / ch.reload) + 1;
      ch.prevReload = ch.reload;
      ch.prevLoadTick = ch.loadTick;
      ch.loadTick = ch.loadTick + periods * ch.reload;
    } else {
      ch.prevLoadTick = -1;
      ch.loadTick = now + 1; // loaded on the next CLK pulse
    }
    ch.reload = n;
    ch.nullCount = false;
    if (ch.mode === 1 || ch.mode === 5) ch.loadTick = -1; // wait for a gate edge that never comes
    this.scheduleEdge(ch);
  }

  /** The counting element of `ch` at PIT tick `t`. */
  private countAt(ch: Channel, t: number): number {
    let n = ch.reload;
    let load = ch.loadTick;
    if (load >= 0 && t < load && ch.prevLoadTick >= 0) {
      n = ch.prevReload;
      load = ch.prevLoadTick;
    }
    if (load < 0 || t < load) return n & 0xffff;
    const e = t - load;
    switch (ch.mode) {
      case 2:
        return (n - (e % n)) & 0xffff;
      case 3: {
        const half = Math.ceil(n / 2);
        return (2 * half - 2 * (e % half)) & 0xffff;
      }
      default:
        // modes 0 and 4 count down once and wrap around
        return (n - e) & 0xffff;
    }
  }

  /** The OUT pin of `ch` at tick `t` (for the read-back status). */
  private outAt(ch: Channel, t: number): boolean {
    const n = ch.reload;
    if (ch.loadTick < 0 || t < ch.loadTick) return ch.mode !== 0;
    const e = t - ch.loadTick;
    switch (ch.mode) {
      case 0:
        return e >= n;
      case 2:
        return e % n !== n - 1;
      case 3:
        return e % n < Math.ceil(n / 2);
      case 4:
        return e !== n;
      default:
        return true;
    }
  }

  /** The tick of the next rising edge of OUT strictly after tick `after`, or -1. */
  private nextEdge(ch: Channel, after: number): number {
    const n = ch.reload;
    const load = ch.loadTick;
    if (load < 0) return -1;
    switch (ch.mode) {
      case 0:
        return load + n > after ? load + n : -1;
      case 2:
      case 3: {
        // before a deferred reload, the end of the old period is itself a rising edge
        if (after < load) return ch.prevLoadTick >= 0 ? load : load + n;
        return load + (Math.floor((after - load) / n) + 1) * n;
      }
      case 4:
        return load + n + 1 > after ? load + n + 1 : -1;
      default:
        return -1;
    }
  }

  private scheduleEdge(ch: Channel): void {
    this.cancelEvent(ch);
    if (ch.index !== 0) return; // only channel 0's output is wired to an interrupt
    const edge = this.nextEdge(ch, this.ticksAt(this.clock.now));
    if (edge < 0) return;
    this.armAt(ch, edge);
  }

  private armAt(ch: Channel, edge: number): void {
    ch.event = this.events.schedule(this.cycleOfTick(edge), () => {
      ch.event = null;
      this.irq.pulse(0);
      const next = this.nextEdge(ch, edge);
      if (next >= 0) this.armAt(ch, next);
    });
  }

  private cancelEvent(ch: Channel): void {
    if (ch.event !== null) {
      this.events.cancel(ch.event);
      ch.event = null;
    }
  }
}
