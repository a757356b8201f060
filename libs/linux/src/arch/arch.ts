// The seam between the architecture-independent Linux core and the three
// architectures it runs on. Everything native Linux, L4Linux and MkLinux do
// differently sits behind this interface; the core (src/core) never touches the
// CPU, the IDT or a µ-kernel directly.
//
//   native  the core IS the kernel: ring 0 at 0xC0000000, int 0x80, #PF, TSS switch
//   l4      the core runs in the Linux server, an L4 task (arch/l4, later)
//   mach    the core runs as a Mach task or co-located (arch/mach, later)

import type { LinuxKernel } from '../core/kernel';
import type { Mm } from '../core/mm/mm';
import type { Task } from '../core/task';
import type { CorePath } from '../core/core-paths';

/** A process's user-mode register state at a kernel entry (Linux's struct pt_regs). */
export interface UserRegs {
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
  esi: number;
  edi: number;
  ebp: number;
  esp: number;
  eip: number;
  eflags: number;
  cs: number;
  ss: number;
  ds: number;
  es: number;
  fs: number;
  gs: number;
}

/** Physical ranges [start, bytes] a path reads and writes. */
export interface PathTouch {
  read?: [number, number][];
  write?: [number, number][];
}

/** Why the kernel was entered from user mode for a fault (becomes a signal when unhandled). */
export interface TrapInfo {
  trapNo: number;
  errorCode: number;
  cr2: number;
}

export interface Arch {
  readonly name: 'native' | 'l4' | 'mach';

  /** Physical memory [start, end) the core's page allocator may hand out. */
  freeMemoryRange(): { start: number; end: number };

  /** Called once, after the core built its allocator and before the first task exists. */
  attach(kernel: LinuxKernel): void;

  /** Fills the kernel part of a freshly allocated page directory (native: the shared kernel mappings). */
  initPageDirectory(pgd: number): void;

  /** The core changed (or removed) the user mapping of `linear` in `mm`. */
  flushUserPage(mm: Mm, linear: number): void;
  /** The core changed many user mappings of `mm` (fork's write-protect, exec, munmap of a range). */
  flushUserAll(mm: Mm): void;

  /** Sets up the architecture state of a new task (native: TSS, GDT descriptor, kernel stack frame). */
  createTask(task: Task): void;
  /** Releases it when the task is reaped. */
  destroyTask(task: Task): void;
  /** The task got a new address space (exec) or its first one. */
  setAddressSpace(task: Task): void;

  /** User registers of the current task at the current kernel entry. */
  getUserRegs(task: Task): UserRegs;
  /**
   * The EIP at which a system call interrupted by a signal is issued again (SA_RESTART,
   * ERESTARTNOINTR): the start of the instruction that entered the kernel. Without this
   * method it is EIP - 2, the `int $0x80` (native Linux, MkLinux's redirected trap).
   */
  syscallRestartEip?(task: Task, regs: UserRegs): number;
  /** Replaces them (signal delivery, sigreturn, exec). */
  setUserRegs(task: Task, regs: UserRegs): void;
  /** Stores a system call's return value (EAX). */
  setSyscallResult(task: Task, value: number): void;
  /** True when the current kernel entry came from user mode (a signal may be delivered on the way back). */
  enteredFromUser(task: Task): boolean;

  /** Prepares a forked child to return to user mode with `regs` (EAX = 0 already set by the core). */
  prepareForkChild(child: Task, regs: UserRegs): void;
  /** Makes `task` start in user mode at eip/esp with cleared registers (exec, the first process). */
  startUserThread(task: Task, eip: number, esp: number): void;

  /**
   * Switches the CPU from `prev` to `next`. `prev` continues, when it is switched
   * back to, in the core's resume path (which continues a parked system call and
   * then runs the return-to-user checks). After this call the caller must not touch
   * prev's CPU state.
   */
  switchTo(prev: Task, next: Task): void;

  /**
   * A signal became deliverable to `task`, which is neither the current task nor
   * asleep in the kernel. Native: nothing (it is delivered at the task's next kernel
   * entry, at the latest the next timer tick). L4Linux: the process's signal thread
   * forces it into the server (ex_regs), as it never enters the server on its own.
   */
  notifySignal?(task: Task): void;

  /**
   * Charges a kernel path of the core (the arch's cost table has the profile). `units`
   * scales per-item paths (bytes, PTEs, tasks); `touch` names the physical memory the
   * path reads and writes beyond the kernel objects the profile knows (page copies,
   * user buffers), so it goes through the data TLB and caches.
   */
  charge(path: CorePath, task: Task | null, units?: number, touch?: PathTouch): void;

  /** Current emulated time in cycles of the 133 MHz clock. */
  cycles(): number;
  readonly cpuHz: number;

  /** Bytes written to the console device: a process's tty output (stdout: any fd but 2, stderr: fd 2) or kernel messages. */
  consoleWrite(bytes: Uint8Array, stream: 'stdout' | 'stderr' | 'kernel'): void;

  /**
   * Routes device interrupt line `irq` to the core (LinuxKernel.onIrq) and enables it
   * (native: the IDT's IRQ stub and the 8259A mask; L4Linux: an interrupt thread).
   * Absent, or false: the line is not delivered and the core polls the device on its
   * timer ticks instead.
   */
  attachIrq?(irq: number): boolean;

  /** Stops the machine (init exited, kernel panic). */
  halt(reason: string): void;
}
