// The L4 µ-kernel: boot, kernel entry and exit, the thread switch (with the
// address-space switch: CR3 for large spaces, segment reload for small ones), the
// scheduler's decisions, timeouts. The system calls live in ipc.ts and syscalls.ts,
// faults in faults.ts, interrupts in interrupts.ts, sigma0 in sigma0.ts.
//
// Kernel entry: every trap lands on a stub in kernel text (stubs.ts) whose HOSTCALL
// runs a handler here. `entry` saves the current thread's registers into its TCB, the
// handler works on TCBs only, and `leave` loads the registers of the thread that is
// current afterwards — switching kernel stack, TSS.ESP0 and the address space if it is
// another thread. The CPU then executes the rest of that thread's stub (its IRET).
import {
  AddressSpace,
  PageDirectories,
  SmallSpaceAllocator,
  PDE_PS,
  PTE_P,
  PTE_RW,
} from './address-space';
import { FramePool } from './frame-pool';
import { MappingDatabase } from './mapping-db';
import { Scheduler } from './scheduler';
import { Task } from './task';
import { Thread, ThreadState } from './tcb';
import { L4_COSTS, PATH_CODE_END, PATH_CODE_START } from './costs';
import { assembleStubs, HC, irqVector, USER_LOOP_BYTES, userLoopBytes, userLoopSyscallOffset, type StubAddresses } from './stubs';
import {
  FIRST_SMALL_GDT,
  FRAME_POOL,
  FRAME_POOL_END,
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
  LTHREADS_PER_TASK,
  MAX_SMALL_SPACES,
  MAX_TASKS,
  PAGE_SIZE,
  SMALL_REGION,
  smallCs,
  smallDs,
  TCB,
  TCB_ARRAY,
  TCB_BYTES,
  TSS,
  TSS_SEL,
  USER_CS,
  USER_DS,
  USER_TOP,
} from './layout';
import { EAX, EBP, EBX, ECX, EDI, EDX, ESI, ESP, PHASE, SEG_DS, SEG_ES, KernelFpu, type GuestMemory, type KernelCpu, type KernelMachine, type PathProfile } from '@mklab/pentium';
import { isUserThreadId, lthreadOf, NIL_ID, taskOf, threadId, type ThreadId } from './thread-id';
import { ipcSyscall, finishOp } from './ipc';
import { fpageUnmap, idNearest, lthreadExRegs, taskNew, threadSchedule, threadSwitch } from './syscalls';
import { deviceNotAvailable, exception, pageFault } from './faults';
import { Interrupts } from './interrupts';
import { Sigma0 } from './sigma0';
import { IPC_ERR } from './ipc-abi';

export interface L4BootOptions {
  /** put tasks that ask for it (task_new EAX, bootTask `small`) into small spaces (Liedtke, GMD TR 933) */
  smallSpaces?: boolean;
  /** timer interrupt rate for time slices (PIT channel 0); 0 = no timer. Default 1000 Hz (approx.: L4/x86 used a 1 ms tick) */
  timerHz?: number;
  /** time slice in timer ticks (default 10: 10 ms at 1000 Hz) */
  timesliceTicks?: number;
  /** core clock, for µs timeouts (default: the machine's clock rate) */
  cpuHz?: number;
}

export interface BootTaskSpec {
  task: number;
  /** code/data placed at `at` (user address), on fresh pages from sigma0 */
  image?: { at: number; bytes: ArrayLike<number> };
  /** extra zeroed, writable pages mapped at [at, at + bytes) */
  zeroPages?: { at: number; bytes: number };
  entry?: number;
  stack?: number;
  pager?: ThreadId;
  exceptionHandler?: ThreadId;
  prio?: number;
  /** small-space size in bytes (only honoured with the smallSpaces boot option) */
  small?: number;
  /** thread 0 is a TypeScript thread at user level: `step` runs before each of its system calls (see stubs.ts userLoopBytes) */
  userLoop?: UserThreadStep;
}

