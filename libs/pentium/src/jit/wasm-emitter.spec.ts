import { ByteWriter, F64, I32, I64, OP, WasmModuleBuilder, type Opcode } from './wasm-emitter';

const bytes = (f: (w: ByteWriter) => void): number[] => {
  const w = new ByteWriter();
  f(w);
  return [...w.toBytes()];
};

async function instantiate(m: WasmModuleBuilder, imports: WebAssembly.Imports = {}): Promise<WebAssembly.Instance> {
  const bin = m.build();
  expect(WebAssembly.validate(bin)).toBe(true);
  return (await WebAssembly.instantiate(bin, imports)).instance;
}

describe('ByteWriter LEB128 (spec 5.2.2 examples and edges)', () => {
  it('encodes unsigned values', () => {
    expect(bytes((w) => w.u32(0))).toEqual([0x00]);
    expect(bytes((w) => w.u32(127))).toEqual([0x7f]);
    expect(bytes((w) => w.u32(128))).toEqual([0x80, 0x01]);
    expect(bytes((w) => w.u32(624485))).toEqual([0xe5, 0x8e, 0x26]);
    expect(bytes((w) => w.u32(0xffffffff))).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });
  it('encodes signed values', () => {
    expect(bytes((w) => w.s32(-1))).toEqual([0x7f]);
    expect(bytes((w) => w.s32(63))).toEqual([0x3f]);
    expect(bytes((w) => w.s32(64))).toEqual([0xc0, 0x00]);
    expect(bytes((w) => w.s32(-64))).toEqual([0x40]);
    expect(bytes((w) => w.s32(-65))).toEqual([0xbf, 0x7f]);
    expect(bytes((w) => w.s32(-123456))).toEqual([0xc0, 0xbb, 0x78]);
    // an unsigned 32-bit pattern is its int32
    expect(bytes((w) => w.s32(0xffffffff))).toEqual([0x7f]);
    expect(bytes((w) => w.s64(-(1n << 63n)))).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]);
  });
  it('rejects values outside the encoding', () => {
    expect(() => new ByteWriter().u32(-1)).toThrow(/not a u32/);
    expect(() => new ByteWriter().u32(2 ** 32)).toThrow(/not a u32/);
    expect(() => new ByteWriter().s32(2 ** 32)).toThrow(/not an i32/);
    expect(() => new ByteWriter().u32(1.5)).toThrow(/not a u32/);
  });
});

