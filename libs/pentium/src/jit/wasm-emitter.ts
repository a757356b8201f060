// A small WebAssembly binary emitter: the first part of the block compiler that
// docs/design/jit.md plans (guest blocks compiled to Wasm with the timing model inline,
// the way v86 compiles x86 to Wasm). It writes the binary format directly (WebAssembly
// Core Specification 1.0, chapter 5 "Binary Format"): no text format, no dependency.
//
//   const m = new WasmModuleBuilder();
//   const add = m.addFunction([I32, I32], [I32], [], (c) => c.localGet(0).localGet(1).op(OP.i32_add));
//   m.exportFunction('add', add);
//   const { instance } = await WebAssembly.instantiate(m.build());
//
// Structured control is checked while emitting: `end` without an open block, a branch
// to a label that is not open, or a body left with open blocks is an error here, not a
// CompileError from the engine later.

/** value types [spec 5.3.1] */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export type ValType = typeof I32 | typeof I64 | typeof F32 | typeof F64;
/** block type of a block, loop or if with no result [spec 5.3.6] */
export const VOID = 0x40;
export type BlockType = ValType | typeof VOID;

/**
 * The opcodes without immediates that the compiler uses [spec 5.4]. Memory, constant,
 * variable and control instructions take immediates and have their own CodeWriter methods.
 */
export const OP = {
  unreachable: 0x00,
  nop: 0x01,
  return: 0x0f,
  drop: 0x1a,
  select: 0x1b,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_lt_u: 0x49,
  i32_gt_s: 0x4a,
  i32_gt_u: 0x4b,
  i32_le_s: 0x4c,
  i32_le_u: 0x4d,
  i32_ge_s: 0x4e,
  i32_ge_u: 0x4f,
  i64_eqz: 0x50,
  i64_eq: 0x51,
  i64_ne: 0x52,
  i64_lt_s: 0x53,
  i64_lt_u: 0x54,
  i64_gt_s: 0x55,
  i64_gt_u: 0x56,
  i64_le_s: 0x57,
  i64_le_u: 0x58,
  i64_ge_s: 0x59,
  i64_ge_u: 0x5a,
  i32_clz: 0x67,
  i32_ctz: 0x68,
  i32_popcnt: 0x69,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_div_s: 0x6d,
  i32_div_u: 0x6e,
  i32_rem_s: 0x6f,
  i32_rem_u: 0x70,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_xor: 0x73,
  i32_shl: 0x74,
  i32_shr_s: 0x75,
  i32_shr_u: 0x76,
  i32_rotl: 0x77,
  i32_rotr: 0x78,
  i64_add: 0x7c,
  i64_sub: 0x7d,
  i64_mul: 0x7e,
  i64_div_s: 0x7f,
  i64_div_u: 0x80,
  i64_and: 0x83,
  i64_or: 0x84,
  i64_xor: 0x85,
  i64_shl: 0x86,
  i64_shr_s: 0x87,
  i64_shr_u: 0x88,
  f64_eq: 0x61,
  f64_ne: 0x62,
  f64_lt: 0x63,
  f64_gt: 0x64,
  f64_le: 0x65,
  f64_ge: 0x66,
  f64_add: 0xa0,
  f64_sub: 0xa1,
  f64_mul: 0xa2,
  i32_wrap_i64: 0xa7,
  i32_trunc_f64_s: 0xaa,
  i64_extend_i32_s: 0xac,
  i64_extend_i32_u: 0xad,
  f64_convert_i32_s: 0xb7,
  f64_convert_i32_u: 0xb8,
} as const;
export type Opcode = (typeof OP)[keyof typeof OP];

/** memory access instructions: opcode and natural alignment (log2 bytes) [spec 5.4.6] */
export const MEM = {
  i32_load: [0x28, 2],
  i64_load: [0x29, 3],
  f64_load: [0x2b, 3],
  i32_load8_s: [0x2c, 0],
  i32_load8_u: [0x2d, 0],
  i32_load16_s: [0x2e, 1],
  i32_load16_u: [0x2f, 1],
  i32_store: [0x36, 2],
  i64_store: [0x37, 3],
  f64_store: [0x39, 3],
  i32_store8: [0x3a, 0],
  i32_store16: [0x3b, 1],
} as const;
export type MemOp = keyof typeof MEM;

