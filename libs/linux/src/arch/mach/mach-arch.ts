// MkLinux: the Linux core as a single server on Mach 3 (libs/mach), in the two
// configurations of the paper (../shared/reference/kernels.md, "Mach 3 and MkLinux"):
//
//   user      the server is a Mach task. Its main thread is TypeScript at user level (a
//             Mach user-loop thread: HOSTCALL fromUser, then INT 0x81): `step` runs
//             between two of its mach_msg traps with the last message in its buffer and
//             sets up the next (a reply with a receive, or a receive). Requests cross
//             address spaces as messages; the server reaches user memory through Mach's
//             VM operations (vm_read / vm_write: charged per copy, MACH_CALLS).
//   inkernel  the server is co-located in the kernel's address space, in kernel mode:
//             its ports are kernel-served, so a redirected int 0x80 or a pager request
//             is handed to it inside the kernel (a kernel-internal message) and its
//             reply goes back the same way; user memory is reached directly.
//
// In both:
//   - Every Linux process is a Mach task with one thread. Its `int 0x80` is redirected
//     by Mach to its port at the server (task.syscallServer: exception_raise_state with
//     EXC_SYSCALL); its other exceptions go to the same port (task.exceptionPort) and
//     become signals. The server has one port per process (in a port set it receives on,
//     in the user configuration): the port a request arrives on names the process.
//   - Memory: the process's whole user range is one Mach memory object whose external
//     pager is the server. A fault becomes memory_object_data_request; the server
//     consults the Linux page table (running the core's fault handler when the page is
//     missing, or read-only for a write) and lends Mach the Linux page itself
//     (memory_object_physical_supply, read-only while Linux's PTE is); when the core
//     changes a mapping it takes pages back with memory_object_lock_request(flush).
//     Linux's page tables stay the truth, as in L4Linux (arch/l4). DEVIATION (documented):
//     MkLinux left user memory to Mach's VM (vm_allocate, vm_map, Mach's copy-on-write
//     fork) and its default pager; here the core's mm decides and Mach maps what the
//     server lends, so the same core serves all three systems.
//   - The server's memory is physical memory [LINUX_BASE, end), which Mach's page pool
//     leaves alone (MachBootOptions.vmPageTop); the user server sees it 1:1 in its map.
//   - Timer: HZ = 100. User: a server thread sleeping in a 10 ms receive timeout (a
//     message-driven tick: the timeout wakes it). In-kernel: an upcall from Mach's clock
//     interrupt (MachKernel.onClockTick).
//   - Scheduling is Mach's; the core's `current` is the process whose request the server
//     serves; a process the core switches away from inside the server gets no reply until
//     the core resumes it (as arch/l4).
//   - Signals to a process running in user mode: the server stops it and redirects it
//     (thread_abort, thread_get_state, thread_set_state through the Mach kernel object;
//     their trap costs charged, MACH_CALLS.signal).
//
// Shortcuts (documented, each a place to grow): the server creates tasks and threads,
// sets thread state and flushes pages through the Mach kernel object (task_create,
// thread_create, thread_set_state, memory_object_lock_request), charging each as a Mach
// trap, instead of executing those calls from its loop. No device interrupts other than
// the clock and the disk (Arch.attachIrq).
import { PHASE, Reg, type Machine, type PathProfile } from '@mklab/pentium';
import {
  EXC,
  EXC_MSG,
  H,
  I386_THREAD_STATE,
  I386_THREAD_STATE_COUNT,
  KERN,
  MACH_COSTS,
  MACH_RCV_MSG,
  MACH_RCV_TIMEOUT,
  MACH_SEND_MSG,
  MSG_ID,
  MSG_RET,
  MSG_TYPE,
  MachKernel,
  PAGER_MSG,
  TRAP,
  TS,
  ThreadState as MachThreadState,
  VM_PROT_WRITE,
  abortPageWait,
  destroyPort,
  kernelMessage,
  flushPages,
  kernelLinear,
  msghBits,
  replyId,
  replyState,
  requestState,
  setPager,
  supplyPhysicalPage,
  threadGetState,
  threadSetState,
  type KMsg,
  type Port,
  type Task as MachTask,
  type Thread as MachThread,
  type UserThreadContext,
  type VmObject,
} from '@mklab/mach';
import type { Arch, PathTouch, UserRegs } from '../arch';
import type { CorePath } from '../../core/core-paths';
import type { Mm } from '../../core/mm/mm';
import { Task } from '../../core/task';
import { PAGE_SIZE } from '../../core/phys-mem';
import { PTE_FRAME, PTE_P, PTE_RW, TASK_SIZE } from '../../core/mm/page-table';
import { linuxPte, linuxPteRaw } from '../server/linux-pte';
import { LinuxServerArch, type ServerEntry } from '../server/linux-server-arch';
import { ServerCharger } from '../server/server-charger';
import { USER_CS as LINUX_USER_CS, USER_DS as LINUX_USER_DS } from '../native/layout';
import {
  coreProfile,
  D_SYS_CALL_TABLE,
  MACH_CALLS,
  SERVER_DATA_OFFSET,
  SERVER_FLUSH,
  SERVER_FLUSH_PER_PAGE,
  SERVER_PAGER,
  SERVER_REPLY_INKERNEL,
  SERVER_REPLY_USER,
  SERVER_REQUEST_INKERNEL,
  SERVER_REQUEST_USER,
  SERVER_RESERVED,
  type ServerProfile,
} from './costs';

