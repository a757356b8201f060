// Architectural register numbering and control-register bits of the IA-32 CPU
// (Intel, "Pentium Processor Family Developer's Manual", vol. 3, ch. 3 and 10).

/** General registers, in ModRM encoding order. */
export enum Reg {
  EAX = 0,
  ECX = 1,
  EDX = 2,
  EBX = 3,
  ESP = 4,
  EBP = 5,
  ESI = 6,
  EDI = 7,
}

/** Segment registers, in ModRM encoding order. */
export enum SegReg {
  ES = 0,
  CS = 1,
  SS = 2,
  DS = 3,
  FS = 4,
  GS = 5,
}

export const EFLAGS = {
  CF: 1 << 0,
  /** bit 1 always reads as 1 */
  RESERVED1: 1 << 1,
  PF: 1 << 2,
  AF: 1 << 4,
  ZF: 1 << 6,
  SF: 1 << 7,
  TF: 1 << 8,
  IF: 1 << 9,
  DF: 1 << 10,
  OF: 1 << 11,
  IOPL: 3 << 12,
  IOPL_SHIFT: 12,
  NT: 1 << 14,
  RF: 1 << 16,
  VM: 1 << 17,
  AC: 1 << 18,
  VIF: 1 << 19,
  VIP: 1 << 20,
  ID: 1 << 21,
} as const;

/** The six arithmetic status flags. */
export const ARITH_FLAGS = EFLAGS.CF | EFLAGS.PF | EFLAGS.AF | EFLAGS.ZF | EFLAGS.SF | EFLAGS.OF;

export const CR0 = {
  PE: 1 << 0,
  MP: 1 << 1,
  EM: 1 << 2,
  TS: 1 << 3,
  ET: 1 << 4,
  NE: 1 << 5,
  WP: 1 << 16,
  AM: 1 << 18,
  NW: 1 << 29,
  CD: 1 << 30,
  PG: 1 << 31,
} as const;

export const CR4 = {
  VME: 1 << 0,
  PVI: 1 << 1,
  TSD: 1 << 2,
  DE: 1 << 3,
  PSE: 1 << 4,
  MCE: 1 << 6,
} as const;

/** Page-table entry bits (PDE and PTE). */
export const PTE = {
  P: 1 << 0,
  RW: 1 << 1,
  US: 1 << 2,
  PWT: 1 << 3,
  PCD: 1 << 4,
  A: 1 << 5,
  D: 1 << 6,
  /** PDE only: 4 MiB page when CR4.PSE = 1 */
  PS: 1 << 7,
  G: 1 << 8,
} as const;

/** Exception vectors. */
export const Vector = {
  DE: 0,
  DB: 1,
  NMI: 2,
  BP: 3,
  OF: 4,
  BR: 5,
  UD: 6,
  NM: 7,
  DF: 8,
  TS: 10,
  NP: 11,
  SS: 12,
  GP: 13,
  PF: 14,
  MF: 16,
  AC: 17,
  MC: 18,
} as const;

/** #PF error-code bits. */
export const PF_ERR = {
  P: 1,
  W: 2,
  U: 4,
} as const;
