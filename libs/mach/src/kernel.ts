// The Mach µ-kernel: boot, kernel entry and exit, the thread switch (CR3 load when the
// task changes), scheduling (priorities, quanta from the PIT tick), timeouts, tasks
// and threads, the Mach traps other than mach_msg (mach-msg.ts), page faults
// (vm-fault.ts), exceptions and the int 0x80 redirection (exceptions.ts).
//
// Trap ABI (OSF Mach on i386): `int $0x81` with the negative trap number in EAX, the
// arguments on the user stack as a C call leaves them (the user stub is called, so
// [ESP] is its return address and the arguments start at [ESP+4]); the result in EAX.
//   -25 mach_msg(msg, option, send_size, rcv_size, rcv_name, timeout, notify)   (mach-msg.ts)
//   -26 mach_reply_port()          -27 mach_thread_self()          -28 mach_task_self()
//   -16 mach_port_allocate(task, right (1 receive, 3 port set), name_t *name)
//   -20 mach_port_move_member(task, member, set)   (set = 0: leave its set)
//   -17 mach_port_destroy(task, name)          -18 mach_port_deallocate(task, name)
//   -10 vm_allocate(task, vm_address_t *addr, size, anywhere)
//   -12 vm_deallocate(task, addr, size)        -14 vm_protect(task, addr, size, set_max, prot)
// CMU Mach 3 numbers its traps the same way for -25…-28; OSF Mach serves mach_port_*
// and vm_* as MIG RPCs on the task port — we enter them as traps with xnu's
// _kernelrpc_* numbers (-10…-18), a shortcut documented here, not Mach's message path.
import { FramePool, Pmap, PDE_PS, PTE_P, PTE_RW } from './pmap';
import { VmObjects } from './vm-object';
import { VmError, VmMap } from './vm-map';
import { IpcSpace } from './ipc-space';
import { Port, PortZone } from './port';
import { Scheduler, QUANTUM_TICKS } from './scheduler';
import { Task } from './task';
import { Thread, ThreadState } from './thread';
import { MACH_COSTS, PATH_CODE_END, PATH_CODE_START } from './costs';
import { assembleStubs, HC, irqVector, userLoopBytes, type StubAddresses } from './stubs';
import {
  G_CURRENT,
  GDT,
  GDT_ENTRIES,
  IDLE_STACK_TOP,
  IDT,
  KERNEL_BASE,
  KERNEL_CS,
  KERNEL_DS,
  KERNEL_PDIR,
  KERNEL_TEXT,
  KERNEL_TEXT_BYTES,
  kernelLinear,
  MACH_TRAP_VECTOR,
  MAX_THREADS,
  PAGE_SIZE,
  PMAP_POOL,
  PMAP_POOL_END,
  THREAD_FIELD,
  THREAD_STACK_BYTES,
  THREAD_STACKS,
  TSS,
  TSS_SEL,
  UNIX_SYSCALL_VECTOR,
  USER_CS,
  USER_DS,
  USER_TOP,
  VM_PAGE_POOL,
} from './layout';
import { EAX, EBP, EBX, ECX, EDI, EDX, ESI, ESP, SEG_DS, SEG_ES, SEG_FS, SEG_GS, KernelFpu, type GuestMemory, type KernelCpu, type KernelMachine, type PathProfile } from '@mklab/pentium';
import { machMsgTrap } from './mach-msg';
import { raiseException, unixSyscall } from './exceptions';
import { vmFault } from './vm-fault';
import { EXC, KERN, PORT_RIGHT, PORT_SEND } from './message';
import { destroyMessage, destroyPort } from './mach-msg';
import { requestPage } from './pager';
import type { KMsg } from './kmsg';

export interface MachBootOptions {
  /** clock interrupt rate (PIT channel 0); 0 = none. Default 100 (Mach 3 i386 hz = 100) */
  timerHz?: number;
  /**
   * The user code and data selectors (GDT slots 3–5, RPL 3). Default 0x1b / 0x23. A
   * personality whose binaries see their selectors asks for its own ABI's (MkLinux: Linux's
   * 0x23 / 0x2b), as a server for an existing binary interface must.
   */
  userSelectors?: { cs: number; ds: number };
  /** end of the physical memory Mach's VM page pool may use (default: all memory); the rest is left to a co-resident owner (the MkLinux server's memory) */
  vmPageTop?: number;
}

export interface UserThreadContext {
  readonly thread: Thread;
  readonly task: Task;
  /** where its loop starts (guest code the step jumps to may come back here) */
  readonly loopAddress: number;
  /** reads / writes the task's memory the way its own loads and stores would (faults resolved) */
  read32(va: number): number;
  write32(va: number, v: number): void;
  readBytes(va: number, n: number): number[];
  writeBytes(va: number, bytes: ArrayLike<number>): void;
  /** sets up a Mach trap for the loop's INT 0x81: number and arguments (written below the stack at `argsAt`) */
  trap(trap: number, args: number[]): void;
}
export type UserThreadStep = (cpu: KernelCpu, ctx: UserThreadContext) => void;