export type MkLinuxConfig = 'user' | 'inkernel';

/** physical memory the server owns (16 MiB up; below: Mach's kernel, pmap pool, its VM page pool) */
export const LINUX_BASE = 0x1000000;
/** Mach priorities (0 highest): the server above its processes, its timer above the server */
const SERVER_PRIO = 10;
const TIMER_PRIO = 8;
const PROCESS_PRIO = 12;
/** HZ = 100: the user server's timer thread sleeps 10 ms in a receive */
const TICK_MS = 10;
/** the user server's message buffer: receive size (the largest request is exception_raise_state, 116 bytes) */
const RCV_BYTES = 256;
const EFLAGS_IF = 0x200;

type Waiting = 'none' | 'syscall' | 'fault' | 'trap' | 'signal';

/** Where a reply goes: a name in the user server's space, or the request kmsg inside the kernel. */
type ReplyTo = { name: number } | { kmsg: KMsg };

/** A process in the server (ServerEntry: the request being served; `full`: the reply installs a whole new state). */
interface Proc extends ServerEntry {
  task: MachTask | null;
  thread: MachThread | null;
  /** the process's address space as a memory object paged by the server */
  object: VmObject | null;
  /** the process's port at the server (syscall server, exception port, pager) */
  port: Port | null;
  /** its receive right's name in the user server's space (0 in-kernel) */
  portName: number;
  /** the Mach thread state the request carried (the reply's base) */
  state: number[] | null;
  waiting: Waiting;
  replyTo: ReplyTo | null;
}

/** A reply the user server still has to send. */
type Outgoing = { to: number; id: number; words: number[]; disposition: number; task?: Task };

export interface MachArchOptions {
  config: MkLinuxConfig;
}

export class MachArch extends LinuxServerArch<Proc> implements Arch {
  readonly name = 'mach' as const;
  readonly config: MkLinuxConfig;
  readonly mach: MachKernel;
  /** the user server's Mach task (null in-kernel) */
  readonly server: MachTask | null = null;
  private readonly memEnd: number;
  private readonly byPortName = new Map<number, Task>();
  private readonly outbox: Outgoing[] = [];
  private readonly signalled = new Set<Task>();
  /** the user server's interrupt ports: name → line */
  private readonly irqPorts = new Map<number, number>();
  /** charges start with the server's first request (boot work is not charged, as arch/l4) */
  private serving = false;
  private readonly dataBase: number;
  private readonly textBase: number;
  private readonly charger: ServerCharger;
  // user configuration
  private portSet = 0;
  private buffer = 0;
  private timerBuffer = 0;
  private timerPort = 0;
  private started = false;
  private timerStarted = false;
  private lastWasSend = false;
  /** the process a reply being built goes to (tags the user server's outgoing replies) */
  private replying: Task | null = null;
  private timerSending = false;

  constructor(
    machine: Machine,
    opts: MachArchOptions,
  ) {
    super(machine, 'MkLinux', 'mklinux');
    if (opts.config !== 'user' && opts.config !== 'inkernel') throw new Error(`MkLinux: config must be 'user' or 'inkernel', not '${String(opts.config)}'`);
    this.config = opts.config;
    const size = machine.memory.size;
    this.memEnd = size;
    if (this.memEnd - LINUX_BASE < 8 << 20) throw new Error(`MkLinux: needs at least ${(LINUX_BASE + (8 << 20)) >> 20} MiB of memory`);
    // Linux binaries see Linux's selectors (0x23 / 0x2b): the server asks Mach for its ABI's
    this.mach = new MachKernel(machine, { timerHz: 100, userSelectors: { cs: LINUX_USER_CS, ds: LINUX_USER_DS }, vmPageTop: LINUX_BASE });
    machine.memory.fill(LINUX_BASE, SERVER_RESERVED, 0);
    this.textBase = LINUX_BASE;
    this.dataBase = LINUX_BASE + SERVER_DATA_OFFSET;
    this.charger = new ServerCharger({ machine, textBase: this.textBase, dataBase: this.dataBase, sysCallTable: D_SYS_CALL_TABLE, linear: (a) => this.lin(a), coreProfile, profilePrefix: `mklinux.${this.config}.` });
    if (this.config === 'user') {
      const k = this.mach;
      const srv = k.createTask();
      this.server = srv;
      // the server's memory, 1:1 and wired (an object of physical pages, every PTE entered)
      const obj = k.objects.create(this.memEnd - LINUX_BASE);
      obj.physical = true;
      for (let off = 0; off < this.memEnd - LINUX_BASE; off += PAGE_SIZE) obj.pages.set(off, LINUX_BASE + off);
      srv.map.allocate(LINUX_BASE, this.memEnd - LINUX_BASE, obj);
      obj.mappedIn = srv.map;
      for (let va = LINUX_BASE; va < this.memEnd; va += PAGE_SIZE) srv.map.pmap.enter(va, va, true);
      this.portSet = srv.space.allocateSet();
      this.buffer = srv.map.allocate(null, PAGE_SIZE);
      this.timerBuffer = srv.map.allocate(null, PAGE_SIZE);
      this.timerPort = srv.space.insert({ port: k.ports.allocate(), type: 16 });
      k.startUserThread(srv, (cpu, ctx) => this.serverStep(cpu, ctx), SERVER_PRIO);
      k.startUserThread(srv, (cpu, ctx) => this.timerStep(cpu, ctx), TIMER_PRIO);
    } else {
      this.mach.onClockTick = () => this.clockTick();
    }
  }

