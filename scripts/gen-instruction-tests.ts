// Generates the instruction tests guest/tests/instr/*.S from THE instruction table
// (libs/pentium/src/cpu/instruction-table.ts), in the manner of v86's generated tests:
// every user-executable row (`user: true`) becomes one or more "forms" (operand size,
// register or memory operand, immediate), each run by guest/tests/instr/runtime.c over
// a set of interesting operand values; every case prints all registers, EFLAGS minus
// the row's `flagsUndefined`, and the memory the form may write. The programs run
// natively and in the emulator (test/differential), and the outputs must be identical.
//
// Instructions are emitted as raw bytes from the row (opcode, ModRM with the row's
// group extension, SIB, displacement, immediates), so every encoding in the table is
// tested as itself, aliases included (82, F6 /1, ...), whatever an assembler would pick.
//
// Run (the output is committed; never edit it by hand):
//   npx tsc --outDir /tmp/gen-instr --rootDir . --module commonjs --target es2022 \
//     --esModuleInterop --skipLibCheck --types node scripts/gen-instruction-tests.ts
//   node /tmp/gen-instr/scripts/gen-instruction-tests.js
//   npm run guest:build
import * as fs from 'fs';
import * as path from 'path';
// through the library's entry point, which loads the CPU before the table (they import each other)
import { INSTRUCTION_TABLE, type InsnRow } from '../libs/pentium/src/index';

// run from the repository root (the compiled script lives elsewhere)
const ROOT = process.cwd();
const OUT_DIR = path.join(ROOT, 'guest', 'tests', 'instr');

// ---- the runtime's vocabulary (guest/tests/instr/runtime.c) ----
const K = { REG32: 1, REG16: 2, REG8: 3, MEM: 4, FLAGS: 5, ADDR: 6, SADDR: 7 } as const;
const T = {
  one: 0, v8: 1, v16: 2, v32: 3, v32s: 4, cnt: 5, bitoff: 6, flags2: 7, flagsj: 8, flagsdf: 9, ah: 10, popf: 11,
  bcd: 12, strcnt: 13, strval: 14, loopcnt: 15, divhi: 16, v8s: 17, v16s: 18,
} as const;
const SP = {
  NONE: 0, DIV8: 1, DIV16: 2, DIV32: 3, IDIV8: 4, IDIV16: 5, IDIV32: 6, BSF: 7, SHIFT8: 8, SHIFT16: 9, SHXD16: 10,
  STRING: 11, CX8B: 12,
} as const;
const TEST_MEM = 64; // offsets into instr_mem
const DST_OFF = 384;
const STACK_TOP = 512; // offset into instr_stack
const STACK_SHOW = 0x8000 | (STACK_TOP - 32);

const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;

type Width = 8 | 16 | 32 | 64;

interface Form {
  name: string;
  /** assembly lines of the stub before the tested bytes */
  setup: string[];
  /** the tested instruction: items of a `.byte`/`.long` sequence, as assembly lines */
  insn: string[];
  /** assembly lines after the instruction, before `jmp instr_back` */
  after: string[];
  slots: number[];
  special: number;
  aux: number;
  undef: number;
  show: number;
  flagmode: number;
}

const slot = (kind: number, idx: number, arg: number, table: number): number => (kind | (idx << 8) | (arg << 16) | (table << 24)) >>> 0;
const show = (off: number, dwords: number): number => (off | (dwords << 16)) >>> 0;
const hex = (n: number, w = 2): string => '0x' + (n >>> 0).toString(16).padStart(w, '0');

function valueTable(w: Width, small: boolean): number {
  if (w === 8) return small ? T.v8s : T.v8;
  if (w === 16) return small ? T.v16s : T.v16;
  return small ? T.v32s : T.v32;
}
function regSlot(w: Width, r: number, table: number): number {
  return slot(w === 8 ? K.REG8 : w === 16 ? K.REG16 : K.REG32, r, 0, table);
}
function memSlot(offset: number, table: number): number {
  return slot(K.MEM, 0, offset / 4, table);
}

function opcodeBytes(row: InsnRow): number[] {
  return row.opcode > 0xff ? [0x0f, row.opcode & 0xff] : [row.opcode];
}
function byteLine(bytes: number[]): string {
  return `.byte ${bytes.map((b) => hex(b)).join(', ')}`;
}
function immLines(v: number, w: 8 | 16 | 32): string[] {
  if (w === 8) return [byteLine([v & 0xff])];
  if (w === 16) return [`.word ${hex(v & 0xffff, 4)}`];
  return [`.long ${hex(v >>> 0, 8)}`];
}

/** ModRM for the E operand: a register, or [disp32] at instr_mem + TEST_MEM. */
function modrmLines(reg: number, e: { kind: 'reg'; r: number } | { kind: 'mem' }): string[] {
  if (e.kind === 'reg') return [byteLine([0xc0 | (reg << 3) | e.r])];
  return [byteLine([(reg << 3) | 5]), `.long instr_mem+${TEST_MEM}`];
}

const IMM8_ALU = [0x00, 0x01, 0x7f, 0x80, 0xff];
const IMM16 = [0x0000, 0x0001, 0x7fff, 0x8000, 0xffff];
const IMM32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff];
const SHIFT_IMMS = [0, 1, 3, 8, 16, 31, 33];
const SHXD_IMMS = [0, 1, 4, 16, 17, 31];
const BT_IMMS = [0, 5, 31, 33];

