import { Machine } from '../machine';
import { LinearMemory } from './linear-memory';
import { PhysicalMemory } from './physical-memory';

describe('LinearMemory', () => {
  it('puts RAM at address 0 and allocates aligned state above it', () => {
    const lin = new LinearMemory(1 << 20, 4096);
    expect(lin.buffer.byteLength).toBe((1 << 20) + 65536); // whole Wasm pages
    const a = lin.u8(3);
    const b = lin.i32(2);
    const c = lin.f64(1);
    expect(a.byteOffset).toBe(1 << 20);
    expect(b.byteOffset % 4).toBe(0);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + 3);
    expect(c.byteOffset % 8).toBe(0);
    expect(lin.stateUsed).toBe(c.byteOffset + 8 - (1 << 20));
  });

  it('refuses to allocate past its state region, and sizes past 2 GiB', () => {
    const lin = new LinearMemory(65536, 64);
    lin.i32(16);
    expect(() => lin.u8(1)).toThrow(/state region is full \(1 more bytes asked, 0 left\)/);
    expect(() => new LinearMemory(2 ** 31, 1)).toThrow(/do not fit a 2 GiB linear memory/);
  });

  it('is one WebAssembly.Memory shared by RAM, the CPU and the timing model of a Machine', () => {
    const m = new Machine({ memoryBytes: 4 << 20 });
    const lin = m.memory.linear;
    expect(lin.memory).toBeInstanceOf(WebAssembly.Memory);
    const view = new DataView(lin.buffer);
    // guest RAM at address 0
    m.memory.write32(0x1234, 0xcafef00d);
    expect(view.getUint32(0x1234, true)).toBe(0xcafef00d);
    // the register file, the soft TLB and the timing tables in the state region above RAM
    m.cpu.r32[3] = 0x11223344;
    expect(view.getInt32(m.cpu.r32.byteOffset + 12, true)).toBe(0x11223344);
    for (const arr of [m.cpu.r32, m.cpu.tlb, m.cpu.segBase, m.memory.codePages]) {
      expect(arr.buffer).toBe(lin.buffer);
      expect(arr.byteOffset).toBeGreaterThanOrEqual(4 << 20);
    }
    // beyond the 4 MiB soft TLB: the timing model's tables (the L2 tags alone are 32 KiB)
    expect(lin.stateUsed).toBeGreaterThan((4 << 20) + 32 * 1024);
  });

  it('leaves PhysicalMemory reads outside RAM at 0xff (the state region is not RAM)', () => {
    const mem = new PhysicalMemory(65536);
    expect(mem.read8(65536)).toBe(0xff);
    expect(mem.u8.length).toBe(65536);
  });
});
