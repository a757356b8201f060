// Integer arithmetic: the eight ALU operations, INC/DEC/NEG/NOT, shifts and rotates,
// multiply and divide, bit operations, BCD adjust, flag instructions.

import { ARITH, Cpu, LF_ADC, LF_ADD, LF_LOGIC, LF_SBB, LF_SUB } from '../cpu';
import type { Insn } from '../decoder-types';
import { Vector } from '../registers';
import { ea, getE, getG, getReg, maskOf, rmwLin, rmwRead, rmwWrite, setE, setG, setReg, sext } from './operands';

const CF = 1,
  PF = 4,
  AF = 0x10,
  ZF = 0x40,
  SF = 0x80,
  OF = 0x800;

/** ALU operation numbers = ModRM.reg of group 1 = bits 5..3 of opcodes 00..3F */
export const ADD = 0,
  OR = 1,
  ADC = 2,
  SBB = 3,
  AND = 4,
  SUB = 5,
  XOR = 6,
  CMP = 7;

/** Computes a op b on `size` bytes, leaving the flags lazy; returns the result (masked to size). */
export function alu(c: Cpu, op: number, a: number, b: number, size: number): number {
  const mask = size === 4 ? -1 : size === 2 ? 0xffff : 0xff;
  let r: number;
  switch (op) {
    case ADD:
      r = (a + b) & mask;
      c.fKind = LF_ADD;
      break;
    case OR:
      r = a | b;
      c.fKind = LF_LOGIC;
      break;
    case ADC: {
      const cin = c.getCF();
      r = (a + b + cin) & mask;
      c.fKind = cin ? LF_ADC : LF_ADD;
      break;
    }
    case SBB: {
      const cin = c.getCF();
      r = (a - b - cin) & mask;
      c.fKind = cin ? LF_SBB : LF_SUB;
      break;
    }
    case AND:
      r = a & b;
      c.fKind = LF_LOGIC;
      break;
    case XOR:
      r = a ^ b;
      c.fKind = LF_LOGIC;
      break;
    default: // SUB, CMP
      r = (a - b) & mask;
      c.fKind = LF_SUB;
      break;
  }
  c.fOp1 = a;
  c.fOp2 = b;
  c.fRes = r;
  c.fSign = size * 8 - 1;
  c.lazy = ARITH;
  return r;
}

/** ALU Eb/Ev, Gb/Gv */
export function aluEG(c: Cpu, d: Insn): void {
  const op = d.op,
    size = d.size;
  if (d.mod3) {
    const r = alu(c, op, getReg(c, d.rm, size), getReg(c, d.reg, size), size);
    if (op !== CMP) setReg(c, d.rm, size, r);
  } else if (op === CMP) {
    alu(c, op, getE(c, d), getReg(c, d.reg, size), size);
  } else {
    const la = rmwLin(c, d);
    const r = alu(c, op, rmwRead(c, la, size), getReg(c, d.reg, size), size);
    rmwWrite(c, la, size, r);
  }
}

/** Fast path of aluEG for 32-bit operands */
export function aluEG32(c: Cpu, d: Insn): void {
  const op = d.op;
  if (d.mod3) {
    const r32 = c.r32;
    const r = alu(c, op, r32[d.rm], r32[d.reg], 4);
    if (op !== CMP) r32[d.rm] = r;
  } else if (op === CMP) {
    alu(c, op, c.rd32(c.linR(d.seg, ea(c, d), 4)), c.r32[d.reg], 4);
  } else {
    const la = c.linW(d.seg, ea(c, d), 4);
    c.wr32(la, alu(c, op, c.rd32w(la), c.r32[d.reg], 4));
  }
}

/** ALU Gb/Gv, Eb/Ev */
export function aluGE(c: Cpu, d: Insn): void {
  const r = alu(c, d.op, getG(c, d), getE(c, d), d.size);
  if (d.op !== CMP) setG(c, d, r);
}
export function aluGE32(c: Cpu, d: Insn): void {
  const b = d.mod3 ? c.r32[d.rm] : c.rd32(c.linR(d.seg, ea(c, d), 4));
  const r = alu(c, d.op, c.r32[d.reg], b, 4);
  if (d.op !== CMP) c.r32[d.reg] = r;
}

/** ALU AL/eAX, imm */
export function aluAccI(c: Cpu, d: Insn): void {
  const r = alu(c, d.op, getReg(c, 0, d.size), d.imm, d.size);
  if (d.op !== CMP) setReg(c, 0, d.size, r);
}