/** What a TypeScript thread at user level gets besides the CPU. */
export interface UserThreadContext {
  readonly threadId: ThreadId;
  /** enter the kernel through `vector` (0x30–0x36) this time instead of IPC (0x30) */
  syscall(vector: number): void;
}
export type UserThreadStep = (cpu: KernelCpu, ctx: UserThreadContext) => void;

const PIC1 = 0x20,
  PIC2 = 0xa0;
const PIT_HZ = 1193182; // 8254 input clock (pentium-p54c.md)

export class L4Kernel {
  readonly memory: GuestMemory;
  readonly cpu: KernelCpu;
  readonly frames: FramePool;
  readonly dirs: PageDirectories;
  readonly mdb = new MappingDatabase();
  readonly scheduler = new Scheduler();
  readonly smallSpaces: SmallSpaceAllocator | null;
  readonly tasks: (Task | undefined)[] = new Array(MAX_TASKS);
  readonly stubs: StubAddresses;
  readonly idle: Thread;
  readonly interrupts: Interrupts;
  readonly sigma0: Sigma0;
  readonly cpuHz: number;
  readonly timerHz: number;
  readonly timesliceTicks: number;

  /** the thread the kernel runs for (its registers are in its TCB while in the kernel) */
  current: Thread;
  /** the thread whose kernel stack, TSS.ESP0 and address space the hardware has */
  private onCpu: Thread | null = null;
  /** the user address space last entered (a switch to idle keeps it) */
  private userSpace: AddressSpace | null = null;
  /**
   * Lazy FPU switching (as Linux 2.0 and L4/x86 do): the thread whose state is in the
   * x87. A switch to another thread sets CR0.TS; that thread's first FPU instruction
   * raises #NM and the kernel saves the owner's state into its TCB and loads the
   * thread's (KernelFpu.trap). Threads that never touch the FPU (the Linux server, sigma0)
   * cost one MOV CR0 when TS was clear, and nothing else.
   */
  readonly fpu: KernelFpu<Thread>;
  private nextUserHostcall: number = HC.USER_FIRST;
  private readonly kernelTask: Task;

