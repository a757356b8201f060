// What every arch layer that runs the Linux core as a single server (arch/l4, arch/mach)
// answers the same way: a process's registers exist only while the server serves one of
// its requests (an "entry"); the core's switch away from a process inside the server
// means its reply waits until the core resumes it; the server is not in the processes'
// address spaces. The µ-kernel side (how requests arrive, how replies and mappings go
// back) is each subclass's own.
import type { Machine } from '@mklab/pentium';
import type { UserRegs } from '../arch';
import type { LinuxKernel } from '../../core/kernel';
import { Task, TaskState } from '../../core/task';

/** What the server keeps of a process for the request it serves. */
export interface ServerEntry {
  /** user registers at the current server entry */
  regs: UserRegs | null;
  /** the kind of request being served; 'none' between requests */
  waiting: string;
  /** registers changed beyond EAX: the reply installs a whole new frame or state */
  full: boolean;
  /** the core switched away from this task inside the server: no reply until it resumes */
  switchedAway: boolean;
  /** the core's schedule() chose this task while it was switched away: its resume is that switch, already charged */
  chosen?: boolean;
  /** the page fault being served: its address and whether it was a write */
  faultAddr: number;
  faultWrite: boolean;
}

export abstract class LinuxServerArch<P extends ServerEntry> {
  readonly cpuHz: number;
  protected kernel!: LinuxKernel;
  /** the server's state of every process, in creation order (the order replies are made in) */
  protected readonly procs = new Map<Task, P>();

  /** `system` names the server in errors ('L4Linux'), `counterPrefix` its kernel counters ('l4linux'). */
  constructor(
    protected readonly machine: Machine,
    private readonly system: string,
    private readonly counterPrefix: string,
  ) {
    this.cpuHz = machine.clock.hz;
  }

  attach(kernel: LinuxKernel): void {
    this.kernel = kernel;
  }

  /** No kernel part: the server is not in the processes' address spaces. */
  initPageDirectory(pgd: number): void {
    void pgd;
  }

  // ------------------------------------------------------------------ registers of an entry

  protected entered(task: Task): P {
    const p = this.procs.get(task);
    if (!p || p.waiting === 'none' || !p.regs) throw new Error(`${this.system}: pid ${task.pid} is not in a server entry`);
    return p;
  }

  getUserRegs(task: Task): UserRegs {
    return { ...(this.entered(task).regs as UserRegs) };
  }

  setUserRegs(task: Task, regs: UserRegs): void {
    const p = this.entered(task);
    p.regs = { ...regs };
    p.full = true;
  }

  setSyscallResult(task: Task, value: number): void {
    (this.entered(task).regs as UserRegs).eax = value >>> 0;
  }

  enteredFromUser(task: Task): boolean {
    const p = this.procs.get(task);
    return !!p && p.waiting !== 'none' && p.regs !== null;
  }

  // ------------------------------------------------------------------ the core's switches inside the server

  /**
   * The core's schedule() switches from `prev` to `next` inside the server. When next's
   * kernel context is parked in the server (it left through schedule() and can run), the
   * server switches to it: its own mechanism for that is charged (chargeCoreSwitch:
   * L4Linux a stack switch of the server's main thread, MkLinux a Mach thread switch),
   * as native charges switch_to. A next that runs in user mode has no context in the
   * server to switch to: the server goes back to waiting for requests.
   */
  switchTo(prev: Task, next: Task): void {
    const p = this.procs.get(prev);
    if (p && p.waiting !== 'none') {
      p.switchedAway = true;
      p.chosen = false;
    }
    const n = this.procs.get(next);
    if (n?.switchedAway && next.state === TaskState.Running) {
      n.chosen = true;
      this.enterContext(prev, next);
    }
  }

  /** What the server's switch between two processes' kernel contexts costs (the arch's mechanism). */
  protected abstract chargeCoreSwitch(prev: Task, next: Task): void;

  private enterContext(prev: Task, next: Task): void {
    this.kernel.count(`${this.counterPrefix}.coreSwitches`);
    this.chargeCoreSwitch(prev, next);
  }

  /**
   * The first task the core switched away from inside the server that can run again, its
   * mark cleared; null if none. Its kernel context continues in the server: when no
   * schedule() chose it (it was woken while another process's request ran, or was
   * preempted), the server switches to it here, and that switch is charged as above.
   */
  protected takeResumable(): Task | null {
    for (const [task, p] of this.procs) {
      if (p.switchedAway && task.state === TaskState.Running) {
        p.switchedAway = false;
        if (p.chosen) p.chosen = false;
        else this.enterContext(this.kernel.current, task);
        return task;
      }
    }
    return null;
  }

  /**
   * Orders the replies queued since index `from` so that the one to `caller` (the process
   * whose request was just served) goes last: the server's last IPC is the reply with its
   * receive, which hands the CPU straight to the caller, as the paper's L4Linux does when
   * no reschedule is pending ("the server replies at once, resuming the caller"). The
   * other processes' replies (tasks the request woke) go first, send-only: they run when
   * the µ-kernel schedules them, after the caller — as on native, where the waker
   * returns to user mode and the woken task runs when the waker blocks or its slice ends.
   */
  protected callerLast<R extends { task?: Task }>(queue: R[], from: number, caller: Task | null): void {
    if (!caller) return;
    const i = queue.findIndex((r, j) => j >= from && r.task === caller);
    if (i >= 0 && i !== queue.length - 1) queue.push(...queue.splice(i, 1));
  }

  /** The entry of `task` is done and it may have its reply: in a request, not switched away, running, not parked. */
  protected replyDue(task: Task, p: P): boolean {
    return p.waiting !== 'none' && !p.switchedAway && task.state === TaskState.Running && !task.parked;
  }

  // ------------------------------------------------------------------ misc

  cycles(): number {
    return this.machine.counters.cycles;
  }

  consoleWrite(bytes: Uint8Array, stream: 'stdout' | 'stderr' | 'kernel'): void {
    this.machine.console.write(stream, bytes);
  }

  halt(reason: string): void {
    this.machine.stop(reason);
  }
}
