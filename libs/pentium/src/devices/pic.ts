// Two cascaded 8259A programmable interrupt controllers as wired in a PC/AT: the
// master at ports 0x20/0x21 (IRQ 0–7), the slave at 0xA0/0xA1 (IRQ 8–15) on the
// master's IR2 (Intel 8259A datasheet, 1988). Modelled: ICW1–ICW4 initialisation,
// edge- and level-triggered requests (ICW1.LTIM), IRR/ISR/IMR, fully nested priority
// with rotation (OCW2 rotate commands and "set priority"), non-specific and specific
// EOI, automatic EOI (ICW4.AEOI), OCW3 register reads (IRR/ISR) and poll, spurious
// IRQ 7/15 when a request vanishes before INTA. Not modelled: special mask mode,
// special fully nested mode, buffered mode (no effect on a PC), 8080 call vectors.
// Power-on state (there is no BIOS): every IRQ masked and IR2 not yet a cascade input
// until the kernel's ICW1–ICW4 (Linux's init sequence: 0x11, base, 0x04/0x02, 0x01).
import type { PortDevice } from './io-bus';

class Chip8259 {
  irr = 0;
  isr = 0;
  imr = 0xff;
  /** input line levels (bit per IR) */
  lines = 0;
  vectorBase = 0;
  levelTriggered = false;
  autoEoi = false;
  rotateOnAutoEoi = false;
  /** the IR with the lowest priority (7 after ICW1) */
  lowestPriority = 7;
  readIsr = false;
  poll = false;
  /** 0: ready; 2/3/4: expecting ICW2/ICW3/ICW4 */
  initStep = 0;
  needIcw3 = false;
  needIcw4 = false;
  icw3 = 0;

  constructor(readonly name: string) {}

  /** The highest-priority IR among `mask`, or -1. */
  highest(mask: number): number {
    if (mask === 0) return -1;
    for (let i = 1; i <= 8; i++) {
      const ir = (this.lowestPriority + i) & 7;
      if (mask & (1 << ir)) return ir;
    }
    return -1;
  }

  /** Priority rank of an IR: 0 = highest. */
  rank(ir: number): number {
    return (ir - this.lowestPriority - 1) & 7;
  }

  /** The IR this chip would present at INTA (fully nested: above any in service), or -1. */
  pendingIr(): number {
    const req = this.irr & ~this.imr & 0xff;
    const ir = this.highest(req);
    if (ir < 0) return -1;
    const inService = this.highest(this.isr);
    if (inService >= 0 && this.rank(inService) <= this.rank(ir)) return -1;
    return ir;
  }

  setLine(ir: number, high: boolean): void {
    const bit = 1 << ir;
    if (high) {
      if (!(this.lines & bit)) this.irr |= bit; // edge (or level) latches the request
      this.lines |= bit;
    } else {
      this.lines &= ~bit;
      if (this.levelTriggered) this.irr &= ~bit;
    }
  }

  /** INTA for `ir`: into service, request consumed (edge mode). */
  acknowledgeIr(ir: number): void {
    const bit = 1 << ir;
    this.irr &= ~bit;
    // level mode: the request stays while the line is high (it is seen again after EOI)
    if (this.levelTriggered && (this.lines & bit) !== 0) this.irr |= bit;
    if (!this.autoEoi) this.isr |= bit;
    else if (this.rotateOnAutoEoi) this.lowestPriority = ir;
  }

  eoi(value: number): void {
    const cmd = value >> 5; // R SL EOI
    const level = value & 7;
    switch (cmd) {
      case 0b001: {
        // non-specific EOI
        const ir = this.highest(this.isr);
        if (ir >= 0) this.isr &= ~(1 << ir);
        break;
      }
      case 0b011: // specific EOI
        this.isr &= ~(1 << level);
        break;
      case 0b101: {
        // rotate on non-specific EOI
        const ir = this.highest(this.isr);
        if (ir >= 0) {
          this.isr &= ~(1 << ir);
          this.lowestPriority = ir;
        }
        break;
      }
      case 0b100: // rotate in automatic EOI mode (set)
        this.rotateOnAutoEoi = true;
        break;
      case 0b000: // rotate in automatic EOI mode (clear)
        this.rotateOnAutoEoi = false;
        break;
      case 0b111: // rotate on specific EOI
        this.isr &= ~(1 << level);
        this.lowestPriority = level;
        break;
      case 0b110: // set priority
        this.lowestPriority = level;
        break;
      default: // 0b010: no operation
        break;
    }
  }

  writeCommand(value: number): void {
    if (value & 0x10) {
      // ICW1
      this.levelTriggered = (value & 0x08) !== 0;
      this.needIcw3 = (value & 0x02) === 0;
      this.needIcw4 = (value & 0x01) !== 0;
      this.initStep = 2;
      this.imr = 0;
      this.isr = 0;
      this.irr = 0;
      this.lines = 0;
      this.lowestPriority = 7;
      this.readIsr = false;
      this.poll = false;
      this.autoEoi = false;
      this.rotateOnAutoEoi = false;
      return;
    }
    if (value & 0x08) {
      // OCW3
      if (value & 0x04) this.poll = true;
      if (value & 0x02) this.readIsr = (value & 0x01) !== 0;
      return;
    }
    this.eoi(value); // OCW2
  }

