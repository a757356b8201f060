// Native Linux 2.0 on the emulated Pentium: the kernel owns the machine.
//
//   - kernel segments based at 0xC0000000 (2.0's KERNEL_CS/KERNEL_DS), every page
//     directory maps physical memory there with 4 MiB pages (PSE)
//   - GDT with the kernel and user segments and one TSS + LDT descriptor per task
//   - IDT: exceptions → trap gates, IRQs → interrupt gates, int 0x80 → a DPL 3 trap gate
//     (2.0's set_trap_gate / set_intr_gate / set_system_gate)
//   - one TSS per task; switch_to is a hardware task switch (JMP to the TSS), which also
//     loads CR3 and sets CR0.TS for the lazy FPU switch
//   - system calls, faults and interrupts arrive on stubs in kernel text whose HOSTCALL
//     runs the core; the user registers live in the CPU and in the IRET frame on the
//     task's kernel stack, exactly where the real kernel finds them

import {
  Reg,
  SegReg,
  TSS32,
  CR0,
  CR4,
  PHASE,
  encodeSegmentDescriptor,
  interruptGate,
  ldtDescriptor,
  trapGate,
  tssDescriptor,
  writeDescriptor,
  type Machine,
  type PathProfile,
} from '@mklab/pentium';
import type { Arch, PathTouch, UserRegs } from '../arch';
import type { CorePath } from '../../core/core-paths';
import type { LinuxKernel } from '../../core/kernel';
import type { Mm } from '../../core/mm/mm';
import type { Task } from '../../core/task';
import { PAGE_SIZE } from '../../core/phys-mem';
import { PDE_PS, PTE_P, PTE_RW, USER_PDES } from '../../core/mm/page-table';
import {
  CORE_PATHS,
  IRQ_ENTRY,
  MATH_STATE_RESTORE,
  NativeProfile,
  SWITCH_TO,
  SYSCALL_ENTRY,
  SYSCALL_EXIT,
  TRAP_ENTRY,
  Touch,
  sysProfile,
} from './costs';
import {
  DEFAULT_LDT,
  FIRST_TSS_ENTRY,
  FREE_MEMORY_START,
  G_CURRENT,
  G_TASK_ARRAY,
  GDT,
  GDT_ENTRIES,
  IDT,
  KERNEL_CS,
  KERNEL_DS,
  NR_TASKS,
  PAGE_OFFSET,
  SWAPPER_PG_DIR,
  SYS_CALL_TABLE,
  TS_I387,
  TS_TSS,
  USER_CS,
  USER_DS,
  ldtSelector,
  linear,
  tssSelector,
} from './layout';
import { ERROR_CODE_VECTORS } from '@mklab/pentium';
import { HC, StubAddresses, assembleStubs } from './stubs';

/** 2.0 programs the PIT for HZ = 100: LATCH = (1193180 + HZ/2) / HZ (include/linux/timex.h). */
export const LATCH = Math.floor((1193180 + 50) / 100);

const EFLAGS_IF = 1 << 9;
const EFLAGS_USER_MASK = 0x00000dd5 | 0x40000 | 0x100; // arithmetic flags, DF, TF, AC: what user mode may set
const IRET_FRAME_BYTES = 20;
/** FNSAVE's 32-bit protected-mode image: 28-byte environment + 8 × 10-byte registers */
const FPU_IMAGE_BYTES = 108;

export class NativeArch implements Arch {
  readonly name = 'native' as const;
  readonly cpuHz: number;
  private kernel!: LinuxKernel;
  private stubs!: StubAddresses;
  /** GDT slots in use (task[] in 2.0) */
  private readonly slots: (Task | null)[] = new Array(NR_TASKS).fill(null);
  /** the IRET frame of the current kernel entry (kernel offset = physical address) */
  private frame = 0;
  /** the task whose FPU state is in the x87 (2.0's last_task_used_math) */
  private fpuOwner: Task | null = null;
  private readonly fpuUsed = new Set<Task>();
  private booted = false;

  constructor(private readonly machine: Machine) {
    this.cpuHz = machine.clock.hz;
  }

  // ------------------------------------------------------------------ boot

  freeMemoryRange(): { start: number; end: number } {
    return { start: FREE_MEMORY_START, end: this.machine.memory.size };
  }

