import { PhysicalMemory } from './physical-memory';

describe('PhysicalMemory', () => {
  it('reads and writes little-endian at any alignment', () => {
    const m = new PhysicalMemory(1 << 16);
    m.write32(0x101, 0x11223344);
    expect(m.read8(0x101)).toBe(0x44);
    expect(m.read16(0x102)).toBe(0x2233);
    expect(m.read32(0x101)).toBe(0x11223344);
    m.write16(0x200, 0xbeef);
    expect(m.read32(0x200)).toBe(0xbeef);
    m.writeBytes(0x300, [1, 2, 3]);
    expect([...m.readBytes(0x300, 3)]).toEqual([1, 2, 3]);
    m.fill(0x300, 2, 9);
    expect(m.read32(0x300)).toBe(0x030909);
  });

  it('reads all ones above the installed memory and ignores writes there', () => {
    const m = new PhysicalMemory(4096);
    expect(m.read8(5000)).toBe(0xff);
    expect(m.read32(5000)).toBe(0xffffffff);
    m.write32(5000, 1);
    expect(() => m.readBytes(4090, 10)).toThrow(RangeError);
    expect(() => new PhysicalMemory(1000)).toThrow(/multiple of 4096/);
  });

  it('calls the write hook once per code page written, then forgets the page', () => {
    const m = new PhysicalMemory(1 << 16);
    const hits: number[] = [];
    m.onCodeWrite = (p) => hits.push(p);
    m.markCode(2);
    m.write8(0x1fff, 1); // page 1: not code
    m.write32(0x1ffe, 0); // crosses into page 2
    m.write32(0x2000, 0); // page 2 no longer marked
    m.markCode(3);
    m.fill(0x3000, 16, 0);
    expect(hits).toEqual([2, 3]);
  });
});
