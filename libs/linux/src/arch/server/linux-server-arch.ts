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
   * The core's schedule() switches from `prev` to `next` inside the server: the
   * server's own mechanism for switching between the kernel contexts of two Linux
   * processes is charged (chargeCoreSwitch: L4Linux a stack switch of the server's main
   * thread, MkLinux a Mach thread switch), as native charges switch_to.
   */
  switchTo(prev: Task, next: Task): void {
    const p = this.procs.get(prev);
    if (p && p.waiting !== 'none') {
      p.switchedAway = true;
      p.chosen = false;
    }
    const n = this.procs.get(next);
    if (n?.switchedAway) n.chosen = true;
    this.kernel.count(`${this.counterPrefix}.coreSwitches`);
    this.chargeCoreSwitch(prev, next);
  }

  /** What the server's switch between two processes' kernel contexts costs (the arch's mechanism). */
  protected abstract chargeCoreSwitch(prev: Task, next: Task): void;

  /**
   * The first task the core switched away from inside the server that can run again, its
   * mark cleared; null if none. Its kernel context continues in the server only through
   * Linux's scheduler: when no schedule() chose it (it was woken while another process's
   * request ran, or was preempted), the server runs schedule() now and switches to it —
   * charged and counted as the core's schedule() and switch are.
   */
  protected takeResumable(): Task | null {
    for (const [task, p] of this.procs) {
      if (p.switchedAway && task.state === TaskState.Running) {
        p.switchedAway = false;
        if (p.chosen) p.chosen = false;
        else {
          const from = this.kernel.current;
          this.kernel.charge('schedule', Math.max(1, this.kernel.runQueue.length));
          this.kernel.count('contextSwitches');
          this.kernel.count(`${this.counterPrefix}.coreSwitches`);
          this.chargeCoreSwitch(from, task);
        }
        return task;
      }
    }
    return null;
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