  attach(kernel: LinuxKernel): void {
    this.kernel = kernel;
    const mem = this.machine.memory;
    if (mem.size > 1 << 30) throw new Error('native Linux: at most 1 GiB of memory (the kernel segment maps 1 GiB)');
    mem.fill(0x100000, FREE_MEMORY_START - 0x100000, 0);
    this.stubs = assembleStubs((addr, bytes) => mem.writeBytes(addr, bytes));
    this.buildSwapperPageDirectory();
    this.buildGdt();
    this.buildIdt();
    // sys_call_table: 256 entries pointing into kernel text (read by the entry path's profile)
    for (let i = 0; i < 256; i++) mem.write32(SYS_CALL_TABLE + i * 4, linear(this.stubs.systemCall));
    this.registerHostcalls();
  }

  /** swapper_pg_dir: physical memory at 0xC0000000 in 4 MiB pages, supervisor only (2.0 paging_init with PSE). */
  private buildSwapperPageDirectory(): void {
    const mem = this.machine.memory;
    mem.fill(SWAPPER_PG_DIR, PAGE_SIZE, 0);
    this.initPageDirectory(SWAPPER_PG_DIR);
  }

  initPageDirectory(pgd: number): void {
    const mem = this.machine.memory;
    const big = 4 << 20;
    const n = Math.ceil(mem.size / big);
    for (let i = 0; i < n; i++) mem.write32(pgd + (USER_PDES + i) * 4, (i * big) | PTE_P | PTE_RW | PDE_PS);
  }

  private buildGdt(): void {
    const mem = this.machine.memory;
    mem.fill(GDT, GDT_ENTRIES * 8, 0);
    const kernelLimit = 0x3fffffff; // 1 GiB at 0xC0000000
    const userLimit = 0xbfffffff; // 3 GiB at 0
    writeDescriptor(mem, GDT, KERNEL_CS >> 3, encodeSegmentDescriptor({ base: PAGE_OFFSET, limit: kernelLimit, type: 0xa, dpl: 0, granularity: true }));
    writeDescriptor(mem, GDT, KERNEL_DS >> 3, encodeSegmentDescriptor({ base: PAGE_OFFSET, limit: kernelLimit, type: 0x2, dpl: 0, granularity: true }));
    writeDescriptor(mem, GDT, USER_CS >> 3, encodeSegmentDescriptor({ base: 0, limit: userLimit, type: 0xa, dpl: 3, granularity: true }));
    writeDescriptor(mem, GDT, USER_DS >> 3, encodeSegmentDescriptor({ base: 0, limit: userLimit, type: 0x2, dpl: 3, granularity: true }));
    mem.fill(DEFAULT_LDT, 8, 0);
  }

  private buildIdt(): void {
    const mem = this.machine.memory;
    const s = this.stubs;
    mem.fill(IDT, 256 * 8, 0);
    for (let v = 0; v < 32; v++) {
      // 2.0 traps.c: int3, into, bound are system gates (DPL 3); the rest DPL 0
      const dpl = v === 3 || v === 4 || v === 5 ? 3 : 0;
      writeDescriptor(mem, IDT, v, trapGate(KERNEL_CS, s.traps[v], dpl));
    }
    for (let irq = 0; irq < 16; irq++) writeDescriptor(mem, IDT, 0x20 + irq, interruptGate(KERNEL_CS, s.irqs[irq], 0));
    writeDescriptor(mem, IDT, 0x80, trapGate(KERNEL_CS, s.systemCall, 3));
  }

  private registerHostcalls(): void {
    const hc = this.machine.hostcalls;
    hc.register(HC.SYSCALL, 'linux.system_call', () => this.onSyscall());
    hc.register(HC.RESUME, 'linux.resume', () => this.onResume());
    hc.register(HC.PAGE_FAULT, 'linux.page_fault', () => this.onPageFault());
    hc.register(HC.DEVICE_NOT_AVAILABLE, 'linux.device_not_available', () => this.onDeviceNotAvailable());
    hc.register(HC.TIMER, 'linux.timer_interrupt', () => this.onHardwareIrq(0));
    for (let irq = 1; irq < 16; irq++) hc.register(HC.IRQ + irq, `linux.irq${irq}`, () => (this.attachedIrqs.has(irq) ? this.onHardwareIrq(irq) : this.onSpuriousIrq(irq)));
    for (let v = 0; v < 32; v++) {
      if (v === 14 || v === 7) continue;
      hc.register(HC.TRAP + v, `linux.trap${v}`, () => this.onTrap(v));
    }
  }

