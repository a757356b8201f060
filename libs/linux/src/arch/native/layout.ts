// Where native Linux 2.0 puts things (include/asm-i386/segment.h, arch/i386/kernel/head.S,
// include/linux/sched.h of 2.0, in our numbers).
//
// Physical memory:
//   0x000000–0x0FFFFF  low memory, unused (BIOS, VGA on a real PC)
//   0x100000–0x17FFFF  kernel text (the entry stubs at its start; the rest is the code
//                      range the path profiles fetch)
//   0x180000–0x1FFFFF  kernel data: GDT, IDT, swapper_pg_dir, sys_call_table, globals
//   0x200000–end       free pages (the core's page allocator)
//
// Linear: the kernel segments have base 0xC0000000 (2.0's KERNEL_CS/KERNEL_DS), so a
// kernel offset is a physical address and its linear address is 0xC0000000 + phys,
// mapped in every page directory by 4 MiB pages (PSE, as 2.0 did on Pentiums).

export const PAGE_OFFSET = 0xc0000000;
export const KERNEL_TEXT = 0x100000;
export const KERNEL_TEXT_BYTES = 0x80000;
export const KERNEL_DATA = 0x180000;
export const FREE_MEMORY_START = 0x200000;

/** Selectors (2.0: KERNEL_CS 0x10, KERNEL_DS 0x18, USER_CS 0x23, USER_DS 0x2B). */
export const KERNEL_CS = 0x10;
export const KERNEL_DS = 0x18;
export const USER_CS = 0x23;
export const USER_DS = 0x2b;

/** 2.0: FIRST_TSS_ENTRY 8, FIRST_LDT_ENTRY 9, two GDT slots per task, NR_TASKS 512. */
export const FIRST_TSS_ENTRY = 8;
export const NR_TASKS = 512;
export const GDT_ENTRIES = FIRST_TSS_ENTRY + 2 * NR_TASKS;
export const tssSelector = (slot: number): number => (FIRST_TSS_ENTRY + 2 * slot) << 3;
export const ldtSelector = (slot: number): number => (FIRST_TSS_ENTRY + 2 * slot + 1) << 3;

/** Kernel data layout (offsets are physical addresses). */
export const GDT = KERNEL_DATA; // 8 KiB + 64 bytes
export const IDT = KERNEL_DATA + 0x2400; // 2 KiB
export const DEFAULT_LDT = KERNEL_DATA + 0x2c00; // one empty descriptor (2.0's default_ldt)
export const SWAPPER_PG_DIR = KERNEL_DATA + 0x3000; // 4 KiB, page aligned
export const SYS_CALL_TABLE = KERNEL_DATA + 0x4000; // 256 × 4 bytes
/** kernel globals the entry path reads: current_set, need_resched, intr_count, bh_mask, bh_active, task[] */
export const KERNEL_GLOBALS = KERNEL_DATA + 0x4400;
export const G_CURRENT = KERNEL_GLOBALS + 0x00;
export const G_NEED_RESCHED = KERNEL_GLOBALS + 0x04;
export const G_INTR_COUNT = KERNEL_GLOBALS + 0x08;
export const G_BH_MASK = KERNEL_GLOBALS + 0x0c;
export const G_BH_ACTIVE = KERNEL_GLOBALS + 0x10;
export const G_JIFFIES = KERNEL_GLOBALS + 0x14;
export const G_XTIME = KERNEL_GLOBALS + 0x18;
export const G_TASK_ARRAY = KERNEL_GLOBALS + 0x40; // task[NR_TASKS], 2 KiB

/** Offsets inside a task-struct page (2.0 embeds the TSS in task_struct as `tss`). */
export const TS_STATE = 0x00;
export const TS_COUNTER = 0x04;
export const TS_PRIORITY = 0x08;
export const TS_SIGNAL = 0x0c;
export const TS_BLOCKED = 0x10;
export const TS_FLAGS = 0x14;
export const TS_NEXT_RUN = 0x1c;
export const TS_PID = 0x40;
export const TS_MM = 0x80;
export const TS_FILES = 0xa0;
export const TS_SIGACTION = 0xc0;
export const TS_TSS = 0x300;
export const TS_I387 = 0x380; // 108-byte FNSAVE image

export const linear = (phys: number): number => (PAGE_OFFSET + phys) >>> 0;