  constructor(
    readonly machine: KernelMachine,
    readonly options: L4BootOptions = {},
  ) {
    this.memory = machine.memory;
    this.cpu = machine.cpu;
    this.fpu = new KernelFpu<Thread>(machine, {
      kernel: 'L4',
      kernelBase: KERNEL_BASE,
      saveArea: (t) => t.field(TCB.FPU),
      chargeSwitch: (t) => this.charge(L4_COSTS.fpuSwitch, [t.field(TCB.STATE)]),
      countSwitch: () => this.bump('fpuSwitches'),
    });
    this.cpuHz = options.cpuHz ?? machine.clock.hz;
    this.timerHz = options.timerHz ?? 1000;
    this.timesliceTicks = options.timesliceTicks ?? 10;
    if (!(this.timerHz >= 0 && this.timerHz <= 10000)) throw new Error(`L4: timerHz ${this.timerHz} is outside 0..10000`);
    const mem = this.memory;
    if (mem.size < 16 << 20) throw new Error(`L4: needs at least 16 MiB of memory, the machine has ${mem.size} bytes`);

    // ---- paging: the kernel window (4 MiB pages, supervisor) in the template directory
    mem.fill(KERNEL_PDIR, PAGE_SIZE, 0);
    for (let p = 0; p < mem.size; p += 1 << 22) mem.write32(KERNEL_PDIR + ((KERNEL_BASE + p) >>> 22) * 4, (p | PTE_P | PTE_RW | PDE_PS) >>> 0);
    this.frames = new FramePool(mem, FRAME_POOL, FRAME_POOL_END);
    this.dirs = new PageDirectories(mem, this.frames, KERNEL_PDIR);
    this.smallSpaces = options.smallSpaces ? new SmallSpaceAllocator(MAX_SMALL_SPACES) : null;

    // ---- kernel text: stubs
    this.stubs = assembleStubs(
      (phys, bytes) => bytes.forEach((b, i) => mem.write8(phys + i, b)),
      kernelLinear,
    );
    if (this.stubs.end > PATH_CODE_START || PATH_CODE_END > KERNEL_TEXT + KERNEL_TEXT_BYTES) throw new Error('L4: kernel text layout overflow (stubs or path code)');

    // ---- descriptor tables
    const gdt = (index: number, d: [number, number]) => {
      mem.write32(GDT + index * 8, d[0]);
      mem.write32(GDT + index * 8 + 4, d[1]);
    };
    mem.fill(GDT, GDT_ENTRIES * 8, 0);
    gdt(KERNEL_CS >> 3, segment(0, 0xffffffff, 0xa, 0));
    gdt(KERNEL_DS >> 3, segment(0, 0xffffffff, 0x2, 0));
    gdt(USER_CS >> 3, segment(0, USER_TOP - 1, 0xa, 3));
    gdt(USER_DS >> 3, segment(0, USER_TOP - 1, 0x2, 3));
    gdt(TSS_SEL >> 3, tssDescriptor(kernelLinear(TSS), 0x67));
    mem.fill(TSS, 0x68, 0);
    mem.write32(TSS + 8, KERNEL_DS);
    mem.write32(TSS + 0x66 - 2, 0x68 << 16); // I/O map base beyond the limit: no bitmap
    mem.fill(IDT, 256 * 8, 0);
    const gate = (vector: number, offset: number, dpl: number) => {
      mem.write32(IDT + vector * 8, ((KERNEL_CS << 16) | (offset & 0xffff)) >>> 0);
      mem.write32(IDT + vector * 8 + 4, ((offset & 0xffff0000) | 0x8e00 | (dpl << 13)) >>> 0); // 32-bit interrupt gate, present
    };
    for (let v = 0; v < 32; v++) gate(v, this.stubs.exceptions[v], v === 3 || v === 4 ? 3 : 0);
    for (const [vector, at] of this.stubs.syscalls) gate(vector, at, 3);
    for (let i = 0; i < 16; i++) gate(irqVector(i), this.stubs.irqs[i], 0);

    // ---- the CPU: paging on, tables loaded, kernel segments
    const cpu = this.cpu;
    cpu.setCr4(cpu.cr4 | 0x10); // PSE
    cpu.loadCr3(KERNEL_PDIR);
    cpu.setCr0(cpu.cr0 | 0x80000000); // PG
    cpu.setGdtr(kernelLinear(GDT), GDT_ENTRIES * 8 - 1);
    cpu.setIdtr(kernelLinear(IDT), 256 * 8 - 1);
    cpu.loadSegment(2, KERNEL_DS); // SS
    cpu.loadSegment(SEG_DS, KERNEL_DS);
    cpu.loadSegment(SEG_ES, KERNEL_DS);
    cpu.loadTr(TSS_SEL);

    // ---- interrupt controllers and timer
    this.interrupts = new Interrupts(this);
    const pic = machine.pic;
    pic.out8(PIC1, 0x11);
    pic.out8(PIC1 + 1, irqVector(0));
    pic.out8(PIC1 + 1, 0x04);
    pic.out8(PIC1 + 1, 0x01);
    pic.out8(PIC2, 0x11);
    pic.out8(PIC2 + 1, irqVector(8));
    pic.out8(PIC2 + 1, 0x02);
    pic.out8(PIC2 + 1, 0x01);
    this.interrupts.writeMasks();
    if (this.timerHz > 0) {
      const count = Math.round(PIT_HZ / this.timerHz);
      machine.pit.out8(0x43, 0x34); // channel 0, LSB then MSB, mode 2 (rate generator)
      machine.pit.out8(0x40, count & 0xff);
      machine.pit.out8(0x40, (count >> 8) & 0xff);
      this.interrupts.unmask(0);
    }

    // ---- the idle thread (task 0's slot 0: it has no user part)
    this.kernelTask = new Task(0, new AddressSpace(0, this.dirs, null, () => {}));
    this.idle = new Thread(NIL_ID, this.kernelTask, 0, TCB_ARRAY);
    this.idle.prio = -1;
    this.idle.state = ThreadState.Ready;
    this.idle.kernelEsp = kernelLinear(IDLE_STACK_TOP);
    this.idle.resumeEip = this.stubs.idle;
    this.current = this.idle;

    // ---- hostcalls
    const h = machine.hostcalls;
    h.register(HC.IPC, 'l4.ipc', this.entry((t) => ipcSyscall(this, t)));
    h.register(HC.ID_NEAREST, 'l4.id_nearest', this.entry((t) => idNearest(this, t)));
    h.register(HC.FPAGE_UNMAP, 'l4.fpage_unmap', this.entry((t) => fpageUnmap(this, t)));
    h.register(HC.THREAD_SWITCH, 'l4.thread_switch', this.entry((t) => threadSwitch(this, t)));
    h.register(HC.THREAD_SCHEDULE, 'l4.thread_schedule', this.entry((t) => threadSchedule(this, t)));
    h.register(HC.LTHREAD_EX_REGS, 'l4.lthread_ex_regs', this.entry((t) => lthreadExRegs(this, t)));
    h.register(HC.TASK_NEW, 'l4.task_new', this.entry((t) => taskNew(this, t)));
    h.register(HC.PAGE_FAULT, 'l4.page_fault', this.entry((t) => pageFault(this, t)));
    for (let v = 0; v < 32; v++) {
      if (v !== 14) h.register(HC.EXCEPTION + v, `l4.exception.${v}`, this.entry((t) => (v === 7 ? deviceNotAvailable(this, t) : exception(this, t, v))));
    }
    for (let i = 0; i < 16; i++) h.register(HC.IRQ + i, `l4.irq.${i}`, this.entry(() => this.interrupts.arrived(i)));
    h.register(
      HC.BOOT,
      'l4.boot',
      this.entry(() => {
        // the boot stub is not the idle thread's code: idle starts at its loop on its own stack
        this.idle.kernelEsp = kernelLinear(IDLE_STACK_TOP);
        this.idle.resumeEip = this.stubs.idle;
        this.reschedule();
      }),
    );

    // ---- sigma0: owns all memory above the kernel's, mapped 1:1 (idempotently)
    this.sigma0 = new Sigma0(this);
    cpu.setReg(ESP, kernelLinear(IDLE_STACK_TOP));
    cpu.eip = this.stubs.boot;
  }