  /**
   * Starts the machine: protected mode with paging, the tables loaded, the PIC and PIT
   * programmed for 100 Hz, and the CPU switched (by a task switch) into `first`.
   */
  start(first: Task): void {
    const { cpu, memory: mem } = this.machine;
    const idle = this.kernel.idle;
    cpu.setGdtr(linear(GDT), GDT_ENTRIES * 8 - 1);
    cpu.setIdtr(linear(IDT), 256 * 8 - 1);
    cpu.setCr4(cpu.cr4 | CR4.PSE);
    cpu.loadCr3(SWAPPER_PG_DIR);
    cpu.setCr0(cpu.cr0 | CR0.PG | CR0.PE | CR0.NE | CR0.MP);
    cpu.loadSegment(SegReg.SS, KERNEL_DS);
    cpu.loadSegment(SegReg.DS, KERNEL_DS);
    cpu.loadSegment(SegReg.ES, KERNEL_DS);
    this.programPic();
    this.programPit();
    cpu.loadTr(idle.arch.tss);
    this.kernel.current = first;
    this.kernel.runQueue = this.kernel.runQueue.filter((t) => t !== first).concat([first]);
    cpu.switchTask(first.arch.tss, 'jmp');
    // the boot state the switch saved in the idle task's TSS is replaced by the idle loop
    this.writeFreshTss(idle, { eip: this.stubs.idle, esp: idle.kstackPhys + PAGE_SIZE, eflags: 0x2, kernelMode: true, regs: null, cr3: SWAPPER_PG_DIR });
    void mem;
    this.booted = true;
  }

  /** 8259A pair as 2.0's boot code sets it: vectors 0x20/0x28, cascade on IR2, 8086 mode; only IRQ0 (and the cascade) unmasked. */
  private programPic(): void {
    const pic = this.machine.pic;
    pic.out8(0x20, 0x11);
    pic.out8(0x21, 0x20);
    pic.out8(0x21, 0x04);
    pic.out8(0x21, 0x01);
    pic.out8(0xa0, 0x11);
    pic.out8(0xa1, 0x28);
    pic.out8(0xa1, 0x02);
    pic.out8(0xa1, 0x01);
    pic.out8(0x21, 0xfa);
    pic.out8(0xa1, 0xff);
    if (this.attachedIrqs.size > 0) this.writePicMasks();
  }

  /** PIT channel 0, mode 2, LSB then MSB of LATCH (2.0 time_init). */
  private programPit(): void {
    const pit = this.machine.pit;
    pit.out8(0x43, 0x34);
    pit.out8(0x40, LATCH & 0xff);
    pit.out8(0x40, LATCH >> 8);
  }

  // ------------------------------------------------------------------ tasks

  createTask(task: Task): void {
    const slot = task.isIdle ? 0 : this.slots.indexOf(null, 1);
    if (slot < 0) throw new Error('native Linux: out of task slots (NR_TASKS = 512)');
    this.slots[slot] = task;
    task.arch.slot = slot;
    task.arch.tss = tssSelector(slot);
    task.arch.ldt = ldtSelector(slot);
    const mem = this.machine.memory;
    const tss = task.structPhys + TS_TSS;
    writeDescriptor(mem, GDT, FIRST_TSS_ENTRY + 2 * slot, tssDescriptor(linear(tss), TSS32.SIZE - 1));
    writeDescriptor(mem, GDT, FIRST_TSS_ENTRY + 2 * slot + 1, ldtDescriptor(linear(DEFAULT_LDT), 7));
    mem.write32(G_TASK_ARRAY + slot * 4, linear(task.structPhys));
    mem.fill(tss, TSS32.SIZE, 0);
    mem.write32(tss + TSS32.SS0, KERNEL_DS);
    mem.write32(tss + TSS32.ESP0, task.kstackPhys + PAGE_SIZE);
    mem.write32(tss + TSS32.LDT, task.arch.ldt);
    mem.write16(tss + TSS32.IOMAP_BASE, TSS32.SIZE); // no I/O bitmap: every port faults at CPL 3
    mem.write32(tss + TSS32.CR3, task.mm ? task.mm.pgd : SWAPPER_PG_DIR);
    mem.write32(task.structPhys + 0x40, task.pid); // TS_PID: the word sys_getpid reads
  }