  /** The co-located server serves from the first request on (the boot's own work is not charged). */
  startServing(): void {
    if (this.config === 'inkernel') this.serving = true;
  }

  // ------------------------------------------------------------------ Arch: memory

  freeMemoryRange(): { start: number; end: number } {
    return { start: LINUX_BASE + SERVER_RESERVED, end: this.memEnd };
  }

  flushUserPage(mm: Mm, linear: number): void {
    const page = linear - (linear % PAGE_SIZE);
    for (const [task, p] of this.procs) if (task.mm === mm && p.object && p.task) this.flush(p, page, PAGE_SIZE);
  }

  flushUserAll(mm: Mm): void {
    for (const [task, p] of this.procs) if (task.mm === mm && p.object && p.task) this.flush(p, 0, TASK_SIZE);
  }

  /** memory_object_lock_request(flush): Mach drops the object's pages in the range and their mappings. */
  private flush(p: Proc, offset: number, size: number): void {
    const n = flushPages(this.mach, (p.task as MachTask).map, p.object as VmObject, offset, size);
    if (!this.serving || n === 0) return;
    this.chargeServer({ ...SERVER_FLUSH, instructions: SERVER_FLUSH.instructions + SERVER_FLUSH_PER_PAGE * n });
    this.chargeRequestToKernel();
  }

  // ------------------------------------------------------------------ Arch: tasks

  createTask(task: Task): void {
    if (task.isIdle) return;
    const k = this.mach;
    const mt = k.createTask();
    // the whole user range: one object, paged by the server
    const object = k.objects.create(TASK_SIZE);
    object.physical = true;
    mt.map.allocate(0, TASK_SIZE, object);
    object.mappedIn = mt.map;
    let port: Port;
    let portName = 0;
    if (this.config === 'user') {
      const srv = this.server as MachTask;
      port = k.ports.allocate();
      portName = srv.space.insert({ port, type: 16 });
      srv.space.portSet(this.portSet)?.add(port);
      this.byPortName.set(portName, task);
    } else {
      port = k.kernelPort(task, (m) => this.onKernelRequest(task, m));
    }
    mt.syscallServer = port;
    mt.exceptionPort = port;
    setPager(k, object, port);
    this.procs.set(task, { task: mt, thread: null, object, port, portName, regs: null, state: null, waiting: 'none', full: false, switchedAway: false, faultAddr: 0, faultWrite: false, replyTo: null });
    task.arch.machTask = mt.number;
    this.chargeMachCalls(MACH_CALLS.spawn);
  }

  destroyTask(task: Task): void {
    const p = this.procs.get(task);
    if (!p) return;
    this.dropMachTask(p);
    if (p.port) {
      if (this.config === 'user') {
        const dying = (this.server as MachTask).space.destroy(p.portName);
        if (dying) destroyPort(this.mach, dying);
        this.byPortName.delete(p.portName);
      } else destroyPort(this.mach, p.port);
      p.port = null;
    }
    this.procs.delete(task);
    this.signalled.delete(task);
  }

  private dropMachTask(p: Proc): void {
    if (!p.task) return;
    // a reply right the server will not use (the process dies inside its request): deallocate it
    if (p.replyTo && 'name' in p.replyTo) (this.server as MachTask).space.deallocate(p.replyTo.name);
    this.mach.terminateTask(p.task);
    this.chargeMachCalls(MACH_CALLS.exit);
    p.task = null;
    p.thread = null;
    p.object = null;
    p.waiting = 'none';
    p.replyTo = null;
  }

  setAddressSpace(task: Task): void {
    const p = this.procs.get(task);
    // exit: the process's Mach task goes with its memory (its thread waits for no reply)
    if (p && !task.mm) this.dropMachTask(p);
  }

  // ------------------------------------------------------------------ Arch: registers

