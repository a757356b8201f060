import { decodeGateDescriptor, decodeSegmentDescriptor, DESC_TYPE, encodeGateDescriptor, encodeSegmentDescriptor, flatCode, selector, tssDescriptor } from './descriptors';

describe('descriptors', () => {
  it('encodes the flat ring-3 code segment as Linux 2.0 does (0x00cffa00_0000ffff)', () => {
    const [lo, hi] = flatCode(3);
    expect(lo).toBe(0x0000ffff);
    expect(hi).toBe(0x00cffa00);
  });

  it('round-trips segment descriptors with byte and page granularity', () => {
    for (const d of [
      { base: 0x12345678, limit: 0xfffff, type: DESC_TYPE.DATA_RW, dpl: 2, big: true, granularity: false },
      { base: 0xc0000000, limit: 0x3fffffff, type: DESC_TYPE.CODE_RX, dpl: 0, big: true, granularity: true },
    ]) {
      const [lo, hi] = encodeSegmentDescriptor(d);
      const r = decodeSegmentDescriptor(lo, hi);
      expect(r).toMatchObject({ base: d.base, limit: d.limit, type: d.type, dpl: d.dpl, big: d.big, granularity: d.granularity, present: true, s: true });
    }
    expect(() => encodeSegmentDescriptor({ base: 0, limit: 0x123456, type: 2, dpl: 0, granularity: true })).toThrow(/0xfff/);
  });

  it('round-trips gates and builds TSS descriptors and selectors', () => {
    const g = { selector: 0x10, offset: 0xc0101234, type: DESC_TYPE.TRAP_GATE32, dpl: 3, present: true, paramCount: 0 };
    const [lo, hi] = encodeGateDescriptor(g);
    expect(decodeGateDescriptor(lo, hi)).toEqual(g);
    const t = decodeSegmentDescriptor(...tssDescriptor(0x3000));
    expect(t).toMatchObject({ base: 0x3000, limit: 0x67, type: DESC_TYPE.TSS32_AVAIL, s: false });
    expect(selector(4, 3)).toBe(0x23);
    expect(selector(1, 0, true)).toBe(0x0c);
  });
});
