// An architecture with no CPU: user registers live in a table per task, a "switch"
// is recorded, costs are not charged. It runs the core exactly as an arch does (the
// same entry points), so the core's decisions can be tested alone — and it is the
// shape arch/l4 and arch/mach take, where registers travel in messages.
import { PhysicalMemory } from '@mklab/pentium';
import type { Arch, UserRegs } from '../src/arch/arch';
import type { LinuxKernel } from '../src/core/kernel';
import type { Task } from '../src/core/task';
import { LinuxKernel as Kernel } from '../src/core/kernel';
import { RamFs, type FileTree } from '../src/core/fs/ramfs';
import { PTE_P, PTE_RW, PDE_PS, USER_PDES } from '../src/core/mm/page-table';

export const blankRegs = (): UserRegs => ({ eax: 0, ebx: 0, ecx: 0, edx: 0, esi: 0, edi: 0, ebp: 0, esp: 0, eip: 0, eflags: 0x202, cs: 0x23, ss: 0x2b, ds: 0x2b, es: 0x2b, fs: 0x2b, gs: 0x2b });

export class FakeArch implements Arch {
  readonly name = 'native' as const;
  readonly cpuHz = 133_000_000;
  kernel!: LinuxKernel;
  readonly regs = new Map<Task, UserRegs>();
  readonly switches: [number, number][] = [];
  /** true while the current entry came from user mode */
  fromUser = true;
  now = 0;
  halted: string | null = null;
  readonly console: string[] = [];

  constructor(readonly mem: PhysicalMemory) {}
  freeMemoryRange() {
    return { start: 0x100000, end: this.mem.size };
  }
  attach(k: LinuxKernel): void {
    this.kernel = k;
  }
  initPageDirectory(pgd: number): void {
    this.mem.write32(pgd + USER_PDES * 4, PTE_P | PTE_RW | PDE_PS);
  }
  flushUserPage(): void {}
  flushUserAll(): void {}
  createTask(t: Task): void {
    this.regs.set(t, blankRegs());
  }
  destroyTask(t: Task): void {
    this.regs.delete(t);
  }
  setAddressSpace(): void {}
  getUserRegs(t: Task): UserRegs {
    return { ...this.regs.get(t)! };
  }
  setUserRegs(t: Task, r: UserRegs): void {
    this.regs.set(t, { ...r });
  }
  setSyscallResult(t: Task, v: number): void {
    this.regs.get(t)!.eax = v >>> 0;
  }
  enteredFromUser(): boolean {
    return this.fromUser;
  }
  prepareForkChild(child: Task, r: UserRegs): void {
    this.regs.set(child, { ...r });
  }
  startUserThread(t: Task, eip: number, esp: number): void {
    this.regs.set(t, { ...blankRegs(), eip, esp });
  }
  switchTo(prev: Task, next: Task): void {
    this.switches.push([prev.pid, next.pid]);
  }
  charge(): void {}
  cycles(): number {
    return this.now;
  }
  consoleWrite(bytes: Uint8Array): void {
    this.console.push(new TextDecoder().decode(bytes));
  }
  halt(reason: string): void {
    this.halted = reason;
  }

  /** A system call from the current task: registers as the int 0x80 convention puts them. */
  syscall(nr: number, ...args: number[]): void {
    const t = this.kernel.current;
    const r = this.regs.get(t)!;
    r.eax = nr;
    [r.ebx, r.ecx, r.edx, r.esi, r.edi] = [args[0] ?? 0, args[1] ?? 0, args[2] ?? 0, args[3] ?? 0, args[4] ?? 0];
    r.eip += 2; // past the int $0x80
    this.fromUser = true;
    this.kernel.onSyscall();
  }
}

/** A kernel on a FakeArch with /init from `init` (an ELF). */
export function fakeKernel(init: Uint8Array, extra: FileTree = {}): { k: Kernel; arch: FakeArch } {
  const mem = new PhysicalMemory(16 << 20);
  const arch = new FakeArch(mem);
  const k = new Kernel({ mem, arch, rootfs: RamFs.fromTree({ '/init': init, ...extra }), counters: {} });
  arch.createTask(k.idle);
  const t = k.spawnInit('/init', ['init'], []);
  k.current = t;
  return { k, arch };
}