  prepareForkChild(child: Task, regs: UserRegs): void {
    const p = this.procs.get(child);
    if (!p?.task || !child.mm) throw new Error(`MkLinux: fork child pid ${child.pid} has no task or memory`);
    const t = this.mach.createThread(p.task, regs.eip, regs.esp, PROCESS_PRIO);
    threadSetState(this.mach, t, regsToState({ ...regs, eax: 0 }));
    // the child's x87 state is the parent's (Linux's copy_thread)
    const parent = this.procs.get(this.kernel.current)?.thread;
    if (parent) this.mach.fpu.copy(parent, t);
    p.thread = t;
    this.chargeMachCalls(MACH_CALLS.fork - MACH_CALLS.spawn);
  }

  startUserThread(task: Task, eip: number, esp: number): void {
    const p = this.procs.get(task);
    if (!p?.task) throw new Error(`MkLinux: pid ${task.pid} has no Mach task`);
    const regs: UserRegs = { eax: 0, ebx: 0, ecx: 0, edx: 0, esi: 0, edi: 0, ebp: 0, esp, eip, eflags: EFLAGS_IF | 2, cs: LINUX_USER_CS, ss: LINUX_USER_DS, ds: LINUX_USER_DS, es: LINUX_USER_DS, fs: LINUX_USER_DS, gs: LINUX_USER_DS };
    if (p.waiting !== 'none') {
      // exec inside a system call: the reply installs the new registers; the new image starts without x87 state
      p.regs = regs;
      p.full = true;
      if (p.thread) this.mach.fpu.reset(p.thread);
      return;
    }
    // the first process: its thread starts at the entry point
    p.thread = this.mach.createThread(p.task, eip, esp, PROCESS_PRIO);
  }

  /** A signal for a process running (or ready) in user mode: redirected when the server settles (thread_abort + set_state). */
  notifySignal(task: Task): void {
    const p = this.procs.get(task);
    if (!p?.thread || p.waiting !== 'none') return;
    this.signalled.add(task);
  }

  // ------------------------------------------------------------------ requests (both configurations)

  /** exception_raise_state from a process: its int 0x80 (EXC_SYSCALL) or another exception. */
  private onStateRequest(task: Task, p: Proc, exception: number, code: [number, number], state: number[], to: ReplyTo): void {
    p.replyTo = to;
    p.state = state;
    p.regs = stateToRegs(state);
    p.full = false;
    this.kernel.current = task;
    if (exception === EXC.SYSCALL && code[0] === 0x80) {
      this.machine.phases.enter(PHASE.KERNEL); // phase accounting (contracts.md): the Linux server's work
      this.chargeServer(this.config === 'user' ? SERVER_REQUEST_USER : SERVER_REQUEST_INKERNEL, task);
      p.waiting = 'syscall';
      this.kernel.onSyscall();
      return;
    }
    this.chargeServer(SERVER_PAGER, task);
    p.waiting = 'trap';
    if (exception === EXC.BAD_ACCESS) {
      // an address no map entry covers (above the user range): a fault Linux turns into SIGSEGV
      this.kernel.onPageFault(code[1] >>> 0, 4);
      return;
    }
    const vector = exception === EXC.BAD_INSTRUCTION || exception === EXC.ARITHMETIC || exception === EXC.BREAKPOINT || exception === EXC.EMULATION ? code[0] : 13;
    this.kernel.onTrap(vector, exception === EXC.SOFTWARE ? 0 : code[1] >>> 0);
  }

  /** memory_object_data_request for a process's object: the server resolves the page through Linux. */
  private onPageRequest(task: Task, p: Proc, offset: number, write: boolean, to: ReplyTo): void {
    this.chargeServer(SERVER_PAGER, task);
    this.kernel.current = task;
    p.replyTo = to;
    p.waiting = 'fault';
    p.faultAddr = offset;
    p.faultWrite = write;
    p.full = false;
    p.state = null;
    if (linuxPte(this.machine.memory, task, offset, write) !== 0) return; // Mach lost a page Linux has: lend it again
    // the faulting thread's registers (for the stack-growth check and a signal frame): thread_get_state
    const thread = p.thread as MachThread;
    p.state = threadGetState(this.mach, thread);
    p.regs = stateToRegs(p.state);
    // the exact address (CR2) from the thread's exception state; the request names only the page
    const addr = thread.faultAddress - (thread.faultAddress % PAGE_SIZE) === offset ? thread.faultAddress : offset;
    const pte = linuxPteRaw(this.machine.memory, task, offset);
    this.kernel.onPageFault(addr, 4 | (write ? 2 : 0) | (pte & PTE_P ? 1 : 0));
  }