export const TRAP = { VM_ALLOCATE: -10, VM_DEALLOCATE: -12, VM_PROTECT: -14, PORT_ALLOCATE: -16, PORT_DESTROY: -17, PORT_DEALLOCATE: -18, PORT_MOVE_MEMBER: -20, MACH_MSG: -25, REPLY_PORT: -26, THREAD_SELF: -27, TASK_SELF: -28 } as const;

const PIC1 = 0x20,
  PIC2 = 0xa0;
const PIT_HZ = 1193182;

export class MachKernel {
  readonly memory: GuestMemory;
  readonly cpu: KernelCpu;
  readonly tables: FramePool;
  readonly objects: VmObjects;
  readonly ports = new PortZone();
  readonly scheduler = new Scheduler();
  readonly stubs: StubAddresses;
  readonly tasks: Task[] = [];
  readonly idle: Thread;
  readonly timerHz: number;
  readonly userCs: number;
  readonly userDs: number;
  /** kernel upcall at every clock interrupt (a co-located server's timer: MkLinux in-kernel) */
  onClockTick: (() => void) | null = null;
  /** device interrupt handlers by line (attachInterrupt) */
  private readonly irqHandlers = new Map<number, () => void>();
  /** the 8259A pair's interrupt masks (OCW1) as the kernel last wrote them */
  private picMask: [number, number] = [0xff, 0xff];
  current: Thread;
  private onCpu: Thread | null = null;
  /** inside a hostcall handler (scheduling decisions take effect at its exit) */
  private inKernel = false;
  /**
   * Lazy FPU switching (Mach 3 i386: CR0.TS on a switch, fp_save / fp_load in the #NM
   * handler): the thread whose state is in the x87. Threads that never touch the FPU
   * (servers) cost one MOV CR0 when TS was clear, nothing else.
   */
  readonly fpu: KernelFpu<Thread>;
  /** the last thread this kernel entry made runnable (the candidate for a hand-off) */
  private woken: Thread | null = null;
  private userPmap: Pmap | null = null;
  private nextThread = 1;
  /** round-robin cursor of the kmsg zone (mach-msg.ts) */
  kmsgCursor = 0;
  private readonly freeThreadNumbers: number[] = [];
  private nextSpace = 1;
  private nextUserHostcall: number = HC.USER_FIRST;
  private readonly kernelTask: Task;

