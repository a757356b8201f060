// THE instruction table of the emulated P54C: one row per opcode form. It drives
//   - the decoder (decoder.ts): which bytes follow (ModRM, immediates), operand size,
//     whether the row ends a basic block;
//   - execution: each row names its semantics (a handler in ops/*.ts; `op` is the
//     row-specific number the handler receives in Insn.op);
//   - the P54C timing of each form: clocks of the register and memory forms and the
//     pairing class, with their source (timing/timing-info.ts is filled from it);
//   - the differential test generator: `user` rows are the ones a CPL-3 program may
//     execute; `flagsUndefined` are the EFLAGS bits Intel leaves undefined (masked).
//
// Categories (the `cat` field):
//   alu      ADD OR ADC SBB AND SUB XOR CMP TEST INC DEC NEG NOT
//   shift    ROL ROR RCL RCR SHL SHR SAR SHLD SHRD
//   muldiv   MUL IMUL DIV IDIV
//   bit      BT BTS BTR BTC BSF BSR SETcc BSWAP
//   move     MOV MOVZX MOVSX LEA XCHG CBW CWD LAHF SAHF XLAT CMPXCHG CMPXCHG8B XADD
//   stack    PUSH POP PUSHA POPA PUSHF POPF ENTER LEAVE
//   string   MOVS STOS LODS CMPS SCAS INS OUTS (REP/REPE/REPNE)
//   branch   Jcc JMP CALL RET LOOP JECXZ (near, predicted by the BTB)
//   far      far JMP/CALL/RET, INT, INTO, IRET (serializing)
//   bcd      DAA DAS AAA AAS AAM AAD
//   flag     CLC STC CMC CLD STD CLI STI
//   system   segment loads, descriptor tables and checks (LAR LSL VERR VERW ARPL), BOUND,
//            control and debug registers, HLT, I/O, CPUID, RDTSC, MSRs
//   x87      D8–DF escapes (the x87 engineer's fpu/x87.ts), WAIT
//   emu      HOSTCALL (0F 3F iw): the emulator-only kernel entry (contracts.md)
//
// Operand notation (Intel manual, as v86 uses it): E = ModRM r/m, G = ModRM reg,
// I = immediate, J = relative offset, O = moffs, A = far pointer, M = memory only,
// S = segment register (ModRM reg), C = control register, R = register only (ModRM rm),
// Z = register in the opcode's low 3 bits; b/w/d/v = byte/word/dword/operand size,
// p = far pointer; eAX/AL/CL/DX = fixed registers; X/Y = DS:eSI / ES:eDI.
//
// Timing sources:
//   [IPM]  Intel, "Pentium Processor Family Developer's Manual", vol. 3 (1995), ch. 25
//          (instruction clocks and pairing columns), as transcribed in pentium-p54c.md
//   [AGN]  A. Fog, "Instruction tables", Pentium (P1) section
//   [REF]  ../../../../../shared/reference/pentium-p54c.md (the project's summary)
//   [EST]  our estimate (said so)

import { BranchKind, PairClass } from '../timing/timing-info';
import type { Handler } from './decoder-types';
import * as A from './ops/alu';
import * as C from './ops/control';
import * as D from './ops/data';
import * as S from './ops/system';
import * as DC from './ops/descriptor-checks';
import * as DR from './ops/debug-registers';
import { movSregE, movESreg } from './ops/data';

export interface TimingSpec {
  /** clocks of the register form (or the only form) */
  reg: number;
  /** clocks of the memory form (cache hits) */
  mem: number;
  pair: PairClass;
  /** where these clocks come from */
  src: string;
}

export interface InsnRow {
  mnemonic: string;
  /** 0x00–0xFF one-byte opcode, 0x0F00 | b two-byte */
  opcode: number;
  /** ModRM.reg for group opcodes */
  ext?: number;
  modrm: boolean;
  /** Intel notation, comma separated ('' for none) */
  operands: string;
  /** operand-size dependent (66 prefix selects 16 bits) */
  osize: boolean;
  /** EFLAGS bits Intel leaves undefined after this instruction */
  flagsUndefined: number;
  timing: TimingSpec;
  /** executable at CPL 3 without faulting (the test generator covers exactly these) */
  user: boolean;
  cat: string;
  /** semantics */
  exec: Handler;
  /** faster semantics for the 32-bit operand size, when the row has them */
  exec32?: Handler;
  /** row-specific number handed to the handler (Insn.op) */
  op: number;
  /** the row reads / writes the arithmetic flags */
  readsFlags: boolean;
  writesFlags: boolean;
  /** the first operand is written (false for CMP, TEST, BT, PUSH, OUT, …) */
  writesDst: boolean;
  /** registers read / written implicitly (REG_BIT masks; ESP of PUSH/POP/CALL/RET left out, see pairing.ts) */
  implicitRead: number;
  implicitWrite: number;
  branch: BranchKind;
  /** ends a basic block (control transfer, or a change of mode/translation/decoding) */
  ends: boolean;
  /** an 8-bit immediate is sign-extended to the operand size */
  immSx: boolean;
  /** legal only with a memory operand (LEA, LGDT, …) / only with a register (MOV CR) */
  memOnly: boolean;
}

const CF = 1,
  PF = 4,
  AF = 0x10,
  ZF = 0x40,
  SF = 0x80,
  OF = 0x800;

interface RowOpts {
  ext?: number;
  op?: number;
  user?: boolean;
  undef?: number;
  flags?: '' | 'r' | 'w' | 'rw';
  w?: boolean;
  ir?: number;
  iw?: number;
  branch?: BranchKind;
  ends?: boolean;
  sx?: boolean;
  exec32?: Handler;
  memOnly?: boolean;
  osize?: boolean;
}

const rows: InsnRow[] = [];

function t(reg: number, mem: number, pair: PairClass, src: string): TimingSpec {
  return { reg, mem, pair, src };
}

function row(cat: string, mnemonic: string, opcode: number, modrm: boolean, operands: string, timing: TimingSpec, exec: Handler, o: RowOpts = {}): void {
  const osize = o.osize ?? /v|eAX|Ap|Mp/.test(operands);
  rows.push({
    mnemonic,
    opcode,
    ext: o.ext,
    modrm,
    operands,
    osize,
    flagsUndefined: o.undef ?? 0,
    timing,
    user: o.user ?? true,
    cat,
    exec,
    exec32: o.exec32,
    op: o.op ?? 0,
    readsFlags: (o.flags ?? '').includes('r'),
    writesFlags: (o.flags ?? '').includes('w'),
    writesDst: o.w ?? true,
    implicitRead: o.ir ?? 0,
    implicitWrite: o.iw ?? 0,
    branch: o.branch ?? BranchKind.None,
    ends: o.ends ?? (o.branch !== undefined && o.branch !== BranchKind.None),
    immSx: o.sx ?? false,
    memOnly: o.memOnly ?? false,
  });
}