export function aluAccI32(c: Cpu, d: Insn): void {
  const r = alu(c, d.op, c.r32[0], d.imm, 4);
  if (d.op !== CMP) c.r32[0] = r;
}

/** group 1: ALU Eb/Ev, imm (op = ModRM.reg) */
export function aluEI(c: Cpu, d: Insn): void {
  const op = d.op,
    size = d.size;
  if (d.mod3) {
    const r = alu(c, op, getReg(c, d.rm, size), d.imm, size);
    if (op !== CMP) setReg(c, d.rm, size, r);
  } else if (op === CMP) {
    alu(c, op, getE(c, d), d.imm, size);
  } else {
    const la = rmwLin(c, d);
    rmwWrite(c, la, size, alu(c, op, rmwRead(c, la, size), d.imm, size));
  }
}
export function aluEI32(c: Cpu, d: Insn): void {
  const op = d.op;
  if (d.mod3) {
    const r = alu(c, op, c.r32[d.rm], d.imm, 4);
    if (op !== CMP) c.r32[d.rm] = r;
  } else if (op === CMP) {
    alu(c, op, c.rd32(c.linR(d.seg, ea(c, d), 4)), d.imm, 4);
  } else {
    const la = c.linW(d.seg, ea(c, d), 4);
    c.wr32(la, alu(c, op, c.rd32w(la), d.imm, 4));
  }
}

/** TEST E,G / TEST E,imm / TEST acc,imm */
export function testEG(c: Cpu, d: Insn): void {
  alu(c, AND, getE(c, d), getG(c, d), d.size);
}
export function testEI(c: Cpu, d: Insn): void {
  alu(c, AND, getE(c, d), d.imm, d.size);
}
export function testAccI(c: Cpu, d: Insn): void {
  alu(c, AND, getReg(c, 0, d.size), d.imm, d.size);
}

function incdec(c: Cpu, v: number, dec: boolean, size: number): number {
  c.fixCF();
  const mask = maskOf(size);
  const r = (dec ? v - 1 : v + 1) & mask;
  c.fKind = dec ? LF_SUB : LF_ADD;
  c.fOp1 = v;
  c.fOp2 = 1;
  c.fRes = r;
  c.fSign = size * 8 - 1;
  c.lazy = ARITH & ~CF;
  return r;
}

/** INC/DEC r16/r32 (40..4F): d.reg = register, d.op = 1 for DEC */
export function incdecReg(c: Cpu, d: Insn): void {
  setReg(c, d.reg, d.size, incdec(c, getReg(c, d.reg, d.size), d.op === 1, d.size));
}
export function incReg32(c: Cpu, d: Insn): void {
  c.fixCF();
  const v = c.r32[d.reg];
  const r = (v + 1) | 0;
  c.r32[d.reg] = r;
  c.fKind = LF_ADD;
  c.fOp1 = v;
  c.fOp2 = 1;
  c.fRes = r;
  c.fSign = 31;
  c.lazy = ARITH & ~CF;
}
export function decReg32(c: Cpu, d: Insn): void {
  c.fixCF();
  const v = c.r32[d.reg];
  const r = (v - 1) | 0;
  c.r32[d.reg] = r;
  c.fKind = LF_SUB;
  c.fOp1 = v;
  c.fOp2 = 1;
  c.fRes = r;
  c.fSign = 31;
  c.lazy = ARITH & ~CF;
}

/** INC/DEC E (FE/FF /0 /1) */
export function incdecE(c: Cpu, d: Insn): void {
  if (d.mod3) {
    setReg(c, d.rm, d.size, incdec(c, getReg(c, d.rm, d.size), d.op === 1, d.size));
  } else {
    const la = rmwLin(c, d);
    rmwWrite(c, la, d.size, incdec(c, rmwRead(c, la, d.size), d.op === 1, d.size));
  }
}

export function notE(c: Cpu, d: Insn): void {
  const m = maskOf(d.size);
  if (d.mod3) setReg(c, d.rm, d.size, ~getReg(c, d.rm, d.size) & m);
  else {
    const la = rmwLin(c, d);
    rmwWrite(c, la, d.size, ~rmwRead(c, la, d.size) & m);
  }
}
export function negE(c: Cpu, d: Insn): void {
  if (d.mod3) setReg(c, d.rm, d.size, alu(c, SUB, 0, getReg(c, d.rm, d.size), d.size));
  else {
    const la = rmwLin(c, d);
    rmwWrite(c, la, d.size, alu(c, SUB, 0, rmwRead(c, la, d.size), d.size));
  }
}