  // ================================================================== bookkeeping

  bump(name: string, n = 1): void {
    const k = this.machine.counters.kernel;
    k[name] = (k[name] ?? 0) + n;
  }

  /** Charges a kernel path on the timing model and advances the clock. */
  charge(profile: PathProfile, reads?: ArrayLike<number>, writes?: ArrayLike<number>): void {
    this.machine.counters.cycles += this.machine.timing.chargePath(profile, reads, writes);
  }

  /** The current cycle. */
  get now(): number {
    return this.machine.counters.cycles;
  }

  thread(id: ThreadId): Thread | undefined {
    if (!isUserThreadId(id)) return undefined;
    return this.tasks[taskOf(id)]?.threads[lthreadOf(id)];
  }

  /** A thread that exists and runs or waits (not an empty lthread slot). */
  activeThread(id: ThreadId): Thread | undefined {
    const t = this.thread(id);
    return t && t.state !== ThreadState.Inactive ? t : undefined;
  }

  // ======================================================== tasks and threads

  /** Creates a task's address space and its (inactive) thread slots. */
  createTask(number: number, smallBytes = 0): Task {
    if (!(Number.isInteger(number) && number >= 1 && number < MAX_TASKS)) throw new Error(`L4: task number ${number} is outside 1..${MAX_TASKS - 1}`);
    if (this.tasks[number]) throw new Error(`L4: task ${number} exists`);
    let small = null;
    if (smallBytes > 0 && this.smallSpaces) small = this.smallSpaces.alloc(smallBytes);
    const space = new AddressSpace(number, this.dirs, small, (s, lin) => this.invalidate(s, lin));
    const task = new Task(number, space);
    if (small) {
      const base = SMALL_REGION + small.offset;
      const index = FIRST_SMALL_GDT + 2 * (small.number - 1);
      this.writeGdt(index, segment(base, small.bytes - 1, 0xa, 3));
      this.writeGdt(index + 1, segment(base, small.bytes - 1, 0x2, 3));
      task.selectors = [smallCs(small.number), smallDs(small.number)];
    } else {
      task.selectors = [USER_CS, USER_DS];
    }
    for (let l = 0; l < LTHREADS_PER_TASK; l++) {
      task.threads[l] = new Thread(threadId(number, l), task, l, TCB_ARRAY + (number * LTHREADS_PER_TASK + l) * TCB_BYTES);
    }
    this.tasks[number] = task;
    this.bump('tasksCreated');
    return task;
  }

