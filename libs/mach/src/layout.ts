// Where the Mach kernel puts things: physical memory, the linear layout every task
// shares, descriptor-table slots and selectors, trap vectors.
//
// Physical memory (64 MiB machine):
//   0x100000–0x10FFFF  kernel text: entry stubs, then the code range path profiles fetch
//   0x110000–0x11FFFF  kernel data: GDT, IDT, TSS, globals, the idle thread's stack
//   0x200000–0x3FFFFF  kernel stacks + PCBs: 4 KiB per thread (Mach 3 i386
//                      KERNEL_STACK_SIZE is one page, approx.), indexed by thread number
//   0x400000–0x4FFFFF  the ipc zones: ipc_port (128 B), ipc_entry tables (16 B an entry),
//                      kmsg buffers — the addresses the path profiles touch
//   0x600000–0x7FFFFF  pmap frame pool (page directories and page tables)
//   0x800000–end       vm_page pool: the physical pages memory objects hold
//
// Linear (every task; Mach 3 i386: VM_MIN_KERNEL_ADDRESS = 0xC0000000):
//   0x00000000–0xBFFFFFFF  the task's vm_map (user)
//   0xC0000000–            the kernel: physical memory 1:1 by 4 MiB pages (PSE), supervisor
export const PAGE_SIZE = 4096;
export const KERNEL_BASE = 0xc0000000;
export const USER_TOP = 0xc0000000;

export const KERNEL_TEXT = 0x100000;
export const KERNEL_TEXT_BYTES = 0x10000;
export const KERNEL_DATA = 0x110000;
export const GDT = KERNEL_DATA + 0x200;
export const GDT_ENTRIES = 16;
export const IDT = KERNEL_DATA + 0x800;
export const TSS = KERNEL_DATA + 0x1480;
export const KERNEL_GLOBALS = KERNEL_DATA + 0x1500;
/** current thread, need_ast, run-queue heads (Mach 3 kern/sched_prim.c globals) */
export const G_CURRENT = KERNEL_GLOBALS;
export const G_NEED_AST = KERNEL_GLOBALS + 4;
export const G_RUNQ = KERNEL_GLOBALS + 0x40; // 32 queues × 8 bytes
export const IDLE_STACK_TOP = KERNEL_DATA + 0x3000;
export const KERNEL_PDIR = KERNEL_DATA + 0x4000;

export const THREAD_STACKS = 0x200000;
export const THREAD_STACK_BYTES = 4096;
export const MAX_THREADS = 512;
/** thread structure fields at the bottom of the thread's page (the PCB/stack grows down from the top) */
export const THREAD_FIELD = { STATE: 0x00, TASK: 0x04, PRI: 0x08, QUANTUM: 0x0c, LINKS: 0x10, WAIT_EVENT: 0x18, IPC_KMSG: 0x1c, EXC_PORT: 0x20, TIMER: 0x24, FPU: 0x40 } as const;
/** bytes of a thread's x87 save area at THREAD_FIELD.FPU (FNSAVE, 32-bit protected mode; Mach's pcb fp save state) */
export const FPU_IMAGE_BYTES = 108;

export const IPC_ZONE = 0x400000;
export const PORT_BYTES = 128;
export const MAX_PORTS = 2048; // 256 KiB of ports
export const ENTRY_TABLES = IPC_ZONE + MAX_PORTS * PORT_BYTES; // 0x440000
export const ENTRY_BYTES = 16;
export const ENTRY_TABLE_BYTES = 0x1000; // 256 entries per space's table
export const MAX_SPACES = 128;
export const KMSG_ZONE = ENTRY_TABLES + MAX_SPACES * ENTRY_TABLE_BYTES; // 0x4C0000
export const KMSG_ZONE_END = 0x500000;
/** ipc_port field offsets the paths touch */
export const PORT_FIELD = { LOCK_REFS: 0x00, RECEIVER: 0x04, MSGCOUNT: 0x08, QLIMIT: 0x0c, MSGS: 0x10, SRIGHTS: 0x14, RCV_THREADS: 0x18, KOBJECT: 0x1c } as const;

export const PMAP_POOL = 0x600000;
export const PMAP_POOL_END = 0x800000;
export const VM_PAGE_POOL = 0x800000;

/** GDT slots and selectors (Mach 3 i386 uses a flat model too). */
export const KERNEL_CS = 0x08;
export const KERNEL_DS = 0x10;
export const USER_CS = 0x1b;
export const USER_DS = 0x23;
/** GDT slot 6: slots 3–5 stay free for the user segments a personality asks for (MachBootOptions.userSelectors) */
export const TSS_SEL = 0x30;

export const kernelLinear = (phys: number): number => (KERNEL_BASE + phys) >>> 0;

/**
 * Trap vectors. OSF Mach on i386 (and xnu after it) enters Mach traps by `int $0x81`
 * with the negative trap number in EAX (CMU Mach 3.0 used `lcall $7,0` through an LDT
 * call gate for the same traps); Unix (here: Linux) system calls arrive by `int $0x80`,
 * which Mach does not handle itself but redirects to the task's server (exceptions.ts).
 */
export const MACH_TRAP_VECTOR = 0x81;
export const UNIX_SYSCALL_VECTOR = 0x80;
export const IRQ_VECTOR_BASE = 0x20;