// ------------------------------------------------------------------ shifts

/** Sets the flags of a shift/rotate eagerly; ZF/SF/PF of `res` lazily when `szp`. */
function shiftFlags(c: Cpu, res: number, cf: number, of: number, size: number, szp: boolean): void {
  c.materialize();
  let f = (c.flags & ~(CF | OF)) | (cf ? CF : 0) | (of ? OF : 0);
  if (szp) {
    f &= ~AF;
    c.fKind = LF_LOGIC;
    c.fRes = res;
    c.fOp1 = 0;
    c.fOp2 = 0;
    c.fSign = size * 8 - 1;
    c.lazy = ZF | SF | PF;
  }
  c.flags = f;
}

/** group 2: op = ROL ROR RCL RCR SHL SHR SAL SAR; count from d.imm (C0/C1), 1 (D0/D1) or CL (D2/D3) */
export function shiftOp(c: Cpu, v: number, op: number, count: number, size: number): number {
  const bits = size * 8;
  const mask = maskOf(size);
  const sb = bits - 1;
  count &= 31;
  if (count === 0) return v;
  let r: number, cf: number, of: number;
  switch (op) {
    case 0: {
      // ROL
      const n = count % bits;
      r = n === 0 ? v : ((v << n) | ((v & mask) >>> (bits - n))) & mask;
      cf = r & 1;
      of = ((r >>> sb) & 1) ^ cf;
      shiftFlags(c, r, cf, of, size, false);
      return r;
    }
    case 1: {
      // ROR
      const n = count % bits;
      r = n === 0 ? v : (((v & mask) >>> n) | (v << (bits - n))) & mask;
      cf = (r >>> sb) & 1;
      of = cf ^ ((r >>> (sb - 1)) & 1);
      shiftFlags(c, r, cf, of, size, false);
      return r;
    }
    case 2: {
      // RCL through CF (bits+1 rotation)
      const n = count % (bits + 1);
      r = v & mask;
      cf = c.getCF();
      for (let i = 0; i < n; i++) {
        const out = (r >>> sb) & 1;
        r = ((r << 1) | cf) & mask;
        cf = out;
      }
      of = ((r >>> sb) & 1) ^ cf;
      shiftFlags(c, r, cf, of, size, false);
      return r;
    }
    case 3: {
      // RCR
      const n = count % (bits + 1);
      r = v & mask;
      cf = c.getCF();
      of = ((r >>> sb) & 1) ^ cf;
      for (let i = 0; i < n; i++) {
        const out = r & 1;
        r = ((r >>> 1) | (cf << sb)) & mask;
        cf = out;
      }
      shiftFlags(c, r, cf, of, size, false);
      return r;
    }
    case 4:
    case 6: {
      // SHL/SAL
      if (count < bits) {
        r = (v << count) & mask;
        cf = ((v & mask) >>> (bits - count)) & 1;
      } else {
        r = 0;
        cf = count === bits ? v & 1 : 0;
      }
      of = ((r >>> sb) & 1) ^ cf;
      shiftFlags(c, r, cf, of, size, true);
      return r;
    }
    case 5: {
      // SHR
      const u = (v & mask) >>> 0;
      if (count < bits) {
        r = (u >>> count) & mask;
        cf = (u >>> (count - 1)) & 1;
      } else {
        r = 0;
        cf = count === bits ? (u >>> sb) & 1 : 0;
      }
      of = (u >>> sb) & 1;
      shiftFlags(c, r, cf, of, size, true);
      return r;
    }
    default: {
      // SAR
      const s = sext(v, size);
      const n = count < bits ? count : bits - 1;
      r = (s >> n) & mask;
      cf = count < bits ? (s >> (count - 1)) & 1 : (s >>> 31) & 1;
      shiftFlags(c, r, cf, 0, size, true);
      return r;
    }
  }
}