  /** The core resumed what it can; every process whose request is done gets its reply. */
  /** `caller`: the process whose request was just served (the user server's reply to it goes last), null after an interrupt. */
  private settle(caller: Task | null = null): void {
    for (let guard = 0; ; guard++) {
      if (guard > 10000) throw new Error('MkLinux: the core keeps switching (resume loop)');
      let next = this.takeResumable();
      if (!next) {
        next = this.takeSignalled();
        if (!next) break;
        continue;
      }
      this.kernel.current = next;
      this.kernel.onResume();
    }
    const from = this.outbox.length;
    for (const [task, p] of this.procs) {
      if (!this.replyDue(task, p) || !p.task) continue;
      this.replying = task;
      this.reply(task, p);
      this.replying = null;
      p.waiting = 'none';
      p.regs = null;
      p.state = null;
      p.full = false;
      p.replyTo = null;
    }
    this.callerLast(this.outbox, from, caller);
  }

  /** A process signalled while in user mode: stop it, take its state, let the core deliver (thread_abort, get/set_state). */
  private takeSignalled(): Task | null {
    for (const task of this.signalled) {
      this.signalled.delete(task);
      const p = this.procs.get(task);
      if (!p?.thread || p.waiting !== 'none' || p.thread.state === MachThreadState.Terminated) continue;
      // a thread already waiting in Mach (its fault or system call is on the way to the server) gets the signal on that entry's return
      if (p.thread.wait) continue;
      if (!(task.pending & ~task.blocked)) continue;
      this.chargeMachCalls(MACH_CALLS.signal);
      p.state = threadGetState(this.mach, p.thread);
      p.regs = stateToRegs(p.state);
      p.waiting = 'signal';
      p.full = false;
      p.replyTo = null;
      this.kernel.current = task;
      task.syscallNr = -1;
      this.kernel.count('mklinux.signalRedirects');
      this.kernel.retToUser(task);
      return task;
    }
    return null;
  }

  private reply(task: Task, p: Proc): void {
    const thread = p.thread as MachThread;
    switch (p.waiting) {
      case 'syscall':
      case 'trap': {
        if (p.waiting === 'syscall') {
          this.machine.phases.enter(PHASE.IPC_REPLY);
          this.machine.phases.enterOnUserReturn(PHASE.USER);
        }
        this.chargeServer(this.config === 'user' ? SERVER_REPLY_USER : SERVER_REPLY_INKERNEL, task);
        const state = p.full ? regsToState(p.regs as UserRegs) : (p.state as number[]).slice();
        if (!p.full) state[TS.EAX] = (p.regs as UserRegs).eax >>> 0;
        this.sendStateReply(p.replyTo as ReplyTo, state);
        return;
      }
      case 'signal': {
        // thread_set_state: the handler's frame (the thread was stopped in user mode)
        if (p.full) threadSetState(this.mach, thread, regsToState(p.regs as UserRegs));
        return;
      }
      case 'fault': {
        const page = p.faultAddr - (p.faultAddr % PAGE_SIZE);
        if (p.full) {
          // a signal handler runs: thread_abort the fault, thread_set_state the handler's frame
          this.chargeMachCalls(2);
          threadSetState(this.mach, thread, regsToState(p.regs as UserRegs));
          abortPageWait(this.mach, thread);
          return;
        }
        const pte = linuxPte(this.machine.memory, task, p.faultAddr, p.faultWrite);
        // not resolvable (the core sent a signal whose default is ignored…): the thread faults again
        if (pte === 0) {
          abortPageWait(this.mach, thread);
          return;
        }
        this.sendSupply(p, page, (pte & PTE_FRAME) >>> 0, pte & PTE_RW ? 0 : VM_PROT_WRITE);
        return;
      }
    }
  }

  private sendStateReply(to: ReplyTo, state: number[]): void {
    if ('kmsg' in to) {
      replyState(this.mach, to.kmsg, KERN.SUCCESS, state);
      return;
    }
    this.outbox.push({ to: to.name, words: [KERN.SUCCESS, I386_THREAD_STATE, I386_THREAD_STATE_COUNT, ...state], disposition: MSG_TYPE.MOVE_SEND_ONCE, id: replyId(MSG_ID.EXCEPTION_RAISE_STATE), task: this.replying ?? undefined });
  }

  private sendSupply(p: Proc, offset: number, frame: number, lock: number): void {
    const to = p.replyTo as ReplyTo;
    if ('kmsg' in to) {
      // in the kernel: memory_object_physical_supply is a call on the object
      this.chargeKernelReply();
      supplyPhysicalPage(this.mach, p.object as VmObject, offset, frame, lock);
      return;
    }
    this.outbox.push({ to: to.name, words: [offset, frame, lock], disposition: MSG_TYPE.COPY_SEND, id: MSG_ID.MEMORY_OBJECT_PHYSICAL_SUPPLY, task: this.replying ?? undefined });
  }

  // ------------------------------------------------------------------ the in-kernel server