describe('WasmModuleBuilder', () => {
  it('builds a function the engine runs', async () => {
    const m = new WasmModuleBuilder();
    m.exportFunction('add', m.addFunction([I32, I32], [I32], [], (c) => c.localGet(0).localGet(1).op(OP.i32_add)));
    const add = (await instantiate(m)).exports.add as (a: number, b: number) => number;
    expect(add(2, 40)).toBe(42);
    expect(add(0x7fffffff, 1)).toBe(-0x80000000);
  });

  it('runs loops and branches (sum 1..n, with locals)', async () => {
    const m = new WasmModuleBuilder();
    const f = m.addFunction([I32], [I32], [I32], (c) =>
      c
        .block()
        .loop()
        .localGet(0)
        .op(OP.i32_eqz)
        .brIf(1)
        .localGet(1)
        .localGet(0)
        .op(OP.i32_add)
        .localSet(1)
        .localGet(0)
        .i32Const(1)
        .op(OP.i32_sub)
        .localSet(0)
        .br(0)
        .end()
        .end()
        .localGet(1),
    );
    m.exportFunction('sum', f);
    const sum = (await instantiate(m)).exports.sum as (n: number) => number;
    expect(sum(100)).toBe(5050);
    expect(sum(0)).toBe(0);
  });

  it('shares an imported memory with the host and honours load/store offsets and widths', async () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
    const m = new WasmModuleBuilder();
    m.importMemory('env', 'mem', 1, 1);
    // store8 [a + 3] = v; return load32 [a] + load16_s [a + 4]
    const f = m.addFunction([I32, I32], [I32], [], (c) =>
      c.localGet(0).localGet(1).mem('i32_store8', 3).localGet(0).mem('i32_load').localGet(0).mem('i32_load16_s', 4).op(OP.i32_add),
    );
    m.exportFunction('f', f);
    const inst = await instantiate(m, { env: { mem: memory } });
    const u8 = new Uint8Array(memory.buffer);
    u8.set([1, 0, 0, 0, 0xfe, 0xff], 16); // load32 = 1, load16_s at +4 = -2
    const r = (inst.exports.f as (a: number, v: number) => number)(16, 0x80);
    expect(u8[19]).toBe(0x80);
    expect(r).toBe(((0x80000001 | 0) - 2) | 0); // i32 arithmetic wraps
  });

  it('calls imported host functions and keeps i64 globals', async () => {
    const seen: number[] = [];
    const m = new WasmModuleBuilder();
    const note = m.importFunction('env', 'note', [I32], []);
    const g = m.addGlobal(I64, true, 1n << 40n);
    const f = m.addFunction([I32], [], [], (c) => c.localGet(0).call(note).globalGet(g).localGet(0).op(OP.i64_extend_i32_u).op(OP.i64_add).globalSet(g));
    m.exportFunction('f', f);
    m.exportGlobal('g', g);
    const inst = await instantiate(m, { env: { note: (x: number) => seen.push(x) } });
    (inst.exports.f as (x: number) => void)(7);
    expect(seen).toEqual([7]);
    expect((inst.exports.g as WebAssembly.Global).value).toBe((1n << 40n) + 7n);
  });

  it('gives each i32 operator in OP the semantics of its name (table check against JS)', async () => {
    const cases: [keyof typeof OP, (a: number, b: number) => number][] = [
      ['i32_add', (a, b) => (a + b) | 0],
      ['i32_sub', (a, b) => (a - b) | 0],
      ['i32_mul', (a, b) => Math.imul(a, b)],
      ['i32_div_s', (a, b) => (a / b) | 0],
      ['i32_div_u', (a, b) => Math.floor((a >>> 0) / (b >>> 0)) | 0],
      ['i32_rem_s', (a, b) => a % b | 0],
      ['i32_rem_u', (a, b) => (a >>> 0) % (b >>> 0) | 0],
      ['i32_and', (a, b) => a & b],
      ['i32_or', (a, b) => a | b],
      ['i32_xor', (a, b) => a ^ b],
      ['i32_shl', (a, b) => a << b],
      ['i32_shr_s', (a, b) => a >> b],
      ['i32_shr_u', (a, b) => (a >>> b) | 0],
      ['i32_rotl', (a, b) => ((a << (b & 31)) | (a >>> (32 - (b & 31)))) | 0],
      ['i32_rotr', (a, b) => ((a >>> (b & 31)) | (a << (32 - (b & 31)))) | 0],
      ['i32_eq', (a, b) => +(a === b)],
      ['i32_ne', (a, b) => +(a !== b)],
      ['i32_lt_s', (a, b) => +(a < b)],
      ['i32_lt_u', (a, b) => +(a >>> 0 < b >>> 0)],
      ['i32_gt_s', (a, b) => +(a > b)],
      ['i32_gt_u', (a, b) => +(a >>> 0 > b >>> 0)],
      ['i32_le_s', (a, b) => +(a <= b)],
      ['i32_le_u', (a, b) => +(a >>> 0 <= b >>> 0)],
      ['i32_ge_s', (a, b) => +(a >= b)],
      ['i32_ge_u', (a, b) => +(a >>> 0 >= b >>> 0)],
    ];
    const m = new WasmModuleBuilder();
    for (const [name] of cases) m.exportFunction(name, m.addFunction([I32, I32], [I32], [], (c) => c.localGet(0).localGet(1).op(OP[name] as Opcode)));
    const inst = await instantiate(m);
    const values = [0, 1, 5, -7, 0x7fffffff, -0x80000000, 0x12345678, -3];
    for (const [name, ref] of cases) {
      const f = inst.exports[name] as (a: number, b: number) => number;
      for (const a of values) {
        for (const b of values) {
          if (/div|rem/.test(name) && (b === 0 || (b === -1 && a === -0x80000000))) continue; // traps
          expect([name, a, b, f(a, b)]).toEqual([name, a, b, ref(a, b)]);
        }
      }
    }
  });

  it('computes with f64 values: constants, arithmetic, comparisons, conversions, memory', async () => {
    const m = new WasmModuleBuilder();
    m.addMemory(1, 1);
    // f(a) = trunc((a + 0.5) * 3 - 1), stored at 8 and reloaded; g(x) = x > 2.25 (as f64 from i32 x)
    m.exportFunction('f', m.addFunction([F64], [I32], [], (c) =>
      c.i32Const(0).localGet(0).f64Const(0.5).op(OP.f64_add).f64Const(3).op(OP.f64_mul).f64Const(1).op(OP.f64_sub).mem('f64_store', 8)
        .i32Const(0).mem('f64_load', 8).op(OP.i32_trunc_f64_s)));
    m.exportFunction('g', m.addFunction([I32], [I32], [], (c) => c.localGet(0).op(OP.f64_convert_i32_s).f64Const(2.25).op(OP.f64_gt)));
    const inst = await instantiate(m);
    expect((inst.exports.f as (a: number) => number)(2)).toBe(6);
    expect((inst.exports.f as (a: number) => number)(10.25)).toBe(31);
    expect((inst.exports.g as (x: number) => number)(3)).toBe(1);
    expect((inst.exports.g as (x: number) => number)(-3)).toBe(0);
  });

  it('reports control-structure mistakes while emitting, not at compile time', () => {
    const m = new WasmModuleBuilder();
    expect(() => m.addFunction([], [], [], (c) => c.end())).toThrow(/end without an open block/);
    expect(() => m.addFunction([], [], [], (c) => c.block().br(2))).toThrow(/label 2 with 1 blocks open/);
    expect(() => m.addFunction([], [], [], (c) => c.block())).toThrow(/ends with 1 blocks open/);
    expect(() => m.addFunction([], [], [], (c) => c.block().else())).toThrow(/else without an open if/);
    expect(() => m.addGlobal(F64, false, 0)).toThrow(/only i32 and i64 globals/);
  });

  it('rejects imports after functions and a second memory', () => {
    const m = new WasmModuleBuilder();
    m.addFunction([], [], [], () => undefined);
    expect(() => m.importFunction('env', 'f', [], [])).toThrow(/imports must come before/);
    m.addMemory(1);
    expect(() => m.importMemory('env', 'mem', 1)).toThrow(/one memory per module/);
  });
});
