// L4Linux: the Linux core as the Linux server, an L4 task (Härtig et al., SOSP'97;
// ../shared/reference/kernels.md "L4Linux").
//
//   - The server is L4 task SERVER_TASK. At boot it takes physical memory
//     [LINUX_BASE, memEnd) from sigma0, mapped 1:1 into its address space; the core's
//     page allocator hands out exactly that memory, so a Linux page's physical address
//     is also its address in the server.
//   - The server's main thread is TypeScript at user level (an L4 user-loop thread,
//     HOSTCALL fromUser): `step` runs between two of its IPCs with the last message in
//     the registers, and sets up the next IPC (a reply, or reply-and-wait).
//   - Every Linux process is an L4 task whose thread 0 has the server as pager and as
//     exception handler. Its page faults arrive as page-fault IPC; the server resolves
//     them with the core's mm (the Linux page table, kept beside L4's) and replies with
//     a map item of its 1:1 page.
//   - System calls: the process's emulation library (emulib.ts) calls the server by
//     IPC; an unmodified `int $0x80` raises #GP (error 0x402), which L4 reflects to the
//     library's handler thread inside the process (lthread 1, the main thread's
//     exception handler); it redirects the main thread into the library with
//     lthread_ex_regs (trampoline). Other exceptions are forwarded by that thread to
//     the server, which turns them into signals.
//   - Copy in/out: the core's UserAccess walks the process's Linux page table in
//     software and copies through physical memory — the server's 1:1 mapping.
//   - Scheduling: L4 schedules the processes. The core's `current` is the process whose
//     request the server serves; a process that the core switches away from inside the
//     server (it sleeps in a system call, or is preempted on the way out) gets no reply
//     until the core resumes it, and stays blocked in its IPC meanwhile.
//
// Shortcuts of this slice (documented, each a place to grow):
//   - The server creates and deletes process tasks, activates threads and flushes
//     mappings through the L4 kernel object (what task_new, lthread_ex_regs and
//     fpage_unmap do), not by executing those system calls from its user loop; the
//     L4 costs of flushes are charged (L4_COSTS.flushPage per page), task creation is not.
//   - L4's page-fault and exception messages carry no user ESP (and the latter no
//     general registers): for a fault or a forwarded exception the server reads them
//     from the thread's TCB and trap frame (k.frame), for the stack-growth check and
//     signal frames. A signal handler for a fault is entered by cancelling the fault IPC
//     and setting EIP/ESP (what the signal thread's ex_regs would do).
//   - The timer is a server thread sleeping in 10 ms IPC timeouts (L4 owns the PIT), not
//     an IRQ 0 thread; no other interrupt threads. No signal thread: the server itself
//     redirects a process running in user mode into the library's signal entry (what
//     the signal thread's ex_regs does; notifySignal).
import { PHASE, Reg, registerUserPhaseMarks, type Machine } from '@mklab/pentium';
import {
  L4_COSTS,
  NO_PHASE,
  IPC_ERR,
  IPC_ERR_MASK,
  L4Kernel,
  ThreadState,
  PAGE_SIZE as L4_PAGE,
  encodeTimeouts,
  fpage,
  interruptId,
  lthreadOf,
  taskOf,
  threadId,
  type Task as L4Task,
  type Thread as L4Thread,
  type UserThreadContext,
  type KernelCpu,
} from '@mklab/l4';
import type { Arch, PathTouch, UserRegs } from '../arch';
import type { CorePath } from '../../core/core-paths';
import type { Mm } from '../../core/mm/mm';
import { Task } from '../../core/task';
import { KernelError } from '../../core/errno';
import { PAGE_SIZE } from '../../core/phys-mem';
import { PTE_FRAME, PTE_P, PTE_RW } from '../../core/mm/page-table';
import { signalStatus } from '../../core/signal';
import { linuxPte, linuxPteRaw } from '../server/linux-pte';
import { LinuxServerArch, type ServerEntry } from '../server/linux-server-arch';
import { ServerCharger } from '../server/server-charger';
import { assembleEmuLib, EMU_BASE, EMU_BYTES, EMU_DATA, EMU_FRAME_BYTES, EMU_IDT_LIMIT, SIGNAL_TAG, SYSCALL_TAG, TRAP13_TAG, type EmuLib } from './emulib';
import {
  coreProfile,
  D_SYS_CALL_TABLE,
  EMU_PAGE_OFFSET,
  SERVER_DATA_OFFSET,
  SERVER_FLUSH,
  SERVER_PAGER,
  SERVER_RESERVED,
  SERVER_SYSCALL_ENTRY,
  SERVER_SWITCH_TO,
  SERVER_SYSCALL_EXIT,
  serverLoopOffset,
  type ServerProfile,
} from './costs';