  constructor(
    readonly machine: KernelMachine,
    options: MachBootOptions = {},
  ) {
    this.memory = machine.memory;
    this.cpu = machine.cpu;
    this.fpu = new KernelFpu<Thread>(machine, {
      kernel: 'Mach',
      kernelBase: KERNEL_BASE,
      saveArea: (t) => t.field(THREAD_FIELD.FPU),
      chargeSwitch: (t) => this.charge(MACH_COSTS.fpuSwitch, [t.field(THREAD_FIELD.STATE)]),
      countSwitch: () => this.bump('fpuSwitches'),
    });
    this.timerHz = options.timerHz ?? 100;
    this.userCs = options.userSelectors?.cs ?? USER_CS;
    this.userDs = options.userSelectors?.ds ?? USER_DS;
    for (const [what, sel] of [['code', this.userCs], ['data', this.userDs]] as const) {
      if ((sel & 7) !== 3 || sel >> 3 < 3 || sel >> 3 > 5) throw new Error(`Mach: user ${what} selector 0x${sel.toString(16)} must be GDT slot 3–5 with RPL 3`);
    }
    if (this.userCs === this.userDs) throw new Error('Mach: user code and data selectors must differ');
    const mem = this.memory;
    if (mem.size < 16 << 20) throw new Error(`Mach: needs at least 16 MiB of memory, the machine has ${mem.size} bytes`);
    mem.fill(KERNEL_PDIR, PAGE_SIZE, 0);
    for (let p = 0; p < mem.size && KERNEL_BASE + p < 0x100000000; p += 1 << 22) mem.write32(KERNEL_PDIR + ((KERNEL_BASE + p) >>> 22) * 4, (p | PTE_P | PTE_RW | PDE_PS) >>> 0);
    this.tables = new FramePool(mem, PMAP_POOL, PMAP_POOL_END);
    const vmTop = Math.min(options.vmPageTop ?? mem.size, mem.size, 0x100000000 - KERNEL_BASE);
    if (vmTop - VM_PAGE_POOL < 1 << 20) throw new Error(`Mach: the VM page pool 0x${VM_PAGE_POOL.toString(16)}–0x${vmTop.toString(16)} is below 1 MiB`);
    this.objects = new VmObjects(mem, new FramePool(mem, VM_PAGE_POOL, vmTop));

    this.stubs = assembleStubs((phys, bytes) => bytes.forEach((b, i) => mem.write8(phys + i, b)), kernelLinear);
    if (this.stubs.end > PATH_CODE_START || PATH_CODE_END > KERNEL_TEXT + KERNEL_TEXT_BYTES) throw new Error('Mach: kernel text layout overflow');

    const gdt = (index: number, d: [number, number]) => {
      mem.write32(GDT + index * 8, d[0]);
      mem.write32(GDT + index * 8 + 4, d[1]);
    };
    mem.fill(GDT, GDT_ENTRIES * 8, 0);
    gdt(KERNEL_CS >> 3, segment(0, 0xffffffff, 0xa, 0));
    gdt(KERNEL_DS >> 3, segment(0, 0xffffffff, 0x2, 0));
    gdt(this.userCs >> 3, segment(0, USER_TOP - 1, 0xa, 3));
    gdt(this.userDs >> 3, segment(0, USER_TOP - 1, 0x2, 3));
    gdt(TSS_SEL >> 3, tssDescriptor(kernelLinear(TSS), 0x67));
    mem.fill(TSS, 0x68, 0);
    mem.write32(TSS + 8, KERNEL_DS);
    mem.write32(TSS + 0x64, 0x68 << 16);
    mem.fill(IDT, 256 * 8, 0);
    const gate = (vector: number, offset: number, dpl: number) => {
      mem.write32(IDT + vector * 8, ((KERNEL_CS << 16) | (offset & 0xffff)) >>> 0);
      mem.write32(IDT + vector * 8 + 4, ((offset & 0xffff0000) | 0x8e00 | (dpl << 13)) >>> 0);
    };
    for (let v = 0; v < 32; v++) gate(v, this.stubs.exceptions[v], v === 3 || v === 4 ? 3 : 0);
    gate(MACH_TRAP_VECTOR, this.stubs.machTrap, 3);
    gate(UNIX_SYSCALL_VECTOR, this.stubs.unixSyscall, 3);
    for (let i = 0; i < 16; i++) gate(irqVector(i), this.stubs.irqs[i], 0);

    const cpu = this.cpu;
    cpu.setCr4(cpu.cr4 | 0x10);
    cpu.loadCr3(KERNEL_PDIR);
    cpu.setCr0(cpu.cr0 | 0x80000000);
    cpu.setGdtr(kernelLinear(GDT), GDT_ENTRIES * 8 - 1);
    cpu.setIdtr(kernelLinear(IDT), 256 * 8 - 1);
    cpu.loadSegment(2, KERNEL_DS);
    cpu.loadSegment(SEG_DS, KERNEL_DS);
    cpu.loadSegment(SEG_ES, KERNEL_DS);
    cpu.loadTr(TSS_SEL);

    const pic = machine.pic;
    pic.out8(PIC1, 0x11);
    pic.out8(PIC1 + 1, irqVector(0));
    pic.out8(PIC1 + 1, 0x04);
    pic.out8(PIC1 + 1, 0x01);
    pic.out8(PIC2, 0x11);
    pic.out8(PIC2 + 1, irqVector(8));
    pic.out8(PIC2 + 1, 0x02);
    pic.out8(PIC2 + 1, 0x01);
    this.picMask = [this.timerHz > 0 ? 0xfe : 0xff, 0xff];
    pic.out8(PIC1 + 1, this.picMask[0]);
    pic.out8(PIC2 + 1, this.picMask[1]);
    if (this.timerHz > 0) {
      const count = Math.round(PIT_HZ / this.timerHz);
      machine.pit.out8(0x43, 0x34);
      machine.pit.out8(0x40, count & 0xff);
      machine.pit.out8(0x40, (count >> 8) & 0xff);
    }

    this.kernelTask = new Task(0, new VmMap(new Pmap(mem, this.tables, KERNEL_PDIR, () => {}), this.objects), new IpcSpace(0));
    this.idle = new Thread(0, this.kernelTask, THREAD_STACKS);
    this.idle.priority = 31;
    this.idle.kernelEsp = kernelLinear(IDLE_STACK_TOP);
    this.idle.resumeEip = this.stubs.idle;
    this.current = this.idle;

    // the counters the paper reasons with start at 0, so every run reports the same set
    for (const c of ['machTraps', 'machMessages', 'portLookups', 'bytesCopied', 'oolPages', 'threadSwitches', 'addressSpaceSwitches', 'syscallRedirections', 'exceptionMessages', 'pageFaults', 'pagerRequests']) this.bump(c, 0);

    const h = machine.hostcalls;
    h.register(HC.MACH_TRAP, 'mach.trap', this.entry((t) => this.machTrap(t)));
    h.register(HC.UNIX_SYSCALL, 'mach.unix-syscall', this.entry((t) => unixSyscall(this, t)));
    h.register(HC.PAGE_FAULT, 'mach.page-fault', this.entry((t) => this.pageFault(t)));
    for (let v = 0; v < 32; v++) if (v !== 14) h.register(HC.EXCEPTION + v, `mach.exception.${v}`, this.entry((t) => this.hardwareException(t, v)));
    for (let i = 0; i < 16; i++) h.register(HC.IRQ + i, `mach.irq.${i}`, this.entry(() => this.interrupt(i)));
    h.register(
      HC.BOOT,
      'mach.boot',
      this.entry(() => {
        this.idle.kernelEsp = kernelLinear(IDLE_STACK_TOP);
        this.idle.resumeEip = this.stubs.idle;
        this.reschedule();
      }),
    );
    cpu.setReg(ESP, kernelLinear(IDLE_STACK_TOP));
    cpu.eip = this.stubs.boot;
  }

  // ================================================================ bookkeeping
  bump(name: string, n = 1): void {
    const k = this.machine.counters.kernel;
    k[name] = (k[name] ?? 0) + n;
  }
  charge(profile: PathProfile, reads?: ArrayLike<number>, writes?: ArrayLike<number>): void {
    this.machine.counters.cycles += this.machine.timing.chargePath(profile, reads, writes);
  }
  get now(): number {
    return this.machine.counters.cycles;
  }