const { NP, UV, PU, PV } = { NP: PairClass.NP, UV: PairClass.UV, PU: PairClass.PU, PV: PairClass.PV };
const EAX = 1,
  ECX = 2,
  EDX = 4,
  EBX = 8,
  ESI = 64,
  EDI = 128;

// ------------------------------------------------------------------ alu
const ALU = ['ADD', 'OR', 'ADC', 'SBB', 'AND', 'SUB', 'XOR', 'CMP'];
for (let op = 0; op < 8; op++) {
  const m = ALU[op];
  const base = op << 3;
  const carry = op === 2 || op === 3;
  const pair = carry ? PU : UV;
  const flags = carry ? 'rw' : 'w';
  const w = op !== 7;
  const undef = op === 1 || op === 4 || op === 6 ? AF : 0;
  // ALU r,r 1; r,m 2; m,r 3 (read-modify-write); CMP m,r 2 [IPM][REF]
  const rmw = w ? 3 : 2;
  row('alu', m, base + 0, true, 'Eb,Gb', t(1, rmw, pair, '[IPM][REF]'), A.aluEG, { op, flags, w, undef });
  row('alu', m, base + 1, true, 'Ev,Gv', t(1, rmw, pair, '[IPM][REF]'), A.aluEG, { op, flags, w, undef, exec32: A.aluEG32 });
  row('alu', m, base + 2, true, 'Gb,Eb', t(1, 2, pair, '[IPM][REF]'), A.aluGE, { op, flags, w, undef });
  row('alu', m, base + 3, true, 'Gv,Ev', t(1, 2, pair, '[IPM][REF]'), A.aluGE, { op, flags, w, undef, exec32: A.aluGE32 });
  row('alu', m, base + 4, false, 'AL,Ib', t(1, 1, pair, '[IPM]'), A.aluAccI, { op, flags, w, undef });
  row('alu', m, base + 5, false, 'eAX,Iv', t(1, 1, pair, '[IPM]'), A.aluAccI, { op, flags, w, undef, exec32: A.aluAccI32 });
  row('alu', m, 0x80, true, 'Eb,Ib', t(1, rmw, pair, '[IPM]'), A.aluEI, { ext: op, op, flags, w, undef });
  row('alu', m, 0x81, true, 'Ev,Iv', t(1, rmw, pair, '[IPM]'), A.aluEI, { ext: op, op, flags, w, undef, exec32: A.aluEI32 });
  row('alu', m, 0x82, true, 'Eb,Ib', t(1, rmw, pair, '[IPM] (82 aliases 80)'), A.aluEI, { ext: op, op, flags, w, undef });
  row('alu', m, 0x83, true, 'Ev,Ib', t(1, rmw, pair, '[IPM]'), A.aluEI, { ext: op, op, flags, w, undef, sx: true, exec32: A.aluEI32 });
}
// TEST r,r and acc,imm pair UV; TEST r/m,imm does not pair [IPM][AGN]
row('alu', 'TEST', 0x84, true, 'Eb,Gb', t(1, 2, UV, '[IPM]'), A.testEG, { flags: 'w', w: false, undef: AF });
row('alu', 'TEST', 0x85, true, 'Ev,Gv', t(1, 2, UV, '[IPM]'), A.testEG, { flags: 'w', w: false, undef: AF });
row('alu', 'TEST', 0xa8, false, 'AL,Ib', t(1, 1, UV, '[IPM]'), A.testAccI, { flags: 'w', w: false, undef: AF });
row('alu', 'TEST', 0xa9, false, 'eAX,Iv', t(1, 1, UV, '[IPM]'), A.testAccI, { flags: 'w', w: false, undef: AF });
row('alu', 'TEST', 0xf6, true, 'Eb,Ib', t(1, 2, NP, '[IPM][AGN]'), A.testEI, { ext: 0, flags: 'w', w: false, undef: AF });
row('alu', 'TEST', 0xf6, true, 'Eb,Ib', t(1, 2, NP, '[IPM][AGN] (F6 /1 aliases /0)'), A.testEI, { ext: 1, flags: 'w', w: false, undef: AF });
row('alu', 'TEST', 0xf7, true, 'Ev,Iv', t(1, 2, NP, '[IPM][AGN]'), A.testEI, { ext: 0, flags: 'w', w: false, undef: AF });
row('alu', 'TEST', 0xf7, true, 'Ev,Iv', t(1, 2, NP, '[IPM][AGN] (F7 /1 aliases /0)'), A.testEI, { ext: 1, flags: 'w', w: false, undef: AF });
for (let r = 0; r < 8; r++) {
  // INC/DEC r 1 UV [IPM]
  row('alu', 'INC', 0x40 + r, false, 'Zv', t(1, 1, UV, '[IPM]'), A.incdecReg, { op: 0, flags: 'w', exec32: A.incReg32 });
  row('alu', 'DEC', 0x48 + r, false, 'Zv', t(1, 1, UV, '[IPM]'), A.incdecReg, { op: 1, flags: 'w', exec32: A.decReg32 });
}
row('alu', 'INC', 0xfe, true, 'Eb', t(1, 3, UV, '[IPM]'), A.incdecE, { ext: 0, op: 0, flags: 'w' });
row('alu', 'DEC', 0xfe, true, 'Eb', t(1, 3, UV, '[IPM]'), A.incdecE, { ext: 1, op: 1, flags: 'w' });
row('alu', 'INC', 0xff, true, 'Ev', t(1, 3, UV, '[IPM]'), A.incdecE, { ext: 0, op: 0, flags: 'w' });
row('alu', 'DEC', 0xff, true, 'Ev', t(1, 3, UV, '[IPM]'), A.incdecE, { ext: 1, op: 1, flags: 'w' });
// NOT/NEG 1 / 3, not pairable [IPM]
row('alu', 'NOT', 0xf6, true, 'Eb', t(1, 3, NP, '[IPM]'), A.notE, { ext: 2 });
row('alu', 'NOT', 0xf7, true, 'Ev', t(1, 3, NP, '[IPM]'), A.notE, { ext: 2 });
row('alu', 'NEG', 0xf6, true, 'Eb', t(1, 3, NP, '[IPM]'), A.negE, { ext: 3, flags: 'w' });
row('alu', 'NEG', 0xf7, true, 'Ev', t(1, 3, NP, '[IPM]'), A.negE, { ext: 3, flags: 'w' });