/** Registers used for E and G in register forms (ECX, and the count register CL, stay free). */
const E_REG = EBX;
const G_REG: Record<number, number> = { 8: 6 /* DH */, 16: EDX, 32: EDX };
const SAME_REG: Record<number, number> = { 8: 7 /* BH */, 16: ESI, 32: ESI };

const excluded: { row: string; why: string }[] = [];
function exclude(row: InsnRow, why: string): void {
  if (excluded.some((e) => e.row === `${row.mnemonic} ${row.operands} (${rowId(row)})`)) return;
  excluded.push({ row: `${row.mnemonic} ${row.operands} (${rowId(row)})`, why });
}
function rowId(row: InsnRow): string {
  return (row.opcode > 0xff ? '0F ' + hex(row.opcode & 0xff).slice(2) : hex(row.opcode).slice(2)).toUpperCase() + (row.ext !== undefined ? ` /${row.ext}` : '');
}

function widthOf(tok: string, size: 16 | 32): Width {
  const c = tok[tok.length - 1];
  if (c === 'b') return 8;
  if (c === 'w') return 16;
  if (c === 'd') return 32;
  if (c === 'q') return 64;
  return size;
}

function baseForm(row: InsnRow, size: 16 | 32, label: string): Form {
  return {
    name: `${row.mnemonic} ${row.operands}`.trim() + ` [${rowId(row)}]` + (row.osize ? ` o${size}` : '') + (label ? ' ' + label : ''),
    setup: [],
    insn: [],
    after: [],
    slots: [],
    special: SP.NONE,
    aux: 0,
    undef: row.flagsUndefined,
    show: show(TEST_MEM, 2),
    flagmode: row.readsFlags ? 1 : 0,
  };
}

function prefix(row: InsnRow, size: 16 | 32): number[] {
  return row.osize && size === 16 ? [0x66] : [];
}

/** First operand written without being read: no input value needed. */
function destWriteOnly(row: InsnRow): boolean {
  return (
    ['MOV', 'MOVZX', 'MOVSX', 'LEA', 'BSF', 'BSR', 'POP'].includes(row.mnemonic) ||
    row.mnemonic.startsWith('SET') ||
    (row.mnemonic === 'IMUL' && (row.opcode === 0x69 || row.opcode === 0x6b))
  );
}

/** Intel: LOCK is legal with these, and only with a memory destination. */
const LOCKABLE = new Set(['ADD', 'ADC', 'AND', 'BTC', 'BTR', 'BTS', 'CMPXCHG', 'CMPXCHG8B', 'DEC', 'INC', 'NEG', 'NOT', 'OR', 'SBB', 'SUB', 'XOR', 'XADD', 'XCHG']);

const SHIFT_NAMES = ['ROL', 'ROR', 'RCL', 'RCR', 'SHL', 'SHR', 'SAL', 'SAR'];