  // ========================================================== tasks and threads
  createTask(): Task {
    const number = this.tasks.length + 1;
    const map = new VmMap(new Pmap(this.memory, this.tables, KERNEL_PDIR, (p, va) => this.invalidate(p, va)), this.objects);
    const task = new Task(number, map, new IpcSpace(this.nextSpace++));
    task.port = this.kernelPort(task);
    task.selfName = task.space.insert({ port: task.port, type: PORT_SEND });
    this.tasks.push(task);
    this.bump('tasksCreated');
    return task;
  }

  /** A port the kernel holds the receive right of (task, thread, control, reply ports). */
  kernelPort(kobject: unknown, server: ((m: KMsg) => void) | null = null): Port {
    const p = this.ports.allocate();
    p.kobject = kobject;
    p.kernelServer = server ?? ((m) => this.discardMessage(m));
    return p;
  }

  /** Creates a thread of `task` starting at user EIP/ESP. */
  createThread(task: Task, eip: number, esp: number, priority = 12): Thread {
    // a terminated thread's stack page is reused (kernel stacks come from a zone in Mach too)
    const n = this.freeThreadNumbers.pop() ?? this.nextThread++;
    if (n >= MAX_THREADS) throw new Error('Mach: out of thread stacks');
    const t = new Thread(n, task, THREAD_STACKS + n * THREAD_STACK_BYTES);
    if (!(Number.isInteger(priority) && priority >= 0 && priority < 31)) throw new Error(`Mach: priority ${priority} is outside 0..30`);
    t.priority = priority;
    const f = t.framePhys;
    this.memory.write32(f, eip);
    this.memory.write32(f + 4, this.userCs);
    this.memory.write32(f + 8, 0x202);
    this.memory.write32(f + 12, esp);
    this.memory.write32(f + 16, this.userDs);
    t.kernelEsp = kernelLinear(f);
    t.resumeEip = this.stubs.resumeNew;
    t.quantumLeft = QUANTUM_TICKS;
    t.port = this.kernelPort(t);
    task.threads.push(t);
    this.scheduler.enqueue(t);
    this.bump('threadsCreated');
    return t;
  }

  /** Boot-time loader: a task with `image` at `at` (zero-fill memory around it) and one thread. */
  loadTask(spec: { image: ArrayLike<number>; at: number; dataAt?: number; dataBytes?: number; stackTop?: number; priority?: number }): { task: Task; thread: Thread } {
    const task = this.createTask();
    task.map.allocate(spec.at, spec.image.length || 1);
    this.writeUser(task, spec.at, spec.image);
    if (spec.dataAt !== undefined) task.map.allocate(spec.dataAt, spec.dataBytes ?? PAGE_SIZE);
    const stackTop = spec.stackTop ?? 0xbf000000;
    task.map.allocate(stackTop - 4 * PAGE_SIZE, 4 * PAGE_SIZE);
    const thread = this.createThread(task, spec.at, stackTop - 16, spec.priority);
    return { task, thread };
  }

  /** A thread written in TypeScript at user level (see stubs.ts userLoopBytes). */
  startUserThread(task: Task, step: UserThreadStep, priority = 12): Thread {
    const code = task.map.allocate(null, PAGE_SIZE);
    const stack = task.map.allocate(null, 4 * PAGE_SIZE);
    const argsAt = stack + 4 * PAGE_SIZE - 64;
    const id = this.nextUserHostcall++;
    if (id > HC.USER_LAST) throw new Error('Mach: too many user-level TypeScript threads');
    this.writeUser(task, code, userLoopBytes(id));
    const t = this.createThread(task, code, argsAt - 4, priority);
    const cpu = this.cpu;
    const ctx: UserThreadContext = {
      thread: t,
      task,
      loopAddress: code,
      read32: (va) => this.readUser32(task, va),
      write32: (va, v) => this.writeUser(task, va, le32(v)),
      readBytes: (va, n) => this.readUser(task, va, n),
      writeBytes: (va, b) => this.writeUser(task, va, b),
      trap: (trap, args) => {
        const bytes: number[] = [];
        for (const a of args) bytes.push(...le32(a));
        this.writeUser(task, argsAt, bytes);
        cpu.setReg(ESP, argsAt - 4);
        cpu.setReg(EAX, trap >>> 0);
      },
    };
    this.machine.hostcalls.register(id, `mach.user-thread.${id - HC.USER_FIRST}`, () => step(cpu, ctx), { fromUser: true });
    return t;
  }

  // ============================================ vm_read / vm_write / vm_copy (kernel API)
  /** vm_read: a copy-on-write copy of `task`'s [address, address+size) placed anywhere in `into`; returns its address there. */
  vmRead(task: Task, address: number, size: number, into: Task): number {
    this.charge(MACH_COSTS.vmOp);
    return into.map.copyout(task.map.copyin(address, size, false));
  }
  /** vm_write: `from`'s [fromAddress, +size) replaces `task`'s [address, +size) (copy-on-write; page-aligned). */
  vmWrite(task: Task, address: number, from: Task, fromAddress: number, size: number): void {
    this.charge(MACH_COSTS.vmOp);
    task.map.overwrite(address, from.map.copyin(fromAddress, size, false));
  }
  /** vm_copy: inside one task, [source, +size) onto [dest, +size). */
  vmCopy(task: Task, source: number, size: number, dest: number): void {
    this.charge(MACH_COSTS.vmOp);
    task.map.overwrite(dest, task.map.copyin(source, size, false));
  }

