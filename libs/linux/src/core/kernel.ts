// The architecture-independent Linux 2.0 core: tasks, the scheduler, the entry
// points an architecture calls (system call, page fault, other traps, timer tick,
// resume of a parked task), signals, exit/wait. System calls themselves live in
// syscalls/*.ts; memory management in mm/, files in fs/, exec in exec/.
//
// Control flow: the arch enters the core at onSyscall / onPageFault / onTrap /
// onTimerInterrupt / onResume with `current` set. A blocking system call is a
// generator: it yields the wait queue it sleeps on; the core parks it in the task,
// calls schedule(), and the arch switches the CPU to another task. When the
// scheduler switches back, the task re-enters through onResume, which continues the
// generator. schedule() may switch the CPU: after it returns with a different
// `current`, the caller returns at once without touching the CPU.

import type { Arch, PathTouch, UserRegs } from '../arch/arch';
import type { CorePath } from './core-paths';
import { EINTR, ENOSYS, ERESTARTNOHAND, ERESTARTNOINTR, ERESTARTSYS, KernelError } from './errno';
import { RamFs } from './fs/ramfs';
import { Vfs } from './fs/vfs';
import { DiskOptions, DiskRoot } from './block/disk-root';
import { IoWait, isUninterruptible } from './block/io-wait';
import { FileEnv, O_RDONLY, O_WRONLY, OpenFile } from './fs/file';
import { openInode } from './fs/open';
import { execve } from './exec/exec';
import { dumpCore } from './exec/core-dump';
import { Mm, MmContext } from './mm/mm';
import { FileMap, FilePages, inodePages } from './mm/filemap';
import type { Inode } from './fs/ramfs';
import { PageAllocator } from './mm/page-allocator';
import { UserAccess } from './mm/uaccess';
import { PhysMem } from './phys-mem';
import { pickNext, recalculateCounters } from './scheduler';
import {
  BLOCKABLE,
  FRAME_BYTES,
  SA_NOMASK,
  SA_ONESHOT,
  SA_RESTART,
  SA_RESTORER,
  SIGCHLD,
  SIGCONT,
  SIGKILL,
  SIGPIPE,
  SIGSEGV,
  SIGSTOP,
  SIGURG,
  SIGWINCH,
  SIG_DFL,
  SIG_IGN,
  SigAction,
  buildSignalFrame,
  defaultAction,
  emptyAction,
  signalStatus,
  sigmask,
} from './signal';
import { Blocking, NSIG, SleepOn, Task, TaskState } from './task';
import { WaitQueue } from './wait-queue';
import { NR_SYSCALLS } from './syscall-numbers';
import { SyscallEntry, buildSyscallTable } from './syscalls/table';

export interface KernelCounters {
  [name: string]: number;
}

export interface KernelOptions {
  mem: PhysMem;
  arch: Arch;
  rootfs: RamFs;
  /** boot from the disk: ext2 on it is the root; the RamFs's /dev and /tmp are mounted on the disk's */
  disk?: DiskOptions;
  /** where the kernel's counters go: machine.counters.kernel, or a getter for it (it is replaced when the machine's counters are reset) */
  counters: KernelCounters | (() => KernelCounters);
  /** seconds since the Epoch at cycle 0 of the emulated clock */
  bootEpochSeconds?: number;
}

/** The counters the core keeps (all start at 0, so every run reports the same set). */
export const KERNEL_COUNTERS = ['syscalls', 'enosys', 'contextSwitches', 'pageFaults', 'cowFaults', 'zeroFaults', 'fileFaults', 'forks', 'execs', 'exits', 'signalsDelivered', 'timerTicks', 'fpuRestores'] as const;

/** 1997-10-05 00:00:00 UTC, the first day of SOSP'97: a fixed boot date keeps runs deterministic. */
export const DEFAULT_BOOT_EPOCH = 876009600;

export type ConsoleWriteListener = (fd: number, bytes: Uint8Array, pid: number) => void;

export class LinuxKernel implements FileEnv {
  readonly mem: PhysMem;
  readonly arch: Arch;
  readonly fs: Vfs;
  /** the disk under the root file system (null: the RamFs is the root) */
  readonly disk: DiskRoot | null = null;
  private readonly countersOf: () => KernelCounters;
  readonly pages: PageAllocator;
  readonly uaccess: UserAccess;
  readonly mmContext: MmContext;
  readonly zeroPage: number;
  readonly bootEpochSeconds: number;
  /** the pages of mapped files (mmap of files, msync) */
  readonly filemap: FileMap;