/** A growable byte buffer with the format's integer encodings. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  length = 0;

  byte(b: number): this {
    if (this.length === this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.length++] = b & 0xff;
    return this;
  }
  bytes(bs: ArrayLike<number>): this {
    for (let i = 0; i < bs.length; i++) this.byte(bs[i]);
    return this;
  }
  /** unsigned LEB128 of a non-negative integer below 2^32 */
  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`wasm-emitter: ${v} is not a u32`);
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
    return this;
  }
  /** signed LEB128 of an int32 (values up to 2^32 - 1 are taken as their int32 bit pattern) */
  s32(v: number): this {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) throw new RangeError(`wasm-emitter: ${v} is not an i32`);
    return this.s64(BigInt(v | 0));
  }
  /** signed LEB128 of an int64 */
  s64(v: bigint): this {
    v = BigInt.asIntN(64, v);
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return this;
    }
  }
  /** a name: its UTF-8 length, then the bytes */
  name(s: string): this {
    const utf8 = new TextEncoder().encode(s);
    return this.u32(utf8.length).bytes(utf8);
  }
  /** a section: its id, its byte length, then the content */
  section(id: number, content: ByteWriter): this {
    return this.byte(id).u32(content.length).bytes(content.toBytes());
  }
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** One function body's instructions, with the control structure checked as it is written. */
export class CodeWriter {
  readonly w = new ByteWriter();
  /** kinds of the open blocks, innermost last */
  private readonly open: ('block' | 'loop' | 'if')[] = [];

  /** an instruction without immediates (OP) */
  op(code: Opcode): this {
    this.w.byte(code);
    return this;
  }
  i32Const(v: number): this {
    this.w.byte(0x41).s32(v);
    return this;
  }
  i64Const(v: bigint | number): this {
    this.w.byte(0x42).s64(BigInt(v));
    return this;
  }
  f64Const(v: number): this {
    this.w.byte(0x44);
    const b = new Uint8Array(new Float64Array([v]).buffer); // IEEE 754, little-endian like the format
    this.w.bytes(b);
    return this;
  }
  localGet(i: number): this {
    return this.indexed(0x20, i);
  }
  localSet(i: number): this {
    return this.indexed(0x21, i);
  }
  localTee(i: number): this {
    return this.indexed(0x22, i);
  }
  globalGet(i: number): this {
    return this.indexed(0x23, i);
  }
  globalSet(i: number): this {
    return this.indexed(0x24, i);
  }
  /** a load or store at the address on the stack plus a constant offset */
  mem(kind: MemOp, offset = 0): this {
    const [code, align] = MEM[kind];
    this.w.byte(code).u32(align).u32(offset);
    return this;
  }
  call(funcIndex: number): this {
    return this.indexed(0x10, funcIndex);
  }
  block(type: BlockType = VOID): this {
    return this.openBlock(0x02, 'block', type);
  }
  loop(type: BlockType = VOID): this {
    return this.openBlock(0x03, 'loop', type);
  }
  if(type: BlockType = VOID): this {
    return this.openBlock(0x04, 'if', type);
  }
  else(): this {
    if (this.open[this.open.length - 1] !== 'if') throw new Error('wasm-emitter: else without an open if');
    this.w.byte(0x05);
    return this;
  }
  end(): this {
    if (this.open.length === 0) throw new Error('wasm-emitter: end without an open block');
    this.open.pop();
    this.w.byte(0x0b);
    return this;
  }
  /** branch to the label `depth` blocks out (0: the innermost) */
  br(depth: number): this {
    this.w.byte(0x0c).u32(this.label(depth));
    return this;
  }
  brIf(depth: number): this {
    this.w.byte(0x0d).u32(this.label(depth));
    return this;
  }
  /** blocks still open (the function's own body is not counted) */
  get depth(): number {
    return this.open.length;
  }

  /** an instruction with one index immediate (local, global, function) */
  private indexed(code: number, index: number): this {
    this.w.byte(code).u32(index);
    return this;
  }
  private openBlock(code: number, kind: 'block' | 'loop' | 'if', type: BlockType): this {
    this.open.push(kind);
    this.w.byte(code).byte(type);
    return this;
  }
  private label(depth: number): number {
    // the function body itself is the outermost label (depth === open.length)
    if (!Number.isInteger(depth) || depth < 0 || depth > this.open.length) {
      throw new Error(`wasm-emitter: branch to label ${depth} with ${this.open.length} blocks open`);
    }
    return depth;
  }
}

interface FuncType {
  params: readonly ValType[];
  results: readonly ValType[];
}
interface FuncImport {
  module: string;
  name: string;
  type: number;
}
interface FuncDef {
  type: number;
  locals: readonly ValType[];
  body: Uint8Array;
}
interface GlobalDef {
  type: ValType;
  mutable: boolean;
  init: number | bigint;
}
interface Export {
  name: string;
  kind: 0 | 2 | 3;
  index: number;
}

/**
 * Builds one module: function types, imported functions and memory, functions, globals
 * and exports. Function indices count imports first, as in the format; imports must be
 * added before the first function.
 */
export class WasmModuleBuilder {
  private readonly types: FuncType[] = [];
  private readonly imports: FuncImport[] = [];
  private memoryImport: { module: string; name: string; minPages: number; maxPages?: number } | null = null;
  private ownMemory: { minPages: number; maxPages?: number } | null = null;
  private readonly funcs: FuncDef[] = [];
  private readonly globals: GlobalDef[] = [];
  private readonly exports: Export[] = [];

