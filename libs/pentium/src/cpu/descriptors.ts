// Encoders and decoders of IA-32 descriptors and the 32-bit TSS layout
// (Intel, "Pentium Processor Family Developer's Manual", vol. 3, ch. 12–13).
// Kernels build their GDT, LDT, IDT and TSS in guest memory with these helpers; the
// CPU decodes the same formats.

export const DESC_TYPE = {
  /** system descriptor types (S = 0) */
  LDT: 0x2,
  TSS16_AVAIL: 0x1,
  TSS32_AVAIL: 0x9,
  TSS32_BUSY: 0xb,
  CALL_GATE32: 0xc,
  TASK_GATE: 0x5,
  INT_GATE32: 0xe,
  TRAP_GATE32: 0xf,
  INT_GATE16: 0x6,
  TRAP_GATE16: 0x7,
  CALL_GATE16: 0x4,
  /** code/data types (S = 1): bit 3 = code; data: bit 1 = writable, bit 2 = expand-down; code: bit 1 = readable, bit 2 = conforming; bit 0 = accessed */
  DATA_RO: 0x0,
  DATA_RW: 0x2,
  DATA_RW_DOWN: 0x6,
  CODE_XO: 0x8,
  CODE_RX: 0xa,
  CODE_RX_CONFORMING: 0xe,
} as const;

export interface SegmentDescriptor {
  base: number;
  /** limit in bytes - 1 after granularity scaling (i.e. the last valid offset) */
  limit: number;
  /** 4-bit type field */
  type: number;
  /** 1 = code/data, 0 = system */
  s: boolean;
  dpl: number;
  present: boolean;
  /** D/B bit: 32-bit default operand size / stack */
  big: boolean;
  /** G bit: limit in 4 KiB units */
  granularity: boolean;
  avl?: boolean;
}

export interface GateDescriptor {
  selector: number;
  offset: number;
  /** 4-bit type (DESC_TYPE.INT_GATE32, TRAP_GATE32, TASK_GATE, CALL_GATE32) */
  type: number;
  dpl: number;
  present: boolean;
  /** call gates: parameter dword count */
  paramCount?: number;
}

/** Encodes a code/data/system segment descriptor. `limit` is the last valid offset in bytes; granularity is chosen automatically when the limit exceeds 1 MiB unless given. */
export function encodeSegmentDescriptor(d: {
  base: number;
  limit: number;
  type: number;
  s?: boolean;
  dpl: number;
  present?: boolean;
  big?: boolean;
  granularity?: boolean;
  avl?: boolean;
}): [number, number] {
  let limit = d.limit >>> 0;
  let g = d.granularity ?? limit > 0xfffff;
  if (g) {
    if ((limit & 0xfff) !== 0xfff) throw new Error(`encodeSegmentDescriptor: page-granular limit must end in 0xfff, got 0x${limit.toString(16)}`);
    limit >>>= 12;
  } else if (limit > 0xfffff) {
    throw new Error(`encodeSegmentDescriptor: byte-granular limit too large: 0x${limit.toString(16)}`);
  }
  g = !!g;
  const base = d.base >>> 0;
  const s = d.s ?? true;
  const present = d.present ?? true;
  const big = d.big ?? true;
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi =
    (base & 0xff000000) |
    (g ? 1 << 23 : 0) |
    (big ? 1 << 22 : 0) |
    (d.avl ? 1 << 20 : 0) |
    (limit & 0xf0000) |
    (present ? 1 << 15 : 0) |
    ((d.dpl & 3) << 13) |
    (s ? 1 << 12 : 0) |
    ((d.type & 0xf) << 8) |
    ((base >>> 16) & 0xff);
  return [lo >>> 0, hi >>> 0];
}

export function decodeSegmentDescriptor(lo: number, hi: number): SegmentDescriptor {
  const base = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
  let limit = (lo & 0xffff) | (hi & 0xf0000);
  const granularity = (hi & (1 << 23)) !== 0;
  if (granularity) limit = ((limit << 12) | 0xfff) >>> 0;
  return {
    base,
    limit,
    type: (hi >>> 8) & 0xf,
    s: (hi & (1 << 12)) !== 0,
    dpl: (hi >>> 13) & 3,
    present: (hi & (1 << 15)) !== 0,
    big: (hi & (1 << 22)) !== 0,
    granularity,
    avl: (hi & (1 << 20)) !== 0,
  };
}