  /** task_terminate: its threads stop, its receive rights die (senders see dead names), its memory goes. */
  terminateTask(task: Task): void {
    if (task.terminated) return;
    task.terminated = true;
    for (const t of task.threads) if (t.state !== ThreadState.Terminated) this.terminateThread(t);
    for (const p of task.space.receiveRights()) destroyPort(this, p);
    if (task.port) destroyPort(this, task.port);
    if (this.userPmap === task.map.pmap) {
      this.cpu.loadCr3(KERNEL_PDIR);
      this.userPmap = null;
    }
    task.map.destroy();
    this.bump('tasksTerminated');
  }

  terminateThread(t: Thread): void {
    this.cancelTimeout(t);
    // out of any queue it waits in
    const w = t.wait;
    if (w && (w.kind === 'send' || w.kind === 'receive')) {
      const q = w.kind === 'send' ? w.port.blockedSenders : w.port.receivers;
      const i = q.indexOf(t);
      if (i >= 0) q.splice(i, 1);
      if (w.kind === 'send') destroyMessage(this, w.kmsg);
    }
    // the kernel-served reply port of an exception it waited on dies with it
    if (w && w.kind === 'reply') destroyPort(this, w.port);
    this.scheduler.remove(t);
    t.state = ThreadState.Terminated;
    t.wait = null;
    if (t.port) destroyPort(this, t.port);
    this.fpu.forget(t);
    this.freeThreadNumbers.push(t.number);
    this.bump('threadsTerminated');
    if (this.current === t) this.reschedule();
  }

  // ===================================================== user memory (software walk)
  /** Physical address of `va` in `task`, resolving a fault through the map (anonymous memory only); -1 when impossible. */
  userPhys(task: Task, va: number, write: boolean): number {
    let e = task.map.pmap.extract(va);
    if (!e || (write && !e.writable)) {
      const r = vmFault(this, task, va, write, null);
      if (!r.ok) return -1;
      e = task.map.pmap.extract(va);
      if (!e) return -1;
    }
    return e.frame + (va & (PAGE_SIZE - 1));
  }
  // user memory byte by byte, translated once per page (a fault on the page's first byte makes the rest present)
  writeUser(task: Task, va: number, data: ArrayLike<number>): boolean {
    let p = -1;
    for (let i = 0; i < data.length; i++) {
      const a = va + i;
      if (i === 0 || (a & (PAGE_SIZE - 1)) === 0) {
        p = this.userPhys(task, a, true);
        if (p < 0) return false;
      } else p++;
      this.memory.write8(p, data[i]);
    }
    return true;
  }
  readUser(task: Task, va: number, n: number): number[] {
    const out: number[] = new Array(n);
    let p = -1;
    for (let i = 0; i < n; i++) {
      const a = va + i;
      if (i === 0 || (a & (PAGE_SIZE - 1)) === 0) {
        p = this.userPhys(task, a, false);
        if (p < 0) throw new VmError(KERN.INVALID_ADDRESS, `read of 0x${a.toString(16)} in ${task}`);
      } else p++;
      out[i] = this.memory.read8(p);
    }
    return out;
  }
  readUser32(task: Task, va: number): number {
    const b = this.readUser(task, va, 4);
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }

  private invalidate(p: Pmap, va: number): void {
    if ((this.cpu.cr3 & 0xfffff000) === p.pdir) this.cpu.invlpg(va);
  }

  /** User trap frame of a thread. */
  frame(t: Thread): { eip: number; cs: number; eflags: number; esp: number; ss: number } {
    const m = this.memory;
    const f = t.framePhys;
    return { eip: m.read32(f), cs: m.read32(f + 4), eflags: m.read32(f + 8), esp: m.read32(f + 12), ss: m.read32(f + 16) };
  }
  setFrame(t: Thread, eip: number, esp: number, eflags: number): void {
    this.memory.write32(t.framePhys, eip);
    this.memory.write32(t.framePhys + 8, (eflags & 0x00000dd5) | 0x202);
    this.memory.write32(t.framePhys + 12, esp);
  }

  // ================================================================== scheduling
  /** `t` can run again (its wait is over). Preempts a lower-priority current thread. */
  wakeup(t: Thread): void {
    if (t.state === ThreadState.Terminated) return;
    this.cancelTimeout(t);
    t.wait = null;
    t.state = ThreadState.Running;
    if (t === this.current) return;
    if (this.inKernel && t === this.onCpu && t !== this.idle) {
      // it blocked and woke within one kernel entry (a kernel-served port answered at
      // once: a co-located server): no switch has happened, none happens
      const chosen = this.current;
      if (chosen !== this.idle && chosen.state === ThreadState.Running) this.scheduler.enqueueFront(chosen);
      this.scheduler.remove(t);
      this.current = t;
      return;
    }
    this.scheduler.enqueue(t);
    // from an event (timeout) outside the kernel: wakeFromEvent takes it from the run queue
    if (!this.inKernel) return;
    this.woken = t;
    if (this.current === this.idle) this.reschedule();
    else if (t.priority < this.current.priority) this.preempt();
  }