/** L4 task number of the Linux server (sigma0 is 2). */
export const SERVER_TASK = 4;
/** L4 task numbers for Linux processes */
export const FIRST_PROCESS_TASK = 8;
const LAST_PROCESS_TASK = 255;
/** physical memory the server takes from sigma0 (16 MiB up; below: L4's kernel, frame pool, sigma0's first pages) */
export const LINUX_BASE = 0x1000000;
/** left to sigma0 at the top of memory (its code page, boot-time frames of other tasks) */
const SIGMA0_RESERVE = 0x100000;
/** priorities: the server above its processes (L4Linux), sigma0 at 120; a process's handler thread above its main thread */
const SERVER_PRIO = 150;
const PROCESS_PRIO = 100;
const HANDLER_PRIO = 110;
/** a process's threads: 0 main, 1 the emulation library's exception handler, 2 the signal thread */
const SIGNAL_LTHREAD = 2;
/**
 * Interrupt threads above the bottom-half thread above the main server thread (L4Linux:
 * "interrupt threads have higher priority than the main server thread"); device IRQ
 * threads above the timer's, as the 8259A ranks IRQ 0 first but the timer here is a
 * timeout, not a line.
 */
const TIMER_PRIO = 160;
const IRQ_PRIO = 170;
const BH_PRIO = 155;
/** server lthreads: 0 main, 1 timer, 2 bottom halves, 3.. one per attached IRQ */
const TIMER_LTHREAD = 1;
const BH_LTHREAD = 2;
const FIRST_IRQ_LTHREAD = 3;
const SERVER_LTHREADS = 16;
/** HZ = 100: the Linux tick, as an IPC timeout of 10 ms */
const TICK_US = 10_000;
/** w2 of the bottom-half thread's "replies are queued" message to the main thread */
const BH_TAG = 0xfffffffe;

/** One interrupt thread of the server: IRQ `irq` (or the timer's 10 ms timeout) → its top half. */
interface InterruptThread {
  irq: number;
  id: number;
  top: () => void;
  /** the thread's last IPC: 'wait' for its interrupt, or the 'kick' of the bottom-half thread */
  last: 'none' | 'wait' | 'kick';
}
const REPLY_TIMEOUTS = encodeTimeouts({ send: 0 });
const EFLAGS_IF = 0x200;

type Waiting = 'none' | 'syscall' | 'fault' | 'trap';

/** A process in the server (ServerEntry: the request being served; `full`: the reply installs a whole new frame). */
interface Proc extends ServerEntry {
  l4: L4Task | null;
  waiting: Waiting;
  /** the thread the reply goes to (lthread 0, or the emulation library's handler thread) */
  replyTo: number;
  /** the emulation library's private data page (physical), 0 until touched */
  emuData: number;
  /** the main thread was redirected to the signal entry and has not arrived yet */
  signalRedirect: boolean;
}

interface Reply {
  to: number;
  eax: number;
  edx: number;
  ebx: number;
  edi: number;
  /** a message to this process's signal thread (not a reply) */
  signalFor?: Task;
  /** the process the reply goes to */
  task?: Task;
}

export interface L4ArchOptions {
  /** the server in a small address space (Pentium segment trick: no TLB flush on process ↔ server switches) */
  smallSpaces?: boolean;
}

export class L4Arch extends LinuxServerArch<Proc> implements Arch {
  readonly name = 'l4' as const;
  readonly server: L4Task;
  readonly serverThreadId: number;
  readonly emu: EmuLib;
  private readonly memEnd: number;
  private readonly byL4Task = new Map<number, Task>();
  private readonly freeTasks: number[] = [];
  private readonly outbox: Reply[] = [];
  /** the message of the main thread's last send phase */
  private lastSent: Reply | null = null;
  /** processes whose signal thread missed its message */
  private readonly owedSignals = new Set<Task>();
  /** the server loop has run once: the CPU is in the server's space whenever the core runs */
  private serving = false;
  /** the last IPC was a send-only reply (more replies queued behind it) */
  private sendingOnly = false;
  private readonly textBase: number;
  private readonly timerThreadId: number;
  private readonly timer: InterruptThread;
  private readonly irqThreads: InterruptThread[] = [];
  private readonly bhThreadId: number;
  /** a top half ran since the bottom-half thread last looked */
  private bhPending = false;
  /** the bottom-half thread's last IPC: its open wait, or its notification to the main thread */
  private bhLast: 'none' | 'wait' | 'notify' = 'none';
  private readonly dataBase: number;
  private readonly charger: ServerCharger;

