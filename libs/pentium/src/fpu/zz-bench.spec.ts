import { X87 } from './x87';
import type { FpuHost } from './fpu-host';
class H implements FpuHost {
  mem = new Uint8Array(4096); dv = new DataView(this.mem.buffer);
  readLinear8(a: number) { return this.mem[a]!; } readLinear16(a: number) { return this.dv.getUint16(a, true); }
  readLinear32(a: number) { return this.dv.getUint32(a, true); } writeLinear8(a: number, v: number) { this.mem[a] = v; }
  writeLinear16(a: number, v: number) { this.dv.setUint16(a, v, true); } writeLinear32(a: number, v: number) { this.dv.setUint32(a, v >>> 0, true); }
  getReg() { return 0; } setReg() {} raiseException(v: number): never { throw new Error('' + v); }
}
it('bench', () => {
  const x = new X87(); const h = new H();
  h.dv.setFloat64(0x100, 1.000001, true); h.dv.setFloat64(0x108, 0.999999, true);
  const cw = 0x027f; h.dv.setUint16(0x200, cw, true); x.execute(h, 0xd9, 0x28, 0x200);
  const N = 200_000;
  const ops: [string, number, number][] = [['fmul', 0xdc, 0x08], ['fadd', 0xdc, 0x00], ['fdiv', 0xdc, 0x30], ['fcom', 0xdc, 0x10], ['fld', 0xdd, 0]];
  x.execute(h, 0xdd, 0x00, 0x100);
  for (const [name, op, modrm] of ops) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      x.execute(h, op, modrm, 0x108);
      if (name === 'fld') x.execute(h, 0xdd, 0x18, 0x110);
    }
    const t1 = process.hrtime.bigint();
    console.log(`${name}: ${(Number(t1 - t0) / N).toFixed(1)} ns`);
  }
});