  /** A message to a process's kernel-served port: handled inside the kernel, the reply kernel-internal. */
  private onKernelRequest(task: Task, m: KMsg): void {
    const p = this.procs.get(task);
    if (!p || !p.task) {
      this.mach.discardMessage(m);
      return;
    }
    this.serving = true;
    if (m.id === MSG_ID.EXCEPTION_RAISE_STATE) {
      const r = requestState(m);
      this.onStateRequest(task, p, r.exception, r.code, r.state, { kmsg: m });
    } else if (m.id === MSG_ID.MEMORY_OBJECT_DATA_REQUEST) {
      const dv = new DataView(m.body.buffer, m.body.byteOffset, m.body.byteLength);
      const offset = dv.getUint32(PAGER_MSG.OFFSET - 24, true);
      const access = dv.getUint32(PAGER_MSG.ACCESS - 24, true);
      this.onPageRequest(task, p, offset, (access & VM_PROT_WRITE) !== 0, { kmsg: m });
    } else {
      this.mach.discardMessage(m);
      return;
    }
    this.settle();
  }

  /** The clock interrupt's upcall into the co-located server: do_timer. */
  private clockTick(): void {
    if (!this.kernel || !this.serving) return;
    this.tick();
  }

  private tick(): void {
    // between two requests no process is in the server: the interrupt finds the idle task
    // (processes run in user mode under Mach; user time is not accounted per tick — documented)
    this.kernel.current = this.kernel.idle;
    this.kernel.onTimerInterrupt();
    this.settle();
  }

  /**
   * Routes device interrupt line `irq` to the core (Arch.attachIrq). In-kernel: Mach calls
   * the co-located driver at the interrupt (a kernel upcall). User: Mach masks the line and
   * sends a message to the line's port in the server's port set; the server runs the
   * driver's top half and bottom halves, then unmasks the line (a Mach call). False for the
   * clock (Mach's) and the cascade.
   */
  attachIrq(irq: number): boolean {
    if (!(Number.isInteger(irq) && irq >= 1 && irq < 16 && irq !== 2)) return false;
    const k = this.mach;
    if (this.config === 'inkernel') {
      k.attachInterrupt(irq, () => this.deviceInterrupt(irq));
      return true;
    }
    const srv = this.server as MachTask;
    const port = k.ports.allocate();
    const name = srv.space.insert({ port, type: 16 });
    srv.space.portSet(this.portSet)?.add(port);
    this.irqPorts.set(name, irq);
    const body = new Uint8Array(4);
    new DataView(body.buffer).setUint32(0, irq, true);
    k.attachInterrupt(irq, () => {
      k.maskInterrupt(irq, true);
      kernelMessage(k, port, null, MSG_ID.DEVICE_INTERRUPT, body.slice());
    });
    return true;
  }

  /** A device interrupt in the server: the core's handler for the idle task (no process is in the server between requests). */
  private deviceInterrupt(irq: number): void {
    if (!this.kernel) return;
    this.kernel.count('mklinux.deviceInterrupts');
    this.kernel.serve(this.kernel.idle);
    this.kernel.onIrq(irq);
    this.settle();
  }

  // ------------------------------------------------------------------ the user server's threads

  /** The main thread between two mach_msg traps: the last message is in its buffer. */
  private serverStep(cpu: { getReg(r: number): number }, ctx: UserThreadContext): void {
    if (!this.started) {
      this.started = true;
      this.nextTrap(ctx, false);
      return;
    }
    const result = cpu.getReg(Reg.EAX) >>> 0;
    if (this.lastWasSend) {
      this.lastWasSend = false;
      if (result !== MSG_RET.SUCCESS) this.kernel.count('mklinux.replyErrors');
      this.nextTrap(ctx, false);
      return;
    }
    if (result !== MSG_RET.SUCCESS) {
      // a reply to a process that is gone (its send-once right is a dead name): wait again
      this.kernel.count('mklinux.replyErrors');
      this.nextTrap(ctx, false);
      return;
    }
    this.serving = true;
    const buf = this.buffer;
    const id = ctx.read32(buf + H.ID);
    const local = ctx.read32(buf + H.LOCAL);
    const remote = ctx.read32(buf + H.REMOTE);
    const task = this.byPortName.get(local);
    const p = task ? this.procs.get(task) : undefined;
    const start = this.machine.counters.cycles;
    const irq = this.irqPorts.get(local);
    if (irq !== undefined) {
      this.deviceInterrupt(irq);
      this.chargeMachCalls(1); // the line unmasked again
      this.mach.maskInterrupt(irq, false);
    } else if (!task || !p || !p.task) {
      this.kernel.count('mklinux.strayMessages');
    } else if (id === MSG_ID.EXCEPTION_RAISE_STATE) {
      const w = ctx.readBytes(buf, EXC_MSG.BYTES);
      const at = (off: number) => (w[off] | (w[off + 1] << 8) | (w[off + 2] << 16) | (w[off + 3] << 24)) >>> 0;
      const state = Array.from({ length: I386_THREAD_STATE_COUNT }, (_, i) => at(EXC_MSG.STATE + 4 * i));
      const exception = at(EXC_MSG.EXCEPTION);
      this.onStateRequest(task, p, exception, [at(EXC_MSG.CODE0), at(EXC_MSG.CODE1)], state, { name: remote });
      if (exception === EXC.SYSCALL) this.kernel.count('mklinux.syscallRequests');
    } else if (id === MSG_ID.MEMORY_OBJECT_DATA_REQUEST) {
      const offset = ctx.read32(buf + PAGER_MSG.OFFSET);
      const access = ctx.read32(buf + PAGER_MSG.ACCESS);
      this.onPageRequest(task, p, offset, (access & VM_PROT_WRITE) !== 0, { name: remote });
      this.kernel.count('mklinux.pageRequests');
    } else {
      this.kernel.count('mklinux.strayMessages');
    }
    this.settle(task ?? null);
    this.kernel.count('mklinux.serverCycles', this.machine.counters.cycles - start);
    this.nextTrap(ctx, false);
  }