  constructor(
    machine: Machine,
    readonly l4: L4Kernel,
    opts: L4ArchOptions = {},
  ) {
    super(machine, 'L4Linux', 'l4linux');
    const size = machine.memory.size;
    this.memEnd = size - SIGMA0_RESERVE;
    if (this.memEnd - LINUX_BASE < 4 << 20) throw new Error(`L4Linux: needs at least ${(LINUX_BASE + SIGMA0_RESERVE + (4 << 20)) >> 20} MiB of memory`);
    for (let n = FIRST_PROCESS_TASK; n <= LAST_PROCESS_TASK; n++) this.freeTasks.push(n);
    // the server task, in a small space if asked (it must hold its 1:1 window and its loop page)
    let small = 0;
    if (opts.smallSpaces) {
      small = 1 << 22;
      while (small < size) small *= 2;
    }
    this.server = l4.createTask(SERVER_TASK, small);
    // physical memory from sigma0, 1:1
    l4.sigma0.mapTo(this.server, LINUX_BASE, LINUX_BASE, this.memEnd - LINUX_BASE, true);
    this.textBase = LINUX_BASE;
    this.dataBase = LINUX_BASE + SERVER_DATA_OFFSET;
    this.charger = new ServerCharger({ machine, textBase: this.textBase, dataBase: this.dataBase, sysCallTable: D_SYS_CALL_TABLE, linear: (a) => this.lin(a), coreProfile, profilePrefix: 'l4linux.' });
    machine.memory.fill(LINUX_BASE, SERVER_RESERVED, 0);
    this.serverThreadId = (this.server.threads[0] as L4Thread).id;
    this.emu = assembleEmuLib(this.serverThreadId);
    // the library's phase marks (emulib.ts), honoured inside its pages only
    registerUserPhaseMarks(machine, 'l4linux.emulib', [PHASE.EMU_ENTER, PHASE.USER], (eip) => eip - EMU_BASE >= 0 && eip - EMU_BASE < EMU_BYTES);
    machine.memory.writeBytes(LINUX_BASE + EMU_PAGE_OFFSET, Uint8Array.from(this.emu.bytes));
    l4.startUserThread(this.server, 0, (cpu, ctx) => this.step(cpu, ctx), { prio: SERVER_PRIO, pager: l4.sigma0.id, code: this.textBase + serverLoopOffset(0) });
    this.timerThreadId = threadId(SERVER_TASK, TIMER_LTHREAD);
    this.bhThreadId = threadId(SERVER_TASK, BH_LTHREAD);
    // the timer: the core's do_timer as the top half, every 10 ms (an L4 timeout: L4 owns the PIT)
    this.timer = { irq: -1, id: this.timerThreadId, top: () => this.kernel.onTimerInterrupt(), last: 'none' };
    this.startServerThread(TIMER_LTHREAD, (cpu) => this.interruptStep(this.timer, cpu), TIMER_PRIO);
    this.startServerThread(BH_LTHREAD, (cpu) => this.bottomHalfStep(cpu), BH_PRIO);
  }

  // ------------------------------------------------------------------ Arch: memory

  freeMemoryRange(): { start: number; end: number } {
    return { start: LINUX_BASE + SERVER_RESERVED, end: this.memEnd };
  }

  flushUserPage(mm: Mm, linear: number): void {
    for (const [task, p] of this.procs) {
      if (task.mm !== mm || !p.l4) continue;
      const n = this.l4.mdb.flush(p.l4.space, linear - (linear % L4_PAGE), true, false);
      this.chargeFlush(n);
    }
  }

  flushUserAll(mm: Mm): void {
    for (const [task, p] of this.procs) {
      if (task.mm !== mm || !p.l4) continue;
      let n = 0;
      for (const v of this.l4.mdb.pagesIn(p.l4.space, 0, p.l4.space.userBytes)) {
        if (v >= EMU_BASE && v < EMU_BASE + EMU_BYTES) continue; // the emulation library's pages are not Linux's
        n += this.l4.mdb.flush(p.l4.space, v, true, false);
      }
      this.chargeFlush(n);
    }
  }

  private chargeFlush(pages: number): void {
    if (!this.serving || pages === 0) return;
    this.l4.bump('flushedPages', pages);
    this.chargeServer({ ...SERVER_FLUSH, instructions: SERVER_FLUSH.instructions + SERVER_FLUSH.perPage * pages });
    for (let i = 0; i < pages; i++) this.l4.charge(L4_COSTS.flushPage);
  }

  // ------------------------------------------------------------------ Arch: tasks

  createTask(task: Task): void {
    if (task.isIdle) return;
    const n = this.freeTasks.shift();
    if (n === undefined) throw new KernelError(11 /* EAGAIN */, 'L4Linux: out of L4 tasks');
    const l4 = this.l4.createTask(n, 0);
    // exceptions of the main thread go to the emulation library's handler thread in the same task
    (l4.threads[0] as L4Thread).exceptionHandler = threadId(n, 1);
    (l4.threads[1] as L4Thread).exceptionHandler = this.serverThreadId;
    // the emulation library's user-level IDT (what its LIDT would load): `int $0x80` reflected in-thread
    this.l4.setUserIdt(l4, this.emu.idt, EMU_IDT_LIMIT);
    this.byL4Task.set(n, task);
    task.arch.l4task = n;
    this.procs.set(task, { l4, regs: null, waiting: 'none', full: false, switchedAway: false, faultAddr: 0, faultWrite: false, replyTo: 0, emuData: 0, signalRedirect: false });
  }