// ------------------------------------------------------------ generic E/G/I rows
function genModrm(row: InsnRow, size: 16 | 32): Form[] {
  const ops = row.operands.split(',').filter(Boolean);
  const eIdx = ops.findIndex((o) => /^[EMR]/.test(o));
  const gIdx = ops.findIndex((o) => /^G/.test(o));
  const immTok = ops.find((o) => /^I/.test(o));
  const countTok = ops.find((o) => o === 'CL' || o === '1');
  const eTok = ops[eIdx];
  const eW = widthOf(eTok, size);
  const gW = gIdx >= 0 ? widthOf(ops[gIdx], size) : 32;
  const isShift = row.cat === 'shift' && row.mnemonic !== 'SHLD' && row.mnemonic !== 'SHRD';
  const isShxd = row.mnemonic === 'SHLD' || row.mnemonic === 'SHRD';
  const isBt = /^BT[SRC]?$/.test(row.mnemonic);
  const muldiv = row.cat === 'muldiv' && row.opcode >= 0xf6 && row.opcode <= 0xf7;
  const forms: Form[] = [];

  const eVariants: ({ kind: 'reg'; r: number; same?: boolean } | { kind: 'mem' })[] = [];
  if (!row.memOnly && !/^M/.test(eTok)) eVariants.push({ kind: 'reg', r: E_REG });
  if (!/^R/.test(eTok)) eVariants.push({ kind: 'mem' });
  if (gIdx >= 0 && !row.memOnly && !/^M/.test(eTok) && !isBt && !isShxd && eW === gW) eVariants.push({ kind: 'reg', r: SAME_REG[eW], same: true });

  let imms: number[] = [NaN];
  if (immTok) {
    const iw = immTok === 'Ib' ? 8 : immTok === 'Iw' ? 16 : size;
    if (isShift) imms = SHIFT_IMMS;
    else if (isShxd) imms = SHXD_IMMS;
    else if (isBt) imms = BT_IMMS;
    else imms = iw === 8 ? IMM8_ALU : iw === 16 ? IMM16 : IMM32;
  }

  for (const e of eVariants) {
    const useImms = e.kind === 'mem' && imms.length > 2 ? [imms[1], imms[3]] : imms;
    for (const imm of useImms) {
      const where = e.kind === 'mem' ? 'mem' : e.same ? 'same-reg' : 'reg';
      const f = baseForm(row, size, where + (Number.isNaN(imm) ? '' : ` imm=${hex(imm)}`));
      const reg = row.ext !== undefined ? row.ext : e.kind === 'reg' && e.same ? e.r : G_REG[gW];
      f.insn.push(byteLine([...prefix(row, size), ...opcodeBytes(row)]), ...modrmLines(reg, e));
      if (!Number.isNaN(imm)) f.insn.push(...immLines(imm, immTok === 'Ib' ? 8 : immTok === 'Iw' ? 16 : size));

      const nValues = (gIdx >= 0 ? 1 : 0) + 1 + (countTok === 'CL' ? 1 : 0) + (muldiv ? 1 : 0) + (row.mnemonic === 'CMPXCHG' ? 1 : 0);
      const small = nValues >= 3 || isShxd;
      const eRead = !(eIdx === 0 && destWriteOnly(row));
      // E operand value
      if (eW === 64) {
        // CMPXCHG8B: EAX and the low half of memory vary, the high half follows EDX (runtime)
        f.slots.push(memSlot(TEST_MEM, T.v32s), regSlot(32, EAX, T.v32s));
        f.special = SP.CX8B;
      } else if (eRead) {
        const table = isBt && e.kind === 'mem' ? valueTable(eW, true) : valueTable(eW as 8 | 16 | 32, small);
        f.slots.push(e.kind === 'reg' ? regSlot(eW, e.r, table) : memSlot(TEST_MEM, table));
      }
      // G operand value (when read)
      if (gIdx >= 0 && !(e.kind === 'reg' && e.same) && !(gIdx === 0 && destWriteOnly(row))) {
        const table = isBt ? (e.kind === 'mem' ? T.bitoff : T.cnt) : valueTable(gW as 8 | 16 | 32, small);
        f.slots.push(regSlot(gW as 8 | 16 | 32, G_REG[gW], table));
      }
      if (countTok === 'CL') f.slots.push(regSlot(8, ECX, T.cnt));
      if (row.mnemonic === 'CMPXCHG') f.slots.push(regSlot(eW as 8 | 16 | 32, EAX, valueTable(eW as 8 | 16 | 32, true)));
      if (muldiv) {
        const div = row.mnemonic === 'DIV' || row.mnemonic === 'IDIV';
        if (eW === 8) f.slots.push(regSlot(div ? 16 : 8, EAX, div ? T.v16 : T.v8));
        else if (eW === 16) {
          f.slots.push(regSlot(16, EAX, div ? T.v16s : T.v16));
          if (div) f.slots.push(regSlot(16, EDX, T.v16s));
        } else {
          f.slots.push(regSlot(32, EAX, div ? T.v32s : T.v32));
          if (div) f.slots.push(regSlot(32, EDX, T.divhi));
        }
        if (div) {
          const signed = row.mnemonic === 'IDIV';
          f.special = eW === 8 ? (signed ? SP.IDIV8 : SP.DIV8) : eW === 16 ? (signed ? SP.IDIV16 : SP.DIV16) : signed ? SP.IDIV32 : SP.DIV32;
        }
      }
      if (isShift) {
        const m = SHIFT_NAMES[row.op];
        if ((m === 'SHL' || m === 'SHR' || m === 'SAL') && eW !== 32) {
          f.special = eW === 8 ? SP.SHIFT8 : SP.SHIFT16;
          f.aux = countTok === 'CL' ? 0x100 | (f.slots.length - 1) : countTok === '1' ? 1 : imm;
        }
      }
      if (isShxd && eW === 16) {
        f.special = SP.SHXD16;
        f.aux = countTok === 'CL' ? 0x100 | (f.slots.length - 1) : imm;
      }
      if (row.mnemonic === 'BSF' || row.mnemonic === 'BSR') {
        f.special = SP.BSF;
        f.aux = G_REG[gW] & 3; // EDX (DX): hidden for a zero source
      }
      if (row.mnemonic.startsWith('SET')) {
        f.slots.push(slot(K.FLAGS, 0, 0, T.flagsj));
        f.flagmode = 0;
      }
      if (isBt && e.kind === 'mem') f.show = show(TEST_MEM - 8, 6);
      if (eW === 64) f.show = show(TEST_MEM, 2);
      if (f.slots.length > 4) throw new Error(`generator: ${f.name} needs ${f.slots.length} slots`);
      forms.push(f);
      // the LOCK prefix on the memory form of the instructions that accept it (first
      // immediate only)
      if (e.kind === 'mem' && eIdx === 0 && LOCKABLE.has(row.mnemonic) && row.writesDst && (Number.isNaN(imm) || imm === useImms[0])) {
        forms.push({ ...f, name: f.name + ' LOCK', insn: [byteLine([0xf0]), ...f.insn], slots: [...f.slots] });
      }
    }
  }
  return forms;
}

// ------------------------------------------------------------------ special rows
function zReg(row: InsnRow): number {
  return row.opcode & 7;
}

function genRow(row: InsnRow): Form[] {
  const sizes: (16 | 32)[] = row.osize && row.cat !== 'branch' ? [32, 16] : [32];
  const out: Form[] = [];
  for (const size of sizes) out.push(...genRowAtSize(row, size));
  return out;
}

function simple(row: InsnRow, size: 16 | 32, label = '', extra: number[] = []): Form {
  const f = baseForm(row, size, label);
  f.insn.push(byteLine([...prefix(row, size), ...opcodeBytes(row), ...extra]));
  return f;
}

const JCC_TAKEN = 0x7a4e0001;
const JCC_NOT = 0x0dead000;
function branchMarks(f: Form): void {
  f.after.push(`movl $${hex(JCC_NOT, 8)}, %edi`, 'jmp instr_back', '1:', `movl $${hex(JCC_TAKEN, 8)}, %edi`);
}