  writeData(value: number): void {
    switch (this.initStep) {
      case 2:
        this.vectorBase = value & 0xf8;
        this.initStep = this.needIcw3 ? 3 : this.needIcw4 ? 4 : 0;
        return;
      case 3:
        this.icw3 = value;
        this.initStep = this.needIcw4 ? 4 : 0;
        return;
      case 4:
        if (!(value & 0x01)) throw new Error(`8259A ${this.name}: ICW4 without µPM (8086 mode) is not supported`);
        this.autoEoi = (value & 0x02) !== 0;
        this.initStep = 0;
        return;
      default:
        this.imr = value; // OCW1
    }
  }
}

export class Pic implements PortDevice {
  readonly name = 'pic';
  private readonly master = new Chip8259('master');
  private readonly slave = new Chip8259('slave');
  /** the IR of the master the slave is cascaded on (PC/AT wiring) */
  private static readonly CASCADE = 2;
  /** INTR output of the master: recomputed on every change */
  private intr = false;

  /** The CPU's check before each instruction (with IF = 1): is INTR asserted? */
  hasInterrupt(): boolean {
    return this.intr;
  }

  /** INTA cycle: the vector the CPU takes. A vanished request gives the spurious IRQ 7/15 vector. */
  acknowledge(): number {
    const m = this.master;
    const ir = m.pendingIr();
    let vector: number;
    if (ir < 0) vector = m.vectorBase | 7; // spurious: ISR untouched
    else if (ir === Pic.CASCADE && this.cascaded()) {
      m.acknowledgeIr(ir);
      const s = this.slave;
      const sir = s.pendingIr();
      if (sir < 0) vector = s.vectorBase | 7;
      else {
        s.acknowledgeIr(sir);
        vector = s.vectorBase | sir;
      }
      this.updateCascade();
    } else {
      m.acknowledgeIr(ir);
      vector = m.vectorBase | ir;
    }
    this.update();
    return vector;
  }

  /** Drive IRQ line `irq` (0–15) high. */
  raise(irq: number): void {
    this.chipOf(irq).setLine(irq & 7, true);
    this.updateCascade();
    this.update();
  }

  /** Drive IRQ line `irq` low. */
  lower(irq: number): void {
    this.chipOf(irq).setLine(irq & 7, false);
    this.updateCascade();
    this.update();
  }

  /** A rising edge followed by the line going low again (the PIT's and most ISA devices' way). */
  pulse(irq: number): void {
    this.raise(irq);
    this.lower(irq);
  }

  /** Interrupt-request, in-service and mask registers as 16-bit values (slave in the high byte), for tests and debugging. */
  get irr(): number {
    return this.master.irr | (this.slave.irr << 8);
  }
  get isr(): number {
    return this.master.isr | (this.slave.isr << 8);
  }
  get imr(): number {
    return this.master.imr | (this.slave.imr << 8);
  }

  in8(port: number): number {
    const chip = (port & 0x80) !== 0 ? this.slave : this.master;
    if (chip.poll) {
      chip.poll = false;
      const ir = chip.pendingIr();
      if (ir < 0) return 0;
      chip.acknowledgeIr(ir);
      this.updateCascade();
      this.update();
      return 0x80 | ir;
    }
    if ((port & 1) === 0) return chip.readIsr ? chip.isr : chip.irr;
    return chip.imr;
  }

  out8(port: number, value: number): void {
    const chip = (port & 0x80) !== 0 ? this.slave : this.master;
    if ((port & 1) === 0) chip.writeCommand(value);
    else chip.writeData(value);
    this.updateCascade();
    this.update();
  }

  /** The master was initialised for cascade mode with a slave on IR2 (ICW1.SNGL = 0, ICW3 bit 2). */
  private cascaded(): boolean {
    return this.master.needIcw3 && (this.master.icw3 & (1 << Pic.CASCADE)) !== 0;
  }

  private chipOf(irq: number): Chip8259 {
    if (!(Number.isInteger(irq) && irq >= 0 && irq < 16)) throw new Error(`Pic: no IRQ ${irq}`);
    return irq < 8 ? this.master : this.slave;
  }

  /** The slave's INT output drives the master's cascade input (a level). */
  private updateCascade(): void {
    const m = this.master;
    if (!this.cascaded()) return; // IR2 is an ordinary input
    const slaveInt = this.slave.pendingIr() >= 0;
    const bit = 1 << Pic.CASCADE;
    if (slaveInt) {
      m.lines |= bit;
      m.irr |= bit;
    } else {
      m.lines &= ~bit;
      m.irr &= ~bit;
    }
  }

  private update(): void {
    this.intr = this.master.pendingIr() >= 0;
  }
}