  readonly tasks = new Map<number, Task>();
  /** runnable tasks in run-queue order (the idle task is never on it) */
  runQueue: Task[] = [];
  /** why the last failed execve failed (for a clear boot error when init cannot run) */
  lastExecFailure = '';
  idle!: Task;
  current!: Task;
  needResched = false;
  jiffies = 0;
  private lastPid = 0;

  readonly consoleInput = new WaitQueue('console-input');
  private consoleInputBuffer: number[] = [];
  private readonly consoleListeners: ConsoleWriteListener[] = [];
  /** system calls that returned -ENOSYS, by number */
  readonly enosysNumbers = new Map<number, number>();
  initExit: { code: number | null; signal: number | null } | null = null;
  private readonly table: (SyscallEntry | undefined)[];
  /** tasks sleeping in nanosleep/pause until a jiffy */
  private readonly timers: { at: number; task: Task; queue: WaitQueue }[] = [];

  constructor(opts: KernelOptions) {
    this.mem = opts.mem;
    this.arch = opts.arch;
    this.fs = new Vfs(opts.rootfs.root);
    const c = opts.counters;
    this.countersOf = typeof c === 'function' ? c : () => c;
    this.bootEpochSeconds = opts.bootEpochSeconds ?? DEFAULT_BOOT_EPOCH;
    for (const name of KERNEL_COUNTERS) this.counters[name] ??= 0;
    const range = this.arch.freeMemoryRange();
    this.pages = new PageAllocator(this.mem, range.start, range.end);
    this.zeroPage = this.pages.alloc(true);
    this.uaccess = new UserAccess(this.mem, (n, touch) => this.charge('uaccess.copy', n, touch));
    this.filemap = new FileMap(this.mem, this.pages, inodePages, {
      pageIn: (phys) => this.charge('page-copy', 1, { write: [[phys, 4096]] }),
      pageOut: (phys) => this.charge('page-copy', 1, { read: [[phys, 4096]] }),
    });
    this.mmContext = {
      filemap: this.filemap,
      mem: this.mem,
      pages: this.pages,
      zeroPage: this.zeroPage,
      initPageDirectory: (pgd) => this.arch.initPageDirectory(pgd),
      flushUserPage: (mm, linear) => this.arch.flushUserPage(mm, linear),
      flushUserAll: (mm) => this.arch.flushUserAll(mm),
      charge: (path, units, touch) => this.charge(path, units, touch),
      count: (c) => this.count(c),
    };
    this.table = buildSyscallTable();
    this.arch.attach(this);
    if (opts.disk) {
      const disk = new DiskRoot(
        {
          mem: this.mem,
          allocPage: () => this.pages.alloc(false),
          pages: this.pages,
          charge: (p, u) => this.charge(p, u),
          count: (n, c) => this.count(n, c),
          wakeUp: (q) => this.wakeUp(q),
          panic: (w) => this.panic(w),
          now: () => this.timeOfDay().sec,
          jiffies: () => this.jiffies,
        },
        opts.disk,
      );
      this.disk = disk;
      this.fs = new Vfs(disk.ext2.root);
      for (const dir of ['dev', 'tmp']) this.fs.mount(this.fs.child(this.fs.root, dir), opts.rootfs.child(opts.rootfs.root, dir));
      this.filePages = disk.filePages;
      // the disk interrupt: the arch's way (native: IRQ 14 through the IDT); without one, polled on the timer tick
      disk.driver.irqAttached = this.arch.attachIrq?.(disk.irq) ?? false;
    }
    this.idle = this.newTask(0, 0, 0);
    this.idle.comm = 'swapper';
    // 2.0's sys_idle: "endless idle loop with no priority at all"
    this.idle.counter = -100;
    this.idle.priority = 0;
    this.idle.cwd = this.fs.root;
    this.current = this.idle;
  }

  /** Where mapped files' pages come from: the file system's page cache re-points this (default: the inode's bytes). */
  set filePages(source: FilePages) {
    this.filemap.source = source;
  }

  /** FileEnv: a read() of a regular file is about to run (shared mappings write back first). */
  beforeFileRead(inode: Inode): void {
    this.filemap.beforeFileRead(inode);
  }