export function encodeGateDescriptor(g: GateDescriptor): [number, number] {
  const offset = g.offset >>> 0;
  const lo = ((g.selector & 0xffff) << 16) | (offset & 0xffff);
  const hi = (offset & 0xffff0000) | ((g.present ?? true) ? 1 << 15 : 0) | ((g.dpl & 3) << 13) | ((g.type & 0xf) << 8) | ((g.paramCount ?? 0) & 0x1f);
  return [lo >>> 0, hi >>> 0];
}

export function decodeGateDescriptor(lo: number, hi: number): GateDescriptor {
  return {
    selector: lo >>> 16,
    offset: ((hi & 0xffff0000) | (lo & 0xffff)) >>> 0,
    type: (hi >>> 8) & 0xf,
    dpl: (hi >>> 13) & 3,
    present: (hi & (1 << 15)) !== 0,
    paramCount: hi & 0x1f,
  };
}

/** Convenience: flat 4 GiB segments. */
export function flatCode(dpl: number): [number, number] {
  return encodeSegmentDescriptor({ base: 0, limit: 0xffffffff, type: DESC_TYPE.CODE_RX, dpl, big: true, granularity: true });
}
export function flatData(dpl: number): [number, number] {
  return encodeSegmentDescriptor({ base: 0, limit: 0xffffffff, type: DESC_TYPE.DATA_RW, dpl, big: true, granularity: true });
}
export function tssDescriptor(base: number, limit = TSS32.SIZE - 1, dpl = 0): [number, number] {
  return encodeSegmentDescriptor({ base, limit, type: DESC_TYPE.TSS32_AVAIL, s: false, dpl, big: false, granularity: false });
}
export function ldtDescriptor(base: number, limit: number): [number, number] {
  return encodeSegmentDescriptor({ base, limit, type: DESC_TYPE.LDT, s: false, dpl: 0, big: false, granularity: false });
}
export function interruptGate(selector: number, offset: number, dpl = 0): [number, number] {
  return encodeGateDescriptor({ selector, offset, type: DESC_TYPE.INT_GATE32, dpl, present: true });
}
export function trapGate(selector: number, offset: number, dpl = 0): [number, number] {
  return encodeGateDescriptor({ selector, offset, type: DESC_TYPE.TRAP_GATE32, dpl, present: true });
}
export function taskGate(tssSelector: number, dpl = 0): [number, number] {
  return encodeGateDescriptor({ selector: tssSelector, offset: 0, type: DESC_TYPE.TASK_GATE, dpl, present: true });
}
export function callGate(selector: number, offset: number, dpl: number, paramCount = 0): [number, number] {
  return encodeGateDescriptor({ selector, offset, type: DESC_TYPE.CALL_GATE32, dpl, present: true, paramCount });
}

/** Selector helpers: index, table indicator (1 = LDT), requested privilege level. */
export function selector(index: number, rpl = 0, ldt = false): number {
  return ((index << 3) | (ldt ? 4 : 0) | (rpl & 3)) & 0xffff;
}

/** Byte offsets in a 32-bit TSS. */
export const TSS32 = {
  LINK: 0x00,
  ESP0: 0x04,
  SS0: 0x08,
  ESP1: 0x0c,
  SS1: 0x10,
  ESP2: 0x14,
  SS2: 0x18,
  CR3: 0x1c,
  EIP: 0x20,
  EFLAGS: 0x24,
  EAX: 0x28,
  ECX: 0x2c,
  EDX: 0x30,
  EBX: 0x34,
  ESP: 0x38,
  EBP: 0x3c,
  ESI: 0x40,
  EDI: 0x44,
  ES: 0x48,
  CS: 0x4c,
  SS: 0x50,
  DS: 0x54,
  FS: 0x58,
  GS: 0x5c,
  LDT: 0x60,
  /** bit 0 = debug trap; I/O map base in the upper 16 bits */
  TRAP: 0x64,
  IOMAP_BASE: 0x66,
  /** size of the TSS without an I/O bitmap */
  SIZE: 0x68,
} as const;

/** Writes a descriptor (two dwords) into a table in guest physical memory. */
export function writeDescriptor(mem: { write32(a: number, v: number): void }, tableBase: number, index: number, d: [number, number]): void {
  mem.write32(tableBase + index * 8, d[0]);
  mem.write32(tableBase + index * 8 + 4, d[1]);
}