  destroyTask(task: Task): void {
    this.owedSignals.delete(task);
    const p = this.procs.get(task);
    if (!p) return;
    this.dropL4Task(task, p);
    this.procs.delete(task);
  }

  private dropL4Task(task: Task, p: Proc): void {
    if (!p.l4) return;
    this.byL4Task.delete(p.l4.number);
    this.l4.deleteTask(p.l4);
    if (p.emuData) this.kernel.pages.put(p.emuData);
    p.emuData = 0;
    this.freeTasks.push(p.l4.number);
    this.freeTasks.sort((a, b) => a - b);
    p.l4 = null;
    p.waiting = 'none';
    void task;
  }

  setAddressSpace(task: Task): void {
    const p = this.procs.get(task);
    // exit: the process's L4 task goes with its memory (its thread waits for no reply)
    if (p && !task.mm) this.dropL4Task(task, p);
  }

  // ------------------------------------------------------------------ Arch: registers

  /**
   * Where a system call interrupted by a signal is issued again (SA_RESTART): the
   * `int $0x80` the trampoline path came from (2 bytes before the return address), or
   * the IPC libc's `call EMU_ENTRY` (5 bytes: E8 rel32 whose target is the entry).
   */
  syscallRestartEip(task: Task, regs: UserRegs): number {
    const ret = regs.eip >>> 0;
    try {
      const b = this.kernel.uaccess.copyFrom(task.mm!, ret - 5, 5);
      const target = (ret + (b[1] | (b[2] << 8) | (b[3] << 16) | (b[4] << 24))) >>> 0;
      if (b[0] === 0xe8 && target === this.emu.entry) return (ret - 5) >>> 0;
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
    }
    return (ret - 2) >>> 0;
  }

  prepareForkChild(child: Task, regs: UserRegs): void {
    const p = this.procs.get(child);
    if (!p?.l4 || !child.mm) throw new Error(`L4Linux: fork child pid ${child.pid} has no task or memory`);
    // the child starts in the emulation library's restore path on a frame holding the parent's registers (EAX = 0)
    const frame = this.writeFrame(child.mm, { ...regs, eax: 0 });
    // the child's x87 state is the parent's (2.0's copy_thread copies the FPU image)
    const parent = this.kernel.current;
    const pp = parent ? this.procs.get(parent) : undefined;
    if (pp?.l4) this.l4.fpu.copy(pp.l4.threads[0] as L4Thread, p.l4.threads[0] as L4Thread);
    this.startThreads(p.l4, this.emu.restore, frame);
  }

  startUserThread(task: Task, eip: number, esp: number): void {
    const p = this.procs.get(task);
    if (!p?.l4) throw new Error(`L4Linux: pid ${task.pid} has no L4 task`);
    const regs: UserRegs = { eax: 0, ebx: 0, ecx: 0, edx: 0, esi: 0, edi: 0, ebp: 0, esp, eip, eflags: EFLAGS_IF | 2, cs: 0, ss: 0, ds: 0, es: 0, fs: 0, gs: 0 };
    if (p.waiting !== 'none') {
      // exec inside a system call: the reply installs the new registers; the FPU starts afresh
      p.regs = regs;
      p.full = true;
      this.l4.fpu.reset(p.l4.threads[0] as L4Thread);
      return;
    }
    // the first process: its thread starts at the entry point
    this.startThreads(p.l4, eip, esp);
  }

  /** Starts a process's main thread and its emulation library's handler thread. */
  private startThreads(l4: L4Task, eip: number, esp: number): void {
    this.l4.activate(l4.threads[1] as L4Thread, this.emu.handler, 0, this.serverThreadId, HANDLER_PRIO);
    this.l4.activate(l4.threads[SIGNAL_LTHREAD] as L4Thread, this.emu.sigthread, 0, this.serverThreadId, HANDLER_PRIO);
    this.l4.activate(l4.threads[0] as L4Thread, eip, esp, this.serverThreadId, PROCESS_PRIO);
  }

  /**
   * A signal for a process that runs (or is ready) in user mode: L4Linux's signal thread
   * redirects the main thread with lthread_ex_regs into the emulation library's signal
   * entry, which enters the server like a system call; the core delivers the signal on
   * the way back. Here the server does the redirection itself (the signal thread's
   * message + ex_regs: charged as one ex_regs, approx.). A thread in an IPC (its own
   * trampoline, a page fault) is left alone: it enters the server anyway.
   */
  notifySignal(task: Task): void {
    const p = this.procs.get(task);
    if (!p?.l4 || p.waiting !== 'none' || p.signalRedirect) return;
    const t0 = p.l4.threads[0] as L4Thread;
    if (t0.state !== ThreadState.Ready) return; // in an IPC (to the server or its handler): it enters the server anyway
    // a message to the process's signal thread, sent with the replies (it does not wait: timeout 0)
    this.outbox.push({ to: threadId(p.l4.number, SIGNAL_LTHREAD), eax: 0, edx: 0, ebx: 0, edi: 0, signalFor: task });
    p.signalRedirect = true;
    this.l4.bump('l4linux.signalRedirects');
  }