function genRowAtSize(row: InsnRow, size: 16 | 32): Form[] {
  const m = row.mnemonic;
  const ops = row.operands.split(',').filter(Boolean);
  const w = size;

  switch (row.cat) {
    case 'alu':
    case 'shift':
    case 'muldiv':
    case 'bit':
    case 'move':
    case 'stack':
    case 'string':
    case 'branch':
    case 'bcd':
    case 'flag':
    case 'x87':
    case 'system':
      break;
    default:
      exclude(row, `category ${row.cat}`);
      return [];
  }

  // x87: only WAIT here; the escapes belong to an x87 generator
  if (row.cat === 'x87') {
    if (m === 'WAIT') return [simple(row, size)];
    exclude(row, 'x87 escape: operand forms are not in the table (one row per escape byte)');
    return [];
  }
  if (row.cat === 'system') {
    if (m === 'MOV' && row.opcode === 0x8c) return genMovSreg(row, size);
    // ARPL: a pure computation on two selectors; only ZF is written, so both flag states
    if (m === 'ARPL') return genModrm(row, size).map((f) => ({ ...f, flagmode: 1 }));
    if (m === 'BOUND') return genBound(row, size);
    if (m === 'LAR' || m === 'LSL' || m === 'VERR' || m === 'VERW') return genProbe(row, size);
    const why: Record<string, string> = {
      SLDT: 'result is the kernel’s LDT selector (and UMIP-emulated on the host)',
      STR: 'result is the kernel’s TSS selector (and UMIP-emulated on the host)',
      SGDT: 'result is the kernel’s GDT base (and UMIP-emulated on the host)',
      SIDT: 'result is the kernel’s IDT base (and UMIP-emulated on the host)',
      SMSW: 'result is the kernel’s CR0 (and UMIP-emulated on the host)',
      UD2: 'raises #UD by definition',
      CPUID: 'describes the processor: differs from the host by design',
      RDTSC: 'a time: differs from run to run',
    };
    exclude(row, why[m] ?? 'system instruction');
    return [];
  }
  if (row.cat === 'flag') {
    const f = simple(row, size);
    f.slots.push(slot(K.FLAGS, 0, 0, T.flagsdf));
    return [f];
  }
  if (row.cat === 'bcd') {
    if (m === 'AAM' || m === 'AAD') {
      const imms = m === 'AAM' ? [10, 16, 1, 255] : [10, 16, 0, 255];
      return imms.map((imm) => {
        const f = simple(row, size, `imm=${imm}`, [imm]);
        f.slots.push(m === 'AAM' ? regSlot(8, EAX, T.v8) : regSlot(16, EAX, T.v16));
        return f;
      });
    }
    const f = simple(row, size);
    f.slots.push(regSlot(8, EAX, T.bcd));
    f.flagmode = 1;
    return [f];
  }
  if (row.cat === 'string') return genString(row, size);
  if (row.cat === 'branch') return genBranch(row);
  if (row.cat === 'stack') return genStack(row, size);

  // Z forms: register in the opcode (XCHG eAX, Zv has it second)
  if (ops[0]?.startsWith('Z') || ops[1]?.startsWith('Z')) {
    const r = zReg(row);
    const zw = widthOf(ops[0].startsWith('Z') ? ops[0] : ops[1], size) as 8 | 16 | 32;
    if (m === 'MOV') {
      const imms = zw === 8 ? [0x00, 0x80, 0xff] : zw === 16 ? [0x0000, 0x8001] : [0, 0x80000001, 0xffffffff];
      return imms.map((imm) => {
        const f = simple(row, size, `imm=${hex(imm)}`);
        f.insn.push(...immLines(imm, zw));
        return f;
      });
    }
    const f = simple(row, size);
    if (m === 'XCHG') {
      // XCHG eAX, r: both values; with ESP the stack pointer's own value is exchanged
      f.slots.push(regSlot(zw, EAX, T.v32s));
      if (r !== ESP) f.slots.push(regSlot(zw, r, valueTable(zw, true)));
    } else {
      f.slots.push(regSlot(zw, r, valueTable(zw, false)));
    }
    return [f];
  }
  if (m === 'NOP') return [simple(row, size)];
  if (m === 'CBW' || m === 'CWD') {
    const f = simple(row, size);
    f.slots.push(regSlot(32, EAX, T.v32));
    return [f];
  }
  if (m === 'LAHF') {
    const f = simple(row, size);
    f.slots.push(slot(K.FLAGS, 0, 0, T.flagsj));
    return [f];
  }
  if (m === 'SAHF') {
    const f = simple(row, size);
    f.slots.push(regSlot(8, 4 /* AH */, T.ah));
    return [f];
  }
  if (m === 'XLAT') {
    const f = simple(row, size);
    f.slots.push(slot(K.ADDR, EBX, 0, 0), regSlot(8, EAX, T.v8));
    return [f];
  }
  if (ops[0] === 'AL' || ops[0] === 'eAX') {
    if (ops[1] === 'Ob' || ops[1] === 'Ov') {
      // MOV AL/eAX, moffs
      const f = simple(row, size);
      f.insn.push(`.long instr_mem+${TEST_MEM}`);
      f.slots.push(memSlot(TEST_MEM, ops[1] === 'Ob' ? T.v8 : valueTable(w, false)));
      return [f];
    }
    // acc, imm
    const aw: 8 | 16 | 32 = ops[0] === 'AL' ? 8 : w;
    const imms = aw === 8 ? IMM8_ALU : aw === 16 ? IMM16 : IMM32;
    return imms.map((imm) => {
      const f = simple(row, size, `imm=${hex(imm)}`);
      f.insn.push(...immLines(imm, aw));
      f.slots.push(regSlot(aw, EAX, valueTable(aw, false)));
      return f;
    });
  }
  if (ops[0] === 'Ob' || ops[0] === 'Ov') {
    const f = simple(row, size);
    f.insn.push(`.long instr_mem+${TEST_MEM}`);
    f.slots.push(regSlot(ops[0] === 'Ob' ? 8 : w, EAX, ops[0] === 'Ob' ? T.v8 : valueTable(w, false)));
    return [f];
  }
  if (m === 'LEA') return genLea(row, size);
  if (row.modrm) {
    if (m === 'MOV' && (row.opcode === 0x8b || row.opcode === 0x89)) return [...genModrm(row, size), ...genSibMov(row, size)];
    return genModrm(row, size);
  }
  exclude(row, `no generator for operands '${row.operands}'`);
  return [];
}

