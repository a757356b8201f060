// The L4 kernel's cost table: every kernel path as a path profile charged on the P54C
// timing model (contracts.md). The hardware transitions around a path are not in it:
// INT 0x30 (ring 3 → 0, 42 clocks), IRET (27), MOV CR3 (22 + the TLB refills that
// follow) and the ADD ESP,4 of the fault stubs are executed or charged by the CPU model
// itself. Data addresses (TCBs, kernel stacks, the TSS, page tables) go through the
// data TLB and cache, so a cold path costs more than a warm one, as on the hardware.
//
// Only one figure is fitted: the direct cost of a one-way short IPC between address
// spaces, 121 cycles on the Pentium (../shared/reference/calibration.md). Everything
// else is an estimate of a path length, written beside it with its reasoning; none of
// it depends on which benchmark runs.
import type { PathProfile } from '@mklab/pentium';
import { KERNEL_TEXT, kernelLinear } from './layout';
import { INT_SAME_PL_CLOCKS, INT_STACK_SWITCH_EXTRA_CLOCKS, IRET_OUTER_PL_EXTRA_CLOCKS, IRET_SAME_PL_CLOCKS, MOV_CR3_CLOCKS } from '@mklab/pentium';

/** Average bytes per kernel instruction, for the code range a path fetches (approx.: i386 integer code averages 2.5–3.5 bytes; we take 3). */
const BYTES_PER_INSTRUCTION = 3;
/** Kernel path code follows the entry stubs (stubs.ts: they end below KERNEL_TEXT + 0x600). */
const PATH_CODE = KERNEL_TEXT + 0x600;
let nextCode = PATH_CODE;

function path(name: string, instructions: number, pairedFraction: number, extraClocks: number, source: string): PathProfile {
  const bytes = instructions * BYTES_PER_INSTRUCTION;
  const start = kernelLinear(nextCode);
  nextCode += (bytes + 31) & ~31; // each path starts on its own cache line
  return { name, instructions, pairedFraction, extraClocks, code: { start, bytes }, source };
}

// The hardware transitions of a one-way IPC, as the CPU model charges them
// (pentium-p54c.md): INT n ring 3 → 0 = 25 + 17 = 42, IRET to ring 3 = 10 + 17 = 27,
// MOV CR3 = 22. 91 of the 121 cycles.
const ANCHOR_ONE_WAY_IPC = 121; // calibration.md: L4 one-way short IPC between address spaces, Pentium
export const HW_TRANSITION_CLOCKS = INT_SAME_PL_CLOCKS + INT_STACK_SWITCH_EXTRA_CLOCKS + IRET_SAME_PL_CLOCKS + IRET_OUTER_PL_EXTRA_CLOCKS + MOV_CR3_CLOCKS;
/** issue clocks left for the kernel's own code on the IPC path (entry + IPC + switch) */
export const IPC_PATH_CLOCKS = ANCHOR_ONE_WAY_IPC - HW_TRANSITION_CLOCKS; // 30
/** of which the kernel entry and exit (every kernel entry pays them) */
const ENTRY_CLOCKS = 5;

/** MOV CR0 and CLTS on the Pentium (approx.: Intel's Pentium instruction table as recalled, not in pentium-p54c.md): 16 and 10 clocks. */
const MOV_CR0_CLOCKS = 16;
const CLTS_CLOCKS = 10;

/**
 * FITTED (calibration.md allows path lengths fitted to the getpid rows): instructions of
 * L4's exception-reflection path (a #GP reflected into the faulting thread through its
 * user-level IDT) beyond the 45 counted below. The L4Linux trampoline getpid row of
 * calibration.md runs exactly the paths of the l4linux row (reproduced unfitted) plus
 * three: the #GP of `int $0x80` (the CPU model's), this reflection, and the emulation
 * library's trap handler (real x86 code, measured). With 45 counted instructions the
 * trampoline row comes out 158 cycles above the l4linux row where the paper has 227;
 * the reflection is the one unmeasured path between them, so its length is the
 * parameter: 45 + 75 = 120 instructions ≈ +56 clocks. Plausible for L4/x86's slow
 * trap path, which — unlike the IPC path — saves and restores the full register set,
 * checks the gate and the user stack against the task's limits with fault-protected
 * user accesses, and builds the frame (approx.; not measured on the hardware).
 */
export const EXCEPTION_REFLECT_FIT = 75;