  /** Deletes a task: its threads stop (partners see their IPC fail), its mappings and everything derived from them go. */
  deleteTask(task: Task): void {
    for (const t of task.threads) if (t && t.state !== ThreadState.Inactive) this.deactivate(t);
    this.mdb.removeSpace(task.space);
    if (task.space.small && this.smallSpaces) this.smallSpaces.release(task.space.small);
    this.interrupts.detachTask(task);
    // a small-space caller may run on the dying task's directory: move the CPU off it first
    if ((this.cpu.cr3 & 0xfffff000) === task.space.pdir) this.cpu.loadCr3(this.kernelTask.space.pdir);
    task.space.destroy();
    if (this.userSpace === task.space) this.userSpace = null;
    this.tasks[task.number] = undefined;
    this.bump('tasksDeleted');
  }

  /** Stops a thread: its own IPC is cancelled, threads sending to it or waiting for it fail with NOT_EXISTENT. */
  deactivate(t: Thread): void {
    this.cancelIpc(t, IPC_ERR.SEND_CANCELLED, IPC_ERR.RECV_CANCELLED);
    for (const s of [...t.senders]) finishOp(this, s, IPC_ERR.NOT_EXISTENT);
    t.senders.length = 0;
    for (const task of this.tasks) {
      if (!task) continue;
      for (const w of task.threads) {
        if (w && w.state === ThreadState.ReceiveWait && w.receiveOp && w.receiveOp.from === t.id) finishOp(this, w, IPC_ERR.NOT_EXISTENT);
      }
    }
    this.scheduler.remove(t);
    t.state = ThreadState.Inactive;
    this.fpu.forget(t);
    if (t.irq >= 0) this.interrupts.detach(t);
    if (this.current === t) this.reschedule();
  }

  /** Starts an inactive thread at user EIP/ESP (a fresh trap frame on its kernel stack). */
  activate(t: Thread, eip: number, esp: number, pager: ThreadId, prio: number): void {
    if (t.state !== ThreadState.Inactive) throw new Error(`L4: ${t} is already active`);
    const mem = this.memory;
    const f = t.framePhys;
    mem.write32(f, eip);
    mem.write32(f + 4, t.task.cs);
    mem.write32(f + 8, 0x202); // IF
    mem.write32(f + 12, esp);
    mem.write32(f + 16, t.task.ds);
    t.regs.fill(0);
    t.kernelEsp = kernelLinear(f);
    t.resumeEip = this.stubs.resumeNew;
    t.pager = pager;
    t.prio = prio;
    t.timesliceTicks = this.timesliceTicks;
    t.remainingTicks = t.timesliceTicks;
    t.sendOp = t.receiveOp = null;
    t.state = ThreadState.Ready;
    this.scheduler.enqueue(t);
    this.memory.write32(t.tcbPhys + TCB.STATE, ThreadState.Ready);
    this.bump('threadsStarted');
  }