/** MOV r/m16, Sreg: ES CS SS DS as the kernel set them; FS and GS after loading DS into them. */
function genMovSreg(row: InsnRow, size: 16 | 32): Form[] {
  const forms: Form[] = [];
  const segs = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS'];
  for (let s = 0; s < 6; s++) {
    for (const kind of ['reg', 'mem'] as const) {
      // with a 32-bit register destination the upper half is undefined on the Pentium
      if (kind === 'reg' && size === 32) continue;
      const f = baseForm(row, size, `${segs[s]} ${kind}`);
      if (s === 4) f.setup.push(byteLine([0x1e, 0x0f, 0xa1])); // push ds; pop fs
      if (s === 5) f.setup.push(byteLine([0x1e, 0x0f, 0xa9])); // push ds; pop gs
      f.insn.push(byteLine([...prefix(row, size), 0x8c]), ...modrmLines(s, kind === 'reg' ? { kind: 'reg', r: E_REG } : { kind: 'mem' }));
      forms.push(f);
    }
  }
  return forms;
}

/** BOUND Gv, Ma with fixed in-range cases only: out of range is #BR, which Linux turns
 *  into SIGSEGV (the #BR itself is covered by the CPU's unit tests). Signed bounds. */
function genBound(row: InsnRow, size: 16 | 32): Form[] {
  const cases32: [number, number, number][] = [
    [10, 20, 10], [10, 20, 20], [10, 20, 15], [-10, 5, -3], [-10, 5, -10], [-5, -5, -5], [0x80000000, 0x7fffffff, 0x80000000], [0x80000000, 0x7fffffff, 0x7fffffff],
  ];
  // 16 bits: signed words; the upper half of EDX is not part of the index
  const cases16: [number, number, number][] = [[-2, 0x7fff, 0xabcdfffe], [0x8000, 0x8000, 0x00008000], [0, 0, 0x12340000]];
  return (size === 32 ? cases32 : cases16).map(([lo, hi, idx]) => {
    const f = baseForm(row, size, `lower=${hex(lo, size / 4)} upper=${hex(hi, size / 4)} index=${hex(idx, 8)}`);
    if (size === 32) f.setup.push(`movl $${hex(lo, 8)}, instr_mem+${TEST_MEM}`, `movl $${hex(hi, 8)}, instr_mem+${TEST_MEM + 4}`);
    else f.setup.push(`movl $${hex(((hi & 0xffff) << 16) | (lo & 0xffff), 8)}, instr_mem+${TEST_MEM}`);
    f.setup.push(`movl $${hex(idx, 8)}, %edx`);
    f.insn.push(byteLine([...prefix(row, size), row.opcode]), ...modrmLines(EDX, { kind: 'mem' }));
    f.flagmode = 1; // flags pass through unchanged
    return f;
  });
}

/** LAR, LSL, VERR, VERW on selectors whose answer is the same natively (x86-64 Linux, a
 *  32-bit process) and in the emulator: the program's own CS/DS/SS (0x23/0x2b, flat,
 *  DPL 3, 32-bit, page-granular, accessed), null selectors, a selector past any GDT's
 *  limit and the LDT's index 0 (no LDT natively, an empty one in Linux 2.0). Not the
 *  32-bit LSL of the own segments: Linux 2.0's user segments end at 3 GiB (0xbfffffff),
 *  the host's at 4 GiB; their 16-bit LSL (the low word, 0xffff) is the same. Bits 19:16
 *  of a 32-bit LAR result are undefined (Intel): masked after the instruction, flags
 *  kept. The selector operand is BX (or the test memory), the destination EDX. */
function genProbe(row: InsnRow, size: 16 | 32): Form[] {
  const m = row.mnemonic;
  const own: [string, string][] = [['CS', '%cs'], ['DS', '%ds'], ['SS', '%ss']];
  const fixed = [0x0000, 0x0003, 0xfffb, 0x0007];
  const cases: { name: string; load: string[]; mem: boolean }[] = [];
  const ownOk = !(m === 'LSL' && size === 32);
  if (ownOk) {
    for (const [n, r] of own) cases.push({ name: `sel=${n}`, load: ['movl $0, %ebx', `movw ${r}, %bx`], mem: false });
    cases.push({ name: 'sel=CS mem', load: [`movl $0, instr_mem+${TEST_MEM}`, `movw %cs, instr_mem+${TEST_MEM}`], mem: true });
  }
  for (const v of fixed) cases.push({ name: `sel=${hex(v, 4)}`, load: [`movl $${hex(v, 8)}, %ebx`], mem: false });
  return cases.map((k) => {
    const f = baseForm(row, size, k.name);
    f.setup.push(...k.load);
    const reg = row.ext !== undefined ? row.ext : EDX;
    f.insn.push(byteLine([...prefix(row, size), ...opcodeBytes(row)]), ...modrmLines(reg, k.mem ? { kind: 'mem' } : { kind: 'reg', r: EBX }));
    if (m === 'LAR' && size === 32) f.after.push(byteLine([0x9c]), 'andl $0xfff0ffff, %edx', byteLine([0x9d])); // pushfl; mask; popfl
    f.flagmode = 1; // ZF is the answer: from both flag states, the other flags kept
    return f;
  });
}