  destroyTask(task: Task): void {
    const slot = task.arch.slot;
    if (slot === undefined || this.slots[slot] !== task) return;
    const mem = this.machine.memory;
    writeDescriptor(mem, GDT, FIRST_TSS_ENTRY + 2 * slot, [0, 0]);
    writeDescriptor(mem, GDT, FIRST_TSS_ENTRY + 2 * slot + 1, [0, 0]);
    mem.write32(G_TASK_ARRAY + slot * 4, 0);
    this.slots[slot] = null;
    if (this.fpuOwner === task) this.fpuOwner = null;
    this.fpuUsed.delete(task);
  }

  setAddressSpace(task: Task): void {
    const pgd = task.mm ? task.mm.pgd : SWAPPER_PG_DIR;
    this.machine.memory.write32(task.structPhys + TS_TSS + TSS32.CR3, pgd);
    if (this.booted && task === this.kernel.current) this.machine.cpu.loadCr3(pgd);
  }

  flushUserPage(mm: Mm, lin: number): void {
    if (!this.booted) return;
    const cur = this.kernel.current;
    // 2.0's flush_tlb_page: INVLPG when the space is the current one (P5: 25 clocks [p54c], charged by the CPU model)
    if (cur.mm === mm) this.machine.cpu.invlpg(lin);
  }

  flushUserAll(mm: Mm): void {
    if (!this.booted) return;
    const cur = this.kernel.current;
    // flush_tlb_mm: reload CR3 (whole TLB) when it is the current space
    if (cur.mm === mm) this.machine.cpu.loadCr3(mm.pgd);
  }

  // ------------------------------------------------------------------ registers

  private isCurrentEntry(task: Task): boolean {
    return this.booted && task === this.kernel.current && this.frame !== 0;
  }

  getUserRegs(task: Task): UserRegs {
    const cpu = this.machine.cpu;
    const mem = this.machine.memory;
    if (!this.isCurrentEntry(task)) throw new Error(`native Linux: getUserRegs for pid ${task.pid} outside its kernel entry`);
    const f = this.frame;
    return {
      eax: cpu.getReg(Reg.EAX),
      ebx: cpu.getReg(Reg.EBX),
      ecx: cpu.getReg(Reg.ECX),
      edx: cpu.getReg(Reg.EDX),
      esi: cpu.getReg(Reg.ESI),
      edi: cpu.getReg(Reg.EDI),
      ebp: cpu.getReg(Reg.EBP),
      eip: mem.read32(f),
      cs: mem.read32(f + 4) & 0xffff,
      eflags: mem.read32(f + 8),
      esp: mem.read32(f + 12),
      ss: mem.read32(f + 16) & 0xffff,
      ds: cpu.segSel[SegReg.DS],
      es: cpu.segSel[SegReg.ES],
      fs: cpu.segSel[SegReg.FS],
      gs: cpu.segSel[SegReg.GS],
    };
  }

  setUserRegs(task: Task, r: UserRegs): void {
    const cpu = this.machine.cpu;
    const mem = this.machine.memory;
    if (!this.isCurrentEntry(task)) throw new Error(`native Linux: setUserRegs for pid ${task.pid} outside its kernel entry`);
    cpu.setReg(Reg.EAX, r.eax);
    cpu.setReg(Reg.EBX, r.ebx);
    cpu.setReg(Reg.ECX, r.ecx);
    cpu.setReg(Reg.EDX, r.edx);
    cpu.setReg(Reg.ESI, r.esi);
    cpu.setReg(Reg.EDI, r.edi);
    cpu.setReg(Reg.EBP, r.ebp);
    const f = this.frame;
    mem.write32(f, r.eip);
    mem.write32(f + 4, USER_CS);
    mem.write32(f + 8, userEflags(r.eflags));
    mem.write32(f + 12, r.esp);
    mem.write32(f + 16, USER_DS);
    // data segments: only the user data selector (or null) is accepted back from user memory
    for (const [sreg, sel] of [[SegReg.DS, r.ds], [SegReg.ES, r.es], [SegReg.FS, r.fs], [SegReg.GS, r.gs]] as const) {
      cpu.loadSegment(sreg, sel === USER_DS || sel === 0 ? sel : USER_DS);
    }
  }