// ---------------------------------------------------------------- shift
const SH = ['ROL', 'ROR', 'RCL', 'RCR', 'SHL', 'SHR', 'SAL', 'SAR'];
for (let op = 0; op < 8; op++) {
  const m = SH[op];
  const rc = op === 2 || op === 3;
  const flags = rc ? 'rw' : 'w';
  // by 1 / by imm: 1 (reg) 3 (mem) PU; RCL/RCR by imm 8/10 NP; by CL 4 (RCx 7–9) NP [IPM][REF "RCL/RCR 7–8"]
  const undefImm = OF | (op >= 4 ? AF : 0);
  const undef1 = op >= 4 ? AF : 0;
  row('shift', m, 0xc0, true, 'Eb,Ib', rc ? t(8, 10, NP, '[IPM]') : t(1, 3, PU, '[IPM]'), A.shiftE, { ext: op, op, flags, undef: undefImm });
  row('shift', m, 0xc1, true, 'Ev,Ib', rc ? t(8, 10, NP, '[IPM]') : t(1, 3, PU, '[IPM]'), A.shiftE, { ext: op, op, flags, undef: undefImm });
  row('shift', m, 0xd0, true, 'Eb,1', t(1, 3, PU, '[IPM]'), A.shiftE, { ext: op, op, flags, undef: undef1 });
  row('shift', m, 0xd1, true, 'Ev,1', t(1, 3, PU, '[IPM]'), A.shiftE, { ext: op, op, flags, undef: undef1 });
  row('shift', m, 0xd2, true, 'Eb,CL', rc ? t(7, 9, NP, '[IPM][REF]') : t(4, 4, NP, '[IPM]'), A.shiftE, { ext: op, op, flags, undef: undefImm, ir: ECX });
  row('shift', m, 0xd3, true, 'Ev,CL', rc ? t(7, 9, NP, '[IPM][REF]') : t(4, 4, NP, '[IPM]'), A.shiftE, { ext: op, op, flags, undef: undefImm, ir: ECX });
}
// SHLD/SHRD 4 (CL: 4/5) NP [IPM][REF]
row('shift', 'SHLD', 0x0fa4, true, 'Ev,Gv,Ib', t(4, 4, NP, '[IPM][REF]'), A.shldrd, { op: 0, flags: 'w', undef: OF | AF });
row('shift', 'SHLD', 0x0fa5, true, 'Ev,Gv,CL', t(4, 5, NP, '[IPM][REF]'), A.shldrd, { op: 0, flags: 'w', undef: OF | AF, ir: ECX });
row('shift', 'SHRD', 0x0fac, true, 'Ev,Gv,Ib', t(4, 4, NP, '[IPM][REF]'), A.shldrd, { op: 1, flags: 'w', undef: OF | AF });
row('shift', 'SHRD', 0x0fad, true, 'Ev,Gv,CL', t(4, 5, NP, '[IPM][REF]'), A.shldrd, { op: 1, flags: 'w', undef: OF | AF, ir: ECX });

// --------------------------------------------------------------- muldiv
// MUL/IMUL r8/r16 11, r32 10; DIV r8/r16/r32 17/25/41; IDIV 22/30/46 [IPM][REF]
const MULU = SF | ZF | AF | PF;
row('muldiv', 'MUL', 0xf6, true, 'Eb', t(11, 11, NP, '[IPM][REF]'), A.mulE, { ext: 4, op: 4, flags: 'w', w: false, undef: MULU, ir: EAX, iw: EAX });
row('muldiv', 'MUL', 0xf7, true, 'Ev', t(10, 10, NP, '[IPM][REF] (r16: 11)'), A.mulE, { ext: 4, op: 4, flags: 'w', w: false, undef: MULU, ir: EAX, iw: EAX | EDX });
row('muldiv', 'IMUL', 0xf6, true, 'Eb', t(11, 11, NP, '[IPM][REF]'), A.mulE, { ext: 5, op: 5, flags: 'w', w: false, undef: MULU, ir: EAX, iw: EAX });
row('muldiv', 'IMUL', 0xf7, true, 'Ev', t(10, 10, NP, '[IPM][REF]'), A.mulE, { ext: 5, op: 5, flags: 'w', w: false, undef: MULU, ir: EAX, iw: EAX | EDX });
row('muldiv', 'IMUL', 0x0faf, true, 'Gv,Ev', t(10, 10, NP, '[IPM][REF]'), A.imulGE, { flags: 'w', undef: MULU });
row('muldiv', 'IMUL', 0x69, true, 'Gv,Ev,Iv', t(10, 10, NP, '[IPM][REF]'), A.imulGE, { flags: 'w', undef: MULU });
row('muldiv', 'IMUL', 0x6b, true, 'Gv,Ev,Ib', t(10, 10, NP, '[IPM][REF]'), A.imulGE, { flags: 'w', undef: MULU, sx: true });
const DIVU = CF | OF | SF | ZF | AF | PF;
row('muldiv', 'DIV', 0xf6, true, 'Eb', t(17, 17, NP, '[IPM][REF]'), A.divE, { ext: 6, op: 6, flags: 'w', w: false, undef: DIVU, ir: EAX, iw: EAX });
row('muldiv', 'DIV', 0xf7, true, 'Ev', t(41, 41, NP, '[IPM][REF] (r16: 25)'), A.divE, { ext: 6, op: 6, flags: 'w', w: false, undef: DIVU, ir: EAX | EDX, iw: EAX | EDX });
row('muldiv', 'IDIV', 0xf6, true, 'Eb', t(22, 22, NP, '[IPM]'), A.divE, { ext: 7, op: 7, flags: 'w', w: false, undef: DIVU, ir: EAX, iw: EAX });
row('muldiv', 'IDIV', 0xf7, true, 'Ev', t(46, 46, NP, '[IPM][REF] (r16: 30)'), A.divE, { ext: 7, op: 7, flags: 'w', w: false, undef: DIVU, ir: EAX | EDX, iw: EAX | EDX });

