// The Mach kernel's cost table: every kernel path as a path profile charged on the
// P54C timing model (contracts.md). The hardware transitions (INT 0x81 or 0x80 ring
// 3 → 0, IRET, MOV CR3 and the TLB refills after it) are executed or charged by the
// CPU model itself and are not in here. Data addresses (thread structures, ipc_port
// slots, ipc_entry tables, kmsg buffers, page tables) go through the data TLB and cache.
//
// ANCHOR AND TRANSLATION (../shared/reference/calibration.md, first-generation figures):
// the figures are 486 measurements; we translate the mechanisms (instruction counts),
// not the results, to the Pentium:
//   1. Kernel entry + exit: Mach ≈ 900 cycles on a 486 where the bare trap + return
//      costs 107 → ≈ 793 486-clocks of software. Of these, 6 segment-register loads
//      (Mach's i386 locore saves DS ES FS GS and loads kernel DS/ES on entry, restores
//      on exit) at ≈ 9 clocks each on a 486 in protected mode (approx.) = 54; the
//      remaining ≈ 739 clocks at an assumed 486 CPI of 1.9 for compiled kernel code
//      (approx.: 1-clock ALU ops, 3-clock taken branches, load-use stalls, cache
//      misses of an 8 KiB unified cache) ≈ 390 instructions: the full register save
//      into the PCB, the trap dispatch through mach_trap_table, the copy of the trap's
//      arguments from the user stack under a fault guard, the AST check on the way out.
//   2. Mach IPC round trip ≈ 114 µs on a 486DX-50 = 5700 clocks, against a UNIX system
//      call ≈ 21 µs = 1050 clocks. A round trip is two mach_msg traps (client
//      send+receive, server send+receive): 5700 − 2 × 900 = 3900 clocks of message
//      work for two one-way transfers ≈ 1950 clocks each ≈ 1025 instructions at the
//      same CPI. They are split over the mechanisms below by our reading of the Mach 3
//      IPC code's structure (estimates): validation 60, kmsg 80, right copyin 80 per
//      right, copy set-up 2 × 30, queueing 120, thread switch 220, receive 80, receive-
//      name lookup 90, right copyout 90 per right: 1050 for a message with a reply right.
//   3. On the Pentium the same instruction counts issue with little pairing: Mach was
//      compiled C (gcc 2.x, not scheduled for the P5): pairedFraction 0.2 (approx.).
//      Segment loads cost what pentium-p54c.md says (≈ 11 with a new descriptor).
//   The MkLinux getpid rows (calibration.md) are fitted later, with MkLinux, and only
//   through these path lengths.
import type { PathProfile } from '@mklab/pentium';
import { KERNEL_TEXT, kernelLinear } from './layout';

/** Average bytes per kernel instruction (approx.: i386 integer code averages 2.5–3.5 bytes; we take 3). */
const BYTES_PER_INSTRUCTION = 3;
/** Path code follows the stubs (stubs.ts ends below KERNEL_TEXT + 0x800). */
const PATH_CODE = KERNEL_TEXT + 0x800;
let nextCode = PATH_CODE;
/** gcc-compiled kernel code on the P5: about one instruction in five issues in the V pipe (approx.) */
const PAIRED = 0.2;
/** MOV Sreg with a new descriptor: 11 clocks (pentium-p54c.md "2–11, +8 for a new descriptor") = 10 beyond its issue slot */
const SEGMENT_LOAD_EXTRA = 10;
/** MOV CR0 and CLTS on the Pentium (approx.: Intel's Pentium instruction table as recalled, not in pentium-p54c.md; the same figures as libs/l4): 16 and 10 clocks. */
const MOV_CR0_CLOCKS = 16;
const CLTS_CLOCKS = 10;
/** OUT at CPL 0: 9 clocks (pentium-p54c.md) */
const OUT_EXTRA = 8;

function path(name: string, instructions: number, extraClocks: number, source: string, pairedFraction = PAIRED): PathProfile {
  const bytes = instructions * BYTES_PER_INSTRUCTION;
  const start = kernelLinear(nextCode);
  nextCode += (bytes + 31) & ~31;
  return { name, instructions, pairedFraction, extraClocks, code: { start, bytes }, source };
}

/** 486 anchor figures (calibration.md) */
export const ANCHOR = {
  /** Mach's kernel entry + exit on a 486, cycles */
  machEntryExit486: 900,
  /** bare trap + return on a 486, cycles */
  bareEntryExit486: 107,
  /** Mach IPC round trip on a 486DX-50, µs */
  ipcRoundTrip486Us: 114,
  /** UNIX system call on a 486DX-50, µs */
  unixSyscall486Us: 21,
  /** assumed 486 cycles per instruction of compiled kernel code (approx.) */
  cpi486: 1.9,
} as const;