  /**
   * The current thread waits. If this kernel entry woke a thread (mach_msg's send half
   * delivered to a waiting receiver), the processor is handed to it directly, as Mach 3's
   * message path does (thread_handoff) — the server's reply runs its client next.
   */
  block(t: Thread): void {
    t.state = ThreadState.Waiting;
    this.scheduler.remove(t);
    this.charge(MACH_COSTS.threadBlock, [t.field(THREAD_FIELD.STATE), kernelLinear(G_CURRENT)], [t.field(THREAD_FIELD.WAIT_EVENT)]);
    if (this.current !== t) return;
    const h = this.woken;
    if (h && h !== t && h.inRunQueue && h.state === ThreadState.Running) {
      this.scheduler.remove(h);
      this.current = h;
      this.bump('handoffs');
    } else this.reschedule();
  }

  reschedule(): void {
    this.current = this.scheduler.pick() ?? this.idle;
  }

  private preempt(): void {
    const cur = this.current;
    // a thread chosen in this entry but never run keeps its place at the head
    if (cur !== this.idle && cur.state === ThreadState.Running) {
      if (cur === this.onCpu) this.scheduler.enqueue(cur);
      else this.scheduler.enqueueFront(cur);
    }
    this.reschedule();
    this.bump('preemptions');
  }

  armTimeout(t: Thread, ms: number, expire: () => void): void {
    const at = this.now + Math.max(1, Math.ceil((ms * this.machine.clock.hz) / 1000));
    this.charge(MACH_COSTS.timeout, [t.field(THREAD_FIELD.TIMER)], [t.field(THREAD_FIELD.TIMER)]);
    const handle = this.machine.events.schedule(at, () => {
      if (t.timeoutEvent !== handle) return;
      t.timeoutEvent = null;
      this.bump('msgTimeouts');
      expire();
      this.wakeFromEvent();
    });
    t.timeoutEvent = handle;
  }
  cancelTimeout(t: Thread): void {
    if (t.timeoutEvent) {
      this.machine.events.cancel(t.timeoutEvent);
      t.timeoutEvent = null;
    }
  }

  /** An event made a thread runnable while the CPU idles: take the wake-up interrupt now. */
  private wakeFromEvent(): void {
    if (this.current !== this.idle || !this.cpu.halted || this.onCpu !== this.idle) return;
    const next = this.scheduler.pick();
    if (!next) return;
    this.charge(MACH_COSTS.idleWakeup, [kernelLinear(G_CURRENT)], [kernelLinear(G_CURRENT)]);
    this.save(this.idle);
    this.current = next;
    this.cpu.halted = false;
    this.cpu.setEflags(this.cpu.getEflags() & ~0x200);
    this.leave();
  }

  /**
   * Device interrupt line `irq` (1–15, not the cascade) is delivered to `handler`, called
   * in the kernel at each interrupt after the EOI: a co-located driver's upcall, or the
   * kernel's message to a user-level server (who masks the line until the server has
   * served it: maskInterrupt). The line is unmasked in the 8259A.
   */
  attachInterrupt(irq: number, handler: () => void): void {
    if (!(Number.isInteger(irq) && irq >= 1 && irq < 16 && irq !== 2)) throw new Error(`Mach: interrupt line ${irq} cannot be attached (1–15, not the cascade)`);
    this.irqHandlers.set(irq, handler);
    this.maskInterrupt(irq, false);
    if (irq >= 8) {
      this.picMask[0] &= ~(1 << 2); // the cascade
      this.machine.pic.out8(PIC1 + 1, this.picMask[0]);
    }
  }

  /** Masks or unmasks device interrupt line `irq` in the 8259A (OCW1). */
  maskInterrupt(irq: number, masked: boolean): void {
    const chip = irq >= 8 ? 1 : 0;
    const bit = 1 << (irq & 7);
    this.picMask[chip] = masked ? this.picMask[chip] | bit : this.picMask[chip] & ~bit;
    this.machine.pic.out8(chip ? PIC2 + 1 : PIC1 + 1, this.picMask[chip]);
  }

  private interrupt(irq: number): void {
    this.machine.pic.out8(irq >= 8 ? PIC2 : PIC1, 0x20);
    if (irq >= 8) this.machine.pic.out8(PIC1, 0x20);
    if (irq !== 0) {
      const handler = this.irqHandlers.get(irq);
      if (!handler) return;
      this.bump('deviceInterrupts');
      this.charge(MACH_COSTS.deviceInterrupt, [kernelLinear(G_CURRENT)], []);
      handler();
      return;
    }
    const cur = this.current;
    this.charge(MACH_COSTS.timerTick, [cur.field(THREAD_FIELD.QUANTUM)], [cur.field(THREAD_FIELD.QUANTUM)]);
    this.bump('clockTicks');
    if (cur !== this.idle && --cur.quantumLeft <= 0) {
      cur.quantumLeft = QUANTUM_TICKS;
      if (this.scheduler.bestPriority() <= cur.priority) {
        this.bump('quantumEnds');
        this.preempt();
      }
    }
    this.onClockTick?.();
  }