// ------------------------------------------------------------------ bit
const BITU = OF | SF | ZF | AF | PF;
// BT r,r 4, m 9; BTS/BTR/BTC r 7, m 8 (register offset into memory +) ; imm forms 4 / 7–8 [IPM]
row('bit', 'BT', 0x0fa3, true, 'Ev,Gv', t(4, 9, NP, '[IPM]'), A.bitOp, { op: 4, flags: 'w', w: false, undef: BITU });
row('bit', 'BTS', 0x0fab, true, 'Ev,Gv', t(7, 13, NP, '[IPM]'), A.bitOp, { op: 5, flags: 'w', undef: BITU });
row('bit', 'BTR', 0x0fb3, true, 'Ev,Gv', t(7, 13, NP, '[IPM]'), A.bitOp, { op: 6, flags: 'w', undef: BITU });
row('bit', 'BTC', 0x0fbb, true, 'Ev,Gv', t(7, 13, NP, '[IPM]'), A.bitOp, { op: 7, flags: 'w', undef: BITU });
for (let op = 4; op < 8; op++) {
  row('bit', ['BT', 'BTS', 'BTR', 'BTC'][op - 4], 0x0fba, true, 'Ev,Ib', op === 4 ? t(4, 4, NP, '[IPM]') : t(7, 8, NP, '[IPM]'), A.bitOp, {
    ext: op,
    op,
    flags: 'w',
    w: op !== 4,
    undef: BITU,
  });
}
// BSF 6–34, BSR 7–42: base here, the handler charges per bit scanned [IPM][REF "+1 per bit"]
row('bit', 'BSF', 0x0fbc, true, 'Gv,Ev', t(6, 6, NP, '[IPM][REF]'), A.bsfr, { op: 0, flags: 'w', undef: CF | OF | SF | AF | PF });
row('bit', 'BSR', 0x0fbd, true, 'Gv,Ev', t(7, 7, NP, '[IPM][REF]'), A.bsfr, { op: 1, flags: 'w', undef: CF | OF | SF | AF | PF });
const CC = ['O', 'NO', 'B', 'AE', 'E', 'NE', 'BE', 'A', 'S', 'NS', 'P', 'NP', 'L', 'GE', 'LE', 'G'];
for (let cc = 0; cc < 16; cc++) {
  // SETcc r 1, m 2, NP [IPM]
  row('bit', 'SET' + CC[cc], 0x0f90 + cc, true, 'Eb', t(1, 2, NP, '[IPM]'), A.setcc, { op: cc, flags: 'r' });
}
for (let r = 0; r < 8; r++) row('bit', 'BSWAP', 0x0fc8 + r, false, 'Zd', t(1, 1, NP, '[IPM]'), D.bswap, { osize: false });

// ----------------------------------------------------------------- move
// MOV 1 UV in every form [IPM]
row('move', 'MOV', 0x88, true, 'Eb,Gb', t(1, 1, UV, '[IPM]'), D.movEG);
row('move', 'MOV', 0x89, true, 'Ev,Gv', t(1, 1, UV, '[IPM]'), D.movEG, { exec32: D.movEG32 });
row('move', 'MOV', 0x8a, true, 'Gb,Eb', t(1, 1, UV, '[IPM]'), D.movGE);
row('move', 'MOV', 0x8b, true, 'Gv,Ev', t(1, 1, UV, '[IPM]'), D.movGE, { exec32: D.movGE32 });
row('move', 'MOV', 0xc6, true, 'Eb,Ib', t(1, 1, UV, '[IPM]'), D.movEI, { ext: 0 });
row('move', 'MOV', 0xc7, true, 'Ev,Iv', t(1, 1, UV, '[IPM]'), D.movEI, { ext: 0 });
for (let r = 0; r < 8; r++) {
  row('move', 'MOV', 0xb0 + r, false, 'Zb,Ib', t(1, 1, UV, '[IPM]'), D.movRI);
  row('move', 'MOV', 0xb8 + r, false, 'Zv,Iv', t(1, 1, UV, '[IPM]'), D.movRI, { exec32: D.movRI32 });
}
row('move', 'MOV', 0xa0, false, 'AL,Ob', t(1, 1, UV, '[IPM]'), D.movAccMoffs);
row('move', 'MOV', 0xa1, false, 'eAX,Ov', t(1, 1, UV, '[IPM]'), D.movAccMoffs);
row('move', 'MOV', 0xa2, false, 'Ob,AL', t(1, 1, UV, '[IPM]'), D.movMoffsAcc);
row('move', 'MOV', 0xa3, false, 'Ov,eAX', t(1, 1, UV, '[IPM]'), D.movMoffsAcc);
// MOVZX/MOVSX 3 NP [IPM][REF]
row('move', 'MOVZX', 0x0fb6, true, 'Gv,Eb', t(3, 3, NP, '[IPM][REF]'), D.movx, { op: 0 });
row('move', 'MOVZX', 0x0fb7, true, 'Gv,Ew', t(3, 3, NP, '[IPM][REF]'), D.movx, { op: 1 });
row('move', 'MOVSX', 0x0fbe, true, 'Gv,Eb', t(3, 3, NP, '[IPM][REF]'), D.movx, { op: 2 });
row('move', 'MOVSX', 0x0fbf, true, 'Gv,Ew', t(3, 3, NP, '[IPM][REF]'), D.movx, { op: 3 });
row('move', 'LEA', 0x8d, true, 'Gv,M', t(1, 1, UV, '[IPM]'), D.lea, { memOnly: true, exec32: D.lea32 });
// XCHG r,r 2, r,m 3 (locked bus) NP [IPM][REF]
row('move', 'XCHG', 0x86, true, 'Eb,Gb', t(3, 3, NP, '[IPM][REF]'), D.xchgEG);
row('move', 'XCHG', 0x87, true, 'Ev,Gv', t(3, 3, NP, '[IPM][REF]'), D.xchgEG);
row('move', 'NOP', 0x90, false, '', t(1, 1, UV, '[IPM]'), D.nop);
for (let r = 1; r < 8; r++) row('move', 'XCHG', 0x90 + r, false, 'eAX,Zv', t(2, 2, NP, '[IPM]'), D.xchgAcc);
// CBW/CWDE 3, CWD/CDQ 2 NP [IPM]
row('move', 'CBW', 0x98, false, '', t(3, 3, NP, '[IPM]'), A.cbw, { ir: EAX, iw: EAX, osize: true });
row('move', 'CWD', 0x99, false, '', t(2, 2, NP, '[IPM]'), A.cwd, { ir: EAX, iw: EDX, osize: true });
row('move', 'LAHF', 0x9f, false, '', t(2, 2, NP, '[IPM]'), A.lahf, { flags: 'r', iw: EAX });
row('move', 'SAHF', 0x9e, false, '', t(2, 2, NP, '[IPM]'), A.sahf, { flags: 'w', ir: EAX });
row('move', 'XLAT', 0xd7, false, '', t(4, 4, NP, '[IPM]'), D.xlat, { ir: EAX | EBX, iw: EAX });
// CMPXCHG 6, CMPXCHG8B 10, XADD 3/4 NP [IPM]
row('move', 'CMPXCHG', 0x0fb0, true, 'Eb,Gb', t(6, 6, NP, '[IPM]'), D.cmpxchg, { flags: 'w', ir: EAX, iw: EAX });
row('move', 'CMPXCHG', 0x0fb1, true, 'Ev,Gv', t(6, 6, NP, '[IPM]'), D.cmpxchg, { flags: 'w', ir: EAX, iw: EAX });
row('move', 'CMPXCHG8B', 0x0fc7, true, 'Mq', t(10, 10, NP, '[IPM]'), D.cmpxchg8b, { ext: 1, flags: 'w', memOnly: true, ir: EAX | EBX | ECX | EDX, iw: EAX | EDX, osize: false });
row('move', 'XADD', 0x0fc0, true, 'Eb,Gb', t(3, 4, NP, '[IPM]'), D.xadd, { flags: 'w' });
row('move', 'XADD', 0x0fc1, true, 'Ev,Gv', t(3, 4, NP, '[IPM]'), D.xadd, { flags: 'w' });