  /** FileEnv: a write() changed [pos, pos+len) of a regular file (mapped pages follow). */
  afterFileWrite(inode: Inode, pos: number, len: number): void {
    this.filemap.afterFileWrite(inode, pos, len);
  }

  get counters(): KernelCounters {
    return this.countersOf();
  }

  count(name: string, n = 1): void {
    const c = this.countersOf();
    c[name] = (c[name] ?? 0) + n;
  }

  charge(path: CorePath, units?: number, touch?: PathTouch): void {
    this.arch.charge(path, this.current ?? null, units, touch);
  }

  // ------------------------------------------------------------------ tasks

  /** get_pid: the next free pid after the last one, wrapping at 0x8000 as 2.0 does. */
  allocPid(): number {
    for (let i = 0; i < 0x8000; i++) {
      this.lastPid = (this.lastPid + 1) & 0x7fff;
      if (this.lastPid === 0) this.lastPid = 1;
      let used = this.tasks.has(this.lastPid);
      if (!used) for (const t of this.tasks.values()) if (t.pgrp === this.lastPid || t.session === this.lastPid) used = true;
      if (!used) return this.lastPid;
    }
    throw new KernelError(11 /* EAGAIN */, 'no free pid');
  }

  /** A task with its task-struct page and kernel-stack page (not yet known to the arch). */
  newTask(pid: number, pgrp: number, session: number): Task {
    const t = new Task(pid, pgrp, session);
    t.structPhys = this.pages.alloc(true);
    try {
      t.kstackPhys = this.pages.alloc(false);
    } catch (e) {
      this.pages.put(t.structPhys);
      throw e;
    }
    t.waitChild = new WaitQueue(`wait-child-${pid}`);
    for (let s = 0; s <= NSIG; s++) t.sigactions.push(emptyAction());
    t.startJiffies = this.jiffies;
    this.tasks.set(pid, t);
    return t;
  }

  /** Creates the first user process (pid 1) running `path`, as init/main.c's execve("/sbin/init"). */
  spawnInit(path: string, argv: string[], envp: string[], stdin: 'console' | 'null' = 'console'): Task {
    const t = this.newTask(this.allocPid(), 0, 0);
    t.pgrp = t.pid;
    t.session = t.pid;
    t.leader = true;
    t.parent = this.idle;
    this.idle.children.add(t);
    t.cwd = this.fs.root;
    t.cwd.refs++;
    this.arch.createTask(t);
    const console = this.fs.lookup('/dev/console');
    for (let fd = 0; fd < 3; fd++) {
      const inode = fd === 0 && stdin === 'null' ? this.fs.lookup('/dev/null') : console;
      inode.refs++;
      t.files[fd] = openInode(inode, fd === 0 ? O_RDONLY : O_WRONLY);
    }
    const exec = execve(this, t, path, argv, envp);
    if (exec !== 0) throw new Error(`bootLinux: cannot execute init ${path}: ${this.lastExecFailure} (errno ${-exec})`);
    this.runQueue.push(t);
    return t;
  }


  // ------------------------------------------------------------------ scheduler

  addToRunQueue(p: Task): void {
    if (p.isIdle || this.runQueue.includes(p)) return;
    // 2.0's add_to_runqueue: a task with a clearly larger time slice preempts
    if (p.counter > this.current.counter + 3) this.needResched = true;
    this.runQueue.push(p);
  }

  wakeUpProcess(p: Task): void {
    for (const q of p.sleepingOn) q.sleepers.delete(p);
    p.sleepingOn = [];
    p.state = TaskState.Running;
    this.addToRunQueue(p);
  }

  wakeUp(q: WaitQueue): void {
    for (const p of [...q.sleepers]) if (p.state === TaskState.Interruptible || p.state === TaskState.Uninterruptible) this.wakeUpProcess(p);
  }

  sleepOn(t: Task, q: WaitQueue | WaitQueue[]): void {
    t.sleepingOn = Array.isArray(q) ? q : [q];
    // waiting for the disk is TASK_UNINTERRUPTIBLE (wait_on_buffer); everything else interruptible
    t.state = t.sleepingOn.some(isUninterruptible) ? TaskState.Uninterruptible : TaskState.Interruptible;
    for (const x of t.sleepingOn) x.sleepers.add(t);
  }