  /** User frame of a thread (it must be off the CPU or in the kernel). */
  frame(t: Thread): { eip: number; cs: number; eflags: number; esp: number; ss: number } {
    const m = this.memory;
    const f = t.framePhys;
    return { eip: m.read32(f), cs: m.read32(f + 4), eflags: m.read32(f + 8), esp: m.read32(f + 12), ss: m.read32(f + 16) };
  }

  /** What the kernel's LIDT emulation does (faults.ts): the task's user-level IDT; limit < 0 removes it. Boot-time API for servers that set up their tasks. */
  setUserIdt(task: Task, base: number, limit: number): void {
    task.userIdt = limit < 0 ? null : { base: base >>> 0, limit: limit & 0xffff };
    this.bump('userIdtLoads');
  }

  setFrameEipEsp(t: Thread, eip: number, esp: number): void {
    if (eip !== 0xffffffff) this.memory.write32(t.framePhys, eip);
    if (esp !== 0xffffffff) this.memory.write32(t.framePhys + 12, esp);
  }

  /**
   * Boot-time loader (what L4's boot loader and root server do): creates a task with
   * pages from sigma0 holding `image`, and starts its thread 0.
   */
  bootTask(spec: BootTaskSpec): Task {
    const task = this.createTask(spec.task, spec.small ?? 0);
    const place = (at: number, bytes: number, data?: ArrayLike<number>) => {
      for (let off = 0; off < bytes; off += PAGE_SIZE) {
        const v = ((at & ~(PAGE_SIZE - 1)) + off) >>> 0;
        const frame = this.sigma0.takeFreeFrame(task.number);
        this.mdb.map(this.sigma0.space, frame, task.space, v, true);
      }
      if (data) this.writeUser(task.space, at, data);
    };
    if (spec.image) place(spec.image.at, (spec.image.at % PAGE_SIZE) + spec.image.bytes.length, spec.image.bytes);
    if (spec.zeroPages) place(spec.zeroPages.at, spec.zeroPages.bytes);
    const t = task.threads[0] as Thread;
    t.exceptionHandler = spec.exceptionHandler ?? NIL_ID;
    const pager = spec.pager ?? this.sigma0.id;
    if (spec.userLoop) this.startUserThread(task, 0, spec.userLoop, { prio: spec.prio, pager });
    else this.activate(t, spec.entry ?? spec.image?.at ?? 0, spec.stack ?? 0, pager, spec.prio ?? 100);
    return task;
  }

  /**
   * Starts lthread `lthread` of `task` as a TypeScript thread at user level: its loop
   * (stubs.ts userLoopBytes) lives in the last page of the task's user space, on a page
   * from sigma0, 32 bytes per lthread — or at `opts.code` (32-byte aligned, mapped), a
   * place in the task's own text. Boot-time (and test) API; what L4Linux's server uses
   * for its main, interrupt and bottom-half threads.
   */
  startUserThread(task: Task, lthread: number, step: UserThreadStep, opts: { prio?: number; pager?: ThreadId; code?: number } = {}): Thread {
    const t = task.threads[lthread];
    if (!t) throw new Error(`L4: task ${task.number} has no lthread ${lthread}`);
    let base: number;
    if (opts.code !== undefined) {
      // the task's own text (a server that has its memory already): the loop goes there
      base = opts.code >>> 0;
      if (base % 32 !== 0) throw new Error(`L4: user-thread loop at 0x${base.toString(16)} is not 32-byte aligned`);
    } else {
      const page = task.space.userBytes - PAGE_SIZE;
      if (!task.space.lookup(page)) {
        const frame = this.sigma0.takeFreeFrame(task.number);
        this.mdb.map(this.sigma0.space, frame, task.space, page, false);
      }
      base = page + lthread * USER_LOOP_BYTES;
    }
    const id = this.registerUserLoop(step, base, t.id);
    const code = userLoopBytes(id);
    code.forEach((b, i) => {
      const p = this.userPhys(task.space, base + i, false);
      if (p < 0) throw new Error(`L4: task ${task.number} has no page at 0x${(base + i).toString(16)} for a user-thread loop`);
      this.memory.write8(p, b);
    });
    this.activate(t, base, 0, opts.pager ?? this.sigma0.id, opts.prio ?? 100);
    return t;
  }