/** group 2 handler: d.op = operation; count = CL when d.imm2 = 2, else d.imm (the decoder puts 1 there for the D0/D1 forms) */
export function shiftE(c: Cpu, d: Insn): void {
  const count = d.imm2 === 2 ? c.r8[4] /* CL */ : d.imm;
  if (d.mod3) {
    setReg(c, d.rm, d.size, shiftOp(c, getReg(c, d.rm, d.size), d.op, count, d.size));
  } else {
    const la = rmwLin(c, d);
    const v = rmwRead(c, la, d.size);
    if ((count & 31) === 0) return;
    rmwWrite(c, la, d.size, shiftOp(c, v, d.op, count, d.size));
  }
}

/** SHLD/SHRD Ev,Gv,Ib|CL: d.op 0 = SHLD, 1 = SHRD; d.imm2 = 2 for CL */
export function shldrd(c: Cpu, d: Insn): void {
  const size = d.size,
    bits = size * 8,
    mask = maskOf(size);
  const count = (d.imm2 === 2 ? c.r8[4] : d.imm) & 31;
  const la = d.mod3 ? 0 : rmwLin(c, d);
  const dst = d.mod3 ? getReg(c, d.rm, size) : rmwRead(c, la, size);
  if (count === 0) return;
  const src = getReg(c, d.reg, size);
  let r: number, cf: number;
  if (bits === 16 && count > 16) {
    // undefined result on a P54C for 16-bit counts > 16; compute as a 32-bit composite
    r = dst;
    cf = 0;
  } else if (d.op === 0) {
    r = ((dst << count) | ((src & mask) >>> (bits - count))) & mask;
    cf = ((dst & mask) >>> (bits - count)) & 1;
  } else {
    r = (((dst & mask) >>> count) | (src << (bits - count))) & mask;
    cf = ((dst & mask) >>> (count - 1)) & 1;
  }
  const of = ((r ^ dst) >>> (bits - 1)) & 1;
  shiftFlags(c, r, cf, of, size, true);
  if (d.mod3) setReg(c, d.rm, size, r);
  else rmwWrite(c, la, size, r);
}

// ----------------------------------------------------------- multiply / divide

/** 32 x 32 → 64 unsigned multiply; returns the low half, high half in c.mulHi */
const mulScratch = { hi: 0 };
function mul32(a: number, b: number): number {
  a >>>= 0;
  b >>>= 0;
  const al = a & 0xffff,
    ah = a >>> 16,
    bl = b & 0xffff,
    bh = b >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const hh = ah * bh;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  const lo = ((mid & 0xffff) << 16) | (ll & 0xffff);
  mulScratch.hi = (hh + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) | 0;
  return lo | 0;
}

function setMulFlags(c: Cpu, overflow: boolean, res: number, size: number): void {
  c.materialize();
  // CF = OF = upper half significant; SF/ZF/PF/AF undefined on Intel: computed from the low result
  c.flags = (c.flags & ~(CF | OF | AF)) | (overflow ? CF | OF : 0);
  c.fKind = LF_LOGIC;
  c.fRes = res;
  c.fSign = size * 8 - 1;
  c.lazy = ZF | SF | PF;
}

/** group 3 /4 MUL and /5 IMUL (one operand) */
export function mulE(c: Cpu, d: Insn): void {
  const v = getE(c, d);
  const signed = d.op === 5;
  const r32 = c.r32;
  if (d.size === 1) {
    const al = c.r8[0];
    const p = signed ? sext(al, 1) * sext(v, 1) : al * v;
    c.r16[0] = p;
    setMulFlags(c, signed ? p !== sext(p & 0xff, 1) : p >>> 8 !== 0, p & 0xff, 1);
  } else if (d.size === 2) {
    const ax = c.r16[0];
    const p = signed ? sext(ax, 2) * sext(v, 2) : ax * v;
    c.r16[0] = p;
    c.r16[4] = p >> 16;
    setMulFlags(c, signed ? p !== sext(p & 0xffff, 2) : p >>> 16 !== 0, p & 0xffff, 2);
  } else {
    const a = r32[0];
    const lo = mul32(a, v);
    let hi = mulScratch.hi;
    if (signed) {
      if (a < 0) hi = (hi - v) | 0;
      if (v < 0) hi = (hi - a) | 0;
    }
    r32[0] = lo;
    r32[2] = hi;
    setMulFlags(c, signed ? hi !== lo >> 31 : hi !== 0, lo, 4);
  }
}