  setSyscallResult(task: Task, value: number): void {
    if (!this.isCurrentEntry(task)) throw new Error(`native Linux: syscall result for pid ${task.pid} outside its kernel entry`);
    this.machine.cpu.setReg(Reg.EAX, value >>> 0);
  }

  enteredFromUser(task: Task): boolean {
    if (!this.isCurrentEntry(task)) return false;
    return (this.machine.memory.read32(this.frame + 4) & 3) === 3;
  }

  prepareForkChild(child: Task, regs: UserRegs): void {
    this.writeUserFrame(child, regs.eip, regs.esp, regs.eflags);
    this.writeFreshTss(child, {
      eip: this.stubs.resume,
      esp: child.kstackPhys + PAGE_SIZE - IRET_FRAME_BYTES,
      eflags: 0x2,
      kernelMode: true,
      regs,
      cr3: child.mm ? child.mm.pgd : SWAPPER_PG_DIR,
    });
    const parent = this.kernel.current;
    if (this.fpuUsed.has(parent)) {
      // the child inherits the FPU state (2.0 copy_thread: the i387 image is copied)
      if (this.fpuOwner === parent) this.saveFpuTo(child);
      else this.machine.memory.writeBytes(child.structPhys + TS_I387, this.machine.memory.readBytes(parent.structPhys + TS_I387, FPU_IMAGE_BYTES));
      this.fpuUsed.add(child);
    }
  }

  startUserThread(task: Task, eip: number, esp: number): void {
    if (this.isCurrentEntry(task)) {
      const cpu = this.machine.cpu;
      for (const r of [Reg.EAX, Reg.EBX, Reg.ECX, Reg.EDX, Reg.ESI, Reg.EDI, Reg.EBP]) cpu.setReg(r, 0);
      const mem = this.machine.memory;
      mem.write32(this.frame, eip);
      mem.write32(this.frame + 4, USER_CS);
      mem.write32(this.frame + 8, EFLAGS_IF | 2);
      mem.write32(this.frame + 12, esp);
      mem.write32(this.frame + 16, USER_DS);
      for (const s of [SegReg.DS, SegReg.ES, SegReg.FS, SegReg.GS]) cpu.loadSegment(s, USER_DS);
      // 2.0 flush_thread: the new image starts without FPU state; if ours is in the x87, stts()
      this.fpuUsed.delete(task);
      if (this.fpuOwner === task) {
        this.fpuOwner = null;
        cpu.setCr0(cpu.cr0 | CR0.TS);
      }
      return;
    }
    // a task that has not run yet (init): its first switch lands on the resume stub
    this.writeUserFrame(task, eip, esp, EFLAGS_IF | 2);
    this.writeFreshTss(task, {
      eip: this.stubs.resume,
      esp: task.kstackPhys + PAGE_SIZE - IRET_FRAME_BYTES,
      eflags: 0x2,
      kernelMode: true,
      regs: null,
      cr3: task.mm ? task.mm.pgd : SWAPPER_PG_DIR,
    });
  }

  private writeUserFrame(task: Task, eip: number, esp: number, eflags: number): void {
    const mem = this.machine.memory;
    const f = task.kstackPhys + PAGE_SIZE - IRET_FRAME_BYTES;
    mem.write32(f, eip);
    mem.write32(f + 4, USER_CS);
    mem.write32(f + 8, userEflags(eflags));
    mem.write32(f + 12, esp);
    mem.write32(f + 16, USER_DS);
  }