  /** schedule(): picks the next task by goodness and switches to it. */
  schedule(): void {
    const prev = this.current;
    this.needResched = false;
    if (prev.state === TaskState.Interruptible && prev.pending & ~prev.blocked) this.wakeUpProcess(prev);
    if (prev.state !== TaskState.Running) this.runQueue = this.runQueue.filter((t) => t !== prev);
    const d = pickNext(this.runQueue, prev, this.idle);
    this.charge('schedule', d.examined);
    if (d.recalc) {
      recalculateCounters([...this.tasks.values()].filter((t) => !t.isIdle));
      this.charge('schedule.recalc', this.tasks.size);
    }
    const next = d.next;
    if (next !== prev) {
      this.count('contextSwitches');
      this.current = next;
      this.arch.switchTo(prev, next);
    }
  }

  // ------------------------------------------------------------------ entry points

  /** int 0x80 (or its L4/Mach equivalent): the system call in the current task's registers. */
  /**
   * A single-server architecture (L4Linux, MkLinux) enters the core on behalf of task
   * `t`: a request of t's arrived (system call, page fault, exception, signal entry),
   * or `idle` for an interrupt or bottom-half thread between requests. The core's
   * `current` becomes `t` — not a context switch (no switch_to, nothing counted): the
   * server's own context is the same whichever task it serves. Call before the entry
   * point (onSyscall, onPageFault, onTrap, onTimerInterrupt, retToUser).
   */
  serve(t: Task): void {
    this.current = t;
  }

  onSyscall(): void {
    const t = this.current;
    const regs = this.arch.getUserRegs(t);
    const nr = regs.eax >>> 0;
    t.syscallNr = -1;
    this.count('syscalls');
    const entry = nr < NR_SYSCALLS ? this.table[nr] : undefined;
    let result: number | Blocking;
    if (!entry) {
      this.count('enosys');
      // which numbers: also in the machine's counters (kernel.enosys.<nr>) so a run's record shows them
      this.count(`enosys.${nr}`);
      this.enosysNumbers.set(nr, (this.enosysNumbers.get(nr) ?? 0) + 1);
      result = -ENOSYS;
    } else {
      t.syscallNr = nr;
      this.charge(`sys.${entry.name}`);
      if (this.disk) {
        if (this.disk.booting) this.disk.bootDone();
        this.disk.cache.trim(); // between operations: the buffer cache back under its size
      }
      try {
        result = entry.fn(this, t, regs);
      } catch (e) {
        if (e instanceof IoWait) result = this.afterIo(entry, t, regs, e);
        else if (!(e instanceof KernelError)) throw e;
        else result = -e.errno;
      }
    }
    if (this.current !== t || t.state === TaskState.Zombie) return; // exited / switched away for good
    if (typeof result !== 'number') {
      if (!this.runBlocking(t, result)) return;
    } else if (result !== NO_RESULT) {
      this.arch.setSyscallResult(t, result);
    }
    if (result === NO_RESULT) t.syscallNr = -1; // execve/sigreturn/exit set the registers themselves
    this.retToUser(t);
  }

  /**
   * A system call that needed a block first (IoWait, block/io-wait.ts): sleep until the
   * read is done, then run the call again (it changed nothing before the wait).
   */
  private *afterIo(entry: SyscallEntry, t: Task, regs: UserRegs, first: IoWait): Blocking {
    let w = first;
    for (;;) {
      yield w.queue;
      try {
        const r = entry.fn(this, t, regs);
        if (typeof r === 'number') return r;
        return yield* r;
      } catch (e) {
        if (!(e instanceof IoWait)) throw e;
        w = e;
      }
    }
  }

  /** Continues a parked generator; false when the task was switched away (it resumes via onResume). */
  private runBlocking(t: Task, gen: Blocking): boolean {
    for (;;) {
      let r: IteratorResult<SleepOn, number>;
      try {
        r = gen.next();
      } catch (e) {
        if (!(e instanceof KernelError)) throw e;
        r = { done: true, value: -e.errno };
      }
      if (this.current !== t || t.state === TaskState.Zombie) return false;
      if (r.done) {
        t.parked = null;
        if (r.value !== NO_RESULT) this.arch.setSyscallResult(t, r.value); // NO_RESULT: a page fault waited for the disk
        return true;
      }
      t.parked = gen;
      if (r.value) this.sleepOn(t, r.value);
      this.schedule();
      if (this.current !== t) return false;
    }
  }

