// The decoder: turns bytes into pre-decoded Insn records, driven entirely by the
// instruction table (instruction-table.ts). Blocks are decoded from physical memory
// and end at a control transfer, a row marked `ends`, the end of the 4 KiB page or
// MAX_BLOCK instructions. An instruction that crosses a page boundary is decoded on
// its own, through the linear address space (its second page may fault), and is not
// cached.

import { BranchKind, type TimingInfo } from '../timing/timing-info';
import type { Cpu } from './cpu';
import { Insn, type Block } from './decoder-types';
import { ONE_BYTE, TWO_BYTE, type InsnRow, type TableEntry } from './instruction-table';
import { SegReg } from './registers';
import { PairClass } from '../timing/timing-info';
import { pairable } from '../timing/pairing';
import { x87Timing } from '../fpu/x87-timing';

const MAX_BLOCK = 64;

// immediate kinds
const IB = 1,
  IW = 2,
  IV = 3,
  JB = 4,
  JV = 5,
  AP = 6,
  MOFFS = 7;

interface RowInfo {
  imms: number[];
  /** D0/D1 shift-by-one forms */
  one: boolean;
  /** last operand is CL */
  cl: boolean;
  byteSize: boolean;
  /** operand tokens, for register masks */
  tokens: string[];
}

const rowInfo = new Map<InsnRow, RowInfo>();

function infoOf(r: InsnRow): RowInfo {
  let info = rowInfo.get(r);
  if (info === undefined) {
    info = makeRowInfo(r);
    rowInfo.set(r, info);
  }
  return info;
}

/** Operand facts of a row, computed on first use (no import-time dependency on the table: it imports the handlers, which import the CPU, which imports this file). */
function makeRowInfo(r: InsnRow): RowInfo {
  const tokens = r.operands === '' ? [] : r.operands.split(',');
  const imms: number[] = [];
  for (const tk of tokens) {
    if (tk === 'Ib') imms.push(IB);
    else if (tk === 'Iw') imms.push(IW);
    else if (tk === 'Iv') imms.push(IV);
    else if (tk === 'Jb') imms.push(JB);
    else if (tk === 'Jv') imms.push(JV);
    else if (tk === 'Ap') imms.push(AP);
    else if (tk === 'Ob' || tk === 'Ov') imms.push(MOFFS);
  }
  const byteSize = !r.osize && tokens.some((tk) => ['Eb', 'Gb', 'AL', 'Zb', 'Xb', 'Yb', 'Ob'].includes(tk));
  return { imms, one: tokens[tokens.length - 1] === '1', cl: tokens[tokens.length - 1] === 'CL', byteSize, tokens };
}

const UD_ROW: InsnRow = {
  mnemonic: '(bad)',
  opcode: -1,
  modrm: false,
  operands: '',
  osize: false,
  flagsUndefined: 0,
  timing: { reg: 1, mem: 1, pair: PairClass.NP, src: '[EST]' },
  user: false,
  cat: 'undefined',
  exec: (c) => c.ud(),
  op: 0,
  readsFlags: false,
  writesFlags: false,
  writesDst: false,
  implicitRead: 0,
  implicitWrite: 0,
  branch: BranchKind.None,
  ends: true,
  immSx: false,
  memOnly: false,
};

/** Thrown by a fetch function when the instruction runs past the bytes available (block decode). */
const NEED_MORE = { needMore: true };

const BASE16 = [3, 3, 5, 5, 6, 7, 5, 3]; // BX BX BP BP SI DI BP BX
const INDEX16 = [6, 7, 6, 7, -1, -1, -1, -1]; // SI DI SI DI

function regBit(r: number, byte: boolean): number {
  return 1 << (byte ? r & 3 : r);
}

/**
 * Decodes one instruction. `fetch(i)` returns the i-th byte of the instruction (or throws).
 * Raises #GP(0) for an instruction longer than 15 bytes, and produces an #UD record for an
 * undefined opcode (the fault happens when it executes, with the right EIP).
 */