// ---------------------------------------------------------------- stack
for (let r = 0; r < 8; r++) {
  // PUSH/POP r 1 UV [IPM]
  row('stack', 'PUSH', 0x50 + r, false, 'Zv', t(1, 1, UV, '[IPM]'), D.pushR, { w: false });
  row('stack', 'POP', 0x58 + r, false, 'Zv', t(1, 1, UV, '[IPM]'), D.popR);
}
row('stack', 'PUSH', 0x68, false, 'Iv', t(1, 1, UV, '[IPM]'), D.pushI, { w: false });
row('stack', 'PUSH', 0x6a, false, 'Ib', t(1, 1, UV, '[IPM]'), D.pushI, { w: false, sx: true, osize: true });
row('stack', 'PUSH', 0xff, true, 'Ev', t(2, 2, NP, '[IPM]'), D.pushE, { ext: 6, w: false });
row('stack', 'POP', 0x8f, true, 'Ev', t(3, 3, NP, '[IPM]'), D.popE, { ext: 0 });
// PUSH sreg 1, POP sreg 3 (+ descriptor load in PM) NP [IPM]
const SEGS = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS'];
const PUSHSEG = [0x06, 0x0e, 0x16, 0x1e, 0x0fa0, 0x0fa8];
const POPSEG = [0x07, -1, 0x17, 0x1f, 0x0fa1, 0x0fa9];
for (let s = 0; s < 6; s++) {
  row('stack', 'PUSH', PUSHSEG[s], false, SEGS[s], t(1, 1, NP, '[IPM]'), D.pushSeg, { op: s, w: false, osize: true });
  if (POPSEG[s] >= 0) row('stack', 'POP', POPSEG[s], false, SEGS[s], t(3, 3, NP, '[IPM] (+8 descriptor load, see ops/data.ts)'), D.popSeg, { op: s, osize: true, ends: s === 2, user: s !== 2 });
}
row('stack', 'PUSHA', 0x60, false, '', t(5, 5, NP, '[IPM]'), D.pusha, { osize: true, ir: 255 });
row('stack', 'POPA', 0x61, false, '', t(5, 5, NP, '[IPM]'), D.popa, { osize: true, iw: 255 & ~16 });
row('stack', 'PUSHF', 0x9c, false, '', t(3, 3, NP, '[REF] (PM)'), S.pushf, { osize: true, flags: 'r' });
row('stack', 'POPF', 0x9d, false, '', t(6, 6, NP, '[REF]'), S.popf, { osize: true, flags: 'w', ends: true });
row('stack', 'ENTER', 0xc8, false, 'Iw,Ib', t(11, 11, NP, '[IPM][REF] (level 0)'), D.enter, { osize: true, ir: 32, iw: 32 });
row('stack', 'LEAVE', 0xc9, false, '', t(3, 3, NP, '[IPM][REF]'), D.leave, { osize: true, ir: 32, iw: 32 });

// --------------------------------------------------------------- string
// non-REP: MOVS 4, STOS 3, LODS 2, CMPS 5, SCAS 4; REP: base + 1 per iteration ("about 3 + n") [IPM][REF]
row('string', 'MOVS', 0xa4, false, 'Yb,Xb', t(4, 4, NP, '[IPM][REF]'), D.movs, { w: false, ir: ESI | EDI | ECX, iw: ESI | EDI | ECX });
row('string', 'MOVS', 0xa5, false, 'Yv,Xv', t(4, 4, NP, '[IPM][REF]'), D.movs, { w: false, ir: ESI | EDI | ECX, iw: ESI | EDI | ECX });
row('string', 'CMPS', 0xa6, false, 'Xb,Yb', t(5, 5, NP, '[IPM]'), D.cmpsScas, { op: 0, w: false, flags: 'w', ir: ESI | EDI | ECX, iw: ESI | EDI | ECX });
row('string', 'CMPS', 0xa7, false, 'Xv,Yv', t(5, 5, NP, '[IPM]'), D.cmpsScas, { op: 0, w: false, flags: 'w', ir: ESI | EDI | ECX, iw: ESI | EDI | ECX });
row('string', 'STOS', 0xaa, false, 'Yb,AL', t(3, 3, NP, '[IPM][REF]'), D.stos, { w: false, ir: EAX | EDI | ECX, iw: EDI | ECX });
row('string', 'STOS', 0xab, false, 'Yv,eAX', t(3, 3, NP, '[IPM][REF]'), D.stos, { w: false, ir: EAX | EDI | ECX, iw: EDI | ECX });
row('string', 'LODS', 0xac, false, 'AL,Xb', t(2, 2, NP, '[IPM]'), D.lods, { ir: ESI | ECX, iw: EAX | ESI | ECX });
row('string', 'LODS', 0xad, false, 'eAX,Xv', t(2, 2, NP, '[IPM]'), D.lods, { ir: ESI | ECX, iw: EAX | ESI | ECX });
row('string', 'SCAS', 0xae, false, 'AL,Yb', t(4, 4, NP, '[IPM]'), D.cmpsScas, { op: 1, w: false, flags: 'w', ir: EAX | EDI | ECX, iw: EDI | ECX });
row('string', 'SCAS', 0xaf, false, 'eAX,Yv', t(4, 4, NP, '[IPM]'), D.cmpsScas, { op: 1, w: false, flags: 'w', ir: EAX | EDI | ECX, iw: EDI | ECX });
// INS/OUTS PM CPL<=IOPL 9/10 + I/O [IPM]
row('string', 'INS', 0x6c, false, 'Yb,DX', t(9, 9, NP, '[IPM]'), S.insOuts, { op: 0, w: false, user: false, ir: EDX | EDI | ECX, iw: EDI | ECX });
row('string', 'INS', 0x6d, false, 'Yv,DX', t(9, 9, NP, '[IPM]'), S.insOuts, { op: 0, w: false, user: false, ir: EDX | EDI | ECX, iw: EDI | ECX });
row('string', 'OUTS', 0x6e, false, 'DX,Xb', t(10, 10, NP, '[IPM]'), S.insOuts, { op: 1, w: false, user: false, ir: EDX | ESI | ECX, iw: ESI | ECX });
row('string', 'OUTS', 0x6f, false, 'DX,Xv', t(10, 10, NP, '[IPM]'), S.insOuts, { op: 1, w: false, user: false, ir: EDX | ESI | ECX, iw: ESI | ECX });