  /**
   * The timer thread (HZ = 100): it sleeps in a receive with a 10 ms timeout on a port
   * nobody sends to; the timeout's wake-up is the tick. It runs the core's do_timer and
   * sends the replies the tick made possible itself (any thread of the server may use
   * the server's send-once rights), then sleeps again.
   */
  private timerStep(cpu: { getReg(r: number): number }, ctx: UserThreadContext): void {
    if (!this.timerStarted) {
      this.timerStarted = true;
      this.nextTrap(ctx, true);
      return;
    }
    const result = cpu.getReg(Reg.EAX) >>> 0;
    if (this.timerSending) {
      this.timerSending = false;
      if (result !== MSG_RET.SUCCESS) this.kernel.count('mklinux.replyErrors');
    } else if (result === MSG_RET.RCV_TIMED_OUT && this.kernel && this.serving) {
      this.tick();
    }
    this.nextTrap(ctx, true);
  }

  /** Sets up the thread's next mach_msg: a queued reply (with the main thread's receive when it is the last), or its receive. */
  private nextTrap(ctx: UserThreadContext, timer: boolean): void {
    const r = this.outbox.shift();
    const buf = timer ? this.timerBuffer : this.buffer;
    if (!r) {
      if (timer) ctx.trap(TRAP.MACH_MSG, [buf, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, RCV_BYTES, this.timerPort, TICK_MS, 0]);
      else ctx.trap(TRAP.MACH_MSG, [buf, MACH_RCV_MSG, 0, RCV_BYTES, this.portSet, 0, 0]);
      return;
    }
    const o = r;
    const size = 24 + 4 * o.words.length;
    const words = [msghBits(o.disposition), size, o.to, 0, 0, o.id, ...o.words];
    const bytes = new Uint8Array(4 * words.length);
    for (let k = 0; k < words.length; k++) {
      const w = words[k];
      bytes[4 * k] = w & 0xff;
      bytes[4 * k + 1] = (w >>> 8) & 0xff;
      bytes[4 * k + 2] = (w >>> 16) & 0xff;
      bytes[4 * k + 3] = (w >>> 24) & 0xff;
    }
    ctx.writeBytes(buf, bytes);
    if (timer || this.outbox.length > 0) {
      // more to send (or the timer thread, whose receive is its sleep): send only
      ctx.trap(TRAP.MACH_MSG, [buf, MACH_SEND_MSG, size, 0, 0, 0, 0]);
      if (timer) this.timerSending = true;
      else this.lastWasSend = true;
      return;
    }
    // the last reply and the next receive in one trap (mach_msg's send-and-receive)
    ctx.trap(TRAP.MACH_MSG, [buf, MACH_SEND_MSG | MACH_RCV_MSG, size, RCV_BYTES, this.portSet, 0, 0]);
  }

  // ------------------------------------------------------------------ costs

  charge(path: CorePath, task: Task | null, units = 1, touch?: PathTouch): void {
    if (!this.serving) return;
    this.charger.corePath(path, task ?? this.kernel.current, units, touch);
    // the user server reaches user memory through Mach's VM operations, not its own page tables
    if (path === 'uaccess.copy' && this.config === 'user' && touch) {
      if (touch.read?.length) this.chargeMachCalls(MACH_CALLS.copyFrom, touch.read.length);
      if (touch.write?.length) this.chargeMachCalls(MACH_CALLS.copyTo, touch.write.length);
    }
  }

  private chargeServer(p: ServerProfile, task?: Task): void {
    if (!this.serving) return;
    this.charger.serverPath(p, task);
  }