/** LEA over the 32-bit addressing modes (ModRM and SIB), registers from a small table. */
function genLea(row: InsnRow, size: 16 | 32): Form[] {
  const g = EDX;
  // [mod, rm, sib?, disp bytes, registers read]
  const modes: { name: string; bytes: number[]; regs: number[] }[] = [
    { name: '[ebx]', bytes: [0x00 | (g << 3) | EBX], regs: [EBX] },
    { name: '[ebx+disp8]', bytes: [0x40 | (g << 3) | EBX, 0x80], regs: [EBX] },
    { name: '[ebx+disp32]', bytes: [0x80 | (g << 3) | EBX, 0x78, 0x56, 0x34, 0x12], regs: [EBX] },
    { name: '[disp32]', bytes: [0x00 | (g << 3) | 5, 0xfc, 0xff, 0xff, 0xff], regs: [] },
    { name: '[ebp+disp8]', bytes: [0x40 | (g << 3) | EBP, 0x7f], regs: [EBP] },
    { name: '[ebx+esi*1]', bytes: [0x04 | (g << 3), (0 << 6) | (ESI << 3) | EBX], regs: [EBX, ESI] },
    { name: '[ebx+esi*4+disp8]', bytes: [0x44 | (g << 3), (2 << 6) | (ESI << 3) | EBX, 0xf0], regs: [EBX, ESI] },
    { name: '[edi*8+disp32]', bytes: [0x04 | (g << 3), (3 << 6) | (EDI << 3) | 5, 0x00, 0x10, 0x00, 0x00], regs: [EDI] },
    { name: '[esp+disp8]', bytes: [0x44 | (g << 3), (0 << 6) | (4 << 3) | ESP, 0x10], regs: [] },
    { name: '[ebp+ebx*2+disp32]', bytes: [0x84 | (g << 3), (1 << 6) | (EBX << 3) | EBP, 0x01, 0x00, 0x00, 0x80], regs: [EBP, EBX] },
    { name: '[esi+esi*8]', bytes: [0x04 | (g << 3), (3 << 6) | (ESI << 3) | ESI], regs: [ESI] },
  ];
  return modes.map((mode) => {
    const f = baseForm(row, size, mode.name);
    f.insn.push(byteLine([...prefix(row, size), 0x8d, ...mode.bytes]));
    for (const r of mode.regs) f.slots.push(regSlot(32, r, T.v32s));
    return f;
  });
}

/** MOV through base + index*scale + disp into the test memory, plain and with each
 *  segment override whose segment is flat for a Linux process (ES CS SS DS; FS and GS
 *  hold the null selector natively). */
function genSibMov(row: InsnRow, size: 16 | 32): Form[] {
  const g = EDX;
  const overrides: [string, number[]][] = [['', []], ['ES:', [0x26]], ['CS:', [0x2e]], ['SS:', [0x36]], ['DS:', [0x3e]]];
  return overrides
    .filter(([seg]) => !(seg === 'CS:' && row.opcode === 0x89)) // no writes through CS
    .map(([seg, pre]) => {
      // EBX = instr_mem + TEST_MEM - 8 - 4, ESI = 1: [ebx + esi*4 + 8] is the test memory
      const f = baseForm(row, size, `mem ${seg}[ebx+esi*4+8]`);
      f.setup.push('movl $1, %esi');
      f.insn.push(byteLine([...pre, ...prefix(row, size), row.opcode, 0x44 | (g << 3), (2 << 6) | (ESI << 3) | EBX, 0x08]));
      f.slots.push(slot(K.ADDR, EBX, (TEST_MEM - 12) / 4, 0));
      f.slots.push(row.opcode === 0x8b ? memSlot(TEST_MEM, valueTable(size, true)) : regSlot(size, g, valueTable(size, true)));
      return f;
    });
}

function genString(row: InsnRow, size: 16 | 32): Form[] {
  const m = row.mnemonic;
  const reps = m === 'CMPS' || m === 'SCAS' ? [0, 0xf3, 0xf2] : [0, 0xf3];
  const ops = row.operands.split(',');
  const bw = ops.some((o) => o.endsWith('b')) ? 8 : size;
  return reps.map((rep) => {
    const f = baseForm(row, size, rep === 0 ? '' : rep === 0xf3 ? (m === 'CMPS' || m === 'SCAS' ? 'REPE' : 'REP') : 'REPNE');
    f.insn.push(byteLine([...(rep ? [rep] : []), ...prefix(row, size), row.opcode]));
    f.slots.push(slot(K.FLAGS, 0, 0, T.flagsdf));
    if (rep) f.slots.push(regSlot(32, ECX, T.strcnt));
    if (m === 'STOS' || m === 'SCAS') f.slots.push(regSlot(bw as 8 | 16 | 32, EAX, T.strval));
    f.special = SP.STRING;
    f.show = show(DST_OFF + 4, 8);
    f.flagmode = 0;
    return f;
  });
}