// --------------------------------------------------------------- branch
for (let cc = 0; cc < 16; cc++) {
  // Jcc 1 PV (mispredicted 4/5: the branch predictor) [IPM][REF]
  // a conditional branch does not end its block: the not-taken path runs on in the same
  // block (the run loop leaves the block when EIP is not the next instruction's)
  row('branch', 'J' + CC[cc], 0x70 + cc, false, 'Jb', t(1, 1, PV, '[IPM][REF]'), C.JCC_BY_CC[cc], { op: cc, flags: 'r', w: false, branch: BranchKind.Jcc, ends: false });
  row('branch', 'J' + CC[cc], 0x0f80 + cc, false, 'Jv', t(1, 1, PV, '[IPM][REF]'), C.JCC_BY_CC[cc], { op: cc, flags: 'r', w: false, branch: BranchKind.Jcc, ends: false });
}
row('branch', 'JMP', 0xeb, false, 'Jb', t(1, 1, PV, '[IPM]'), C.jmpRel, { w: false, branch: BranchKind.Jmp, osize: true });
row('branch', 'JMP', 0xe9, false, 'Jv', t(1, 1, PV, '[IPM]'), C.jmpRel, { w: false, branch: BranchKind.Jmp });
row('branch', 'CALL', 0xe8, false, 'Jv', t(1, 1, PV, '[IPM]'), C.callRel, { w: false, branch: BranchKind.Call });
// near indirect JMP/CALL 2 NP; RET 2, RET imm 3 NP [IPM]
row('branch', 'CALL', 0xff, true, 'Ev', t(2, 2, NP, '[IPM]'), C.callE, { ext: 2, w: false, branch: BranchKind.Indirect });
row('branch', 'JMP', 0xff, true, 'Ev', t(2, 2, NP, '[IPM]'), C.jmpE, { ext: 4, w: false, branch: BranchKind.Indirect });
row('branch', 'RET', 0xc3, false, '', t(2, 2, NP, '[IPM]'), C.ret, { branch: BranchKind.Ret, osize: true });
row('branch', 'RET', 0xc2, false, 'Iw', t(3, 3, NP, '[IPM]'), C.ret, { branch: BranchKind.Ret, osize: true });
// LOOP 5/6, JCXZ 5/6 NP [IPM][REF]
row('branch', 'LOOPNE', 0xe0, false, 'Jb', t(7, 7, NP, '[IPM]'), C.loop, { op: 0, flags: 'r', ir: ECX, iw: ECX, branch: BranchKind.Jcc, ends: false, osize: true });
row('branch', 'LOOPE', 0xe1, false, 'Jb', t(7, 7, NP, '[IPM]'), C.loop, { op: 1, flags: 'r', ir: ECX, iw: ECX, branch: BranchKind.Jcc, ends: false, osize: true });
row('branch', 'LOOP', 0xe2, false, 'Jb', t(5, 5, NP, '[IPM][REF]'), C.loop, { op: 2, ir: ECX, iw: ECX, branch: BranchKind.Jcc, ends: false, osize: true });
row('branch', 'JECXZ', 0xe3, false, 'Jb', t(5, 5, NP, '[IPM][REF]'), C.loop, { op: 3, ir: ECX, branch: BranchKind.Jcc, ends: false, osize: true });

// ------------------------------------------------------------------ far
// far JMP 18 / far CALL 22 (same privilege, PM) [IPM][REF]; gates and task switches add theirs
row('far', 'JMP', 0xea, false, 'Ap', t(18, 18, NP, '[IPM]'), C.farDirect, { op: 0, user: false, branch: BranchKind.Far });
row('far', 'CALL', 0x9a, false, 'Ap', t(22, 22, NP, '[IPM][REF]'), C.farDirect, { op: 1, user: false, branch: BranchKind.Far });
row('far', 'JMP', 0xff, true, 'Mp', t(18, 18, NP, '[IPM]'), C.farIndirect, { ext: 5, op: 0, user: false, memOnly: true, branch: BranchKind.Far });
row('far', 'CALL', 0xff, true, 'Mp', t(22, 22, NP, '[IPM][REF]'), C.farIndirect, { ext: 3, op: 1, user: false, memOnly: true, branch: BranchKind.Far });
// RETF 23 same privilege [IPM]; +17 to an outer level like IRET [EST]
row('far', 'RETF', 0xcb, false, '', t(23, 23, NP, '[IPM]'), C.retf, { user: false, branch: BranchKind.Far, osize: true });
row('far', 'RETF', 0xca, false, 'Iw', t(23, 23, NP, '[IPM]'), C.retf, { user: false, branch: BranchKind.Far, osize: true });
// INT n through a gate 25 same privilege, 42 to ring 0 (exceptions.ts adds the 17) [REF]
row('far', 'INT3', 0xcc, false, '', t(25, 25, NP, '[REF]'), C.intN, { user: false, branch: BranchKind.Far });
row('far', 'INT', 0xcd, false, 'Ib', t(25, 25, NP, '[REF]'), C.intN, { user: false, branch: BranchKind.Far });
row('far', 'INTO', 0xce, false, '', t(4, 4, NP, '[IPM] (not taken; taken: INT)'), C.intN, { user: false, flags: 'r', branch: BranchKind.Far });
// IRET 10 same privilege, 27 to an outer level (exceptions.ts adds 17) [REF]
row('far', 'IRET', 0xcf, false, '', t(10, 10, NP, '[REF]'), C.iret, { user: false, branch: BranchKind.Far, flags: 'w', osize: true });

// ------------------------------------------------------------------ bcd
row('bcd', 'DAA', 0x27, false, '', t(3, 3, NP, '[IPM]'), A.daaDas, { flags: 'rw', undef: OF, ir: EAX, iw: EAX });
row('bcd', 'DAS', 0x2f, false, '', t(3, 3, NP, '[IPM]'), A.daaDas, { flags: 'rw', undef: OF, ir: EAX, iw: EAX });
row('bcd', 'AAA', 0x37, false, '', t(3, 3, NP, '[IPM]'), A.aaaAas, { flags: 'rw', undef: OF | SF | ZF | PF, ir: EAX, iw: EAX });
row('bcd', 'AAS', 0x3f, false, '', t(3, 3, NP, '[IPM]'), A.aaaAas, { flags: 'rw', undef: OF | SF | ZF | PF, ir: EAX, iw: EAX });
row('bcd', 'AAM', 0xd4, false, 'Ib', t(18, 18, NP, '[IPM]'), A.aam, { flags: 'w', undef: OF | AF | CF, ir: EAX, iw: EAX });
row('bcd', 'AAD', 0xd5, false, 'Ib', t(10, 10, NP, '[IPM]'), A.aad, { flags: 'w', undef: OF | AF | CF, ir: EAX, iw: EAX });

