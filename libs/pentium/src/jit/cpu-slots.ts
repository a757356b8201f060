// The CPU scalars compiled blocks use, exchanged with the Cpu's fields (the pattern of
// timing/timing-runtime.ts): the lazy-flag state (flags, lazy, fKind, fOp1, fOp2, fRes,
// fSign) and the CPL's soft-TLB masks (rmask, wmask) live in JS fields of the Cpu, so
// enter() copies them into a slot block in the machine's linear memory before compiled
// code runs and leave() copies the flag state back after (docs/design/jit.md, step 4).
// The register file, segment caches, soft TLB and code-page map are already views into
// the linear memory: CpuLayout gives their byte offsets.
import type { Cpu } from '../cpu/cpu';

/** int32 slot indices (byte offset = slots + 4 * index) */
export const SLOT = {
  flags: 0,
  lazy: 1,
  fKind: 2,
  fOp1: 3,
  fOp2: 4,
  fRes: 5,
  fSign: 6,
  rmask: 7,
  wmask: 8,
} as const;
export type SlotName = keyof typeof SLOT;
const SLOT_COUNT = 9;

/** Byte offsets in the linear memory of the state compiled code reads and writes. */
export interface CpuLayout {
  readonly memory: WebAssembly.Memory;
  /** Wasm pages of `memory` (fixed size: LinearMemory never grows) */
  readonly pages: number;
  /** cpu.r32: EAX..EDI, int32 each */
  readonly regs: number;
  /** cpu.tlb: one int32 entry per linear page */
  readonly tlb: number;
  /** memory.codePages: one byte per physical page, non-zero when it holds decoded code */
  readonly codePages: number;
  /** guest RAM is [0, memBytes) */
  readonly memBytes: number;
  /** cpu.segBase (int32 per SegReg), cpu.segChkR / segChkW (one byte per SegReg) */
  readonly segBase: number;
  /** cpu.segLimit (int32 per SegReg): a limit-checked segment's last valid offset */
  readonly segLimit: number;
  readonly segChkR: number;
  readonly segChkW: number;
  /** the slot block (SLOT) */
  readonly slots: number;
}

const isInt32 = (x: number): boolean => (x | 0) === x;

export class CpuSlots {
  readonly layout: CpuLayout;
  private readonly s: Int32Array;

  constructor(private readonly cpu: Cpu) {
    const lin = cpu.memory.linear;
    this.s = lin.i32(SLOT_COUNT);
    this.layout = {
      memory: lin.memory,
      pages: lin.buffer.byteLength / 65536,
      regs: cpu.r32.byteOffset,
      tlb: cpu.tlb.byteOffset,
      codePages: cpu.memory.codePages.byteOffset,
      memBytes: cpu.memBytes,
      segBase: cpu.segBase.byteOffset,
      segLimit: cpu.segLimit.byteOffset,
      segChkR: cpu.segChkR.byteOffset,
      segChkW: cpu.segChkW.byteOffset,
      slots: this.s.byteOffset,
    };
  }

  /** The Cpu's flag state and TLB masks into the slots (before compiled code runs). */
  enter(): void {
    const c = this.cpu;
    const s = this.s;
    // the slots hold int32s: a lazy operand that is not one (no ALU handler leaves such a
    // value, but the fields are plain numbers) is materialised first, which keeps EFLAGS
    if (c.lazy !== 0 && !(isInt32(c.fOp1) && isInt32(c.fOp2) && isInt32(c.fRes))) c.materialize();
    s[SLOT.flags] = c.flags;
    s[SLOT.lazy] = c.lazy;
    s[SLOT.fKind] = c.fKind;
    s[SLOT.fOp1] = c.fOp1;
    s[SLOT.fOp2] = c.fOp2;
    s[SLOT.fRes] = c.fRes;
    s[SLOT.fSign] = c.fSign;
    s[SLOT.rmask] = c.rmask;
    s[SLOT.wmask] = c.wmask;
  }

  /** The flag state back into the Cpu (after compiled code ran; it does not change the masks). */
  leave(): void {
    const c = this.cpu;
    const s = this.s;
    c.flags = s[SLOT.flags];
    c.lazy = s[SLOT.lazy];
    c.fKind = s[SLOT.fKind];
    c.fOp1 = s[SLOT.fOp1];
    c.fOp2 = s[SLOT.fOp2];
    c.fRes = s[SLOT.fRes];
    c.fSign = s[SLOT.fSign];
  }
}