  /** the index of the function type (params) → (results), shared by equal signatures */
  typeOf(params: readonly ValType[], results: readonly ValType[]): number {
    const key = `${params.join(',')}>${results.join(',')}`;
    const i = this.types.findIndex((t) => `${t.params.join(',')}>${t.results.join(',')}` === key);
    if (i >= 0) return i;
    this.types.push({ params: [...params], results: [...results] });
    return this.types.length - 1;
  }

  importFunction(module: string, name: string, params: readonly ValType[], results: readonly ValType[]): number {
    if (this.funcs.length > 0) throw new Error('wasm-emitter: imports must come before the first function');
    this.imports.push({ module, name, type: this.typeOf(params, results) });
    return this.imports.length - 1;
  }

  /** memory 0 comes from the host (e.g. the guest's RAM and state, shared with the interpreter) */
  importMemory(module: string, name: string, minPages: number, maxPages?: number): void {
    if (this.ownMemory !== null || this.memoryImport !== null) throw new Error('wasm-emitter: one memory per module');
    this.memoryImport = { module, name, minPages, maxPages };
  }

  /** memory 0 belongs to the module */
  addMemory(minPages: number, maxPages?: number): void {
    if (this.ownMemory !== null || this.memoryImport !== null) throw new Error('wasm-emitter: one memory per module');
    this.ownMemory = { minPages, maxPages };
  }

  addGlobal(type: ValType, mutable: boolean, init: number | bigint = 0): number {
    if (type !== I32 && type !== I64) throw new Error('wasm-emitter: only i32 and i64 globals');
    this.globals.push({ type, mutable, init });
    return this.globals.length - 1;
  }

  /**
   * Adds a function; `emit` writes its body (locals are numbered after the params).
   * Returns its function index.
   */
  addFunction(params: readonly ValType[], results: readonly ValType[], locals: readonly ValType[], emit: (c: CodeWriter) => void): number {
    const c = new CodeWriter();
    emit(c);
    if (c.depth !== 0) throw new Error(`wasm-emitter: function body ends with ${c.depth} blocks open`);
    this.funcs.push({ type: this.typeOf(params, results), locals: [...locals], body: c.w.toBytes() });
    return this.imports.length + this.funcs.length - 1;
  }

  exportFunction(name: string, funcIndex: number): void {
    this.exports.push({ name, kind: 0, index: funcIndex });
  }
  exportMemory(name: string): void {
    this.exports.push({ name, kind: 2, index: 0 });
  }
  exportGlobal(name: string, globalIndex: number): void {
    this.exports.push({ name, kind: 3, index: globalIndex });
  }

  build(): Uint8Array {
    const out = new ByteWriter().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const types = new ByteWriter().u32(this.types.length);
    for (const t of this.types) types.byte(0x60).u32(t.params.length).bytes(t.params).u32(t.results.length).bytes(t.results);
    out.section(1, types);

    const nImports = this.imports.length + (this.memoryImport ? 1 : 0);
    if (nImports > 0) {
      const imp = new ByteWriter().u32(nImports);
      for (const f of this.imports) imp.name(f.module).name(f.name).byte(0x00).u32(f.type);
      const m = this.memoryImport;
      if (m) limits(imp.name(m.module).name(m.name).byte(0x02), m.minPages, m.maxPages);
      out.section(2, imp);
    }
    const fn = new ByteWriter().u32(this.funcs.length);
    for (const f of this.funcs) fn.u32(f.type);
    out.section(3, fn);
    if (this.ownMemory) out.section(5, limits(new ByteWriter().u32(1), this.ownMemory.minPages, this.ownMemory.maxPages));
    if (this.globals.length > 0) {
      const g = new ByteWriter().u32(this.globals.length);
      for (const gl of this.globals) {
        g.byte(gl.type).byte(gl.mutable ? 1 : 0);
        if (gl.type === I32) g.byte(0x41).s32(Number(gl.init));
        else g.byte(0x42).s64(BigInt(gl.init));
        g.byte(0x0b);
      }
      out.section(6, g);
    }
    if (this.exports.length > 0) {
      const e = new ByteWriter().u32(this.exports.length);
      for (const x of this.exports) e.name(x.name).byte(x.kind).u32(x.index);
      out.section(7, e);
    }
    const code = new ByteWriter().u32(this.funcs.length);
    for (const f of this.funcs) {
      const body = new ByteWriter();
      // locals as runs of one type
      const runs: [number, ValType][] = [];
      for (const t of f.locals) {
        const last = runs[runs.length - 1];
        if (last && last[1] === t) last[0]++;
        else runs.push([1, t]);
      }
      body.u32(runs.length);
      for (const [n, t] of runs) body.u32(n).byte(t);
      body.bytes(f.body).byte(0x0b);
      code.u32(body.length).bytes(body.toBytes());
    }
    out.section(10, code);
    return out.toBytes();
  }
}

function limits(w: ByteWriter, min: number, max?: number): ByteWriter {
  return max === undefined ? w.byte(0x00).u32(min) : w.byte(0x01).u32(min).u32(max);
}