  // ------------------------------------------------------------------ the server loop

  /** The server's main thread between two IPCs: the last message is in the registers. */
  private step(cpu: KernelCpu, ctx: UserThreadContext): void {
    void ctx;
    if (!this.serving) {
      this.serving = true;
      this.nextIpc(cpu);
      return;
    }
    const result = cpu.getReg(Reg.EAX) >>> 0;
    const sent = this.lastSent;
    // a signal thread that was not waiting (timeout 0): let the next notifySignal try again
    if (sent?.signalFor && isSendError(result)) {
      // the signal thread was not waiting (timeout 0; e.g. it has not run yet): the bottom-half
      // thread tries again after the next tick, as native Linux delivers at the latest then
      const p = this.procs.get(sent.signalFor);
      if (p) p.signalRedirect = false;
      this.owedSignals.add(sent.signalFor);
    }
    if (this.sendingOnly) {
      this.sendingOnly = false;
      this.nextIpc(cpu);
      return;
    }
    if ((result & IPC_ERR_MASK) !== IPC_ERR.OK) {
      // a reply to a process that is gone, or a cancelled wait: just wait again
      this.l4.bump('l4linux.ipcErrors');
      this.nextIpc(cpu);
      return;
    }
    const sender = cpu.getReg(Reg.ESI) >>> 0;
    if (sender === this.bhThreadId) {
      // the bottom-half thread settled what interrupts woke: send the replies it queued
      this.nextIpc(cpu);
      return;
    }
    const w2 = cpu.getReg(Reg.EDI) >>> 0;
    const start = this.machine.counters.cycles;
    this.machine.phases.enter(PHASE.KERNEL); // phase accounting (contracts.md): the Linux server's work
    this.handle(sender, cpu.getReg(Reg.EDX) >>> 0, cpu.getReg(Reg.EBX) >>> 0, w2);
    this.settle(this.byL4Task.get(taskOf(sender)) ?? null);
    this.nextIpc(cpu);
    // the reply's IPC from here to the client's first user instruction (its library's, for a system call)
    this.machine.phases.enter(PHASE.IPC_REPLY);
    if (!this.sendingOnly) this.machine.phases.enterOnUserReturn(w2 === SYSCALL_TAG ? PHASE.EMU_LEAVE : PHASE.USER);
    if (w2 === SYSCALL_TAG) {
      // the per-phase breakdown's "Linux server" share: from the request's arrival to the reply's set-up
      this.l4.bump('l4linux.syscallRequests');
      this.l4.bump('l4linux.syscallServerCycles', this.machine.counters.cycles - start);
    }
  }

  private startServerThread(lthread: number, step: (cpu: KernelCpu) => void, prio: number): void {
    this.l4.startUserThread(this.server, lthread, (cpu) => step(cpu), { prio, pager: this.l4.sigma0.id, code: this.textBase + serverLoopOffset(lthread) });
  }

  /**
   * Routes device interrupt line `irq` to the core (Arch.attachIrq): a server thread
   * of its own, attached to the IRQ in L4 (a closed receive from the interrupt's id),
   * runs the core's handler (LinuxKernel.onIrq: the driver's top half) at a priority
   * above the main server thread's, then kicks the bottom-half thread. `top` replaces
   * the core's handler (a device outside the core; tests). False for IRQ 0
   * (L4's clock), the cascade, a line out of range, or no thread slot left.
   */
  attachIrq(irq: number, top?: () => void): boolean {
    if (!(Number.isInteger(irq) && irq >= 1 && irq < 16 && irq !== 2)) return false;
    if (this.irqThreads.some((x) => x.irq === irq)) return true;
    const lthread = FIRST_IRQ_LTHREAD + this.irqThreads.length;
    if (lthread >= SERVER_LTHREADS) return false;
    const it: InterruptThread = {
      irq,
      id: threadId(SERVER_TASK, lthread),
      // the core's device-interrupt entry (LinuxKernel.onIrq) when the core has one
      top: top ?? (() => (this.kernel as unknown as { onIrq?(irq: number): void }).onIrq?.(irq)),
      last: 'none',
    };
    this.irqThreads.push(it);
    this.startServerThread(lthread, (cpu) => this.interruptStep(it, cpu), IRQ_PRIO);
    this.l4.bump('l4linux.irqThreads');
    return true;
  }