  private writeFreshTss(task: Task, s: { eip: number; esp: number; eflags: number; kernelMode: boolean; regs: UserRegs | null; cr3: number }): void {
    const mem = this.machine.memory;
    const tss = task.structPhys + TS_TSS;
    const r = s.regs;
    mem.write32(tss + TSS32.EIP, s.eip);
    mem.write32(tss + TSS32.EFLAGS, s.eflags);
    mem.write32(tss + TSS32.EAX, r ? r.eax : 0);
    mem.write32(tss + TSS32.ECX, r ? r.ecx : 0);
    mem.write32(tss + TSS32.EDX, r ? r.edx : 0);
    mem.write32(tss + TSS32.EBX, r ? r.ebx : 0);
    mem.write32(tss + TSS32.ESP, s.esp);
    mem.write32(tss + TSS32.EBP, r ? r.ebp : 0);
    mem.write32(tss + TSS32.ESI, r ? r.esi : 0);
    mem.write32(tss + TSS32.EDI, r ? r.edi : 0);
    const userData = (sel: number | undefined): number => (sel === USER_DS || sel === 0 ? sel : USER_DS);
    const dataSel = task.isIdle ? KERNEL_DS : USER_DS;
    mem.write32(tss + TSS32.ES, r ? userData(r.es) : dataSel);
    mem.write32(tss + TSS32.CS, KERNEL_CS);
    mem.write32(tss + TSS32.SS, KERNEL_DS);
    mem.write32(tss + TSS32.DS, r ? userData(r.ds) : dataSel);
    mem.write32(tss + TSS32.FS, r ? userData(r.fs) : dataSel);
    mem.write32(tss + TSS32.GS, r ? userData(r.gs) : dataSel);
    mem.write32(tss + TSS32.CR3, s.cr3);
    mem.write32(tss + TSS32.LDT, task.arch.ldt);
    mem.write32(tss + TSS32.SS0, KERNEL_DS);
    mem.write32(tss + TSS32.ESP0, task.kstackPhys + PAGE_SIZE);
  }

  // ------------------------------------------------------------------ switching

  switchTo(prev: Task, next: Task): void {
    const cpu = this.machine.cpu;
    this.chargeProfile(SWITCH_TO, prev, 0, undefined);
    // prev continues on the resume stub with ESP at its IRET frame (an error code, if
    // any, is skipped: the resume path IRETs directly)
    if (prev.isIdle && this.frame === 0) {
      cpu.eip = this.stubs.idle;
    } else {
      cpu.eip = this.stubs.resume;
      if (this.frame !== 0) cpu.setReg(Reg.ESP, this.frame);
    }
    this.frame = 0;
    this.machine.memory.write32(G_CURRENT, linear(next.structPhys));
    cpu.switchTask(next.arch.tss, 'jmp');
    if (next.isIdle) this.machine.phases.enter(PHASE.IDLE); // until an interrupt wakes the kernel
  }

  // ------------------------------------------------------------------ entries

  private enter(errorCode: boolean): number {
    const esp = this.machine.cpu.getReg(Reg.ESP);
    this.frame = errorCode ? esp + 4 : esp;
    return errorCode ? this.machine.memory.read32(esp) : 0;
  }

  private leave(): void {
    this.frame = 0;
  }

  private onSyscall(): void {
    this.enter(false);
    const t = this.kernel.current;
    this.machine.phases.enterSinceTrap(PHASE.ENTRY);
    this.chargeProfile(SYSCALL_ENTRY, t, 0, undefined, this.machine.cpu.getReg(Reg.EAX));
    this.machine.phases.enter(PHASE.KERNEL);
    this.kernel.onSyscall();
    if (this.kernel.current === t && this.frame !== 0) this.exitToUser(t);
    this.leave();
  }

  private onResume(): void {
    this.enter(false);
    const t = this.kernel.current;
    this.kernel.onResume();
    if (this.kernel.current === t && this.frame !== 0 && this.enteredFromUser(t)) this.exitToUser(t);
    this.leave();
  }

  /** ret_from_sys_call back to user mode: the exit phase runs until the IRET lands in user mode (phases: contracts.md). */
  private exitToUser(t: Task): void {
    this.machine.phases.enter(PHASE.EXIT);
    this.chargeProfile(SYSCALL_EXIT, t, 0, undefined);
    this.machine.phases.enterOnUserReturn(PHASE.USER);
  }

  /** A trap from user mode (fault, #NM): entry from the trap, then the kernel's work. */
  private trapEntry(t: Task): void {
    this.machine.phases.enterSinceTrap(PHASE.ENTRY);
    this.chargeProfile(TRAP_ENTRY, t, 0, undefined);
    this.machine.phases.enter(PHASE.KERNEL);
  }