  /** Registers a TypeScript user-level thread body whose loop is at user address `base`; returns its HOSTCALL id. */
  registerUserLoop(step: UserThreadStep, base: number, threadId: ThreadId): number {
    if (this.nextUserHostcall > HC.USER_LAST) throw new Error('L4: too many user-level TypeScript threads');
    const id = this.nextUserHostcall++;
    const cpu = this.cpu;
    const ctx: UserThreadContext = {
      threadId,
      syscall: (vector: number) => {
        cpu.eip = (base + userLoopSyscallOffset(vector)) >>> 0;
      },
    };
    this.machine.hostcalls.register(id, `l4.user-thread.${id - HC.USER_FIRST}`, () => step(cpu, ctx), { fromUser: true });
    return id;
  }

  /** Copies bytes into a task's memory through its page tables (they must be mapped). */
  writeUser(space: AddressSpace, at: number, data: ArrayLike<number>): void {
    for (let i = 0; i < data.length; i++) {
      const p = this.userPhys(space, at + i, true);
      if (p < 0) throw new Error(`L4: task ${space.task} has no writable page at 0x${((at + i) >>> 0).toString(16)}`);
      this.memory.write8(p, data[i]);
    }
  }

  /** Physical address of user address `v` in `space`, or -1 when not mapped (or not writable for a write). */
  userPhys(space: AddressSpace, v: number, write: boolean): number {
    const e = space.lookup(v);
    if (!e || (write && !e.writable)) return -1;
    return e.frame + ((v >>> 0) % PAGE_SIZE);
  }

  private writeGdt(index: number, d: [number, number]): void {
    this.memory.write32(GDT + index * 8, d[0]);
    this.memory.write32(GDT + index * 8 + 4, d[1]);
  }

  /** A page-table entry changed: drop it from the TLB if the hardware may hold it. */
  private invalidate(space: AddressSpace, linear: number): void {
    // small spaces are in every directory; a large space only while its directory is loaded
    if (space.small || (this.cpu.cr3 & 0xfffff000) === space.pdir) this.cpu.invlpg(linear);
  }

  // ================================================================== scheduling

  makeReady(t: Thread): void {
    t.state = ThreadState.Ready;
    this.scheduler.enqueue(t);
  }

  /** The current thread cannot run on: run the best ready thread (or idle). */
  reschedule(): void {
    const dropped = { n: 0 };
    this.current = this.scheduler.pick(dropped) ?? this.idle;
    if (dropped.n) this.bump('lazyDequeues', dropped.n);
  }

  /** Direct process switch on IPC: `to` runs next, on the current thread's time (no ready-queue walk). */
  switchDirect(to: Thread): void {
    this.bump('directSwitches');
    to.state = ThreadState.Ready;
    this.scheduler.enqueue(to);
    this.current = to;
  }

  /** `t` became ready: it preempts the current thread if its priority is higher. */
  wake(t: Thread): void {
    this.makeReady(t);
    if (this.current === this.idle || t.prio > this.current.prio) this.current = t;
  }

  // ================================================================== timeouts

