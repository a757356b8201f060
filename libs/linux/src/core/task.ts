// The task struct (include/linux/sched.h, Linux 2.0), the parts the core uses.

import type { Mm } from './mm/mm';
import type { OpenFile } from './fs/file';
import type { Inode } from './fs/ramfs';
import type { SigAction } from './signal';
import type { WaitQueue } from './wait-queue';

export const enum TaskState {
  Running = 0,
  Interruptible = 1,
  Uninterruptible = 2,
  Zombie = 4,
  Stopped = 8,
}

/** Scheduling constants (include/linux/sched.h, 2.0): DEF_PRIORITY = 20*HZ/100 ticks. */
export const HZ = 100;
export const DEF_PRIORITY = (20 * HZ) / 100;
export const NR_OPEN = 256;
export const NSIG = 32;

/** Resource limits (include/linux/resource.h, 2.0: RLIM_NLIMITS = 10). */
export const RLIMIT_CORE = 4;
export const RLIM_NLIMITS = 10;
export const RLIM_INFINITY = 0x7fffffff;
/** INIT_RLIMITS of 2.0 (include/asm-i386/resource.h): no core files by default (soft limit 0),
 *  an 8 MiB stack (_STK_LIM), MAX_TASKS_PER_USER = NR_TASKS/2 processes, NR_OPEN files. */
export const initRlimits = (): [number, number][] => [
  [RLIM_INFINITY, RLIM_INFINITY], // CPU
  [RLIM_INFINITY, RLIM_INFINITY], // FSIZE
  [RLIM_INFINITY, RLIM_INFINITY], // DATA
  [8 << 20, 8 << 20], // STACK
  [0, RLIM_INFINITY], // CORE
  [RLIM_INFINITY, RLIM_INFINITY], // RSS
  [256, 256], // NPROC
  [NR_OPEN, NR_OPEN], // NOFILE
  [RLIM_INFINITY, RLIM_INFINITY], // MEMLOCK
  [RLIM_INFINITY, RLIM_INFINITY], // AS
];

/** What a parked system call waits on: a wait queue, several (select), or (yield null) just a reschedule. */
export type SleepOn = WaitQueue | WaitQueue[] | null;
/** A blocking system call: yields where it sleeps, returns its result. */
export type Blocking = Generator<SleepOn, number, void>;

export class Task {
  state: TaskState = TaskState.Running;
  /** ticks left in this time slice (2.0: counter) */
  counter = DEF_PRIORITY;
  priority = DEF_PRIORITY;
  parent: Task | null = null;
  readonly children = new Set<Task>();
  pgrp: number;
  session: number;
  /** session leader (setsid; 2.0: leader) */
  leader = false;
  /** has called execve since fork (2.0: did_exec; setpgid by the parent then fails with EACCES) */
  didExec = false;
  /** [soft, hard] per resource */
  rlim: [number, number][] = initRlimits();
  /** page faults resolved without and with I/O (getrusage ru_minflt / ru_majflt) */
  minFlt = 0;
  majFlt = 0;
  /** wait status for the parent (see exitStatus) once a zombie */
  exitCode = 0;
  mm: Mm | null = null;
  readonly files: (OpenFile | null)[] = [];
  /** close-on-exec flags per fd */
  readonly closeOnExec: boolean[] = [];
  cwd: Inode | null = null;
  umask = 0o022;
  /** pending and blocked signals, bit (sig-1) */
  pending = 0;
  blocked = 0;
  /** sigsuspend's original mask: the next signal frame records it as oldmask */
  restoreMask: number | null = null;
  sigactions: SigAction[] = [];
  /** the parked system call, continued by the resume path */
  parked: Blocking | null = null;
  /** the wait queues the task sleeps on (empty when it does not sleep) */
  sleepingOn: WaitQueue[] = [];
  /** parents sleep here in wait4 */
  waitChild: WaitQueue | null = null;
  /** jiffies at which SIGALRM fires (0 = none): ITIMER_REAL (and alarm), with its interval in ticks */
  alarmAt = 0;
  alarmIncr = 0;
  /** ITIMER_VIRTUAL and ITIMER_PROF: [ticks left (0 = off), interval] */
  itVirtual: [number, number] = [0, 0];
  itProf: [number, number] = [0, 0];
  /** timer ticks charged in user and kernel mode */
  utime = 0;
  stime = 0;
  /** ticks of reaped children (and their reaped children) */
  cutime = 0;
  cstime = 0;
  startJiffies = 0;
  /** fault information for the signal frame (tss.trap_no, error_code, cr2) */
  trapNo = 0;
  errorCode = 0;
  cr2 = 0;
  comm = '';
  /** the system call being executed (for restart decisions), -1 outside */
  syscallNr = -1;
  /** stopped by a signal on the way out of a system call: its restart is settled when continued */
  stoppedInSyscall = false;
  /** physical pages of the task struct and of the kernel stack (guest memory the paths touch) */
  structPhys = 0;
  kstackPhys = 0;
  /** architecture-private state (native: TSS selector, …) */
  arch: Record<string, number> = {};

  constructor(
    readonly pid: number,
    pgrp: number,
    session: number,
  ) {
    this.pgrp = pgrp;
    this.session = session;
  }

  get isIdle(): boolean {
    return this.pid === 0;
  }
}