/** IMUL Gv,Ev (0F AF) and IMUL Gv,Ev,Ib/Iv (6B/69): d.imm2 = 1 when an immediate is the multiplier */
export function imulGE(c: Cpu, d: Insn): void {
  const b = getE(c, d);
  const a = d.imm2 === 1 ? d.imm : getG(c, d);
  if (d.size === 4) {
    const lo = Math.imul(a, b);
    const exact = (a | 0) * (b | 0);
    setMulFlags(c, exact !== lo, lo, 4);
    c.r32[d.reg] = lo;
  } else {
    const p = sext(a, 2) * sext(b, 2);
    setMulFlags(c, p !== sext(p & 0xffff, 2), p & 0xffff, 2);
    c.r16[d.reg << 1] = p;
  }
}

/** group 3 /6 DIV and /7 IDIV; #DE on division by zero or quotient overflow */
export function divE(c: Cpu, d: Insn): void {
  const v = getE(c, d);
  const signed = d.op === 7;
  if (d.size === 1) {
    const n = signed ? sext(c.r16[0], 2) : c.r16[0];
    const m = signed ? sext(v, 1) : v;
    if (m === 0) c.raise(Vector.DE, -1);
    const q = Math.trunc(n / m);
    if (signed ? q > 127 || q < -128 : q > 255) c.raise(Vector.DE, -1);
    c.r8[0] = q;
    c.r8[1] = n - q * m;
  } else if (d.size === 2) {
    const u = ((c.r16[4] << 16) | c.r16[0]) >>> 0;
    const n = signed ? u | 0 : u;
    const m = signed ? sext(v, 2) : v;
    if (m === 0) c.raise(Vector.DE, -1);
    const q = Math.trunc(n / m);
    if (signed ? q > 32767 || q < -32768 : q > 65535) c.raise(Vector.DE, -1);
    c.r16[0] = q;
    c.r16[4] = n - q * m;
  } else {
    const r32 = c.r32;
    const lo = r32[0] >>> 0;
    const hi = r32[2];
    if (v === 0) c.raise(Vector.DE, -1);
    let q: number, rem: number;
    if (!signed) {
      const m = v >>> 0;
      const uhi = hi >>> 0;
      if (uhi >= m) c.raise(Vector.DE, -1);
      if (uhi < 0x200000) {
        const n = uhi * 4294967296 + lo;
        q = Math.floor(n / m);
        rem = n - q * m;
      } else {
        const n = (BigInt(uhi) << 32n) | BigInt(lo);
        const bm = BigInt(m);
        q = Number(n / bm);
        rem = Number(n % bm);
      }
    } else {
      const m = v | 0;
      if (hi >= -0x200000 && hi < 0x200000) {
        const n = hi * 4294967296 + lo;
        q = Math.trunc(n / m);
        rem = n - q * m;
      } else {
        const n = (BigInt(hi) << 32n) | BigInt(lo);
        const bm = BigInt(m);
        q = Number(n / bm);
        rem = Number(n % bm);
      }
      if (q > 2147483647 || q < -2147483648) c.raise(Vector.DE, -1);
    }
    r32[0] = q;
    r32[2] = rem;
  }
}

// ------------------------------------------------------------------ bit ops

/** BT/BTS/BTR/BTC: d.op 4..7 = BT BTS BTR BTC; d.imm2 = 1 for the immediate form */
export function bitOp(c: Cpu, d: Insn): void {
  const size = d.size,
    bits = size * 8;
  const op = d.op;
  let bit = d.imm2 === 1 ? d.imm : getG(c, d);
  let v: number, la = 0;
  if (d.mod3) {
    bit &= bits - 1;
    v = getReg(c, d.rm, size);
  } else {
    let off = ea(c, d);
    if (d.imm2 === 1) bit &= bits - 1;
    else {
      // register bit offset addresses memory beyond the operand (signed)
      const sb = size === 4 ? bit | 0 : sext(bit, 2);
      off = (off + (sb >> (size === 4 ? 5 : 4)) * size) | 0;
      bit = sb & (bits - 1);
    }
    if (op === 4) {
      v = size === 4 ? c.rd32(c.linR(d.seg, off, 4)) : c.rd16(c.linR(d.seg, off, 2));
    } else {
      la = c.linW(d.seg, off, size);
      v = rmwRead(c, la, size);
    }
  }
  const cf = (v >>> bit) & 1;
  c.materialize();
  c.flags = (c.flags & ~CF) | cf;
  if (op === 4) return;
  const m = 1 << bit;
  const r = (op === 5 ? v | m : op === 6 ? v & ~m : v ^ m) & maskOf(size);
  if (d.mod3) setReg(c, d.rm, size, r);
  else rmwWrite(c, la, size, r);
}

