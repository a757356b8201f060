// Where the L4 kernel puts things: physical memory, the linear address-space layout
// shared by every task, descriptor-table slots and selectors.
//
// Physical memory (64 MiB machine):
//   0x000000–0x0FFFFF  unused (BIOS and VGA on a real PC)
//   0x100000–0x10FFFF  kernel text: entry stubs, then the code range path profiles fetch
//   0x110000–0x11FFFF  kernel data: GDT, IDT, TSS, globals, the idle thread's stack
//   0x200000–0x5FFFFF  the TCB array: 1 KiB per thread (TCB + kernel stack), indexed by
//                      thread number (256 tasks × 16 lthreads) — L4's "thread control
//                      blocks in a virtual array"
//   0x600000–0x9FFFFF  kernel frame pool (page directories and page tables)
//   0xA00000–end       sigma0's memory: handed out to user level
//
// Linear (every task):
//   0x00000000–0xBFFFFFFF  the user part of a large address space
//   0xC0000000–0xDFFFFFFF  the small-space region (512 MiB, shared by every page
//                          directory): small spaces live here, separated by segment
//                          base and limit (Liedtke, "Improved Address-Space Switching on
//                          Pentium Processors by Transparently Multiplexing User Address
//                          Spaces", GMD TR 933, 1995)
//   0xE0000000–            the kernel: physical memory mapped 1:1 at KERNEL_BASE + phys
//                          by 4 MiB pages (PSE), supervisor only

export const PAGE_SIZE = 4096;
export const KERNEL_BASE = 0xe0000000;
export const USER_TOP = 0xc0000000;
export const SMALL_REGION = 0xc0000000;
export const SMALL_REGION_BYTES = 0x20000000;

export const KERNEL_TEXT = 0x100000;
export const KERNEL_TEXT_BYTES = 0x10000;
// Kernel data. The objects every IPC touches sit at different offsets modulo 4 KiB
// (the P54C's L1 caches are 2-way sets of 4 KiB): TCB fields are at offset 0 of their
// TCB, so the GDT (read by INT and IRET), the TSS and the globals keep clear of it.
export const KERNEL_DATA = 0x110000;
export const GDT = KERNEL_DATA + 0x200;
export const GDT_ENTRIES = 64;
export const IDT = KERNEL_DATA + 0x800;
export const TSS = KERNEL_DATA + 0x1480;
/** kernel globals the IPC path reads: current thread, ready-queue heads, … */
export const KERNEL_GLOBALS = KERNEL_DATA + 0x1500;
export const G_CURRENT = KERNEL_GLOBALS + 0x0;
export const G_READY_HEADS = KERNEL_GLOBALS + 0x40; // 256 priorities × 4 bytes
export const IDLE_STACK_TOP = KERNEL_DATA + 0x3000;
/** the kernel page directory (template for every task's kernel part) */
export const KERNEL_PDIR = KERNEL_DATA + 0x4000;

export const TCB_ARRAY = 0x200000;
export const TCB_BYTES = 1024;
export const MAX_TASKS = 256;
export const LTHREADS_PER_TASK = 16;
export const FRAME_POOL = 0x600000;
export const FRAME_POOL_END = 0xa00000;
export const SIGMA0_MEMORY = 0xa00000;

/** TCB field offsets (the dwords the kernel paths touch; the kernel stack grows down from the TCB's end). */
export const TCB = {
  STATE: 0x00,
  PARTNER: 0x04,
  PRIO: 0x08,
  TIMESLICE: 0x0c,
  READY_NEXT: 0x10,
  READY_PREV: 0x14,
  SPACE: 0x18,
  KERNEL_ESP: 0x1c,
  SEND_NEXT: 0x20,
  TIMEOUT: 0x24,
  PAGER: 0x28,
  MSG_BUFFER: 0x2c,
  /** the thread's x87 state (108-byte FNSAVE image) while another thread owns the FPU */
  FPU: 0x100,
} as const;

/** GDT slots and selectors. */
export const KERNEL_CS = 0x08;
export const KERNEL_DS = 0x10;
// User selectors at native Linux i386's values (__USER_CS 0x23, __USER_DS 0x2b), so a
// program that reads its segment registers (MOV r,Sreg; PUSH DS) sees what it sees on
// Linux — L4Linux's binary compatibility. L4 does not care which slots they use.
export const USER_CS = 0x23; // index 4, RPL 3: base 0, limit 3 GiB
export const USER_DS = 0x2b; // index 5, RPL 3
export const TSS_SEL = 0x30; // index 6
/** small space n (1..): code at GDT index 8+2(n-1), data at 9+2(n-1), RPL 3 */
export const FIRST_SMALL_GDT = 8;
export const smallCs = (n: number): number => ((FIRST_SMALL_GDT + 2 * (n - 1)) << 3) | 3;
export const smallDs = (n: number): number => ((FIRST_SMALL_GDT + 2 * (n - 1) + 1) << 3) | 3;
export const MAX_SMALL_SPACES = (GDT_ENTRIES - FIRST_SMALL_GDT) / 2;

/** Linear address of a physical address through the kernel's 1:1 window. */
export const kernelLinear = (phys: number): number => (KERNEL_BASE + phys) >>> 0;

/** Software-interrupt vectors of the L4 system calls (L4 reference manual, x86: int 0x30–0x36). */
export const SYSCALL_VECTOR = {
  IPC: 0x30,
  ID_NEAREST: 0x31,
  FPAGE_UNMAP: 0x32,
  THREAD_SWITCH: 0x33,
  THREAD_SCHEDULE: 0x34,
  LTHREAD_EX_REGS: 0x35,
  TASK_NEW: 0x36,
} as const;
/** Hardware IRQ 0–15 arrive at vectors 0x20–0x2F (PICs reprogrammed at boot). */
export const IRQ_VECTOR_BASE = 0x20;