export function decodeInsn(c: Cpu, fetch: (i: number) => number, big: boolean): Insn {
  let i = 0;
  let prefixes = 0;
  let osize32 = big;
  let asize32 = big;
  let segOverride = -1;
  let rep = 0;
  let lock = false;
  let b: number;
  for (;;) {
    if (i >= 15) c.gp(0);
    b = fetch(i++);
    let isPrefix = true;
    switch (b) {
      case 0x66:
        osize32 = !big;
        break;
      case 0x67:
        asize32 = !big;
        break;
      case 0x26:
        segOverride = SegReg.ES;
        break;
      case 0x2e:
        segOverride = SegReg.CS;
        break;
      case 0x36:
        segOverride = SegReg.SS;
        break;
      case 0x3e:
        segOverride = SegReg.DS;
        break;
      case 0x64:
        segOverride = SegReg.FS;
        break;
      case 0x65:
        segOverride = SegReg.GS;
        break;
      case 0xf0:
        lock = true;
        break;
      case 0xf2:
        rep = 2;
        break;
      case 0xf3:
        rep = 1;
        break;
      default:
        isPrefix = false;
    }
    if (!isPrefix) break;
    prefixes++;
  }
  let opcode = b;
  let entry: TableEntry;
  if (b === 0x0f) {
    const b2 = fetch(i++);
    opcode = 0x0f00 | b2;
    entry = TWO_BYTE[b2];
  } else {
    entry = ONE_BYTE[b];
  }
  let row: InsnRow | null;
  if (Array.isArray(entry)) row = entry[(fetch(i) >> 3) & 7];
  else row = entry;
  if (row === null || (lock && !row.modrm)) row = UD_ROW;
  const info = infoOf(row);
  const size = info.byteSize ? 1 : row.osize ? (osize32 ? 4 : 2) : 4;

  const exec = size === 4 && row.exec32 !== undefined ? row.exec32 : row.exec;
  const timing: TimingInfo = {
    pair: row.timing.pair,
    clocks: row.timing.reg,
    regsRead: row.implicitRead,
    regsWritten: row.implicitWrite,
    addrRegs: 0,
    readsFlags: row.readsFlags,
    writesFlags: row.writesFlags,
    dispAndImm: false,
    prefixes,
    memRead: false,
    memWrite: false,
    branch: row.branch,
    length: 0,
  };
  const d = new Insn(exec, row, timing);
  d.opcode = opcode;
  d.size = size;
  d.op = row.op;
  d.rep = rep;
  d.lock = lock;
  d.a32 = asize32;
  d.amask = asize32 ? -1 : 0xffff;
  d.seg = segOverride >= 0 ? segOverride : SegReg.DS;

  let hasDisp = false;
  if (row.modrm) {
    const m = fetch(i++);
    d.modrm = m;
    const mod = m >> 6;
    d.reg = (m >> 3) & 7;
    d.rm = m & 7;
    if (mod === 3) {
      d.mod3 = true;
      if (row.memOnly) {
        d.exec = UD_ROW.exec;
        d.row = UD_ROW;
      }
    } else if (asize32) {
      let base = d.rm;
      let index = -1;
      let scale = 0;
      let disp = 0;
      if (base === 4) {
        const sib = fetch(i++);
        scale = sib >> 6;
        index = (sib >> 3) & 7;
        if (index === 4) index = -1;
        base = sib & 7;
        if (base === 5 && mod === 0) {
          base = -1;
          disp = fetch(i) | (fetch(i + 1) << 8) | (fetch(i + 2) << 16) | (fetch(i + 3) << 24);
          i += 4;
          hasDisp = true;
        }
      } else if (base === 5 && mod === 0) {
        base = -1;
        disp = fetch(i) | (fetch(i + 1) << 8) | (fetch(i + 2) << 16) | (fetch(i + 3) << 24);
        i += 4;
        hasDisp = true;
      }
      if (mod === 1) {
        disp = (fetch(i++) << 24) >> 24;
        hasDisp = true;
      } else if (mod === 2) {
        disp = fetch(i) | (fetch(i + 1) << 8) | (fetch(i + 2) << 16) | (fetch(i + 3) << 24);
        i += 4;
        hasDisp = true;
      }
      d.base = base;
      d.index = index;
      d.scale = scale;
      d.disp = disp;
      if (segOverride < 0 && (base === 4 || base === 5)) d.seg = SegReg.SS;
    } else {
      let base = BASE16[d.rm];
      const index = INDEX16[d.rm];
      let disp = 0;
      if (mod === 0 && d.rm === 6) {
        base = -1;
        disp = fetch(i) | (fetch(i + 1) << 8);
        i += 2;
        hasDisp = true;
      } else if (mod === 1) {
        disp = (fetch(i++) << 24) >> 24;
        hasDisp = true;
      } else if (mod === 2) {
        disp = fetch(i) | (fetch(i + 1) << 8);
        i += 2;
        hasDisp = true;
      }
      d.base = base;
      d.index = index;
      d.disp = disp;
      if (segOverride < 0 && base === 5) d.seg = SegReg.SS;
    }
  } else if ((opcode & 0xfff8) === 0x0fc8 || (opcode >= 0x40 && opcode < 0x60) || (opcode >= 0x90 && opcode < 0x98) || (opcode >= 0xb0 && opcode < 0xc0)) {
    // register in the opcode
    d.reg = opcode & 7;
  }

  // immediates
  const imms = info.imms;
  for (let k = 0; k < imms.length; k++) {
    let v: number;
    switch (imms[k]) {
      case IB:
        v = fetch(i++);
        if (row.immSx) v = ((v << 24) >> 24) & (size === 2 ? 0xffff : -1);
        break;
      case IW:
        v = fetch(i) | (fetch(i + 1) << 8);
        i += 2;
        break;
      case IV:
        if (size === 4) {
          v = fetch(i) | (fetch(i + 1) << 8) | (fetch(i + 2) << 16) | (fetch(i + 3) << 24);
          i += 4;
        } else {
          v = fetch(i) | (fetch(i + 1) << 8);
          i += 2;
        }
        break;
      case JB:
        v = (fetch(i++) << 24) >> 24;
        break;
      case JV:
        if (osize32) {
          v = fetch(i) | (fetch(i + 1) << 8) | (fetch(i + 2) << 16) | (fetch(i + 3) << 24);
          i += 4;
        } else {
          v = ((fetch(i) | (fetch(i + 1) << 8)) << 16) >> 16;
          i += 2;
        }
        break;
      case AP:
        if (osize32) {
          v = fetch(i) | (fetch(i + 1) << 8) | (fetch(i + 2) << 16) | (fetch(i + 3) << 24);
          i += 4;
        } else {
          v = fetch(i) | (fetch(i + 1) << 8);
          i += 2;
        }
        d.imm2 = fetch(i) | (fetch(i + 1) << 8);
        i += 2;
        break;
      default:
        // moffs: an address-size displacement, no ModRM
        if (asize32) {
          d.disp = fetch(i) | (fetch(i + 1) << 8) | (fetch(i + 2) << 16) | (fetch(i + 3) << 24);
          i += 4;
        } else {
          d.disp = fetch(i) | (fetch(i + 1) << 8);
          i += 2;
        }
        hasDisp = true;
        continue;
    }
    if (k === 0) d.imm = v;
    else d.imm2 = v;
  }
  if (info.one) d.imm = 1;
  if (info.cl) d.imm2 = 2;
  else if (imms.length === 1 && imms[0] !== AP && imms[0] !== MOFFS) d.imm2 = 1;
  if (i > 15) c.gp(0);
  d.len = i;

  // timing facts
  const mem = row.modrm && !d.mod3;
  timing.clocks = mem ? row.timing.mem : row.timing.reg;
  if (opcode >= 0xd8 && opcode <= 0xdf) {
    // the x87 engineer's table (fpu/x87-timing.ts), evaluated once at decode with the
    // current precision control (FDIV/FSQRT clocks depend on it; programs set it once)
    const pc = c.fpu !== null ? (c.fpu.cw >>> 8) & 3 : 3;
    const xt = x87Timing(opcode, d.modrm, mem, pc);
    timing.clocks = xt.clocks;
    timing.pair = xt.isFxch ? PairClass.FXCH : xt.fxchPairable ? PairClass.FX : PairClass.NP;
  }
  timing.length = i;
  const hasImm = imms.length > 0 && imms[0] !== JB && imms[0] !== JV && imms[0] !== MOFFS;
  timing.dispAndImm = hasDisp && hasImm;
  const byte = size === 1;
  let rd = row.implicitRead,
    wr = row.implicitWrite;
  const tokens = info.tokens;
  for (let k = 0; k < tokens.length; k++) {
    const tk = tokens[k];
    let bit = 0;
    const c0 = tk.charCodeAt(0);
    if (c0 === 69 /* E */ || c0 === 82 /* R */) bit = d.mod3 ? regBit(d.rm, byte && tk !== 'Ew') : 0;
    else if (c0 === 71 /* G */) bit = regBit(d.reg, tk === 'Gb');
    else if (c0 === 90 /* Z */) bit = regBit(d.reg, tk === 'Zb');
    else if (tk === 'AL' || tk === 'eAX') bit = 1;
    else if (tk === 'CL') bit = 2;
    else if (tk === 'DX') bit = 4;
    if (bit === 0) continue;
    rd |= bit;
    if (k === 0 && row.writesDst) wr |= bit;
  }
  // XCHG writes both operands
  if (row.mnemonic === 'XCHG' || row.mnemonic === 'XADD') wr |= rd;
  // ESP: PUSH/POP/CALL/RET's implicit uses are not dependencies (pairing.ts); explicit ones are
  timing.regsRead = rd;
  timing.regsWritten = wr;
  if (mem) {
    let a = 0;
    if (d.base >= 0) a |= 1 << d.base;
    if (d.index >= 0) a |= 1 << d.index;
    timing.addrRegs = a;
    timing.memRead = !(row.writesDst && tokens[0] !== undefined && tokens[0][0] === 'E' && /^MOV$|^SET|^POP$/.test(row.mnemonic));
    timing.memWrite = row.writesDst && tokens[0] !== undefined && (tokens[0][0] === 'E' || tokens[0][0] === 'M');
  }
  return d;
}

