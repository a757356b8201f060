// The cost table of the MkLinux server (Linux 2.0 on Mach 3, the architecture-dependent
// part), for both configurations. What is NOT here:
//   - Mach's own paths (traps, mach_msg, the int 0x80 redirection, exception messages,
//     vm_fault, the pager messages, thread and address-space switches): libs/mach charges
//     them from its cost table (libs/mach/src/costs.ts, anchored on calibration.md's
//     first-generation figures);
//   - the core's kernel paths (sys_*, schedule, do_page_fault, copies): the same Linux
//     code as native, so native's instruction counts (arch/native/costs.ts), placed in the
//     server's text and touching the server's data (coreProfile below).
//
// Sources:
//   [mklinux] ../shared/reference/kernels.md, "Mach 3 and MkLinux": the server receives the
//             redirected int 0x80 as a message, runs the Linux code, replies; two
//             configurations (user task; co-located in the kernel, messages kernel-internal).
//   [mig]     the server side of a Mach RPC as MIG generates it: the demux routine
//             (msgh_id range check, table call), the type checks of the request's fixed
//             layout, the reply header; exc_server / catch_exception_raise_state for the
//             exception_raise_state request (116 bytes, libs/mach/src/message.ts).
//   [est]     estimates from the structure of the path: marked (approx.), NOT fitted.
//   [fit]     the two values fitted to calibration.md's MkLinux getpid rows
//             (SERVER_PATH_FIT_USER, SERVER_PATH_FIT_INKERNEL), each with its reason.
//
// Pairing 0.2 as native for C paths (gcc 2.x without P5 scheduling, approx.).
import { SERVER_DATA_BYTES, SERVER_DATA_OFFSET, SERVER_RESERVED, SERVER_TEXT_BYTES, ServerText, type CoreProfileInServer, type ServerProfile } from '../server/server-text';

export { SERVER_DATA_BYTES, SERVER_DATA_OFFSET, SERVER_RESERVED, SERVER_TEXT_BYTES, type CoreProfileInServer, type ServerProfile };

/**
 * [fit] Instructions of the user-level server's per-request path beyond the counted
 * MIG/dispatch work below, fitted to calibration.md's "MkLinux user" getpid row.
 *
 *   before the fit (counted paths only, every Mach mechanism charged by libs/mach):
 *                   3861 cycles per getpid (guest/bench/getpid, 200 × 2)
 *   the fit:        +13500 instructions at 0.2 pairing, 0.80 cycles each → the row within
 *                   0.5% (mklinux.spec.ts recomputes it)
 *
 * What it stands for: the user-level MkLinux server runs Linux on a user-level
 * thread package over Mach (cthreads): taking a request means waking the server thread
 * that owns the process, taking the global "uniproc" server lock (a cthread mutex and
 * condition, which in user mode cost Mach traps when contended or handed over), the
 * emulation of Linux's kernel entry (pt_regs from the Mach thread state, the current
 * task's lookup through a hash of ports), and the mirror of all of it on the way out.
 * None of that machinery is modelled instruction by instruction here; its length is
 * what the row says the user server spent beyond Mach's own paths. It is a property of
 * the user server's request path, so every system call and every page fault served by
 * the user server inherits it; nothing else uses it. It is large (the row's µs are
 * about those of one Mach RPC round trip on a 486DX-50 in calibration.md, on a
 * machine 2.7 times faster): we report it as the one big unexplained share of the
 * model, not as a mechanism we reproduced.
 */
export const SERVER_PATH_FIT_USER = 13500;

/**
 * [fit] Instructions of the co-located server's per-request path beyond the counted
 * kernel-internal dispatch below, fitted to calibration.md's "MkLinux in-kernel" row.
 *
 *   before the fit: 1770 cycles per getpid (guest/bench/getpid, 200 × 2)
 *   the fit:        +350 instructions at 0.2 pairing, 0.80 cycles each → the row within
 *                   0.1% (mklinux.spec.ts recomputes it)
 *
 * What it stands for: in the kernel the request is still a Mach message
 * (exception_raise_state built, queued and handed to the co-located server by kernel-
 * internal RPC, all charged by libs/mach); beyond it the server still runs its
 * Linux-entry emulation (state → pt_regs and back, the server lock, the current task's
 * lookup) as kernel code. Much smaller than the user fit: no cthread hand-over, no
 * user-level locks.
 */
export const SERVER_PATH_FIT_INKERNEL = 350;

/** code placement inside the server's text: the order of the place calls below is the layout */
const text = new ServerText('MkLinux');
const place = (bytes: number) => text.place(bytes);

/** server globals (offsets in the data area) */
export const D_CURRENT = 0x000;
export const D_TASK_BY_PORT = 0x400; // 256 entries: port name hash → task struct
export const D_SYS_CALL_TABLE = 0x800;
export const D_SERVER_LOCK = 0xc00;

/** Bytes of code per instruction in the server's placement (i386 C code, approx. 3). */
const BYTES_PER_INSTRUCTION = 3;

