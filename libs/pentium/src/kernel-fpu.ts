// Lazy x87 switching for a kernel written in TypeScript (L4 and Mach do it alike, as
// Linux 2.0 and L4/x86 did): a switch away from the thread whose state is in the x87
// sets CR0.TS; the next thread's first FPU instruction raises #NM, and the kernel saves
// the owner's state into its save area (FNSAVE) and loads the new thread's (FRSTOR), or
// FNINITs for a first use. The kernel's own FNSAVE/FRSTOR/FNINIT run on the machine's
// x87 and are charged their clocks; their memory operand goes through the kernel's
// window directly (the kernel may be called from a user-level thread's step, where the
// CPU's own accesses would be at CPL 3).
import type { FpuHost } from './fpu/fpu-host';
import type { KernelMachine } from './kernel-port';

const CR0_TS = 1 << 3;
/** FNSAVE image, 32-bit protected mode. */
export const FPU_IMAGE_BYTES = 108;

/** The x87 as a kernel drives it (libs/pentium's X87, through the CPU's FpuHost; optional in the kernel port). */
interface FpuPort {
  execute(host: FpuHost, opcode: number, modrm: number, la: number): void;
  clocks?(opcode: number, modrm: number): number;
}

export interface FpuThread {
  fpuUsed: boolean;
}

export interface KernelFpuOptions<T extends FpuThread> {
  /** 'L4', 'Mach': names the kernel in its errors */
  kernel: string;
  /** kernel linear address of physical 0 (the kernel's 1:1 window) */
  kernelBase: number;
  /** kernel linear address of a thread's FNSAVE area */
  saveArea(t: T): number;
  /** charges the #NM handler's path for `t` (the kernel's cost table) */
  chargeSwitch(t: T): void;
  /** counts a real save/restore */
  countSwitch(): void;
}

export class KernelFpu<T extends FpuThread> {
  /** the thread whose state is in the x87 */
  owner: T | null = null;
  private host: FpuHost | null = null;

  constructor(
    private readonly machine: KernelMachine,
    private readonly o: KernelFpuOptions<T>,
  ) {}

  /** On a switch to `next`: true when CR0.TS had to be set (the caller charges the MOV CR0). */
  setTsFor(next: T): boolean {
    const cpu = this.machine.cpu;
    if (next === this.owner || cpu.cr0 & CR0_TS) return false;
    cpu.setCr0(cpu.cr0 | CR0_TS);
    return true;
  }

  /** #NM of thread `t`: if CR0.TS caused it, give `t` the FPU (true); else it is an ordinary exception. */
  trap(t: T): boolean {
    const cpu = this.machine.cpu;
    if (!(cpu.cr0 & CR0_TS) || !this.fpu()) return false;
    cpu.setCr0(cpu.cr0 & ~CR0_TS);
    this.o.chargeSwitch(t);
    if (this.owner !== t) {
      if (this.owner) this.instruction(0xdd, 0x30, this.o.saveArea(this.owner)); // fnsave
      if (t.fpuUsed) this.instruction(0xdd, 0x20, this.o.saveArea(t)); // frstor
      else {
        this.instruction(0xdb, 0xe3, 0); // fninit
        t.fpuUsed = true;
      }
      this.owner = t;
      this.o.countSwitch();
    }
    return true;
  }

  /** A new thread starts with `from`'s x87 state (fork: the child's FPU is the parent's). */
  copy(from: T, to: T): void {
    if (to === this.owner) this.owner = null;
    to.fpuUsed = from.fpuUsed;
    if (!from.fpuUsed || !this.fpu()) return;
    if (from === this.owner) {
      // fnsave reinitialises the FPU: save into the new thread's area, then reload the owner's from there
      this.instruction(0xdd, 0x30, this.o.saveArea(to));
      this.instruction(0xdd, 0x20, this.o.saveArea(to));
    } else {
      const mem = this.machine.memory;
      const src = this.phys(this.o.saveArea(from));
      const dst = this.phys(this.o.saveArea(to));
      for (let i = 0; i < FPU_IMAGE_BYTES; i += 4) mem.write32(dst + i, mem.read32(src + i));
    }
  }

  /** `t` starts afresh (exec): its x87 state is dropped; its next FPU use finds the FNINIT state. */
  reset(t: T): void {
    t.fpuUsed = false;
    if (this.owner === t) {
      this.owner = null;
      this.machine.cpu.setCr0(this.machine.cpu.cr0 | CR0_TS);
    }
  }

  /** `t` is gone: its state in the x87 (if any) is nobody's. */
  forget(t: T): void {
    if (this.owner === t) this.owner = null;
    t.fpuUsed = false;
  }

  private fpu(): FpuPort | undefined {
    return (this.machine.cpu as unknown as { fpu?: FpuPort }).fpu;
  }

  private instruction(opcode: number, modrm: number, la: number): void {
    const fpu = this.fpu();
    if (!fpu) return;
    fpu.execute(this.fpuHost(), opcode, modrm, la);
    if (fpu.clocks) this.machine.counters.cycles += fpu.clocks(opcode, modrm);
  }

  private phys(la: number): number {
    const p = ((la >>> 0) - this.o.kernelBase) >>> 0;
    if (p >= this.machine.memory.size) throw new Error(`${this.o.kernel}: kernel FPU access outside the kernel window (0x${(la >>> 0).toString(16)})`);
    return p;
  }

  private fpuHost(): FpuHost {
    if (this.host) return this.host;
    const mem = this.machine.memory;
    const cpu = this.machine.cpu;
    const phys = (la: number): number => this.phys(la);
    this.host = {
      readLinear8: (la) => mem.read8(phys(la)),
      readLinear16: (la) => mem.read8(phys(la)) | (mem.read8(phys(la + 1)) << 8),
      readLinear32: (la) => mem.read32(phys(la)) >>> 0,
      writeLinear8: (la, v) => mem.write8(phys(la), v & 0xff),
      writeLinear16: (la, v) => {
        mem.write8(phys(la), v & 0xff);
        mem.write8(phys(la + 1), (v >>> 8) & 0xff);
      },
      writeLinear32: (la, v) => mem.write32(phys(la), v >>> 0),
      getReg: (r) => cpu.getReg(r),
      setReg: (r, v) => cpu.setReg(r, v),
      raiseException: (v): never => {
        throw new Error(`${this.o.kernel}: x87 exception ${v} in the kernel's own FNSAVE/FRSTOR/FNINIT`);
      },
    };
    return this.host;
  }
}