function genBranch(row: InsnRow): Form[] {
  const m = row.mnemonic;
  const op = opcodeBytes(row);
  const ops = row.operands.split(',').filter(Boolean);
  if (ops[0] === 'Jb' || ops[0] === 'Jv') {
    const f = baseForm(row, 32, '');
    if (ops[0] === 'Jb') f.insn.push(byteLine(op), '.byte 1f-2f', '2:');
    else f.insn.push(byteLine(op), '.long 1f-2f', '2:');
    branchMarks(f);
    if (m.startsWith('J') && m !== 'JMP' && m !== 'JECXZ') f.slots.push(slot(K.FLAGS, 0, 0, T.flagsj));
    if (m.startsWith('LOOP') || m === 'JECXZ') {
      f.slots.push(regSlot(32, ECX, T.loopcnt));
      if (m === 'LOOPE' || m === 'LOOPNE') f.flagmode = 1;
    }
    if (m === 'CALL') f.show = show(STACK_SHOW, 12);
    return [f];
  }
  if (m === 'CALL' || m === 'JMP') {
    // indirect through a register or memory holding the target
    return (['reg', 'mem'] as const).map((kind) => {
      const f = baseForm(row, 32, kind);
      f.setup.push(kind === 'reg' ? 'movl $1f, %ebx' : `movl $1f, instr_mem+${TEST_MEM}`);
      f.insn.push(byteLine(op), ...modrmLines(row.ext ?? 0, kind === 'reg' ? { kind: 'reg', r: EBX } : { kind: 'mem' }));
      branchMarks(f);
      f.show = show(STACK_SHOW, 12);
      return f;
    });
  }
  if (m === 'RET') {
    const imms = ops[0] === 'Iw' ? [0, 8] : [NaN];
    return imms.map((imm) => {
      const f = baseForm(row, 32, Number.isNaN(imm) ? '' : `imm=${imm}`);
      f.setup.push('pushl $1f');
      f.insn.push(byteLine(op));
      if (!Number.isNaN(imm)) f.insn.push(...immLines(imm, 16));
      branchMarks(f);
      f.show = show(STACK_SHOW, 12);
      return f;
    });
  }
  exclude(row, 'branch form without a generator');
  return [];
}

function genStack(row: InsnRow, size: 16 | 32): Form[] {
  const m = row.mnemonic;
  const ops = row.operands.split(',').filter(Boolean);
  const pre = prefix(row, size);
  const withShow = (f: Form): Form => {
    f.show = show(STACK_SHOW, 12);
    return f;
  };
  const segs: Record<string, number[]> = {
    ES: [0x06, 0x07], CS: [0x0e], SS: [0x16, 0x17], DS: [0x1e, 0x1f], FS: [0x0f, 0xa0], GS: [0x0f, 0xa8],
  };
  if (ops[0] && segs[ops[0]]) {
    const f = withShow(simple(row, size));
    if (m === 'POP') f.setup.push(byteLine([...pre, 0x1e])); // push ds: a valid selector to pop
    if (m === 'PUSH' && ops[0] === 'FS') f.setup.push(byteLine([0x1e, 0x0f, 0xa1]));
    if (m === 'PUSH' && ops[0] === 'GS') f.setup.push(byteLine([0x1e, 0x0f, 0xa9]));
    // a 32-bit push of a segment register writes the selector's 16 bits; the slot's upper
    // half is left as it was or zeroed, by processor (Intel: recent cores do the former):
    // cleared after the instruction so both agree (movw leaves the flags alone)
    if (size === 32) f.after.push(m === 'PUSH' ? 'movw $0, 2(%esp)' : 'movw $0, -2(%esp)');
    return [f];
  }
  if (ops[0]?.startsWith('Z')) {
    const r = zReg(row);
    const f = withShow(simple(row, size));
    if (m === 'PUSH' && r !== ESP) f.slots.push(regSlot(size, r, valueTable(size, true)));
    return [f];
  }
  if (m === 'PUSH' && (ops[0] === 'Iv' || ops[0] === 'Ib')) {
    const imms = ops[0] === 'Ib' ? [0x00, 0x7f, 0x80, 0xff] : size === 16 ? [0x0000, 0x8001] : [0, 0x80000001];
    return imms.map((imm) => {
      const f = withShow(simple(row, size, `imm=${hex(imm)}`));
      f.insn.push(...immLines(imm, ops[0] === 'Ib' ? 8 : size));
      return f;
    });
  }
  if (m === 'PUSH' || m === 'POP') {
    // PUSH Ev / POP Ev
    return (['reg', 'mem'] as const).map((kind) => {
      const f = withShow(baseForm(row, size, kind));
      f.insn.push(byteLine([...pre, row.opcode]), ...modrmLines(row.ext ?? 0, kind === 'reg' ? { kind: 'reg', r: EBX } : { kind: 'mem' }));
      if (m === 'PUSH') f.slots.push(kind === 'reg' ? regSlot(size, EBX, valueTable(size, true)) : memSlot(TEST_MEM, valueTable(size, true)));
      return f;
    });
  }
  if (m === 'PUSHA' || m === 'POPA' || m === 'PUSHF') {
    const f = withShow(simple(row, size));
    if (m === 'PUSHF') f.slots.push(slot(K.FLAGS, 0, 0, T.flagsdf));
    return [f];
  }
  if (m === 'POPF') {
    const values = [0x00000000, 0x00000cd5, 0x00200000, 0x00000400, 0x00200cd5, 0x0000002a];
    return values.map((v) => {
      const f = withShow(simple(row, size, `popped=${hex(v, size / 4)}`));
      f.setup.push(size === 16 ? byteLine([0x66, 0x68, v & 0xff, (v >> 8) & 0xff]) : `pushl $${hex(v, 8)}`);
      return f;
    });
  }
  if (m === 'ENTER') {
    const args: [number, number][] = [[0, 0], [8, 0], [12, 1], [8, 2], [4, 3]];
    return args.map(([sz, lvl]) => {
      const f = withShow(simple(row, size, `size=${sz} level=${lvl}`, [sz & 0xff, sz >> 8, lvl]));
      f.slots.push(slot(K.SADDR, EBP, (STACK_TOP + 8) / 4, 0));
      return f;
    });
  }
  if (m === 'LEAVE') {
    const f = withShow(simple(row, size));
    f.slots.push(slot(K.SADDR, EBP, (STACK_TOP + 8) / 4, 0));
    return [f];
  }
  exclude(row, 'stack form without a generator');
  return [];
}