  /**
   * `n` Mach calls the server makes (MACH_CALLS) as Mach charges a trap: entry, the
   * arguments, a kernel operation's path (vm or port work), exit; `pages` pages of pmap
   * work each (vm_read / vm_write). In the kernel the same operations are calls: only
   * their kernel path is charged.
   */
  /**
   * The server enters another process's parked kernel context. MkLinux serves each
   * process's requests on a Mach thread of its own and hands the server lock between
   * them (recalled structure, approx.; kernels.md "Mach 3 and MkLinux": OSF's
   * migrating-thread RPC; the cthread server lock in SERVER_PATH_FIT_USER's reason), so a
   * Linux process switch inside the server is a Mach thread switch.
   *   user      this model's server has one thread for every request, so the hand-over
   *             between the blocked process's server thread and the woken one's is
   *             charged here: a Mach trap of the server (thread_switch with hand-off:
   *             entry, arguments, the switch, exit), within the server's task (no
   *             address-space switch). Costs from libs/mach's table.
   *   inkernel  a request is served inside the kernel on the thread that made it, so
   *             that switch is the one Mach itself makes when the blocked process's
   *             thread waits for its reply and the woken one's gets it (libs/mach charges
   *             it): nothing to add.
   */
  protected chargeCoreSwitch(prev: Task, next: Task): void {
    void prev;
    void next;
    if (!this.serving || this.config !== 'user') return;
    this.mach.bump('mklinux.serverThreadSwitches');
    this.chargeMachTrap(MACH_COSTS.threadSwitch);
  }

  /** One Mach trap of the user-level server: entry, its arguments, the kernel's `work`, exit. */
  private chargeMachTrap(...work: PathProfile[]): void {
    const k = this.mach;
    k.bump('machTraps');
    k.charge(MACH_COSTS.trapEntry);
    k.charge(MACH_COSTS.trapArgs);
    for (const w of work) k.charge(w);
    k.charge(MACH_COSTS.trapExit);
  }

  private chargeMachCalls(n: number, pages = 0): void {
    if (!this.serving) return;
    const k = this.mach;
    for (let i = 0; i < n; i++) {
      if (this.config === 'user') {
        k.bump('machTraps');
        k.charge(MACH_COSTS.trapEntry);
        k.charge(MACH_COSTS.trapArgs);
      }
      k.charge(MACH_COSTS.vmOp);
      for (let j = 0; j < pages; j++) k.charge(MACH_COSTS.oolPage);
      if (this.config === 'user') k.charge(MACH_COSTS.trapExit);
    }
  }

  /** A request the server sends to a kernel-served port (lock_request): a mach_msg send in the user server, a call in the kernel. */
  private chargeRequestToKernel(): void {
    const k = this.mach;
    if (this.config === 'user') {
      k.bump('machMessages');
      this.chargeMachTrap(MACH_COSTS.msgValidate, MACH_COSTS.msgRightCopyin, MACH_COSTS.msgQueue);
    } else k.charge(MACH_COSTS.msgKmsg);
  }

  /** The co-located server's physical supply: a kernel-internal message to the object's control port. */
  private chargeKernelReply(): void {
    this.mach.bump('machMessages');
    this.mach.charge(MACH_COSTS.msgKmsg);
    this.mach.charge(MACH_COSTS.msgQueue);
  }

  /** Linear address of a server address (its physical memory: 1:1 in the user server, the kernel window in-kernel). */
  private lin(addr: number): number {
    return this.config === 'user' ? addr : kernelLinear(addr);
  }
}

/** Mach's i386 thread state (message.ts TS order) → Linux's user registers. */
function stateToRegs(s: number[]): UserRegs {
  return {
    eax: s[TS.EAX] >>> 0,
    ebx: s[TS.EBX] >>> 0,
    ecx: s[TS.ECX] >>> 0,
    edx: s[TS.EDX] >>> 0,
    esi: s[TS.ESI] >>> 0,
    edi: s[TS.EDI] >>> 0,
    ebp: s[TS.EBP] >>> 0,
    esp: s[TS.UESP] >>> 0,
    eip: s[TS.EIP] >>> 0,
    eflags: s[TS.EFL] >>> 0,
    cs: s[TS.CS] & 0xffff,
    ss: s[TS.SS] & 0xffff,
    ds: s[TS.DS] & 0xffff,
    es: s[TS.ES] & 0xffff,
    fs: s[TS.FS] & 0xffff,
    gs: s[TS.GS] & 0xffff,
  };
}

/** Linux's user registers → Mach's i386 thread state (the selectors are Mach's to keep). */
function regsToState(r: UserRegs): number[] {
  const s = new Array<number>(I386_THREAD_STATE_COUNT).fill(0);
  s[TS.GS] = s[TS.FS] = s[TS.ES] = s[TS.DS] = s[TS.SS] = LINUX_USER_DS;
  s[TS.CS] = LINUX_USER_CS;
  s[TS.EDI] = r.edi >>> 0;
  s[TS.ESI] = r.esi >>> 0;
  s[TS.EBP] = r.ebp >>> 0;
  s[TS.ESP] = r.esp >>> 0;
  s[TS.UESP] = r.esp >>> 0;
  s[TS.EBX] = r.ebx >>> 0;
  s[TS.EDX] = r.edx >>> 0;
  s[TS.ECX] = r.ecx >>> 0;
  s[TS.EAX] = r.eax >>> 0;
  s[TS.EIP] = r.eip >>> 0;
  s[TS.EFL] = r.eflags >>> 0;
  return s;
}