  private onPageFault(): void {
    const err = this.enter(true);
    const t = this.kernel.current;
    const fromUser = (this.machine.memory.read32(this.frame + 4) & 3) === 3;
    if (!fromUser) {
      this.kernel.panic(`page fault in kernel mode at 0x${this.machine.cpu.cr2.toString(16)}, eip 0x${this.machine.memory.read32(this.frame).toString(16)}`);
      this.leave();
      return;
    }
    this.trapEntry(t);
    this.kernel.onPageFault(this.machine.cpu.cr2 >>> 0, err | 4);
    if (this.kernel.current === t && this.frame !== 0) this.exitToUser(t);
    this.leave();
  }

  private onTrap(vector: number): void {
    const err = this.enter(ERROR_CODE_VECTORS.has(vector));
    const t = this.kernel.current;
    const fromUser = (this.machine.memory.read32(this.frame + 4) & 3) === 3;
    if (!fromUser) {
      this.kernel.panic(`exception ${vector} (error code 0x${err.toString(16)}) in kernel mode at eip 0x${this.machine.memory.read32(this.frame).toString(16)}`);
      this.leave();
      return;
    }
    this.trapEntry(t);
    this.kernel.onTrap(vector, err);
    if (this.kernel.current === t && this.frame !== 0) this.exitToUser(t);
    this.leave();
  }

  /** #NM after a task switch set CR0.TS: 2.0's math_state_restore (lazy FPU switch). */
  private onDeviceNotAvailable(): void {
    this.enter(false);
    const cpu = this.machine.cpu;
    const t = this.kernel.current;
    const fromUser = (this.machine.memory.read32(this.frame + 4) & 3) === 3;
    if (!fromUser) {
      this.kernel.panic('FPU use in kernel mode');
      this.leave();
      return;
    }
    this.trapEntry(t);
    this.chargeProfile(MATH_STATE_RESTORE, t, 0, undefined);
    cpu.setCr0(cpu.cr0 & ~CR0.TS); // clts
    if (this.fpuOwner !== t) {
      this.kernel.count('fpuRestores');
      if (this.fpuOwner) this.fpuInstruction(0xdd, 0x30, linear(this.fpuOwner.structPhys + TS_I387)); // fnsave
      if (this.fpuUsed.has(t)) this.fpuInstruction(0xdd, 0x20, linear(t.structPhys + TS_I387)); // frstor
      else {
        this.fpuInstruction(0xdb, 0xe3, 0); // fninit
        this.fpuUsed.add(t);
      }
      this.fpuOwner = t;
    }
    this.exitToUser(t);
    this.leave();
  }

  /** Runs one x87 instruction on behalf of the kernel (FNSAVE/FRSTOR/FNINIT), charging its table clocks. */
  private fpuInstruction(opcode: number, modrm: number, la: number): void {
    const cpu = this.machine.cpu;
    const fpu = cpu.fpu;
    if (!fpu) return;
    fpu.execute(cpu, opcode, modrm, la);
    if (fpu.clocks) cpu.charge(fpu.clocks(opcode, modrm));
  }

  private saveFpuTo(child: Task): void {
    const cpu = this.machine.cpu;
    if (this.fpuOwner !== this.kernel.current || !cpu.fpu) return;
    // fnsave reinitialises the FPU: save into the child, then reload ours from there
    const la = linear(child.structPhys + TS_I387);
    this.fpuInstruction(0xdd, 0x30, la);
    this.fpuInstruction(0xdd, 0x20, la);
  }

  /** Device interrupt lines the core asked for (request_irq): unmasked at the 8259A, handled by the core. */
  private readonly attachedIrqs = new Set<number>();

  attachIrq(irq: number): boolean {
    if (!(irq >= 1 && irq < 16 && irq !== 2)) return false;
    this.attachedIrqs.add(irq);
    if (this.booted) this.writePicMasks();
    return true;
  }

  /** The 8259A masks: IRQ 0 and the cascade always open, plus the attached lines. */
  private writePicMasks(): void {
    let imr = 0xffff & ~((1 << 0) | (1 << 2));
    for (const irq of this.attachedIrqs) imr &= ~(1 << irq);
    this.machine.pic.out8(0x21, imr & 0xff);
    this.machine.pic.out8(0xa1, imr >> 8);
  }