  /** The resume path: the scheduler switched back to a task that left through schedule(). */
  onResume(): void {
    const t = this.current;
    if (t.parked && !this.runBlocking(t, t.parked)) return;
    if (this.arch.enteredFromUser(t)) this.retToUser(t);
    else if (t.isIdle && this.runQueue.length > 0) this.schedule();
  }

  /** ret_from_sys_call / ret_from_intr to user mode: reschedule, then deliver one signal. */
  retToUser(t: Task): void {
    for (let guard = 0; guard < 64; guard++) {
      if (this.needResched) {
        this.schedule();
        if (this.current !== t) return;
      }
      if (t.pending & ~t.blocked || t.stoppedInSyscall) {
        this.doSignal(t);
        if (this.current !== t || t.state === TaskState.Zombie) return;
        if (this.needResched) continue;
      }
      return;
    }
  }

  /** Page fault from user mode (or from a kernel copy on architectures that fault there). */
  onPageFault(addr: number, errorCode: number): void {
    const t = this.current;
    const user = (errorCode & 4) !== 0;
    if (user) t.syscallNr = -1;
    if (!t.mm) return this.panic(`page fault at 0x${addr.toString(16)} in a task without mm (pid ${t.pid})`);
    const regs = this.arch.getUserRegs(t);
    if (this.disk?.booting) this.disk.bootDone();
    let r: ReturnType<Mm['handleFault']>;
    try {
      r = t.mm.handleFault(addr, (errorCode & 2) !== 0, (errorCode & 1) !== 0, user, regs.esp);
    } catch (e) {
      if (!(e instanceof IoWait) || !user) throw e;
      // a file page must come from the disk: sleep until it is read, then return to the
      // faulting instruction, which faults again and finds the page in the cache
      const gen = (function* (): Blocking {
        yield e.queue;
        return NO_RESULT;
      })();
      if (this.runBlocking(t, gen)) this.retToUser(t);
      return;
    }
    if (r === 'ok') t.minFlt++;
    else {
      if (!user) return this.panic(`kernel-mode page fault at 0x${addr.toString(16)} (pid ${t.pid})`);
      t.cr2 = addr >>> 0;
      t.trapNo = 14;
      t.errorCode = errorCode;
      this.forceSig(t, r === 'oom' ? SIGKILL : SIGSEGV);
    }
    if (user) this.retToUser(t);
  }

  /** Other exceptions from user mode: the signal 2.0's traps.c sends for each. */
  onTrap(trapNo: number, errorCode: number): void {
    const t = this.current;
    t.syscallNr = -1;
    t.trapNo = trapNo;
    t.errorCode = errorCode;
    this.forceSig(t, trapSignal(trapNo));
    this.retToUser(t);
  }

  /**
   * A device interrupt (the arch's IRQ entry, after the PIC acknowledge): the driver's
   * top half, then the bottom halves, then ret_from_intr (reschedule / signals when it
   * came from user mode; from the idle task, schedule whoever was woken).
   */
  onIrq(irq: number): void {
    const disk = this.disk;
    if (disk && irq === disk.irq) {
      disk.onInterrupt();
      disk.runBottomHalves();
    }
    const t = this.current;
    const fromUser = this.arch.enteredFromUser(t);
    if (fromUser) {
      t.syscallNr = -1;
      this.retToUser(t);
    } else if (t.isIdle && (this.needResched || this.runQueue.length > 0)) this.schedule();
  }