// ----------------------------------------------------------------- flag
// CLC/STC/CMC/CLD/STD 2 NP [IPM]; CLI/STI 7 [REF]
row('flag', 'CMC', 0xf5, false, '', t(2, 2, NP, '[IPM]'), A.flagOp, { flags: 'rw' });
row('flag', 'CLC', 0xf8, false, '', t(2, 2, NP, '[IPM]'), A.flagOp, { flags: 'w' });
row('flag', 'STC', 0xf9, false, '', t(2, 2, NP, '[IPM]'), A.flagOp, { flags: 'w' });
row('flag', 'CLD', 0xfc, false, '', t(2, 2, NP, '[IPM]'), A.flagOp, {});
row('flag', 'STD', 0xfd, false, '', t(2, 2, NP, '[IPM]'), A.flagOp, {});
row('flag', 'CLI', 0xfa, false, '', t(7, 7, NP, '[REF]'), S.cli, { user: false });
row('flag', 'STI', 0xfb, false, '', t(7, 7, NP, '[REF]'), S.sti, { user: false, ends: true });

// --------------------------------------------------------------- system
// MOV Sreg,r/m 3 (+8 descriptor load, handler) / MOV r/m,Sreg 1 NP [IPM][REF]
row('system', 'MOV', 0x8c, true, 'Ew,Sw', t(1, 1, NP, '[IPM]'), movESreg, { osize: true });
row('system', 'MOV', 0x8e, true, 'Sw,Ew', t(3, 3, NP, '[IPM][REF]'), movSregE, { user: false, ends: true, osize: false });
// LDS/LES/LFS/LGS/LSS 4 + descriptor load [IPM]
row('system', 'LES', 0xc4, true, 'Gv,Mp', t(4, 4, NP, '[IPM]'), D.loadFarPtr, { op: 0, memOnly: true, user: false });
row('system', 'LDS', 0xc5, true, 'Gv,Mp', t(4, 4, NP, '[IPM]'), D.loadFarPtr, { op: 3, memOnly: true, user: false });
row('system', 'LSS', 0x0fb2, true, 'Gv,Mp', t(4, 4, NP, '[IPM]'), D.loadFarPtr, { op: 2, memOnly: true, user: false, ends: true });
row('system', 'LFS', 0x0fb4, true, 'Gv,Mp', t(4, 4, NP, '[IPM]'), D.loadFarPtr, { op: 4, memOnly: true, user: false });
row('system', 'LGS', 0x0fb5, true, 'Gv,Mp', t(4, 4, NP, '[IPM]'), D.loadFarPtr, { op: 5, memOnly: true, user: false });
row('system', 'HLT', 0xf4, false, '', t(4, 4, NP, '[REF]'), S.hlt, { user: false, ends: true });
// IN 4 / OUT 9 (CPL <= IOPL; 21/26 through the I/O bitmap) [REF]
row('system', 'IN', 0xe4, false, 'AL,Ib', t(4, 4, NP, '[REF]'), S.inAcc, { op: 0, user: false, iw: EAX });
row('system', 'IN', 0xe5, false, 'eAX,Ib', t(4, 4, NP, '[REF]'), S.inAcc, { op: 0, user: false, iw: EAX });
row('system', 'IN', 0xec, false, 'AL,DX', t(4, 4, NP, '[REF]'), S.inAcc, { op: 1, user: false, ir: EDX, iw: EAX });
row('system', 'IN', 0xed, false, 'eAX,DX', t(4, 4, NP, '[REF]'), S.inAcc, { op: 1, user: false, ir: EDX, iw: EAX });
row('system', 'OUT', 0xe6, false, 'Ib,AL', t(9, 9, NP, '[REF]'), S.outAcc, { op: 0, user: false, w: false, ir: EAX });
row('system', 'OUT', 0xe7, false, 'Ib,eAX', t(9, 9, NP, '[REF]'), S.outAcc, { op: 0, user: false, w: false, ir: EAX });
row('system', 'OUT', 0xee, false, 'DX,AL', t(9, 9, NP, '[REF]'), S.outAcc, { op: 1, user: false, w: false, ir: EAX | EDX });
row('system', 'OUT', 0xef, false, 'DX,eAX', t(9, 9, NP, '[REF]'), S.outAcc, { op: 1, user: false, w: false, ir: EAX | EDX });
// SLDT/STR 2, LLDT 9, LTR 10 [IPM][REF]
row('system', 'SLDT', 0x0f00, true, 'Ew', t(2, 2, NP, '[IPM]'), S.sldtStr, { ext: 0, op: 0, osize: true });
row('system', 'STR', 0x0f00, true, 'Ew', t(2, 2, NP, '[IPM]'), S.sldtStr, { ext: 1, op: 1, osize: true });
row('system', 'LLDT', 0x0f00, true, 'Ew', t(9, 9, NP, '[REF]'), S.lldt, { ext: 2, user: false, w: false, ends: true });
row('system', 'LTR', 0x0f00, true, 'Ew', t(10, 10, NP, '[REF]'), S.ltr, { ext: 3, user: false, w: false });
// SGDT/SIDT 4, LGDT/LIDT 6, SMSW 4, LMSW 8, INVLPG 25 [IPM][REF]
// LAR/LSL 8, VERR/VERW 7, BOUND 8 (in range) [AGN]; ARPL 7 [EST: the 486's figure, Fog lists none].
// `user`: the test generator covers them only with inputs whose answer is the same natively
// (x86-64 Linux, a 32-bit process) and emulated: LAR/LSL/VERR/VERW on the program's own and
// on null/past-limit selectors, BOUND in range (#BR is SIGSEGV natively); the rest is in
// cpu/ops/descriptor-checks.spec.ts and descriptor-checks-rings.spec.ts.
row('system', 'VERR', 0x0f00, true, 'Ew', t(7, 7, NP, '[AGN]'), DC.verrVerw, { ext: 4, op: 0, flags: 'w', w: false });
row('system', 'VERW', 0x0f00, true, 'Ew', t(7, 7, NP, '[AGN]'), DC.verrVerw, { ext: 5, op: 1, flags: 'w', w: false });
row('system', 'LAR', 0x0f02, true, 'Gv,Ew', t(8, 8, NP, '[AGN]'), DC.lar, { flags: 'w' });
row('system', 'LSL', 0x0f03, true, 'Gv,Ew', t(8, 8, NP, '[AGN]'), DC.lsl, { flags: 'w' });
row('system', 'ARPL', 0x63, true, 'Ew,Gw', t(7, 7, NP, '[EST]'), DC.arpl, { flags: 'w' });
row('system', 'BOUND', 0x62, true, 'Gv,Ma', t(8, 8, NP, '[AGN]'), DC.bound, { memOnly: true, w: false });
row('system', 'SGDT', 0x0f01, true, 'Ms', t(4, 4, NP, '[IPM]'), S.sgdtSidt, { ext: 0, op: 0, memOnly: true });
row('system', 'SIDT', 0x0f01, true, 'Ms', t(4, 4, NP, '[IPM]'), S.sgdtSidt, { ext: 1, op: 1, memOnly: true });
row('system', 'LGDT', 0x0f01, true, 'Ms', t(6, 6, NP, '[REF]'), S.lgdtLidt, { ext: 2, op: 2, memOnly: true, user: false, w: false, ends: true, osize: true });
row('system', 'LIDT', 0x0f01, true, 'Ms', t(6, 6, NP, '[REF]'), S.lgdtLidt, { ext: 3, op: 3, memOnly: true, user: false, w: false, osize: true });
row('system', 'SMSW', 0x0f01, true, 'Ew', t(4, 4, NP, '[IPM]'), S.smsw, { ext: 4, osize: true });
row('system', 'LMSW', 0x0f01, true, 'Ew', t(8, 8, NP, '[IPM]'), S.lmsw, { ext: 6, user: false, w: false, ends: true });
row('system', 'INVLPG', 0x0f01, true, 'M', t(25, 25, NP, '[REF]'), S.invlpg, { ext: 7, memOnly: true, user: false, w: false, ends: true });
// CLTS 10, INVD 15, WBINVD 2000+ (write-back dominated; here the write-backs are not charged) [IPM]
row('system', 'CLTS', 0x0f06, false, '', t(10, 10, NP, '[IPM]'), S.clts, { user: false });
row('system', 'INVD', 0x0f08, false, '', t(15, 15, NP, '[IPM]'), S.invd, { op: 0, user: false });
row('system', 'WBINVD', 0x0f09, false, '', t(15, 15, NP, '[IPM] (+ write-backs, not charged)'), S.invd, { op: 1, user: false });
row('system', 'UD2', 0x0f0b, false, '', t(1, 1, NP, '[EST] (faults)'), S.ud);
// MOV r32,CRn 4 [REF]; MOV CRn,r32: per register in ops/system.ts (CR3 22 [REF])
row('system', 'MOV', 0x0f20, true, 'Rd,Cd', t(4, 4, NP, '[REF]'), S.movRCr, { user: false, osize: false });
row('system', 'MOV', 0x0f22, true, 'Cd,Rd', t(0, 0, NP, '[REF] (per CR, see CR_WRITE_CLOCKS)'), S.movCrR, { user: false, ends: true, osize: false });
// MOV r32,DRn 2; MOV DRn,r32 11 (DR4/DR5 12, charged by the handler) [IPM][AGN]; storage only (ops/debug-registers.ts)
row('system', 'MOV', 0x0f21, true, 'Rd,Dd', t(2, 2, NP, '[IPM][AGN]'), DR.movRDr, { user: false, osize: false });
row('system', 'MOV', 0x0f23, true, 'Dd,Rd', t(11, 11, NP, '[IPM][AGN] (DR4/DR5: +1 in the handler)'), DR.movDrR, { user: false, w: false, osize: false });
// CPUID 14, RDTSC 6 ("6–7"), RDMSR 20, WRMSR 30 [IPM][REF]
row('system', 'CPUID', 0x0fa2, false, '', t(14, 14, NP, '[REF]'), S.cpuid, { ir: EAX, iw: EAX | EBX | ECX | EDX });
row('system', 'RDTSC', 0x0f31, false, '', t(6, 6, NP, '[REF]'), S.rdtsc, { iw: EAX | EDX });
row('system', 'RDMSR', 0x0f32, false, '', t(20, 20, NP, '[IPM]'), S.rdmsr, { user: false, ir: ECX, iw: EAX | EDX });
row('system', 'WRMSR', 0x0f30, false, '', t(30, 30, NP, '[IPM]'), S.wrmsr, { user: false, ir: EAX | ECX | EDX });
// RDPMC: not on the P54C (Pentium MMX / Pentium Pro); here the emulator's phase counters
// (clock/phases.ts, contracts.md "Phase accounting"), readable at CPL 3. Clocks: as RDTSC [EST].
// `user: false` keeps the instruction generator away (a native run would fault).
row('system', 'RDPMC', 0x0f33, false, '', t(6, 6, NP, '[EST] as RDTSC'), S.rdpmc, { user: false, ir: ECX, iw: EAX | EDX });