  /**
   * An interrupt thread between two IPCs: wait for the interrupt (a closed receive from
   * its id; the timer's is a receive from itself with a 10 ms timeout, L4's sleep), run
   * the top half for the idle task (no process is in the server between requests:
   * processes run in user mode under L4, so user time is not accounted per tick —
   * documented), and kick the bottom-half thread (a send that does not wait: if the
   * thread is busy it sees bhPending before it waits again).
   */
  private interruptStep(it: InterruptThread, cpu: KernelCpu): void {
    const wait = (): void => {
      it.last = 'wait';
      cpu.setReg(Reg.EAX, NO_PHASE);
      cpu.setReg(Reg.EBP, 0); // closed receive
      if (it.irq < 0) {
        cpu.setReg(Reg.ESI, it.id); // from itself: only the timeout ends it
        cpu.setReg(Reg.ECX, encodeTimeouts({ receive: TICK_US }));
      } else {
        cpu.setReg(Reg.ESI, interruptId(it.irq));
        cpu.setReg(Reg.ECX, 0);
      }
    };
    if (it.last !== 'wait') return wait();
    const result = cpu.getReg(Reg.EAX) >>> 0;
    const err = result & IPC_ERR_MASK;
    const fired = it.irq < 0 ? err === IPC_ERR.RECV_TIMEOUT : err === IPC_ERR.OK;
    if (!fired || !this.serving || !this.kernel) return wait();
    if (it.irq >= 0) this.l4.bump('l4linux.deviceInterrupts');
    this.kernel.serve(this.kernel.idle);
    it.top();
    this.bhPending = true;
    it.last = 'kick';
    cpu.setReg(Reg.EAX, 0);
    cpu.setReg(Reg.EBP, NO_PHASE);
    cpu.setReg(Reg.ESI, this.bhThreadId);
    cpu.setReg(Reg.ECX, encodeTimeouts({ send: 0 }));
    cpu.setReg(Reg.EDX, it.irq >>> 0);
    cpu.setReg(Reg.EBX, 0);
    cpu.setReg(Reg.EDI, 0);
  }

  /**
   * The bottom-half thread (L4Linux: bottom halves run in a thread of their own, after
   * the top halves, below the interrupt threads): resumes the tasks a top half woke
   * (the core's wake-ups and reschedules: settle), and when that made replies possible
   * tells the main thread, which sends them (the processes wait for the main thread).
   */
  private bottomHalfStep(cpu: KernelCpu): void {
    if (this.bhLast === 'wait' && this.bhPending && this.serving && this.kernel) {
      this.bhPending = false;
      this.kernel.serve(this.kernel.idle);
      this.settle();
      for (const t of [...this.owedSignals]) {
        this.owedSignals.delete(t);
        if (t.pending & ~t.blocked) this.notifySignal(t);
      }
      this.l4.bump('l4linux.bottomHalfRuns');
      if (this.outbox.length > 0) {
        this.bhLast = 'notify';
        cpu.setReg(Reg.EAX, 0);
        cpu.setReg(Reg.EBP, NO_PHASE);
        cpu.setReg(Reg.ECX, 0); // waits until the main thread takes it
        cpu.setReg(Reg.ESI, this.serverThreadId);
        cpu.setReg(Reg.EDX, 0);
        cpu.setReg(Reg.EBX, 0);
        cpu.setReg(Reg.EDI, BH_TAG);
        return;
      }
    }
    if (this.bhPending && this.bhLast === 'notify') {
      // a kick came while it was notifying: look again before waiting
      this.bhLast = 'wait';
      return this.bottomHalfStep(cpu);
    }
    this.bhLast = 'wait';
    cpu.setReg(Reg.EAX, NO_PHASE);
    cpu.setReg(Reg.EBP, 1); // open receive: the interrupt threads' kicks
    cpu.setReg(Reg.ECX, 0);
  }

  /** Sets up the next IPC: a queued reply (send-only while more are queued, else reply-and-wait), or an open wait. */
  private nextIpc(cpu: KernelCpu): void {
    const r = this.outbox.shift();
    this.lastSent = null;
    if (!r) {
      cpu.setReg(Reg.EAX, NO_PHASE);
      cpu.setReg(Reg.EBP, 1); // open receive, registers only
      cpu.setReg(Reg.ECX, 0);
      return;
    }
    this.lastSent = r;
    cpu.setReg(Reg.ESI, r.to);
    cpu.setReg(Reg.EAX, r.eax);
    cpu.setReg(Reg.EDX, r.edx);
    cpu.setReg(Reg.EBX, r.ebx);
    cpu.setReg(Reg.EDI, r.edi);
    cpu.setReg(Reg.ECX, REPLY_TIMEOUTS);
    if (this.outbox.length > 0) {
      cpu.setReg(Reg.EBP, NO_PHASE);
      this.sendingOnly = true;
    } else {
      cpu.setReg(Reg.EBP, 1);
    }
  }

  private handle(sender: number, w0: number, w1: number, w2: number): void {
    const task = this.byL4Task.get(taskOf(sender));
    if (!task || lthreadOf(sender) > SIGNAL_LTHREAD) {
      this.l4.bump('l4linux.strayMessages');
      return;
    }
    const p = this.procs.get(task) as Proc;
    p.replyTo = sender;
    this.kernel.serve(task);
    if (w2 === SYSCALL_TAG) this.onSyscall(task, p, w1);
    else if (w2 === SIGNAL_TAG) this.onSignalEntry(task, p, w1);
    else if (w2 === TRAP13_TAG) this.onTrapFrame(task, p, 13, w0, w1);
    else if (w2 === 0) this.onPageFault(task, p, (w0 & ~3) >>> 0, (w0 & 2) !== 0);
    else this.onException(task, p, w0, w1, w2);
  }