  /** IRQ 0: do_timer. */
  onTimerInterrupt(): void {
    this.jiffies++;
    if (this.disk) {
      this.disk.poll();
      this.disk.tick(this.jiffies);
      this.disk.runBottomHalves();
    }
    this.count('timerTicks');
    this.charge('timer-tick');
    const t = this.current;
    const fromUser = this.arch.enteredFromUser(t);
    if (fromUser) t.syscallNr = -1;
    if (!t.isIdle) {
      if (fromUser) t.utime++;
      else t.stime++;
      if (--t.counter <= 0) {
        t.counter = 0;
        this.needResched = true;
      }
      // 2.0 update_process_times: ITIMER_VIRTUAL counts user ticks, ITIMER_PROF all of them
      if (fromUser && t.itVirtual[0] > 0 && --t.itVirtual[0] === 0) {
        t.itVirtual[0] = t.itVirtual[1];
        this.sendSig(t, 26 /* SIGVTALRM */);
      }
      if (t.itProf[0] > 0 && --t.itProf[0] === 0) {
        t.itProf[0] = t.itProf[1];
        this.sendSig(t, 27 /* SIGPROF */);
      }
    }
    for (const p of this.tasks.values()) {
      if (p.alarmAt !== 0 && p.alarmAt <= this.jiffies) {
        // it_real_fn: SIGALRM, and the interval (if any) starts again from now
        p.alarmAt = p.alarmIncr > 0 ? this.jiffies + p.alarmIncr : 0;
        this.sendSig(p, 14 /* SIGALRM */);
      }
    }
    for (let i = this.timers.length - 1; i >= 0; i--) {
      const tm = this.timers[i];
      if (tm.at <= this.jiffies) {
        this.timers.splice(i, 1);
        this.wakeUp(tm.queue);
      }
    }
    if (fromUser) this.retToUser(t);
    else if (t.isIdle && (this.needResched || this.runQueue.length > 0)) this.schedule();
  }

  /** A wait queue woken at jiffy `at` (for nanosleep). */
  timerQueue(t: Task, at: number): WaitQueue {
    const q = new WaitQueue('timer');
    this.timers.push({ at, task: t, queue: q });
    return q;
  }

  panic(why: string): void {
    this.consoleWriteRaw(new TextEncoder().encode(`Kernel panic: ${why}\n`));
    this.arch.halt(`kernel-panic: ${why}`);
  }

  // ------------------------------------------------------------------ signals

  signalPending(): boolean {
    const t = this.current;
    return (t.pending & ~t.blocked) !== 0;
  }

  sigpipe(): void {
    this.sendSig(this.current, SIGPIPE);
  }

  /** send_sig / generate (kernel/exit.c, 2.0). */
  sendSig(p: Task, sig: number): void {
    if (sig < 1 || sig > NSIG || p.state === TaskState.Zombie) return;
    if (sig === SIGKILL || sig === SIGCONT) {
      if (p.state === TaskState.Stopped) this.wakeUpProcess(p);
      p.exitCode = 0;
      p.pending &= ~(sigmask(SIGSTOP) | sigmask(20) | sigmask(21) | sigmask(22));
    }
    if (sig === SIGSTOP || sig === 20 || sig === 21 || sig === 22) p.pending &= ~sigmask(SIGCONT);
    const sa = p.sigactions[sig];
    // 2.0's generate(): ignored signals are discarded right away (SIGCHLD with SIG_IGN excepted)
    if (sa.handler === SIG_IGN && sig !== SIGCHLD) return;
    if (sa.handler === SIG_DFL && (sig === SIGCONT || sig === SIGCHLD || sig === SIGWINCH || sig === SIGURG)) return;
    p.pending |= sigmask(sig);
    if (p.blocked & sigmask(sig)) return;
    if (p.state === TaskState.Interruptible) this.wakeUpProcess(p);
    else if (p !== this.current && p.state === TaskState.Running) this.arch.notifySignal?.(p);
  }

  /** force_sig: a fault's signal cannot be blocked or ignored. */
  forceSig(p: Task, sig: number): void {
    const sa = p.sigactions[sig];
    if (sa.handler === SIG_IGN) sa.handler = SIG_DFL;
    p.blocked &= ~sigmask(sig);
    if (sa.handler === SIG_DFL && defaultAction(sig) === 'ignore') return;
    p.pending |= sigmask(sig);
    if (p.state === TaskState.Interruptible) this.wakeUpProcess(p);
  }

