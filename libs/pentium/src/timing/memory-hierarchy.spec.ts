import { Counters } from './counters';
import { MemoryHierarchy } from './memory-hierarchy';
import { P54C_CONFIG } from './p54c-config';

const DRAM = P54C_CONFIG.dramLineFillClocks;
const L2 = P54C_CONFIG.l2LineFillClocks;
const WAY_STRIDE = 128 * 32; // addresses this far apart share an L1 set
const L2_STRIDE = 256 * 1024; // … and an L2 set

function fresh(): { h: MemoryHierarchy; c: Counters } {
  const c = new Counters();
  return { h: new MemoryHierarchy(P54C_CONFIG, c), c };
}

describe('data reads', () => {
  test('the first read of a line misses L1 and L2 and fills from DRAM; the second hits', () => {
    const { h, c } = fresh();
    expect(h.read(0x10000, 4)).toBe(DRAM);
    expect(c.l1dMisses).toBe(1);
    expect(c.l2Misses).toBe(1);
    expect(c.dramAccesses).toBe(1);
    expect(h.read(0x10000, 4)).toBe(0);
    expect(h.read(0x1001c, 4)).toBe(0); // same 32-byte line
    expect(c.l1dMisses).toBe(1);
  });

  test('a line evicted from L1 but still in L2 costs the L2 fill', () => {
    const { h, c } = fresh();
    const a = 0x20000;
    h.read(a, 4);
    h.read(a + WAY_STRIDE, 4);
    h.read(a + 2 * WAY_STRIDE, 4); // third line in a 2-way set: evicts a
    h.advance(1000);
    expect(h.read(a, 4)).toBe(L2);
    expect(c.l2Misses).toBe(3);
    expect(c.l1dMisses).toBe(4);
  });

  test('LRU: touching a line protects it from the next replacement in its set', () => {
    const { h } = fresh();
    const a = 0x40000;
    const b = a + WAY_STRIDE;
    h.read(a, 4);
    h.read(b, 4);
    h.read(a, 4); // a becomes most recent
    h.read(b + WAY_STRIDE, 4); // evicts b
    h.advance(1000);
    expect(h.read(a, 4)).toBe(0);
    expect(h.read(b, 4)).toBe(L2);
  });

  test('a line that also lost its L2 copy comes from DRAM again', () => {
    const { h, c } = fresh();
    h.read(0x1000, 4);
    h.read(0x1000 + L2_STRIDE, 4); // same L2 set (direct mapped): evicts 0x1000 from L2
    h.read(0x1000 + 2 * L2_STRIDE, 4);
    h.advance(1000);
    expect(h.read(0x1000, 4)).toBe(DRAM);
    expect(c.l2Misses).toBe(4);
  });

  test('a misaligned dword costs +3; an access spanning two lines fills both', () => {
    const { h, c } = fresh();
    h.read(0x3000, 32);
    expect(h.read(0x3001, 4)).toBe(P54C_CONFIG.misalignedClocks);
    expect(c.misalignedAccesses).toBe(1);
    expect(h.read(0x3002, 2)).toBe(0);
    expect(h.read(0x3001, 2)).toBe(0); // inside one dword
    expect(h.read(0x3003, 2)).toBe(P54C_CONFIG.misalignedClocks); // crosses a dword boundary
    expect(h.read(0x3004, 8)).toBe(P54C_CONFIG.misalignedClocks); // qword not 8-aligned
    expect(h.read(0x3008, 8)).toBe(0);
    expect(h.write(0x3005, 4)).toBe(P54C_CONFIG.misalignedClocks);
    expect(c.misalignedAccesses).toBe(4);
    h.advance(1000);
    expect(h.read(0x301e, 4)).toBe(P54C_CONFIG.misalignedClocks + DRAM); // 0x3000 line hits, 0x3020 misses
  });
});