  /** The main thread arrived at the signal entry: deliver what is pending, as on the way out of a system call. */
  private onSignalEntry(task: Task, p: Proc, frame: number): void {
    p.signalRedirect = false;
    if (!this.readFrame(task, p, frame)) return;
    task.syscallNr = -1; // no system call to restart
    this.kernel.retToUser(task);
  }

  /** A real #GP reflected into the process (not `int $0x80`): the library sent its registers as a frame. */
  private onTrapFrame(task: Task, p: Proc, vector: number, err: number, frame: number): void {
    if (!this.readFrame(task, p, frame)) return;
    this.kernel.onTrap(vector, err);
  }

  private onSyscall(task: Task, p: Proc, frame: number): void {
    this.chargeServer(SERVER_SYSCALL_ENTRY, task);
    if (this.readFrame(task, p, frame)) this.kernel.onSyscall();
  }

  /** copy_from_user of the library's frame: the registers of this entry. */
  private readFrame(task: Task, p: Proc, frame: number): boolean {
    let bytes: Uint8Array;
    try {
      bytes = this.kernel.uaccess.copyFrom(task.mm as Mm, frame, EMU_FRAME_BYTES);
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      this.kill(task, p, 11);
      return false;
    }
    const d = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const at = (i: number): number => d.getUint32(i * 4, true);
    p.regs = { eax: at(0), ebx: at(1), ecx: at(2), edx: at(3), esi: at(4), edi: at(5), ebp: at(6), eflags: at(7), eip: at(8), esp: (frame + EMU_FRAME_BYTES) >>> 0, cs: 0, ss: 0, ds: 0, es: 0, fs: 0, gs: 0 };
    p.waiting = 'syscall';
    p.full = false;
    return true;
  }

  private onPageFault(task: Task, p: Proc, addr: number, write: boolean): void {
    this.chargeServer(SERVER_PAGER, task);
    p.waiting = 'fault';
    p.faultAddr = addr;
    p.faultWrite = write;
    p.full = false;
    if (addr >= EMU_BASE && addr < EMU_BASE + EMU_BYTES) {
      if (addr < EMU_DATA && write) this.kill(task, p, 11);
      else if (addr >= EMU_DATA && !p.emuData) p.emuData = this.kernel.pages.alloc(true);
      return;
    }
    if (linuxPte(this.machine.memory, task, addr, write) !== 0) return; // L4 lost a mapping Linux has: map it again
    p.regs = this.threadRegs(p);
    const pte = linuxPteRaw(this.machine.memory, task, addr);
    this.kernel.onPageFault(addr, 4 | (write ? 2 : 0) | (pte & PTE_P ? 1 : 0));
  }

  /** An exception of the main thread other than `int $0x80`, forwarded by the emulation library's handler thread. */
  private onException(task: Task, p: Proc, vector: number, err: number, eip: number): void {
    void eip;
    p.regs = this.threadRegs(p);
    p.waiting = 'trap';
    p.full = false;
    this.kernel.onTrap(vector, err);
  }

  /** The process's registers as L4 holds them while its thread waits in a fault or exception IPC. */
  private threadRegs(p: Proc): UserRegs {
    const t = p.l4!.threads[0] as L4Thread;
    const f = this.l4.frame(t);
    const r = t.regs;
    return {
      eax: r[Reg.EAX] >>> 0,
      ebx: r[Reg.EBX] >>> 0,
      ecx: r[Reg.ECX] >>> 0,
      edx: r[Reg.EDX] >>> 0,
      esi: r[Reg.ESI] >>> 0,
      edi: r[Reg.EDI] >>> 0,
      ebp: r[Reg.EBP] >>> 0,
      esp: f.esp >>> 0,
      eip: f.eip >>> 0,
      eflags: f.eflags >>> 0,
      cs: 0,
      ss: 0,
      ds: 0,
      es: 0,
      fs: 0,
      gs: 0,
    };
  }

  private kill(task: Task, p: Proc, sig: number): void {
    p.regs ??= this.threadRegs(p);
    if (p.waiting === 'none') p.waiting = 'trap';
    this.kernel.doExit(task, signalStatus(sig, false));
  }