  // ================================================================== traps
  private machTrap(t: Thread): void {
    this.bump('machTraps');
    const trap = t.regs[EAX] | 0;
    const sp = this.frame(t).esp;
    const arg = (i: number) => this.readUser32(t.task, sp + 4 + 4 * i);
    const result = (v: number): void => {
      t.regs[EAX] = v | 0;
    };
    const task = t.task;
    const taskArg = (): Task | null => {
      const e = task.space.lookup(arg(0));
      return e && e.port && e.port.kobject instanceof Task ? e.port.kobject : null;
    };
    try {
      switch (trap) {
        case TRAP.MACH_MSG:
          machMsgTrap(this, t, sp);
          return;
        case TRAP.REPLY_PORT:
        case TRAP.PORT_ALLOCATE: {
          this.charge(MACH_COSTS.portOp, [t.field(THREAD_FIELD.TASK)], [task.space.entryAddress(0)]);
          const target = trap === TRAP.REPLY_PORT ? task : taskArg();
          if (!target) return result(KERN.INVALID_ARGUMENT);
          if (trap === TRAP.PORT_ALLOCATE && arg(1) === PORT_RIGHT.PORT_SET) {
            this.writeUser(task, arg(2), le32(target.space.allocateSet()));
            return result(KERN.SUCCESS);
          }
          if (trap === TRAP.PORT_ALLOCATE && arg(1) !== PORT_RIGHT.RECEIVE) return result(KERN.INVALID_VALUE);
          const p = this.ports.allocate();
          const name = target.space.insert({ port: p, type: 16 });
          if (trap === TRAP.REPLY_PORT) return result(name);
          this.writeUser(task, arg(2), le32(name));
          return result(KERN.SUCCESS);
        }
        case TRAP.PORT_MOVE_MEMBER: {
          // mach_port_move_member(task, member, after): after = a set name, or MACH_PORT_NULL to leave its set
          this.charge(MACH_COSTS.portOp, [t.field(THREAD_FIELD.TASK)], [task.space.entryAddress(arg(1))]);
          const target = taskArg();
          if (!target) return result(KERN.INVALID_ARGUMENT);
          const member = target.space.receivePort(arg(1));
          if (!member) return result(KERN.INVALID_RIGHT);
          if (arg(2) === 0) {
            member.set?.remove(member);
            return result(KERN.SUCCESS);
          }
          const set = target.space.portSet(arg(2));
          if (!set) return result(KERN.INVALID_NAME);
          set.add(member);
          return result(KERN.SUCCESS);
        }
        case TRAP.THREAD_SELF:
          return result(task.space.insert({ port: t.port as Port, type: PORT_SEND }));
        case TRAP.TASK_SELF:
          return result(task.selfName);
        case TRAP.PORT_DESTROY:
        case TRAP.PORT_DEALLOCATE: {
          this.charge(MACH_COSTS.portOp, [t.field(THREAD_FIELD.TASK)], [task.space.entryAddress(arg(1))]);
          const target = taskArg();
          if (!target) return result(KERN.INVALID_ARGUMENT);
          if (trap === TRAP.PORT_DEALLOCATE) return result(target.space.deallocate(arg(1)) ? KERN.SUCCESS : KERN.INVALID_RIGHT);
          if (!target.space.lookup(arg(1))) return result(KERN.INVALID_NAME);
          const dying = target.space.destroy(arg(1));
          if (dying) destroyPort(this, dying);
          return result(KERN.SUCCESS);
        }
        case TRAP.VM_ALLOCATE:
        case TRAP.VM_DEALLOCATE:
        case TRAP.VM_PROTECT: {
          this.charge(MACH_COSTS.vmOp, [t.field(THREAD_FIELD.TASK)], []);
          const target = taskArg();
          if (!target) return result(KERN.INVALID_ARGUMENT);
          if (trap === TRAP.VM_ALLOCATE) {
            const at = target.map.allocate(arg(3) ? null : this.readUser32(task, arg(1)), arg(2));
            this.writeUser(task, arg(1), le32(at));
          } else if (trap === TRAP.VM_DEALLOCATE) target.map.deallocate(arg(1), arg(2));
          else target.map.protect(arg(1), arg(2), arg(4), arg(3) !== 0);
          return result(KERN.SUCCESS);
        }
        default:
          raiseException(this, t, EXC.SOFTWARE, 0x10003 /* EXC_UNIX_BAD_SYSCALL-like: unknown trap */, trap);
      }
    } catch (e) {
      if (e instanceof VmError) return result(e.kr);
      throw e;
    }
  }

  private pageFault(t: Thread): void {
    this.bump('pageFaults');
    const err = this.memory.read32((t.regs[ESP] >>> 0) - KERNEL_BASE) >>> 0;
    const cr2 = this.cpu.cr2 >>> 0;
    t.faultAddress = cr2;
    const frame = this.frame(t);
    if ((frame.cs & 3) !== 3 || t === this.idle) {
      this.panic(`page fault in the kernel at eip 0x${frame.eip.toString(16)}, address 0x${cr2.toString(16)}`);
      return;
    }
    const r = vmFault(this, t.task, cr2, (err & 2) !== 0, t);
    if (r.ok) return; // the fault stub's IRET restarts the instruction
    if ('wait' in r) {
      requestPage(this, t, r.wait, r.offset, r.write);
      return;
    }
    raiseException(this, t, EXC.BAD_ACCESS, r.kr, cr2);
  }