  /** Arms a timeout of `us` µs for the IPC phase `t` now waits in. */
  armTimeout(t: Thread, us: number, error: number): void {
    if (us === Infinity) return;
    const at = this.now + Math.ceil((us * this.cpuHz) / 1e6);
    this.charge(L4_COSTS.ipcTimeout, [t.field(TCB.TIMEOUT)], [t.field(TCB.TIMEOUT)]);
    const handle = this.machine.events.schedule(at, () => {
      if (t.timeoutEvent !== handle) return;
      t.timeoutEvent = null;
      this.bump('ipcTimeouts');
      this.cancelIpc(t, error, error);
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

  /** Ends a waiting thread's IPC with an error (timeout, ex_regs, partner gone). */
  cancelIpc(t: Thread, sendError: number, receiveError: number): void {
    if (t.state === ThreadState.SendWait) {
      const d = t.sendingTo;
      if (d) d.senders.splice(d.senders.indexOf(t), 1);
      t.sendingTo = null;
      finishOp(this, t, sendError);
    } else if (t.state === ThreadState.ReceiveWait) {
      finishOp(this, t, receiveError);
    }
  }

  /**
   * An event woke a thread while the CPU ran on. If the CPU idles, the kernel takes the
   * wake-up interrupt now and switches to it; otherwise the thread waits in its ready
   * queue for the next scheduling point (timer tick or kernel entry), as in L4, whose
   * timeouts are checked by the clock interrupt.
   */
  private wakeFromEvent(): void {
    if (this.current !== this.idle || !this.cpu.halted || this.onCpu !== this.idle) return;
    const next = this.scheduler.pick();
    if (!next) return;
    this.machine.phases.enter(PHASE.IRQ); // phase accounting (contracts.md): the wake-up is the clock interrupt's work
    this.charge(L4_COSTS.idleWakeup, [kernelLinear(G_CURRENT)], [kernelLinear(G_CURRENT)]);
    this.save(this.idle);
    this.current = next;
    this.cpu.halted = false;
    this.cpu.setEflags(this.cpu.getEflags() & ~0x200); // in the kernel: interrupts off until the IRET
    this.leave();
  }

  // ============================================================ entry and exit

  /** Wraps a handler: save the current thread, run, load whichever thread is current then. */
  private entry(handler: (t: Thread) => void): () => void {
    return () => {
      const t = this.current;
      this.save(t);
      this.charge(L4_COSTS.kernelEntry, [t.kernelEsp, kernelLinear(G_CURRENT)], [t.kernelEsp - 4]);
      handler(t);
      this.leave();
    };
  }

  private save(t: Thread): void {
    const cpu = this.cpu;
    const r = t.regs;
    for (let i = 0; i < 8; i++) r[i] = cpu.getReg(i);
    t.kernelEsp = r[ESP] >>> 0;
    t.resumeEip = cpu.eip;
  }

  /** Loads the current thread onto the CPU: kernel stack, TSS.ESP0, address space, registers. */
  private leave(): void {
    const next = this.current;
    const cpu = this.cpu;
    if (next === this.idle && next !== this.onCpu) this.machine.phases.enter(PHASE.IDLE); // phase accounting: until an interrupt
    if (next !== this.onCpu) {
      this.bump('threadSwitches');
      this.memory.write32(G_CURRENT, next.id);
      if (next !== this.idle) {
        this.memory.write32(TSS + 4, next.stackTop);
        const space = next.task.space;
        if (space !== this.userSpace) {
          this.bump('addressSpaceSwitches');
          if (!space.small && (cpu.cr3 & 0xfffff000) !== space.pdir) {
            cpu.loadCr3(space.pdir);
            this.bump('cr3Loads');
          } else if (space.small) {
            this.bump('smallSpaceSwitches');
          }
          this.userSpace = space;
        }
        if (this.fpu.setTsFor(next)) this.charge(L4_COSTS.fpuSetTs);
        if ((cpu.segSel[SEG_DS] & 0xffff) !== next.task.ds || (cpu.segSel[SEG_ES] & 0xffff) !== next.task.ds) {
          const gdtLine = (sel: number) => kernelLinear(GDT + (sel & ~7));
          this.charge(L4_COSTS.smallSpaceSwitch, [gdtLine(next.task.ds), gdtLine(next.task.ds) + 4]);
          cpu.loadSegment(SEG_DS, next.task.ds);
          cpu.loadSegment(SEG_ES, next.task.ds);
        }
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

  /** Ends the run (an unrecoverable condition a real kernel would print and halt on). */
  panic(message: string): void {
    this.bump('panics');
    this.machine.stop(`l4: ${message}`);
  }
}

/** A code (type 0xa) or data (type 0x2) segment descriptor, 32-bit, page granular when large. */
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