  /** Resumes the tasks the core switched away from and that can run again; queues the replies. */
  /** `caller`: the process whose request was just served (its reply goes last), null after an interrupt. */
  private settle(caller: Task | null = null): void {
    for (let guard = 0; ; guard++) {
      if (guard > 10000) throw new Error('L4Linux: the core keeps switching (resume loop)');
      const next = this.takeResumable();
      if (!next) break;
      this.kernel.serve(next);
      this.kernel.onResume();
    }
    const from = this.outbox.length;
    for (const [task, p] of this.procs) {
      if (!this.replyDue(task, p) || !p.l4) continue;
      const r = this.reply(task, p);
      p.waiting = 'none';
      p.regs = null;
      p.full = false;
      if (r) this.outbox.push({ ...r, task });
    }
    this.callerLast(this.outbox, from, caller);
  }

  private reply(task: Task, p: Proc): Reply | null {
    const to = p.replyTo;
    switch (p.waiting) {
      case 'syscall': {
        this.chargeServer(SERVER_SYSCALL_EXIT, task);
        const regs = p.regs as UserRegs;
        if (!p.full) return { to, eax: 0, edx: regs.eax, ebx: 0, edi: 0 };
        const frame = this.writeFrame(task.mm as Mm, regs);
        return { to, eax: 0, edx: regs.eax, ebx: frame, edi: 0 };
      }
      case 'trap': {
        // to the handler thread: the main thread's new EIP and ESP (keep both: restart the instruction)
        if (!p.full) return { to, eax: 0, edx: 0xffffffff, ebx: 0xffffffff, edi: 0 };
        const frame = this.writeFrame(task.mm as Mm, p.regs as UserRegs);
        return { to, eax: 0, edx: this.emu.restore, ebx: frame, edi: 0 };
      }
      case 'fault': {
        const page = p.faultAddr - (p.faultAddr % PAGE_SIZE);
        if (p.full) {
          // a signal handler runs: redirect the main thread (what the signal thread's ex_regs does)
          const frame = this.writeFrame(task.mm as Mm, p.regs as UserRegs);
          const t = p.l4!.threads[0] as L4Thread;
          this.l4.cancelIpc(t, IPC_ERR.SEND_CANCELLED, IPC_ERR.RECV_CANCELLED);
          this.l4.setFrameEipEsp(t, this.emu.restore, frame);
          return null;
        }
        if (page === EMU_BASE) return { to, eax: 2, edx: EMU_BASE, ebx: fpage(LINUX_BASE + EMU_PAGE_OFFSET, 12, false), edi: 0 };
        if (page === EMU_DATA) return p.emuData ? { to, eax: 2, edx: EMU_DATA, ebx: fpage(p.emuData, 12, true), edi: 0 } : null;
        const pte = linuxPte(this.machine.memory, task, p.faultAddr, p.faultWrite);
        // not resolvable (the core sent a signal whose default is ignored…): the thread faults again
        if (pte === 0) return { to, eax: 0, edx: 0, ebx: 0, edi: 0 };
        return { to, eax: 2, edx: page, ebx: fpage((pte & PTE_FRAME) >>> 0, 12, (pte & PTE_RW) !== 0), edi: 0 };
      }
      default:
        return null;
    }
  }

  /** Writes a whole emulation-library frame for `regs` just below regs.esp; returns its address. */
  private writeFrame(mm: Mm, regs: UserRegs): number {
    const frame = (regs.esp - EMU_FRAME_BYTES) >>> 0;
    const b = new Uint8Array(EMU_FRAME_BYTES);
    const d = new DataView(b.buffer);
    [regs.eax, regs.ebx, regs.ecx, regs.edx, regs.esi, regs.edi, regs.ebp, userEflags(regs.eflags), regs.eip].forEach((v, i) => d.setUint32(i * 4, v >>> 0, true));
    this.kernel.uaccess.copyTo(mm, frame, b);
    return frame;
  }

  // ------------------------------------------------------------------ costs

  charge(path: CorePath, task: Task | null, units = 1, touch?: PathTouch): void {
    if (!this.serving) return;
    this.charger.corePath(path, task ?? this.kernel.current, units, touch);
  }

  /** The server's main thread switches from prev's kernel context to next's: a stack switch (SERVER_SWITCH_TO). */
  protected chargeCoreSwitch(prev: Task, next: Task): void {
    void prev;
    this.chargeServer(SERVER_SWITCH_TO, next);
  }

  private chargeServer(p: ServerProfile, task?: Task): void {
    if (!this.serving) return;
    this.charger.serverPath(p, task);
  }

  /** Linear address of a server address (= physical address in its 1:1 window). */
  private lin(addr: number): number {
    return this.server.space.linear(addr);
  }
}

/** The IPC failed in its send phase (the partner was not waiting, is gone, or the send was cancelled). */
function isSendError(result: number): boolean {
  const e = result & IPC_ERR_MASK;
  return e === IPC_ERR.SEND_TIMEOUT || e === IPC_ERR.NOT_EXISTENT || e === IPC_ERR.SEND_CANCELLED;
}

/** EFLAGS a user frame may carry (POPFD at CPL 3 cannot change IF or IOPL anyway). */
function userEflags(v: number): number {
  return ((v & (0x00000dd5 | 0x40000 | 0x100)) | EFLAGS_IF | 2) >>> 0;
}