  private hardwareException(t: Thread, vector: number): void {
    const frame = this.frame(t);
    if ((frame.cs & 3) !== 3 || t === this.idle) {
      this.panic(`exception ${vector} in the kernel at eip 0x${frame.eip.toString(16)}`);
      return;
    }
    if (vector === 7 && this.fpu.trap(t)) return;
    this.bump(`exception.${vector}`);
    const exc = vector === 0 || vector === 16 ? EXC.ARITHMETIC : vector === 3 || vector === 1 ? EXC.BREAKPOINT : vector === 7 ? EXC.EMULATION : EXC.BAD_INSTRUCTION;
    raiseException(this, t, exc, vector, this.memory.read32((t.regs[ESP] >>> 0) - KERNEL_BASE) >>> 0);
  }

  /** A message to a kernel port the kernel does not serve (task and thread ports: their MIG interfaces are not implemented) is destroyed. */
  discardMessage(m: KMsg): void {
    destroyMessage(this, m);
    this.bump('kernelMessagesDiscarded');
  }

  // ================================================================ entry and exit
  private entry(handler: (t: Thread) => void): () => void {
    return () => {
      const t = this.current;
      this.inKernel = true;
      this.woken = null;
      this.save(t);
      this.charge(MACH_COSTS.trapEntry, [t.kernelEsp, kernelLinear(G_CURRENT), t.field(THREAD_FIELD.TASK)], [t.kernelEsp - 4, t.kernelEsp - 8]);
      handler(t);
      this.leave();
      this.inKernel = false;
      const n = this.current;
      if (n !== this.idle) this.charge(MACH_COSTS.trapExit, [n.kernelEsp, kernelLinear(G_CURRENT)], []);
    };
  }

  private save(t: Thread): void {
    const cpu = this.cpu;
    for (let i = 0; i < 8; i++) t.regs[i] = cpu.getReg(i);
    t.kernelEsp = t.regs[ESP] >>> 0;
    t.resumeEip = cpu.eip;
  }

  private leave(): void {
    const next = this.current;
    const cpu = this.cpu;
    if (next !== this.onCpu) {
      this.bump('threadSwitches');
      this.memory.write32(G_CURRENT, next.number);
      if (next !== this.idle) {
        this.charge(MACH_COSTS.threadSwitch, [next.field(THREAD_FIELD.STATE), next.field(THREAD_FIELD.TASK), kernelLinear(G_CURRENT)], [kernelLinear(TSS + 4), kernelLinear(G_CURRENT)]);
        this.memory.write32(TSS + 4, next.stackTop);
        const pmap = next.task.map.pmap;
        if (pmap !== this.userPmap) {
          this.bump('addressSpaceSwitches');
          cpu.loadCr3(pmap.pdir);
          this.userPmap = pmap;
        }
        if (this.fpu.setTsFor(next)) this.charge(MACH_COSTS.fpuSetTs);
        // user data segments (an IRET to ring 3 nulls DS/ES/FS/GS holding a ring-0 selector);
        // Mach's i386 PCB restores all four (i386_saved_state)
        const ds = this.userDs;
        for (const sreg of [SEG_DS, SEG_ES, SEG_FS, SEG_GS]) if ((cpu.segSel[sreg] & 0xffff) !== ds) cpu.loadSegment(sreg, ds);
      }
      this.onCpu = next;
    }
    const r = next.regs;
    cpu.setReg(EAX, r[EAX]);
    cpu.setReg(ECX, r[ECX]);
    cpu.setReg(EDX, r[EDX]);
    cpu.setReg(EBX, r[EBX]);
    cpu.setReg(EBP, r[EBP]);
    cpu.setReg(ESI, r[ESI]);
    cpu.setReg(EDI, r[EDI]);
    cpu.setReg(ESP, next.kernelEsp);
    cpu.eip = next.resumeEip;
  }

  panic(message: string): void {
    this.bump('panics');
    this.machine.stop(`mach: ${message}`);
  }
}

export const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

function segment(base: number, limit: number, type: number, dpl: number): [number, number] {
  let lim = limit >>> 0;
  let g = 0;
  if (lim > 0xfffff) {
    lim >>>= 12;
    g = 1 << 23;
  }
  const lo = ((base & 0xffff) << 16) | (lim & 0xffff);
  const hi = (base & 0xff000000) | g | (1 << 22) | (lim & 0xf0000) | (1 << 15) | (dpl << 13) | (1 << 12) | (type << 8) | ((base >>> 16) & 0xff);
  return [lo >>> 0, hi >>> 0];
}

function tssDescriptor(base: number, limit: number): [number, number] {
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi = (base & 0xff000000) | (limit & 0xf0000) | (1 << 15) | (0x9 << 8) | ((base >>> 16) & 0xff);
  return [lo >>> 0, hi >>> 0];
}