  /**
   * IRQ n: the timer (0) or an attached device. 2.0's IRQ stub (SAVE_ALL, the 8259A
   * acknowledged with a non-specific EOI before the handler), do_timer or the core's
   * handler with its bottom halves, ret_from_intr.
   */
  private onHardwareIrq(irq: number): void {
    this.enter(false);
    const t = this.kernel.current;
    const phases = this.machine.phases;
    const interrupted = phases.current;
    phases.enterSinceTrap(PHASE.IRQ);
    this.chargeProfile(IRQ_ENTRY, t, 0, undefined);
    const pic = this.machine.pic;
    if (irq >= 8) pic.out8(0xa0, 0x20);
    pic.out8(0x20, 0x20);
    if (irq === 0) this.kernel.onTimerInterrupt();
    else this.kernel.onIrq(irq);
    if (this.kernel.current === t && this.frame !== 0) {
      if (this.enteredFromUser(t)) {
        // the interrupt's return path is its own (not a system call's exit): irq until user mode
        this.chargeProfile(SYSCALL_EXIT, t, 0, undefined);
        phases.enterOnUserReturn(PHASE.USER);
      } else phases.enter(interrupted); // back to the idle loop (or the kernel path it interrupted)
    }
    this.leave();
  }

  private onSpuriousIrq(irq: number): void {
    this.enter(false);
    const pic = this.machine.pic;
    if (irq >= 8) pic.out8(0xa0, 0x20);
    pic.out8(0x20, 0x20);
    this.leave();
  }

  // ------------------------------------------------------------------ costs

  charge(path: CorePath, task: Task | null, units = 1, touch?: PathTouch): void {
    if (!this.booted) return;
    const p = path.startsWith('sys.') ? sysProfile(path.slice(4)) : CORE_PATHS[path];
    if (!p) throw new Error(`native Linux: no cost profile for kernel path ${path}`);
    this.chargeProfile(p, task, units, touch);
  }

  private readonly readBuf: number[] = [];
  private readonly writeBuf: number[] = [];

  private chargeProfile(p: NativeProfile, task: Task | null, units: number, touch: PathTouch | undefined, nr = 0): void {
    if (!this.booted) return;
    let profile: PathProfile = p;
    if (p.perUnit && units !== 0) {
      profile = {
        name: p.name,
        instructions: Math.round(p.instructions + p.perUnit.instructions * units),
        pairedFraction: p.pairedFraction,
        // whole clocks: a per-byte share of REP MOVSD rounds up to the dwords it moves
        extraClocks: p.extraClocks + Math.ceil(p.perUnit.extraClocks * units),
        code: p.code,
        source: p.source,
      };
    }
    const reads = this.readBuf;
    const writes = this.writeBuf;
    reads.length = 0;
    writes.length = 0;
    for (const tch of p.reads) reads.push(this.resolve(tch, task, nr));
    for (const tch of p.writes) writes.push(this.resolve(tch, task, nr));
    if (touch) {
      for (const [start, bytes] of touch.read ?? []) for (let a = start & ~31; a < start + bytes; a += 32) reads.push(linear(a));
      for (const [start, bytes] of touch.write ?? []) for (let a = start & ~3; a < start + bytes; a += 4) writes.push(linear(a));
    }
    const cycles = this.machine.timing.chargePath(profile, reads, writes);
    this.machine.cpu.charge(cycles);
  }

  private resolve(t: Touch, task: Task | null, nr: number): number {
    switch (t.at) {
      case 'kstack':
        return linear((task ?? this.kernel.idle).kstackPhys + PAGE_SIZE - t.offset);
      case 'task':
        return linear((task ?? this.kernel.idle).structPhys + t.offset);
      case 'global':
        return linear(t.addr);
      case 'syscall-table':
        return linear(SYS_CALL_TABLE + (nr & 0xff) * 4);
      case 'gdt':
        return linear(GDT + (t.selector & ~7));
    }
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

/** EFLAGS a user frame may carry: the user-modifiable bits, IF always set, IOPL 0. */
function userEflags(v: number): number {
  return ((v & EFLAGS_USER_MASK) | EFLAGS_IF | 2) >>> 0;
}
