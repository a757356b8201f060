// The cost table of the L4Linux server (Linux 2.0 on L4, the architecture-dependent
// part): one path profile per server-side path, with its source. What is NOT here:
//   - the L4 kernel's own paths (IPC, exception reflection, page-fault IPC, thread and
//     address-space switches): libs/l4 charges them from its cost table;
//   - the emulation library in the process (emulib.ts): real x86 code, charged by the CPU;
//   - the core's kernel paths (sys_*, schedule, page fault, copies): the same Linux
//     code as native, so the same instruction counts (arch/native/costs.ts), but placed
//     in the server's text and touching the server's data (coreProfile below).
//
// Sources:
//   [l4linux] ../shared/reference/kernels.md, "L4Linux": the server receives the call by
//             IPC, runs the Linux kernel code, replies; copies through its 1:1 mapping
//             after a software page-table walk; getpid breakdown 20 + 168 + 131 + 188 + 19.
//   [est]     estimates from the structure of the path (message decode, a table look-up,
//             a few checks): marked (approx.), NOT fitted.
//   [fit]     the one value that may be fitted, SERVER_PATH_FIT, against the L4Linux getpid
//             rows of the calibration set: left at 0 (see there), since the unfitted model
//             already measures above them.
//
// Pairing 0.2 as native for C paths (gcc 2.7 without P5 scheduling, approx.).
import { SERVER_DATA_BYTES, SERVER_DATA_OFFSET, SERVER_RESERVED, SERVER_TEXT_BYTES, ServerText, type CoreProfileInServer, type ServerProfile } from '../server/server-text';

export { SERVER_DATA_BYTES, SERVER_DATA_OFFSET, SERVER_RESERVED, SERVER_TEXT_BYTES, type CoreProfileInServer, type ServerProfile };
/** the emulation-library page (physical, in the server's region) */
export const EMU_PAGE_OFFSET = 0x3f000;

/**
 * [fit] Instructions of the server's system-call path beyond the counted dispatch: the
 * parameter the l4linux getpid row of calibration.md could be fitted with.
 * It is 0 — NOT fitted: with the server's memory in 4 MiB pages (sigma0 superpages) and
 * its thread loops in its own text, the unfitted model measures 538.8 cycles with the
 * server in a large space (+2.4%; calibration.spec.ts recomputes the rows). The
 * trampoline row's one fitted value is L4's (libs/l4 costs.ts EXCEPTION_REFLECT_FIT).
 */
export const SERVER_PATH_FIT = 0;

/** code placement inside the server's text: the order of the place calls below is the layout */
const text = new ServerText('L4Linux');
const place = (bytes: number) => text.place(bytes);

/**
 * The server threads' request loops (L4 user-loop threads: HOSTCALL ; INT 0x30 ; JMP,
 * libs/l4 stubs.ts, 32 bytes each): the first lines of the server's text, right before
 * the request-loop code (SERVER_SYSCALL_ENTRY) — the server's threads run the server's
 * own code, in its 1:1 window, not a page of their own. Index = L4 lthread.
 */
export const SERVER_LOOPS = place(32 * 16);
export const serverLoopOffset = (lthread: number): number => SERVER_LOOPS.start + 32 * lthread;

/** server globals (offsets in the data area) */
export const D_CURRENT = 0x000;
export const D_TASK_BY_THREAD = 0x400; // 256 entries: L4 task number → task struct
export const D_SYS_CALL_TABLE = 0x800;

/**
 * The server's request loop around a system call [l4linux][est]: test the IPC result,
 * classify the message (system call / page fault / exception), look the sender's task
 * up, set current, bounds-check the number, call through sys_call_table: 22
 * instructions counted (approx.) + SERVER_PATH_FIT.
 */
export const SERVER_SYSCALL_ENTRY: ServerProfile = {
  name: 'l4linux.server.syscall-entry',
  instructions: 22 + SERVER_PATH_FIT,
  pairedFraction: 0.2,
  extraClocks: 1,
  code: place(160),
  source: '[l4linux] receive, classify, current = sender, dispatch: 22 instructions counted (approx.) + [fit] SERVER_PATH_FIT',
  reads: [D_TASK_BY_THREAD, D_SYS_CALL_TABLE],
  writes: [D_CURRENT],
};

/**
 * ret_from_sys_call in the server [l4linux][est]: need_resched and signal checks as
 * native (about 12 instructions), then the reply registers (send descriptor, partner,
 * result, timeouts, open receive): 8 → 20 (approx.).
 */
export const SERVER_SYSCALL_EXIT: ServerProfile = {
  name: 'l4linux.server.syscall-exit',
  instructions: 20,
  pairedFraction: 0.2,
  extraClocks: 0,
  code: place(96),
  source: '[l4linux] return checks + reply set-up, 20 instructions (approx.)',
  reads: [D_CURRENT],
  writes: [],
};

/**
 * The pager path [l4linux][est]: classify, walk the Linux page table (PGD, PTE), and
 * when present with the right access build the map reply (fpage of the server's 1:1
 * page, snd_base = fault address): 30 instructions (approx.). When the PTE is missing the
 * core's do_page_fault runs as well (its own profile).
 */
export const SERVER_PAGER: ServerProfile = {
  name: 'l4linux.server.pager',
  instructions: 30,
  pairedFraction: 0.2,
  extraClocks: 0,
  code: place(160),
  source: '[l4linux] page-fault IPC → Linux page-table walk → map reply, 30 instructions (approx.)',
  reads: [D_TASK_BY_THREAD],
  writes: [],
};

/**
 * Flushing a process's L4 mappings after the core changed its page table (fork's
 * write-protect, exec, munmap): per page an fpage_unmap request (its kernel cost is L4's
 * flushPage) — the server-side loop, 8 instructions per page (approx.).
 */
export const SERVER_FLUSH: ServerProfile & { perPage: number } = {
  name: 'l4linux.server.flush',
  instructions: 10,
  perPage: 8,
  pairedFraction: 0.2,
  extraClocks: 0,
  code: place(64),
  source: '[l4linux] loop over the changed pages issuing unmaps, 10 + 8 per page (approx.)',
  reads: [],
  writes: [],
};

/** The native profile of a core path with the code offset it has in the server's text (placed after the server's own paths). */
export const coreProfile: (path: string) => CoreProfileInServer = text.placeCorePaths();

/**
 * switch_to inside the server [l4linux][est]: the server's main thread multiplexes the
 * Linux processes' kernel contexts (kernels.md "L4Linux": "it multiplexes Linux kernel
 * threads internally"), so a Linux process switch is the core's schedule() plus a
 * stack switch in the server — push the callee-saved registers, save ESP and the resume
 * EIP in prev's thread struct, load next's, set current, pop, return: 2.0's switch_to
 * without the hardware task switch and without CR3 (the server stays in its space;
 * the L4 thread switch is the reply IPC to the other process): 14 instructions
 * (approx.). Placed after the core's code.
 */
export const SERVER_SWITCH_TO: ServerProfile = {
  name: 'l4linux.server.switch-to',
  instructions: 14,
  pairedFraction: 0.2,
  extraClocks: 0,
  code: place(48),
  source: '[l4linux] stack switch between two kernel contexts of the server main thread, 14 instructions (approx.)',
  reads: [D_CURRENT],
  writes: [D_CURRENT],
};