function server(name: string, instructions: number, source: string, reads: number[], writes: number[], codeInstructions = instructions): ServerProfile {
  return { name, instructions, pairedFraction: 0.2, extraClocks: 0, code: place(Math.min(codeInstructions * BYTES_PER_INSTRUCTION, 0x2000)), source, reads, writes };
}

/**
 * The user server's request path [mklinux][mig][est]: return from its mach_msg stub, the
 * MIG demux (id range, table call: 12), exc_server's checks of the request's fixed layout
 * (header bits and size, the NDR-free type words of the codes and the state: 30),
 * catch_exception_raise_state (flavor and count checks; the task's lookup by the port's
 * name: 25), the 17-dword state into pt_regs (17 loads + 17 stores + set-up: 40), current,
 * the number's bounds check and the call through sys_call_table (10): 117 counted
 * (approx.) + [fit] SERVER_PATH_FIT_USER.
 */
export const SERVER_REQUEST_USER = server(
  'mklinux.user.request',
  117 + SERVER_PATH_FIT_USER,
  '[mig] demux + exc_server type checks + catch_exception_raise_state + state → pt_regs + dispatch: 117 counted (approx.) + [fit] SERVER_PATH_FIT_USER',
  [D_TASK_BY_PORT, D_SYS_CALL_TABLE, D_SERVER_LOCK],
  [D_CURRENT, D_SERVER_LOCK],
  600,
);

/**
 * The user server's reply path [mklinux][mig][est]: ret_from_sys_call's checks (12),
 * pt_regs into the reply's state (17 + 17 + set-up: 40), the reply header and RetCode
 * (MIG: 10), the combined send-and-receive's arguments (8): 70 (approx.).
 */
export const SERVER_REPLY_USER = server('mklinux.user.reply', 70, '[mig] return checks + pt_regs → reply state + reply header + mach_msg set-up: 70 (approx.)', [D_CURRENT], [D_SERVER_LOCK]);

/**
 * The co-located server's request path [mklinux][est]: the kernel hands the request kmsg
 * to the server's kernel-served port (no copy-out, no MIG type checks of user data: 10),
 * the task's lookup (20), state → pt_regs (40), dispatch (10): 80 counted (approx.) +
 * [fit] SERVER_PATH_FIT_INKERNEL.
 */
export const SERVER_REQUEST_INKERNEL = server(
  'mklinux.inkernel.request',
  80 + SERVER_PATH_FIT_INKERNEL,
  '[mklinux] kernel-internal request hand-over + task lookup + state → pt_regs + dispatch: 80 counted (approx.) + [fit] SERVER_PATH_FIT_INKERNEL',
  [D_TASK_BY_PORT, D_SYS_CALL_TABLE, D_SERVER_LOCK],
  [D_CURRENT, D_SERVER_LOCK],
  300,
);

/** The co-located server's reply path [est]: return checks (12), pt_regs → reply state (40), the kernel reply call (8): 60 (approx.). */
export const SERVER_REPLY_INKERNEL = server('mklinux.inkernel.reply', 60, '[mklinux] return checks + pt_regs → reply state + kernel reply: 60 (approx.)', [D_CURRENT], [D_SERVER_LOCK]);

/**
 * The pager path [mklinux][est]: decode memory_object_data_request (or its kernel-internal
 * form), find the task by its object, walk the Linux page table (PGD, PTE), build the
 * supply (offset, page, lock value): 45 instructions (approx.). When the PTE is missing or
 * read-only for a write, the core's do_page_fault runs as well (its own profile).
 */
export const SERVER_PAGER = server('mklinux.pager', 45, '[mklinux] data_request → Linux page-table walk → physical supply: 45 (approx.)', [D_TASK_BY_PORT], []);

/** The server's loop over pages it takes back from Mach (lock_request flush set-up), per call and per page (approx.). */
export const SERVER_FLUSH = server('mklinux.flush', 20, '[est] memory_object_lock_request set-up: 20 + 2 per page (approx.)', [], []);
export const SERVER_FLUSH_PER_PAGE = 2;

/**
 * Mach calls the server makes through Mach's interfaces without a message of its own in
 * this model (thread_get_state / thread_set_state / thread_abort for signals, task_create,
 * thread_create, vm_read / vm_write / vm_deallocate for copies in the user
 * configuration): how many each server operation costs. Each is charged as one Mach trap
 * (entry, arguments, a kernel operation's path, exit) from libs/mach's cost table.
 */
export const MACH_CALLS = {
  /** fork: task_create, the address-space object's vm_map, thread_create, thread_set_state + resume */
  fork: 4,
  /** the first process's task: task_create, vm_map, thread_create */
  spawn: 3,
  /** exit: task_terminate */
  exit: 1,
  /** a signal to a process running in user mode: thread_suspend, thread_abort, thread_get_state, thread_set_state, thread_resume */
  signal: 5,
  /** copy_from_user in the user configuration: vm_read (a copy of the pages into the server) + vm_deallocate afterwards */
  copyFrom: 2,
  /** copy_to_user in the user configuration: vm_write */
  copyTo: 1,
} as const;

/** The native profile of a core path with the code offset it has in the server's text (placed after the server's own paths). */
export const coreProfile: (path: string) => CoreProfileInServer = text.placeCorePaths();
