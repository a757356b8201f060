import type { PathProfile } from './timing/path-profile';
import type { PhaseMarks } from './clock/phases';

// The narrow view of the machine the µ-kernels (libs/l4, libs/mach) are written against:
// exactly the kernel-facing interface of contracts.md ("CPU interface used by
// kernels", "Machine"). The pentium Machine and Cpu satisfy these structurally; the
// kernel depends on nothing else from them, and the pure parts of the kernel (page
// tables, the mapping database) only need `GuestMemory`.

/** Physical memory as a kernel sees it (PhysicalMemory). */
export interface GuestMemory {
  readonly size: number;
  read8(addr: number): number;
  read32(addr: number): number;
  write8(addr: number, v: number): void;
  write32(addr: number, v: number): void;
  fill(addr: number, len: number, value: number): void;
}

/** The CPU as a kernel drives it from a HOSTCALL handler. */
export interface KernelCpu {
  getReg(r: number): number;
  setReg(r: number, v: number): void;
  eip: number;
  readonly cpl: number;
  getEflags(): number;
  setEflags(v: number): void;
  readonly cr0: number;
  readonly cr2: number;
  readonly cr3: number;
  readonly cr4: number;
  setCr0(v: number): void;
  setCr4(v: number): void;
  /** as MOV CR3: empties the TLBs and charges its clocks */
  loadCr3(v: number): void;
  setGdtr(base: number, limit: number): void;
  setIdtr(base: number, limit: number): void;
  loadSegment(sreg: number, selector: number): void;
  loadTr(selector: number): void;
  invlpg(linear: number): void;
  halted: boolean;
  /** selectors of the segment registers (ES=0 CS SS DS FS GS) */
  readonly segSel: ArrayLike<number>;
}


export interface EventHandleLike {
  readonly at: number;
}

/** Device ports of the 8259A pair the kernel programs (ICWs, masks, EOI). */
export interface PicPorts {
  out8(port: number, value: number): void;
  in8(port: number): number;
}

export interface KernelMachine {
  readonly memory: GuestMemory;
  readonly cpu: KernelCpu;
  readonly timing: { chargePath(profile: PathProfile, reads?: ArrayLike<number>, writes?: ArrayLike<number>): number };
  readonly counters: { cycles: number; tlbFlushes: number; kernel: Record<string, number> };
  /** the core clock (its rate converts µs timeouts to cycles) */
  readonly clock: { readonly hz: number };
  readonly events: { schedule(atCycle: number, fire: (atCycle: number) => void): EventHandleLike; cancel(h: EventHandleLike): void };
  readonly pic: PicPorts;
  /** the 8254 (PIT) ports: channel 0 drives IRQ 0 */
  readonly pit: PicPorts;
  readonly hostcalls: { register(id: number, name: string, handler: () => void, opts?: { fromUser?: boolean }): void };
  stop(reason: string): void;
  /** phase accounting (clock/phases.ts, contracts.md "Phase accounting"): kernels mark their transitions */
  readonly phases: PhaseMarks;
}

/** General registers (ModRM order, as libs/pentium's Reg). */
export const EAX = 0,
  ECX = 1,
  EDX = 2,
  EBX = 3,
  ESP = 4,
  EBP = 5,
  ESI = 6,
  EDI = 7;

/** Segment registers (as libs/pentium's SegReg). */
export const SEG_ES = 0,
  SEG_CS = 1,
  SEG_SS = 2,
  SEG_DS = 3,
  SEG_FS = 4,
  SEG_GS = 5;
