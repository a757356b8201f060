// The pre-decoded instruction record every handler receives. One shape for every
// instruction so handler call sites stay monomorphic.

import type { TimingInfo } from '../timing/timing-info';
import type { Cpu } from './cpu';
import type { InsnRow } from './instruction-table';

export type Handler = (c: Cpu, d: Insn) => void;

export class Insn {
  exec: Handler;
  row: InsnRow;
  /** instruction length in bytes */
  len = 0;
  /** operand size in bytes (1, 2, 4) */
  size = 4;
  /** row-specific small integer (ALU operation, condition code, group extension, …) */
  op = 0;
  opcode = 0;
  /** raw ModRM byte (the x87 wants it) */
  modrm = 0;
  /** register operand is a register (ModRM.mod = 3) */
  mod3 = false;
  reg = 0;
  rm = 0;
  /** memory operand: base register (-1 none), index register (-1 none), scale shift, displacement */
  base = -1;
  index = -1;
  scale = 0;
  disp = 0;
  /** 0xffff for 16-bit addressing, -1 for 32-bit */
  amask = -1;
  /** segment of the memory operand (default or override) */
  seg = 3;
  imm = 0;
  imm2 = 0;
  /** 0 none, 1 REP/REPE (F3), 2 REPNE (F2) */
  rep = 0;
  lock = false;
  /** address size 32 bits */
  a32 = true;
  /** physical address of the instruction's first byte (code fetch timing) */
  phys = 0;
  /** its bytes are not all in the 32-byte line of the previous instruction of the block (fetch it) */
  newLine = true;
  timing: TimingInfo;
  /** the timing row of the previous instruction of the block (null for the first) */
  prevTiming: TimingInfo | null = null;
  /** pairable(prevTiming, timing): the static U/V pairing decision with the previous instruction of the block */
  pairsPrev = false;

  constructor(exec: Handler, row: InsnRow, timing: TimingInfo) {
    this.exec = exec;
    this.row = row;
    this.timing = timing;
  }
}

export interface Block {
  phys: number;
  /** decoded with a 32-bit code segment */
  big: boolean;
  valid: boolean;
  insns: Insn[];
  /** runs so far, and its compiled code once there is some (null: not compilable); for Cpu.jit */
  heat: number;
  compiled: object | null | undefined;
}