  /** do_signal: act on the lowest pending unblocked signal (one handler frame per return to user). */
  private doSignal(t: Task): void {
    // a system call interrupted by this signal: restart it or make it return -EINTR
    // (2.0's handle_signal and the tail of do_signal)
    t.stoppedInSyscall = false;
    const interrupted = t.syscallNr >= 0 ? this.arch.getUserRegs(t).eax | 0 : 0;
    const restart = (): void => {
      const regs = this.arch.getUserRegs(t);
      const eip = this.arch.syscallRestartEip?.(t, regs) ?? (regs.eip - 2) >>> 0;
      this.arch.setUserRegs(t, { ...regs, eax: t.syscallNr, eip });
    };
    const settleRestart = (sa: SigAction | null): void => {
      if (interrupted !== -ERESTARTSYS && interrupted !== -ERESTARTNOHAND && interrupted !== -ERESTARTNOINTR) return;
      if (sa === null || interrupted === -ERESTARTNOINTR || (interrupted === -ERESTARTSYS && sa.flags & SA_RESTART)) restart();
      else this.arch.setSyscallResult(t, -EINTR);
      t.syscallNr = -1;
    };
    for (;;) {
      const deliverable = (t.pending & ~t.blocked) >>> 0;
      if (deliverable === 0) {
        settleRestart(null);
        if (t.restoreMask !== null) {
          t.blocked = t.restoreMask;
          t.restoreMask = null;
        }
        return;
      }
      const sig = 32 - Math.clz32(deliverable & -deliverable);
      t.pending &= ~sigmask(sig);
      const sa = t.sigactions[sig];
      if (sa.handler === SIG_IGN) continue;
      if (sa.handler === SIG_DFL) {
        // 2.0 exempts pid 1 from default actions; here pid 1 is the experiment's program,
        // not a system init, so default actions apply to it as to any process
        const act = defaultAction(sig);
        if (act === 'ignore' || act === 'continue') continue;
        this.count('signalsDelivered');
        if (act === 'stop') {
          t.state = TaskState.Stopped;
          t.exitCode = sig;
          const parent = t.parent;
          if (parent && !(parent.sigactions[SIGCHLD].flags & 1 /* SA_NOCLDSTOP */)) this.sendSig(parent, SIGCHLD);
          if (parent?.waitChild) this.wakeUp(parent.waitChild);
          // 2.0 goes on with its do_signal loop after the stop: here the loop starts again
          // when the task is continued, and settles an interrupted call (restart or EINTR) then
          t.stoppedInSyscall = t.syscallNr >= 0;
          this.schedule();
          return;
        }
        this.doExit(t, signalStatus(sig, act === 'core' && dumpCore(this, t)));
        return;
      }
      this.count('signalsDelivered');
      settleRestart(sa);
      this.setupFrame(t, sig, sa);
      return;
    }
  }

  private setupFrame(t: Task, sig: number, sa: SigAction): void {
    const regs = this.arch.getUserRegs(t);
    const frame = (regs.esp - FRAME_BYTES) >>> 0;
    const bytes = buildSignalFrame(frame, {
      sig,
      regs,
      oldmask: t.restoreMask ?? t.blocked,
      trapNo: t.trapNo,
      errorCode: t.errorCode,
      cr2: t.cr2,
      restorer: sa.flags & SA_RESTORER ? sa.restorer : 0,
    });
    this.charge('signal.deliver');
    try {
      this.uaccess.copyTo(t.mm!, frame, bytes);
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      // 2.0: a frame that cannot be written kills the task with SIGSEGV
      this.doExit(t, signalStatus(SIGSEGV, dumpCore(this, t)));
      return;
    }
    const next: UserRegs = { ...regs, esp: frame, eip: sa.handler, eflags: (regs.eflags & ~0x100) >>> 0 };
    this.arch.setUserRegs(t, next);
    if (t.restoreMask !== null) {
      t.blocked = t.restoreMask;
      t.restoreMask = null;
    }
    if (sa.flags & SA_ONESHOT) sa.handler = SIG_DFL;
    if (!(sa.flags & SA_NOMASK)) t.blocked = (t.blocked | sa.mask | sigmask(sig)) & BLOCKABLE;
  }

  // ------------------------------------------------------------------ exit and wait

