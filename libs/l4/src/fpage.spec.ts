import { decodeFpage, encodeFpage, fpage, placeFpage } from './fpage';

describe('flexpages', () => {
  it('encode and decode as in the L4 x86 layout', () => {
    expect(fpage(0x12345000, 12, true)).toBe(0x12345000 | (12 << 2) | 2);
    expect(decodeFpage(0x00400000 | (22 << 2))).toEqual({ base: 0x400000, log2: 22, writable: false });
    expect(decodeFpage(encodeFpage({ base: 0, log2: 32, writable: true }))).toEqual({ base: 0, log2: 32, writable: true });
    expect(() => fpage(0x1000, 13)).toThrow(/not aligned/);
    expect(() => fpage(0, 11)).toThrow(/outside/);
  });

  it('places a small fpage inside a large window at the sender’s offset, and cuts a large one to the window', () => {
    expect(placeFpage(decodeFpage(fpage(0x5000, 12)), decodeFpage(fpage(0x400000, 22)), 0x123000)).toEqual({ from: 0x5000, to: 0x523000, bytes: 0x1000 });
    expect(placeFpage(decodeFpage(fpage(0x800000, 22)), decodeFpage(fpage(0x7000, 12)), 0x3000)).toEqual({ from: 0x803000, to: 0x7000, bytes: 0x1000 });
  });
});