export const L4_COSTS = {
  /**
   * Kernel entry and exit around every system call, fault and interrupt: L4 saves only
   * what the path needs (a few pushes), dispatches, and pops on the way out — no
   * segment-register reloads (flat kernel segments). Estimate: 8 instructions, 3 paired
   * = 5 clocks; part of the fitted 30 below.
   */
  kernelEntry: path('l4.kernel-entry', 8, 3 / 8, 0, 'estimate: 8 instructions (pushes, dispatch, pops), 3 paired; part of the fitted IPC total'),

  /**
   * Short IPC that delivers to a waiting partner and switches to it (send phase, the
   * partner's receive completing, the receive phase set-up of the sender, the thread
   * switch: kernel stack pointer, TSS.ESP0, current). FITTED: 30 issue clocks =
   * 121 − 91 (above), of which the kernel entry takes 5: 36 instructions of which 11
   * pair = 25 clocks. The split into instructions and pairing is not constrained by
   * the figure; it matches a hand-scheduled path of a few dozen instructions (Liedtke,
   * "Improving IPC by Kernel Design", SOSP'93, and the Pentium implementation notes, approx.).
   */
  ipcShort: path('l4.ipc.short', 36, 11 / 36, 0, `fitted: calibration.md 121 cycles one-way short IPC − INT 42 − IRET 27 − MOV CR3 22 = ${IPC_PATH_CLOCKS} clocks, minus the kernel entry's ${ENTRY_CLOCKS}`),

  /** A phase that cannot complete: the thread is marked waiting (queued on the partner for a send) and the scheduler picks the next thread. Estimate: 20 instructions (state, queue link, lazy ready-queue look-up). */
  ipcBlock: path('l4.ipc.block', 20, 0.3, 0, 'estimate: state change, queue link, pick from the ready queue (≈ half the short path)'),

  /** Arming a finite timeout (insert into the wake-up list). Estimate: 12 instructions. */
  ipcTimeout: path('l4.ipc.timeout', 12, 0.3, 0, 'estimate: timeout conversion and a sorted-list insert'),

  /** Long-message set-up: reading both buffers' dopes, bounds checks, the temporary mapping of the receiver's buffer (Liedtke SOSP'93, 5.4). Estimate: 40 instructions + one INVLPG (25 clocks, pentium-p54c.md) to drop the temporary mapping. */
  ipcLong: path('l4.ipc.long', 40, 0.3, 25 - 1, 'estimate: dopes, checks, temporary mapping window; INVLPG 25 clocks (pentium-p54c.md)'),

  /** One map/grant page: mapping-database node, PTE write, rights check. Estimate: 30 instructions. */
  ipcMapPage: path('l4.ipc.map-page', 30, 0.25, 0, 'estimate: fpage decode, mapping-database insert, PTE write'),

  /** Page fault → IPC to the pager: CR2 and error code decoded into the message (the IPC itself is charged as ipcShort/ipcBlock). Estimate: 18 instructions + MOV r32,CR2 (4 clocks, pentium-p54c.md). */
  pageFault: path('l4.page-fault', 18, 0.3, 4 - 1, 'estimate: fault decode, message build; MOV r32,CR2 4 clocks (pentium-p54c.md)'),

  /** Exception → IPC to the exception handler. Estimate: 18 instructions. */
  exception: path('l4.exception', 18, 0.3, 0, 'estimate: frame decode, message build'),

  /** Hardware interrupt: mask the line and EOI at the PIC (two OUTs, 9 clocks each at CPL 0, pentium-p54c.md), find the attached thread. Estimate: 16 instructions. */
  interrupt: path('l4.interrupt', 16, 0.25, 2 * (9 - 1), 'estimate: 16 instructions; OUT 9 clocks × 2 (pentium-p54c.md)'),

  /** Unmasking an interrupt line when its thread waits for it again (one OUT). */
  interruptUnmask: path('l4.interrupt.unmask', 6, 0.2, 9 - 1, 'estimate: 6 instructions; OUT 9 clocks (pentium-p54c.md)'),

  /** Timer tick: EOI (OUT 9), time-slice accounting. Estimate: 14 instructions. */
  timerTick: path('l4.timer-tick', 14, 0.3, 9 - 1, 'estimate: 14 instructions; OUT 9 clocks (pentium-p54c.md)'),

  /** A timeout expiring while the CPU idles: the wake-up interrupt at CPL 0 (INT same privilege ≈ 25, IRET same privilege 10, pentium-p54c.md) and the wake-up. Estimate: 20 instructions. */
  idleWakeup: path('l4.idle-wakeup', 20, 0.3, 25 + 10, 'estimate: 20 instructions; interrupt entry 25 + IRET 10 at CPL 0 (pentium-p54c.md)'),

  /** Switch to or from a small space: reload DS and ES with the target's descriptors (MOV Sreg with a new descriptor: up to 11 clocks, pentium-p54c.md "2–11, +8 for a new descriptor"; CS and SS come from the IRET frame). */
  smallSpaceSwitch: path('l4.switch.small-space', 2, 0, 2 * (11 - 1), 'pentium-p54c.md: MOV Sreg 2–11 clocks, new descriptor: 11 each'),

  /** lthread_ex_regs: look up the lthread, read/replace ESP/EIP/pager, cancel a pending IPC. Estimate: 35 instructions. */
  exRegs: path('l4.ex-regs', 35, 0.3, 0, 'estimate: 35 instructions'),

  /** task_new: allocate the page directory, copy the kernel part, create thread 0. Estimate: 150 instructions + clearing the directory (REP STOSD over 1024 dwords: 3 + n clocks, pentium-p54c.md) — the copy of the kernel PDEs is in the instruction count. */
  taskNew: path('l4.task-new', 150, 0.3, 3 + 1024, 'estimate: 150 instructions; REP STOSD 3 + n (pentium-p54c.md) over the 4 KiB directory'),

  /** fpage_unmap: decode, walk the fpage's pages. Estimate: 25 instructions + 20 per page changed (see flushPage). */
  fpageUnmap: path('l4.fpage-unmap', 25, 0.3, 0, 'estimate: 25 instructions'),
  /** one page revoked in a flush (mapping-database node, PTE clear, INVLPG when it may be in the TLB — charged by the CPU's invlpg). Estimate: 20 instructions. */
  flushPage: path('l4.flush-page', 20, 0.25, 0, 'estimate: 20 instructions per mapping removed'),

  /** thread_switch (yield or donate). Estimate: 18 instructions. */
  threadSwitch: path('l4.thread-switch', 18, 0.3, 0, 'estimate: 18 instructions'),
  /** thread_schedule (priority change). Estimate: 25 instructions. */
  threadSchedule: path('l4.thread-schedule', 25, 0.3, 0, 'estimate: 25 instructions'),
  /** id_nearest. Estimate: 8 instructions. */
  idNearest: path('l4.id-nearest', 8, 0.25, 0, 'estimate: 8 instructions'),

  /** sigma0's user-level work for one page request: look the page up in its ownership table, build the map reply. Estimate: 30 instructions (sigma0 runs at user level). */
  sigma0Request: path('l4.sigma0.request', 30, 0.3, 0, 'estimate: 30 user-level instructions in sigma0'),

  /**
   * Exception reflected into the faulting thread through its user-level IDT (L4/x86's
   * slow trap path, not the IPC fast path): save the registers the path uses, look the
   * gate up in the task's table (a user-memory read), validate it, write the 3–4 frame
   * dwords to the user stack (the writes are the profile's data addresses), rewrite the
   * kernel frame's EIP/ESP/EFLAGS. Estimate: 45 instructions (approx.: the x86 trap path
   * of a C kernel around a table look-up and a 4-dword copy).
   */
  exceptionReflect: path(
    'l4.exception.reflect',
    45 + EXCEPTION_REFLECT_FIT,
    0.25,
    0,
    `estimate: 45 instructions (save, gate look-up and checks, 4-dword frame copy to the user stack, frame rewrite) + fitted ${EXCEPTION_REFLECT_FIT} (EXCEPTION_REFLECT_FIT: calibration.md, the L4Linux trampoline getpid row)`,
  ),

  /** Lazy FPU switch, on a thread switch to a thread that does not own the FPU: set CR0.TS (MOV CR0; only when it is clear). Estimate: 3 instructions + MOV CR0. */
  fpuSetTs: path('l4.fpu.set-ts', 3, 0, MOV_CR0_CLOCKS - 1, `estimate: 3 instructions; MOV CR0 ${MOV_CR0_CLOCKS} clocks (approx.)`),

  /** #NM with CR0.TS set: CLTS, and when the FPU changes hands FNSAVE of the owner's state / FRSTOR (or FNINIT) of the thread's (their clocks are the x87 model's). Estimate: 20 instructions + CLTS. */
  fpuSwitch: path('l4.fpu.switch', 20, 0.25, CLTS_CLOCKS - 1, `estimate: 20 instructions; CLTS ${CLTS_CLOCKS} clocks (approx.)`),

  /** LIDT emulated at user level: decode the instruction, read the 6-byte operand, record it. Estimate: 40 instructions. */
  lidt: path('l4.lidt', 40, 0.25, 0, 'estimate: 40 instructions (instruction decode, operand read)'),
} as const;

/** Physical start of the path code (the stubs must end before it). */
export const PATH_CODE_START = PATH_CODE;
/** End of the path code range (kernel text must hold it). */
export const PATH_CODE_END = nextCode;

/**
 * A string copy of `bytes` in the IPC path: REP MOVSD, 3 + n clocks for n dwords
 * (pentium-p54c.md "REP MOVS/STOS about 3 + n"); the data lines go through the cache as
 * the path's reads and writes.
 */
export function stringCopyProfile(bytes: number): PathProfile {
  const dwords = Math.ceil(bytes / 4);
  return {
    name: 'l4.ipc.string-copy',
    instructions: 6,
    pairedFraction: 0,
    extraClocks: 3 + dwords,
    code: L4_COSTS.ipcLong.code,
    source: 'pentium-p54c.md: REP MOVS 3 + n clocks; 6 set-up instructions',
  };
}
