import { Pic } from './pic';

/** Linux 2.0's init_IRQ / 8259 setup: vectors 0x20 and 0x28, cascade on IR2, 8086 mode. */
function linuxPic(): Pic {
  const pic = new Pic();
  pic.out8(0x20, 0x11);
  pic.out8(0x21, 0x20);
  pic.out8(0x21, 0x04);
  pic.out8(0x21, 0x01);
  pic.out8(0xa0, 0x11);
  pic.out8(0xa1, 0x28);
  pic.out8(0xa1, 0x02);
  pic.out8(0xa1, 0x01);
  pic.out8(0x21, 0x00); // unmask all
  pic.out8(0xa1, 0x00);
  return pic;
}

const EOI = 0x20;

describe('8259A pair', () => {
  test('after ICW1 nothing is pending; a raised IRQ is delivered with its vector', () => {
    const pic = linuxPic();
    expect(pic.hasInterrupt()).toBe(false);
    pic.pulse(1);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x21);
    expect(pic.hasInterrupt()).toBe(false);
    expect(pic.isr).toBe(0b10);
  });

  test('priority: the lowest-numbered request goes first', () => {
    const pic = linuxPic();
    pic.pulse(3);
    pic.pulse(1);
    expect(pic.acknowledge()).toBe(0x21);
    pic.out8(0x20, EOI);
    expect(pic.acknowledge()).toBe(0x23);
  });

  test('fully nested: a higher priority interrupts an ISR, a lower one waits for EOI', () => {
    const pic = linuxPic();
    pic.pulse(1);
    expect(pic.acknowledge()).toBe(0x21);
    pic.pulse(3);
    expect(pic.hasInterrupt()).toBe(false); // IRQ 1 in service blocks IRQ 3
    pic.pulse(0);
    expect(pic.hasInterrupt()).toBe(true); // IRQ 0 is above it
    expect(pic.acknowledge()).toBe(0x20);
    pic.out8(0x20, EOI); // ends IRQ 0 (the highest in service)
    expect(pic.hasInterrupt()).toBe(false);
    pic.out8(0x20, EOI); // ends IRQ 1
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x23);
  });

  test('a masked request stays in IRR and is delivered when unmasked', () => {
    const pic = linuxPic();
    pic.out8(0x21, 0x01);
    pic.pulse(0);
    expect(pic.hasInterrupt()).toBe(false);
    expect(pic.irr & 1).toBe(1);
    expect(pic.in8(0x21)).toBe(0x01);
    pic.out8(0x21, 0x00);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x20);
  });

  test('edge triggered: one edge is one request, however long the line stays high', () => {
    const pic = linuxPic();
    pic.raise(4);
    expect(pic.acknowledge()).toBe(0x24);
    pic.out8(0x20, EOI);
    expect(pic.hasInterrupt()).toBe(false);
    pic.lower(4);
    pic.raise(4);
    expect(pic.hasInterrupt()).toBe(true);
  });

  test('slave IRQs arrive through the cascade; both chips need an EOI', () => {
    const pic = linuxPic();
    pic.pulse(14);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x2e);
    expect(pic.isr).toBe((1 << 14) | (1 << 2));
    pic.pulse(1); // IRQ 1 ranks above the cascade input IR2: it interrupts the slave IRQ
    expect(pic.acknowledge()).toBe(0x21);
    pic.out8(0x20, EOI); // master: IRQ 1
    pic.pulse(15);
    expect(pic.hasInterrupt()).toBe(false); // IR2 still in service on the master
    pic.out8(0xa0, EOI);
    pic.out8(0x20, EOI);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x2f);
  });

  test('masking the cascade input masks every slave IRQ', () => {
    const pic = linuxPic();
    pic.out8(0x21, 0x04);
    pic.pulse(8);
    expect(pic.hasInterrupt()).toBe(false);
  });

  test('OCW3 selects IRR or ISR for reads of the command port', () => {
    const pic = linuxPic();
    pic.out8(0x21, 0xff);
    pic.pulse(5);
    pic.out8(0x20, 0x0a);
    expect(pic.in8(0x20)).toBe(0x20);
    pic.out8(0x21, 0x00);
    pic.acknowledge();
    pic.out8(0x20, 0x0b);
    expect(pic.in8(0x20)).toBe(0x20);
    expect(pic.in8(0x20)).toBe(0x20); // the selection persists
  });

  test('a level request that vanishes before INTA gives the spurious IRQ 7 vector and no ISR bit', () => {
    const pic = new Pic();
    pic.out8(0x20, 0x19); // level triggered, ICW4
    pic.out8(0x21, 0x08);
    pic.out8(0x21, 0x04);
    pic.out8(0x21, 0x01);
    pic.out8(0x21, 0x00);
    pic.raise(3);
    expect(pic.hasInterrupt()).toBe(true);
    pic.lower(3);
    expect(pic.acknowledge()).toBe(0x0f);
    expect(pic.isr).toBe(0);
  });

  test('automatic EOI leaves nothing in service', () => {
    const pic = new Pic();
    pic.out8(0x20, 0x13); // single, ICW4
    pic.out8(0x21, 0x40);
    pic.out8(0x21, 0x03); // µPM + AEOI
    pic.out8(0x21, 0x00);
    pic.pulse(2);
    expect(pic.acknowledge()).toBe(0x42);
    expect(pic.isr).toBe(0);
    pic.pulse(6);
    expect(pic.acknowledge()).toBe(0x46);
  });

  test('specific EOI and priority rotation', () => {
    const pic = linuxPic();
    pic.pulse(0);
    pic.acknowledge();
    pic.out8(0x20, 0x60 | 0); // specific EOI for IR0
    expect(pic.isr).toBe(0);
    pic.out8(0x20, 0xc0 | 3); // set priority: IR3 lowest, IR4 highest
    pic.pulse(1);
    pic.pulse(5);
    expect(pic.acknowledge()).toBe(0x25);
  });

  test('poll command returns the highest request and acknowledges it', () => {
    const pic = linuxPic();
    pic.pulse(6);
    pic.out8(0x20, 0x0c);
    expect(pic.in8(0x20)).toBe(0x86);
    expect(pic.isr).toBe(1 << 6);
  });

  test('rejects IRQ numbers outside 0–15', () => {
    expect(() => linuxPic().raise(16)).toThrow(/IRQ 16/);
  });
});