// ------------------------------------------------------------------ x87
// clocks and pair class of each x87 form come from the x87 engineer's table
// (fpu/x87-timing.ts: x87Timing), applied by the decoder; the 1 here is never charged
for (let op = 0xd8; op <= 0xdf; op++) row('x87', 'ESC', op, true, 'FPU', t(1, 1, NP, 'fpu/x87-timing.ts (per ModRM form)'), S.fpuEscape, { user: true, osize: false });
row('x87', 'WAIT', 0x9b, false, '', t(1, 1, NP, '[IPM]'), S.fwait, {});

// ------------------------------------------------------------------ emu
row('emu', 'HOSTCALL', 0x0f3f, false, 'Iw', t(0, 0, NP, 'contracts.md: HOSTCALL costs 0, kernels charge path profiles'), S.hostcall, { user: false, ends: true, osize: false });

export const INSTRUCTION_TABLE: readonly InsnRow[] = rows;

/** Dispatch tables built from the rows: entry = row, or 8 rows indexed by ModRM.reg for groups. */
export type TableEntry = InsnRow | (InsnRow | null)[] | null;
export const ONE_BYTE: TableEntry[] = new Array(256).fill(null);
export const TWO_BYTE: TableEntry[] = new Array(256).fill(null);

for (const r of rows) {
  const table = r.opcode > 0xff ? TWO_BYTE : ONE_BYTE;
  const b = r.opcode & 0xff;
  if (r.ext !== undefined) {
    let g = table[b];
    if (g === null) g = table[b] = new Array(8).fill(null);
    if (!Array.isArray(g)) throw new Error(`instruction table: opcode 0x${r.opcode.toString(16)} is both a group and a plain row`);
    if (g[r.ext] !== null) throw new Error(`instruction table: duplicate row 0x${r.opcode.toString(16)} /${r.ext}`);
    g[r.ext] = r;
  } else {
    if (table[b] !== null) throw new Error(`instruction table: duplicate row 0x${r.opcode.toString(16)}`);
    table[b] = r;
  }
}