function fetchFromPhys(c: Cpu, start: number, avail: number): (i: number) => number {
  const u8 = c.u8;
  return (i: number) => {
    if (i >= avail) throw NEED_MORE;
    return u8[start + i];
  };
}

/** Decodes a basic block at `phys` (CS:EIP's translation). Returns null when its first instruction crosses the page. */
export function decodeBlock(c: Cpu, phys: number, _lin: number, big: boolean): Block | null {
  const pageEnd = (phys | 0xfff) + 1;
  const insns: Insn[] = [];
  let p = phys;
  for (;;) {
    let d: Insn;
    try {
      d = decodeInsn(c, fetchFromPhys(c, p, pageEnd - p), big);
    } catch (e) {
      if (e !== NEED_MORE) throw e;
      break;
    }
    d.phys = p;
    if (insns.length > 0) {
      const prev = insns[insns.length - 1];
      const prevLast = (prev.phys + prev.len - 1) >>> 5;
      d.newLine = p >>> 5 !== prevLast || (p + d.len - 1) >>> 5 !== prevLast;
      d.prevTiming = prev.timing;
      d.pairsPrev = pairable(prev.timing, d.timing);
    }
    insns.push(d);
    p += d.len;
    if (d.row.ends || insns.length >= MAX_BLOCK || p >= pageEnd) break;
  }
  if (insns.length === 0) return null;
  return { phys, big, valid: true, insns, heat: 0, compiled: undefined };
}

/** Decodes the single instruction at linear `lin` that crosses a page boundary (code fetches may #PF). */
export function decodeOne(c: Cpu, lin: number, big: boolean): Insn {
  const d = decodeInsn(c, (i: number) => c.fetchCodeByte((lin + i) | 0), big);
  d.phys = c.codePhys(lin);
  return d;
}