describe('data writes (write-back, no write-allocate)', () => {
  test('a write miss does not allocate: the following read misses', () => {
    const { h, c } = fresh();
    expect(h.write(0x50000, 4)).toBe(0); // goes to a write buffer
    expect(c.l1dWriteMisses).toBe(1);
    expect(c.l1dMisses).toBe(0);
    h.advance(1000);
    expect(h.read(0x50000, 4)).toBe(DRAM);
    expect(c.l1dMisses).toBe(1);
  });

  test('a read miss waits for the buffered write to leave the bus', () => {
    const { h } = fresh();
    h.write(0x50000, 4);
    expect(h.read(0x60000, 4)).toBe(P54C_CONFIG.dramWriteClocks + DRAM);
  });

  test('two write buffers: the third back-to-back write miss waits for the first', () => {
    const { h, c } = fresh();
    expect(h.write(0x70000, 4)).toBe(0);
    expect(h.write(0x71000, 4)).toBe(0);
    expect(h.write(0x72000, 4)).toBe(P54C_CONFIG.dramWriteClocks);
    expect(c.writeBufferStalls).toBe(P54C_CONFIG.dramWriteClocks);
    h.advance(1000);
    expect(h.write(0x73000, 4)).toBe(0);
  });

  test('a write miss to a line L2 holds drains at L2 speed', () => {
    const { h } = fresh();
    h.read(0x80000, 4);
    h.read(0x80000 + WAY_STRIDE, 4);
    h.read(0x80000 + 2 * WAY_STRIDE, 4); // 0x80000 now only in L2
    h.advance(1000);
    h.write(0x80000, 4);
    h.write(0x80000, 4);
    expect(h.write(0x80000, 4)).toBe(P54C_CONFIG.l2WriteClocks);
  });

  test('a write hit dirties the line; evicting it writes it back (bus time, no stall)', () => {
    const { h, c } = fresh();
    h.read(0x90000, 4);
    expect(h.write(0x90004, 4)).toBe(0);
    expect(h.l1d.dirtyLineCount()).toBe(1);
    h.read(0x90000 + WAY_STRIDE, 4);
    h.advance(1000);
    expect(h.read(0x90000 + 2 * WAY_STRIDE, 4)).toBe(DRAM); // evicts the dirty line (LRU)
    expect(c.l1dWritebacks).toBe(1);
    expect(h.l1d.dirtyLineCount()).toBe(0);
    // the write-back occupies the bus after the fill: an immediate miss waits for it
    expect(h.read(0xa0000, 4)).toBe(P54C_CONFIG.l2LineWriteClocks + DRAM);
  });
});

describe('code fetch', () => {
  test('a fetch miss fills the code cache and marks a first pass; a hit does not', () => {
    const { h, c } = fresh();
    expect(h.fetch(0x1000, 2)).toBe(DRAM);
    expect(h.codeFirstPass).toBe(true);
    expect(h.fetch(0x1002, 3)).toBe(0);
    expect(h.codeFirstPass).toBe(true); // still the freshly filled line
    h.noteTakenBranch();
    expect(h.codeFirstPass).toBe(false);
    expect(h.fetch(0x1020, 1)).toBe(DRAM);
    expect(h.fetch(0x1000, 1)).toBe(0);
    expect(h.codeFirstPass).toBe(false);
    expect(c.l1iMisses).toBe(2);
  });

  test('an instruction spanning two lines fetches both', () => {
    const { h, c } = fresh();
    h.fetch(0x101e, 5);
    expect(c.l1iMisses).toBe(2);
  });

  test('code and data lines share L2', () => {
    const { h } = fresh();
    h.fetch(0x2000, 1);
    expect(h.read(0x2000, 4)).toBe(L2);
  });

  test('writing to a cached code line invalidates it (self-modifying code)', () => {
    const { h, c } = fresh();
    h.fetch(0x3000, 1);
    h.write(0x3004, 4);
    h.advance(1000);
    expect(h.fetch(0x3000, 1)).toBe(L2);
    expect(c.l1iMisses).toBe(2);
  });
});

describe('flushes', () => {
  test('WBINVD empties every cache and counts the dirty lines written back', () => {
    const { h, c } = fresh();
    h.read(0x1000, 4);
    h.write(0x1000, 4);
    h.fetch(0x8000, 1);
    h.flushAll(true);
    expect(c.l1dWritebacks).toBe(1);
    h.advance(1000);
    expect(h.read(0x1000, 4)).toBe(DRAM);
    h.advance(1000);
    expect(h.fetch(0x8000, 1)).toBe(DRAM);
  });

  test('a DMA write drops the range from every cache', () => {
    const { h } = fresh();
    h.read(0x5000, 4);
    h.invalidateRange(0x5000, 512);
    expect(h.read(0x5000, 4)).toBe(DRAM);
  });
});