  /** do_exit: release the task's resources, become a zombie, tell the parent, never return. */
  doExit(t: Task, status: number): void {
    this.count('exits');
    this.charge('exit');
    for (let fd = 0; fd < t.files.length; fd++) if (t.files[fd]) this.closeFd(t, fd);
    if (t.cwd) {
      this.fs.release(t.cwd);
      t.cwd = null;
    }
    if (t.mm) {
      const mm = t.mm;
      t.mm = null;
      this.arch.setAddressSpace(t);
      mm.release();
    }
    for (const tm of this.timers.filter((x) => x.task === t)) this.timers.splice(this.timers.indexOf(tm), 1);
    t.alarmAt = 0;
    for (const q of t.sleepingOn) q.sleepers.delete(t);
    t.sleepingOn = [];
    t.parked = null;
    t.state = TaskState.Zombie;
    t.exitCode = status;
    this.runQueue = this.runQueue.filter((x) => x !== t);
    // children go to init (pid 1)
    const init = this.tasks.get(1);
    for (const c of t.children) {
      c.parent = init && init !== t ? init : this.idle;
      c.parent.children.add(c);
      if (c.state === TaskState.Zombie && c.parent !== this.idle) {
        this.sendSig(c.parent, SIGCHLD);
        this.wakeUp(c.parent.waitChild!);
      }
    }
    t.children.clear();
    if (t.parent) {
      this.sendSig(t.parent, SIGCHLD);
      this.wakeUp(t.parent.waitChild!);
    }
    if (t.pid === 1) {
      this.initExit = (status & 0x7f) === 0 ? { code: (status >> 8) & 0xff, signal: null } : { code: null, signal: status & 0x7f };
      this.arch.halt('init-exited');
    }
    if (this.current === t) this.schedule();
  }

  /** Frees a reaped zombie (release() in exit.c). */
  releaseTask(z: Task): void {
    z.parent?.children.delete(z);
    this.arch.destroyTask(z);
    this.pages.put(z.structPhys);
    this.pages.put(z.kstackPhys);
    this.tasks.delete(z.pid);
  }

  // ------------------------------------------------------------------ files

  installFd(t: Task, f: OpenFile, min = 0): number {
    for (let fd = min; fd < 256; fd++) {
      if (!t.files[fd]) {
        t.files[fd] = f;
        t.closeOnExec[fd] = false;
        return fd;
      }
    }
    throw new KernelError(24 /* EMFILE */);
  }

  closeFd(t: Task, fd: number): void {
    const f = t.files[fd];
    if (!f) throw new KernelError(9 /* EBADF */);
    t.files[fd] = null;
    t.closeOnExec[fd] = false;
    if (--f.refs === 0) f.release(this);
  }

  // ------------------------------------------------------------------ console

  onConsoleWrite(listener: ConsoleWriteListener): () => void {
    this.consoleListeners.push(listener);
    return () => {
      const i = this.consoleListeners.indexOf(listener);
      if (i >= 0) this.consoleListeners.splice(i, 1);
    };
  }

  consoleWrite(bytes: Uint8Array, fd: number): void {
    for (const l of this.consoleListeners) l(fd, bytes, this.current.pid);
    this.arch.consoleWrite(bytes, fd === 2 ? 'stderr' : 'stdout');
  }

  private consoleWriteRaw(bytes: Uint8Array): void {
    this.arch.consoleWrite(bytes, 'kernel');
  }

  consoleRead(max: number): Uint8Array | null {
    if (this.consoleInputBuffer.length === 0) return null;
    const n = Math.min(max, this.consoleInputBuffer.length);
    return Uint8Array.from(this.consoleInputBuffer.splice(0, n));
  }

  consoleInputPending(): boolean {
    return this.consoleInputBuffer.length > 0;
  }

  /** Bytes typed at the console (wakes readers of the tty). */
  consoleType(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.consoleInputBuffer.push(bytes[i] & 0xff);
    this.wakeUp(this.consoleInput);
  }

  // ------------------------------------------------------------------ time

  /** Seconds and microseconds since the Epoch from the emulated cycle clock. */
  timeOfDay(): { sec: number; usec: number } {
    const hz = this.arch.cpuHz;
    const c = this.arch.cycles();
    const s = Math.floor(c / hz);
    const usec = Math.floor(((c - s * hz) * 1e6) / hz);
    return { sec: this.bootEpochSeconds + s, usec };
  }

  newMm(): Mm {
    return new Mm(this.mmContext);
  }
}

/** A handler that already set the task's registers (execve, sigreturn) returns this. */
export const NO_RESULT = 0.5;

/** The signal 2.0's traps.c sends for each exception vector. */
export function trapSignal(trapNo: number): number {
  switch (trapNo) {
    case 0: // divide error
    case 16: // x87 error
      return 8; // SIGFPE
    case 1:
    case 3:
      return 5; // SIGTRAP
    case 6:
      return 4; // SIGILL
    case 11:
    case 12:
    case 17:
      return 7; // SIGBUS
    default:
      return 11; // SIGSEGV: #GP, #TS, bound, overflow, …
  }
}

export { EINTR };
