// The per-instruction facts the P54C timing model needs. The decoder fills one
// TimingInfo per decoded instruction from its instruction-table row (so the cost of
// timing is paid once at decode, not per execution); the pipeline model reads it.

/** U/V pipe pairing class (Intel's "Pentium Processor Family Developer's Manual", vol. 3, ch. 24). */
export const enum PairClass {
  /** not pairable: issues alone in the U pipe */
  NP = 0,
  /** pairable in either pipe */
  UV = 1,
  /** pairable only when issued in the U pipe (ADC/SBB, shifts by 1 or imm) */
  PU = 2,
  /** pairable only when issued in the V pipe (near JMP/CALL, Jcc) */
  PV = 3,
  /** an x87 instruction that may be followed by an FXCH in the V pipe (Intel's "FX") */
  FX = 4,
  /** FXCH: pairs in V behind an FX instruction (then costs nothing), else issues alone */
  FXCH = 5,
}

export const enum BranchKind {
  None = 0,
  /** conditional jump (also JCXZ/LOOP family) */
  Jcc = 1,
  /** near direct JMP */
  Jmp = 2,
  /** near direct CALL */
  Call = 3,
  /** RET near */
  Ret = 4,
  /** near indirect JMP/CALL through register or memory */
  Indirect = 5,
  /** far transfers, INT, IRET: never predicted, serialize the pipes */
  Far = 6,
}

/** Register bits for the masks below: bit r = 1 << r with EAX=0 … EDI=7 (8-bit and 16-bit parts map to their 32-bit register). */
export const REG_BIT = (r: number): number => 1 << r;

// Implicit ESP updates of PUSH/POP/CALL/RET are left out of the register masks (the P5
// adjusts ESP in the decoder for both pipes, so PUSH/PUSH pair and a POP after a PUSH has
// no AGI); an explicit ESP operand (MOV ESP, …; ADD ESP, …; [ESP+8]) is in them.
export interface TimingInfo {
  pair: PairClass;
  /** base clocks of this form (register or memory form) from the instruction table, excluding cache/TLB stalls */
  clocks: number;
  /** registers read as data (mask, see REG_BIT) */
  regsRead: number;
  /** registers written (mask) */
  regsWritten: number;
  /** registers used to form a memory address (base/index), for AGI stalls */
  addrRegs: number;
  readsFlags: boolean;
  writesFlags: boolean;
  /** the instruction has both a displacement and an immediate: it cannot pair */
  dispAndImm: boolean;
  /** prefixes other than 0F (each costs one clock in the decoder and blocks V-pipe issue) */
  prefixes: number;
  memRead: boolean;
  memWrite: boolean;
  branch: BranchKind;
  /** instruction length in bytes */
  length: number;
}