/** BSF (op 0) / BSR (op 1) */
export function bsfr(c: Cpu, d: Insn): void {
  const v = getE(c, d) & maskOf(d.size);
  c.materialize();
  if (v === 0) {
    c.flags |= ZF;
    return; // destination undefined: left unchanged (as on Intel parts)
  }
  c.flags &= ~ZF;
  let r: number;
  if (d.op === 0) r = 31 - Math.clz32(v & -v);
  else r = 31 - Math.clz32(v);
  setG(c, d, r);
  // BSF 6–34 / BSR 7–42 clocks: the table's base plus one per bit scanned [IPM][REF]
  c.charge(d.op === 0 ? r : d.size * 8 - 1 - r);
}

// --------------------------------------------------------------- flag ops etc.

export function flagOp(c: Cpu, d: Insn): void {
  switch (d.opcode) {
    case 0xf5: // CMC
      c.setCF(!c.getCF());
      break;
    case 0xf8: // CLC
      c.setCF(false);
      break;
    case 0xf9: // STC
      c.setCF(true);
      break;
    case 0xfc: // CLD
      c.flags &= ~0x400;
      break;
    case 0xfd: // STD
      c.flags |= 0x400;
      break;
  }
}

export function lahf(c: Cpu): void {
  c.r8[1] = (c.getEflags() & 0xd5) | 2;
}
export function sahf(c: Cpu): void {
  c.materialize();
  c.flags = (c.flags & ~0xd5) | (c.r8[1] & 0xd5);
}

export function setcc(c: Cpu, d: Insn): void {
  setE(c, d, c.cond(d.op) ? 1 : 0);
}

export function cbw(c: Cpu, d: Insn): void {
  if (d.size === 4) c.r32[0] = sext(c.r16[0], 2);
  else c.r16[0] = sext(c.r8[0], 1);
}
export function cwd(c: Cpu, d: Insn): void {
  if (d.size === 4) c.r32[2] = c.r32[0] >> 31;
  else c.r16[4] = sext(c.r16[0], 2) >> 15;
}

// --------------------------------------------------------------------- BCD

function setSZP(c: Cpu, r: number): void {
  c.fKind = LF_LOGIC;
  c.fRes = r & 0xff;
  c.fSign = 7;
  c.lazy = ZF | SF | PF;
}

export function daaDas(c: Cpu, d: Insn): void {
  // Intel SDM pseudo-code: the final CF is (old AL > 99h or old CF); OF undefined (cleared)
  const das = d.opcode === 0x2f;
  c.materialize();
  let al = c.r8[0];
  const oldAl = al;
  const oldCf = c.flags & CF;
  let f = c.flags & ~(CF | AF | OF);
  if ((al & 0xf) > 9 || c.flags & AF) {
    al = (das ? al - 6 : al + 6) & 0xff;
    f |= AF;
  }
  if (oldAl > 0x99 || oldCf) {
    al = (das ? al - 0x60 : al + 0x60) & 0xff;
    f |= CF;
  }
  c.flags = f;
  c.r8[0] = al;
  setSZP(c, al);
}

export function aaaAas(c: Cpu, d: Insn): void {
  const aas = d.opcode === 0x3f;
  c.materialize();
  let f = c.flags & ~(CF | AF);
  if ((c.r8[0] & 0xf) > 9 || c.flags & AF) {
    if (aas) {
      c.r16[0] = c.r16[0] - 6;
      c.r8[1] = c.r8[1] - 1;
    } else {
      c.r16[0] = c.r16[0] + 0x106;
    }
    f |= CF | AF;
  }
  c.r8[0] &= 0xf;
  c.flags = f;
  setSZP(c, c.r8[0]);
}

export function aam(c: Cpu, d: Insn): void {
  const base = d.imm & 0xff;
  if (base === 0) c.raise(Vector.DE, -1);
  const al = c.r8[0];
  c.r8[1] = Math.floor(al / base);
  c.r8[0] = al % base;
  c.materialize();
  c.flags &= ~(CF | OF | AF);
  setSZP(c, c.r8[0]);
}
export function aad(c: Cpu, d: Insn): void {
  const r = (c.r8[0] + c.r8[1] * (d.imm & 0xff)) & 0xff;
  c.r16[0] = r;
  c.materialize();
  c.flags &= ~(CF | OF | AF);
  setSZP(c, r);
}