// ------------------------------------------------------------------ emit
const FILE_OF: Record<string, string> = {
  alu: 'alu', shift: 'shift', muldiv: 'muldiv', bit: 'bit', move: 'move', stack: 'stack', string: 'string',
  branch: 'branch', bcd: 'misc', flag: 'misc', x87: 'misc', system: 'misc',
};

function mayWriteMemory(f: Form): boolean {
  const code = [...f.setup, ...f.insn];
  return (
    code.some((l) => l.includes('instr_mem')) ||
    (f.show & 0x8000) !== 0 || // the form shows the stack: it pushes or pops
    f.special === SP.STRING ||
    f.special === SP.CX8B ||
    f.slots.some((v) => (v & 0xff) === K.MEM || (v & 0xff) === K.ADDR || (v & 0xff) === K.SADDR)
  );
}

function emitFile(name: string, forms: Form[]): string {
  const lines: string[] = [];
  lines.push(
    `/* GENERATED by scripts/gen-instruction-tests.ts from libs/pentium/src/cpu/instruction-table.ts.`,
    `   Do not edit: change the table or the generator and run it again.`,
    `   ${forms.length} forms of the '${name}' group; run by guest/tests/instr/runtime.c. */`,
    '',
    '        .section .rodata',
  );
  forms.forEach((f, i) => lines.push(`name_${i}: .asciz "${f.name.replace(/"/g, "'")}"`));
  lines.push('', '        .text');
  forms.forEach((f, i) => {
    lines.push(`stub_${i}:`);
    for (const l of [...f.setup, ...f.insn, ...f.after]) lines.push(/^\d+:$/.test(l) ? l : `        ${l}`);
    lines.push('        jmp instr_back');
  });
  lines.push('', '        .section .rodata', '        .align 4', '        .globl instr_forms', 'instr_forms:');
  forms.forEach((f, i) => {
    const s = [...f.slots, 0, 0, 0, 0].slice(0, 4);
    // a form whose flags come from a slot needs no second flag state
    if (f.slots.some((v) => (v & 0xff) === K.FLAGS)) f.flagmode = 0;
    // bit 1: the form may write memory, which the runtime then restores before every case
    if (mayWriteMemory(f)) f.flagmode |= 2;
    lines.push(
      `        .long name_${i}, stub_${i}, ${s.map((v) => hex(v, 8)).join(', ')}, ${f.special}, ${hex(f.aux, 3)}, ${hex(f.undef, 3)}, ${hex(f.show, 8)}, ${f.flagmode}`,
    );
  });
  lines.push('        .long 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0', '        .section .note.GNU-stack,"",@progbits', '');
  return lines.join('\n');
}

function main(): void {
  if (!fs.existsSync(path.join(OUT_DIR, 'runtime.c'))) {
    throw new Error(`run from the repository root: ${path.join(OUT_DIR, 'runtime.c')} not found`);
  }
  const groups = new Map<string, Form[]>();
  let rowsCovered = 0;
  let rowsUser = 0;
  for (const row of INSTRUCTION_TABLE) {
    if (!row.user) continue;
    rowsUser++;
    const forms = genRow(row);
    if (forms.length === 0) continue;
    rowsCovered++;
    const file = FILE_OF[row.cat];
    if (!groups.has(file)) groups.set(file, []);
    groups.get(file)!.push(...forms);
  }
  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const f of fs.readdirSync(OUT_DIR)) if (f.endsWith('.S')) fs.unlinkSync(path.join(OUT_DIR, f));
  let total = 0;
  for (const [name, forms] of [...groups.entries()].sort()) {
    fs.writeFileSync(path.join(OUT_DIR, `${name}.S`), emitFile(name, forms));
    total += forms.length;
  }
  const summary = [
    `# Instruction-test coverage (GENERATED by scripts/gen-instruction-tests.ts; do not edit)`,
    '',
    `User-executable rows in the table: ${rowsUser}; covered: ${rowsCovered}; forms generated: ${total}.`,
    '',
    ...[...groups.entries()].sort().map(([n, f]) => `- ${n}.S: ${f.length} forms`),
    '',
    'Rows not covered, and why:',
    '',
    ...excluded.map((e) => `- ${e.row}: ${e.why}`),
    '',
  ].join('\n');
  fs.writeFileSync(path.join(OUT_DIR, 'COVERAGE.md'), summary);
  process.stdout.write(summary);
}

main();