/** instructions of Mach's entry + exit software: (900 − 107 − 6 × 9) / 1.9 ≈ 389 */
export const ENTRY_EXIT_INSTRUCTIONS = Math.round((ANCHOR.machEntryExit486 - ANCHOR.bareEntryExit486 - 6 * 9) / ANCHOR.cpi486);
/** instructions of one one-way message transfer: ((114 × 50 − 2 × 900) / 2) / 1.9 ≈ 1026 */
export const ONE_WAY_MESSAGE_INSTRUCTIONS = Math.round((ANCHOR.ipcRoundTrip486Us * 50 - 2 * ANCHOR.machEntryExit486) / 2 / ANCHOR.cpi486);

const ENTRY = Math.round(ENTRY_EXIT_INSTRUCTIONS * 0.55);

export const MACH_COSTS = {
  /** Trap entry: full register save into the PCB, 2 kernel segment loads, trap dispatch, thread/task lookup. 55% of the anchored entry+exit instructions (estimate of the split). */
  trapEntry: path('mach.trap-entry', ENTRY, 2 * SEGMENT_LOAD_EXTRA, `anchored: 486 Mach entry+exit 900 − bare 107 − 6 segment loads, at CPI 1.9 = ${ENTRY_EXIT_INSTRUCTIONS} instructions; entry share 55% (estimate); 2 segment loads (pentium-p54c.md 11 clocks)`),
  /** Trap exit: AST check, thread_syscall_return, register restore, 4 segment loads. */
  trapExit: path('mach.trap-exit', ENTRY_EXIT_INSTRUCTIONS - ENTRY, 4 * SEGMENT_LOAD_EXTRA, 'anchored: the rest of the entry+exit instructions; 4 segment loads (pentium-p54c.md 11 clocks)'),
  /** Copy of the mach_msg trap's 7 arguments from the user stack under a fault guard (part of Mach's trap path for mach_msg). */
  trapArgs: path('mach.trap-args', 25, 0, 'estimate: 7 guarded loads and stores with the set-up'),

  /** mach_msg: option decode, header validation (size, alignment, bits), ipc_kmsg_get. */
  msgValidate: path('mach.msg.validate', 60, 0, 'anchored split of the 486 one-way message instructions (costs.ts note 2): 60'),
  /** kmsg allocation from its zone and, at receive, its free. */
  msgKmsg: path('mach.msg.kmsg', 80, 0, 'anchored split: 80 (ikm_alloc/ikm_free)'),
  /** One port right taken from the sender's space: ipc_entry_lookup + ipc_right_copyin + port lock. */
  msgRightCopyin: path('mach.msg.right-copyin', 80, 0, 'anchored split: 80 per right'),
  /** One port right entered into the receiver's space: ipc_object_copyout (entry allocation, name, urefs). */
  msgRightCopyout: path('mach.msg.right-copyout', 90, 0, 'anchored split: 90 per right'),
  /** The receive name's lookup (the receive right) in mach_msg receive. */
  msgReceiveLookup: path('mach.msg.receive-lookup', 90, 0, 'anchored split: 90'),
  /** ipc_mqueue_send: port lock, queue-limit check, find a waiting receiver, enqueue or hand off. */
  msgQueue: path('mach.msg.queue', 120, 0, 'anchored split: 120'),
  /** ipc_mqueue_receive: dequeue (or the wake-up's hand-over), sequence number, unlock. */
  msgDequeue: path('mach.msg.dequeue', 80, 0, 'anchored split: 80'),
  /** Set-up of one copyin or copyout of message bytes (the bytes themselves: copyProfile). */
  msgCopySetup: path('mach.msg.copy-setup', 30, 0, 'anchored split: 30 per direction'),
  /** Thread switch: thread_block / thread_handoff, stack and PCB switch, pmap_activate (its MOV CR3 is the CPU's). */
  threadSwitch: path('mach.thread-switch', 220, 0, 'anchored split: 220'),
  /** Blocking without a switch partner chosen yet (assert_wait + run-queue choose). */
  threadBlock: path('mach.thread-block', 60, 0, 'estimate: assert_wait, thread_block choose (60)'),
  /** Arming or cancelling a timeout (timer call list insert). */
  timeout: path('mach.timeout', 30, 0, 'estimate: 30 instructions (set_timeout)'),
  /** One out-of-line region copied in (vm_map_copyin: entry clip, needs-copy, pmap_protect of its pages). */
  oolCopyin: path('mach.ool.copyin', 150, 0, 'estimate: 150 instructions (vm_map_copyin of one entry)'),
  /** Per page of an OOL region write-protected in the sender's pmap. */
  oolPage: path('mach.ool.page', 12, 0, 'estimate: 12 instructions per PTE (pmap_protect loop)'),
  /** One out-of-line region placed in the receiver's map (vm_map_copyout). */
  oolCopyout: path('mach.ool.copyout', 150, 0, 'estimate: 150 instructions (vm_map_copyout: find space, link entries)'),

  /** Page fault: vm_fault → vm_map_lookup, the object-chain walk, pmap_enter; + MOV r32,CR2 (4 clocks, pentium-p54c.md). */
  vmFault: path('mach.vm-fault', 400, 3, 'estimate: 400 instructions (vm_fault, vm_map_lookup, vm_page_lookup chain, pmap_enter); MOV CR2 4 clocks'),
  /** The copy of a copy-on-write fault (vm_page_copy: REP MOVSD 3 + 1024, pentium-p54c.md). */
  vmCopyPage: path('mach.vm-copy-page', 20, 3 + 1024, 'pentium-p54c.md: REP MOVSD 3 + n over 1024 dwords'),
  /** Zero fill of a new page (vm_page_zero_fill: REP STOSD 3 + 1024, pentium-p54c.md). */
  vmZeroPage: path('mach.vm-zero-page', 15, 3 + 1024, 'pentium-p54c.md: REP STOSD 3 + n over 1024 dwords'),
  /** A vm_* trap's work beyond the entry (map lookup and entry manipulation). */
  vmOp: path('mach.vm-op', 200, 0, 'estimate: 200 instructions (vm_map_enter / remove / protect)'),
  /** A port trap's work (mach_port_allocate / destroy / deallocate / mach_reply_port). */
  portOp: path('mach.port-op', 120, 0, 'estimate: 120 instructions (ipc_port_alloc / ipc_right_destroy)'),

  /** exception(): build exception_raise_state (the thread's 17-dword state) and find the port. */
  exception: path('mach.exception', 150, 0, 'estimate: 150 instructions (exception, thread_getstatus, kmsg build)'),
  /** The reply to an exception message: check RetCode, thread_setstatus, resume or terminate. */
  exceptionReply: path('mach.exception.reply', 100, 0, 'estimate: 100 instructions'),

  /** Clock interrupt: EOI (OUT), clock_interrupt, quantum accounting. */
  timerTick: path('mach.timer-tick', 60, OUT_EXTRA, 'estimate: 60 instructions; OUT 9 clocks (pentium-p54c.md)'),
  /** Wake-up from the idle loop (interrupt entry 25 + IRET 10 at CPL 0, pentium-p54c.md). */
  idleWakeup: path('mach.idle-wakeup', 40, 25 + 10, 'estimate: 40 instructions; interrupt entry 25 + IRET 10 at CPL 0 (pentium-p54c.md)'),
  /** Lazy FPU switch, on a thread switch to a thread that does not own the FPU: set CR0.TS (MOV CR0; only when it is clear). */
  fpuSetTs: path('mach.fpu.set-ts', 3, MOV_CR0_CLOCKS - 1, `estimate: 3 instructions; MOV CR0 ${MOV_CR0_CLOCKS} clocks (approx.)`),
  /** #NM with CR0.TS set (Mach's fpnoextflt): CLTS, and when the FPU changes hands FNSAVE / FRSTOR (or FNINIT), whose clocks are the x87 model's. */
  fpuSwitch: path('mach.fpu.switch', 25, CLTS_CLOCKS - 1, `estimate: 25 instructions (fp_save / fp_load); CLTS ${CLTS_CLOCKS} clocks (approx.)`),
  /** A device interrupt: EOI (OUT), the line's handler looked up; for a line whose handler is a user-level server, its mask (OUT) and the message's build. */
  deviceInterrupt: path('mach.device-interrupt', 50, 2 * OUT_EXTRA, 'estimate: 50 instructions; EOI and mask OUT 9 clocks each (pentium-p54c.md)'),
} as const;

export const PATH_CODE_START = PATH_CODE;
export const PATH_CODE_END = nextCode;

/** Copy of `bytes` message bytes (copyin or copyout): REP MOVSD 3 + n clocks for n dwords (pentium-p54c.md), 4 set-up instructions. */
export function copyProfile(bytes: number): PathProfile {
  return {
    name: 'mach.msg.copy',
    instructions: 4,
    pairedFraction: 0,
    extraClocks: 3 + Math.ceil(bytes / 4),
    code: MACH_COSTS.msgCopySetup.code,
    source: 'pentium-p54c.md: REP MOVS 3 + n clocks',
  };
}
