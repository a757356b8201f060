// A minimal i386 "kernel" for testing and benchmarking the CPU on real gcc output:
// loads a static ELF32 executable into paged user memory, enters it at ring 3 through
// IRET, and serves `int $0x80` through an IDT trap gate whose stub is
// `HOSTCALL SYSCALL; IRET`. Only what a freestanding test program needs: write,
// exit/exit_group, brk, getpid, time, gettimeofday (from the cycle clock), and
// -ENOSYS for the rest. Exceptions stop the machine with a description.
// This is test support, not a kernel: libs/linux is the real one.

import { Machine } from '../../machine';
import { SegReg, CR0 } from '../registers';
import { flatCode, flatData, interruptGate, trapGate, tssDescriptor, writeDescriptor, TSS32 } from '../descriptors';

// user selectors as Linux i386 (and x86-64's compat mode) has them, so that programs
// printing their segment registers match the native run
const KCODE = 0x08,
  KDATA = 0x10,
  UCODE = 0x23,
  UDATA = 0x2b,
  TSS_SEL = 0x30;
const GDT = 0x1000,
  IDT = 0x2000,
  TSS = 0x3000,
  STUBS = 0x4000,
  KSTACK = 0xa000,
  PGDIR = 0x10000;
/** physical frames for page tables and user pages are allocated from here */
const FRAMES_START = 0x100000;
const USER_STACK_TOP = 0xc0000000;
const USER_STACK_PAGES = 64;

const HC_SYSCALL = 0x7f00;
const HC_FAULT = 0x7f01; // + vector in the low byte of EAX pushed by the stub

export interface ElfRunResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  fault: string | null;
  reason: string;
}

export interface ElfRunOptions {
  argv?: string[];
  cycleBudget?: number;
  /** map the kernel's first 4 MiB with one 4 MiB page (PSE) instead of 4 KiB pages */
  largeKernelPage?: boolean;
  /** run without the timing model */
  untimed?: boolean;
}

export class ElfProcess {
  readonly machine: Machine;
  private nextFrame = FRAMES_START;
  private brk = 0;
  private brkLimit = 0;
  stdout = '';
  stderr = '';
  exitCode: number | null = null;
  fault: string | null = null;

  constructor(image: Uint8Array, opts: ElfRunOptions = {}) {
    const m = (this.machine = new Machine());
    if (opts.untimed) {
      (m.cpu as unknown as { hier: null; pipe: null; dtlb: null; itlb: null; timing: null }).hier = null;
      (m.cpu as unknown as { pipe: null }).pipe = null;
      (m.cpu as unknown as { itlb: null }).itlb = null;
      (m.cpu as unknown as { dtlb: null }).dtlb = null;
      (m.cpu as unknown as { timing: null }).timing = null;
    }
    const mem = m.memory;
    const cpu = m.cpu;
    writeDescriptor(mem, GDT, 1, flatCode(0));
    writeDescriptor(mem, GDT, 2, flatData(0));
    writeDescriptor(mem, GDT, 4, flatCode(3));
    writeDescriptor(mem, GDT, 5, flatData(3));
    writeDescriptor(mem, GDT, 6, tssDescriptor(TSS));
    cpu.setGdtr(GDT, 8 * 8 - 1);
    cpu.setIdtr(IDT, 256 * 8 - 1);
    mem.write32(TSS + TSS32.ESP0, KSTACK);
    mem.write32(TSS + TSS32.SS0, KDATA);
    cpu.loadSegment(SegReg.CS, KCODE);
    for (const s of [SegReg.SS, SegReg.DS, SegReg.ES, SegReg.FS, SegReg.GS]) cpu.loadSegment(s, KDATA);
    cpu.loadTr(TSS_SEL);

    // stubs: syscall = HOSTCALL SYSCALL; IRET.  fault n = PUSH n; HOSTCALL FAULT
    let p = STUBS;
    mem.writeBytes(p, [0x0f, 0x3f, HC_SYSCALL & 0xff, HC_SYSCALL >> 8, 0xcf]);
    writeDescriptor(mem, IDT, 0x80, trapGate(KCODE, p, 3));
    p += 16;
    for (let v = 0; v < 32; v++) {
      mem.writeBytes(p, [0x6a, v, 0x0f, 0x3f, HC_FAULT & 0xff, HC_FAULT >> 8]);
      writeDescriptor(mem, IDT, v, interruptGate(KCODE, p, 0));
      p += 8;
    }
    m.hostcalls.register(HC_SYSCALL, 'elf.syscall', (c) => this.syscall(c.getReg(0)));
    m.hostcalls.register(HC_FAULT, 'elf.fault', (c) => {
      const esp = c.getReg(4);
      const vec = mem.read32(esp);
      const hasCode = vec === 8 || (vec >= 10 && vec <= 14) || vec === 17;
      const eip = mem.read32(esp + 4 + (hasCode ? 4 : 0));
      const code = hasCode ? mem.read32(esp + 4) : -1;
      this.fault = `exception ${vec}${hasCode ? ` code 0x${code.toString(16)}` : ''} at eip 0x${eip.toString(16)}${vec === 14 ? ` cr2 0x${c.cr2.toString(16)}` : ''}`;
      m.stop('fault');
    });

    // kernel: identity map of the first 4 MiB, supervisor only
    mem.fill(PGDIR, 4096, 0);
    if (opts.largeKernelPage) {
      cpu.setCr4(cpu.cr4 | 0x10);
      mem.write32(PGDIR, 0x83);
    } else {
      const pt = this.frame();
      for (let i = 0; i < 1024; i++) mem.write32(pt + i * 4, (i << 12) | 3);
      mem.write32(PGDIR, pt | 3);
    }

    const entry = this.loadElf(image);
    // user stack with argv
    for (let i = 1; i <= USER_STACK_PAGES; i++) this.mapUser(USER_STACK_TOP - i * 4096);
    const argv = opts.argv ?? ['prog'];
    let sp = USER_STACK_TOP - 256;
    const strAddrs: number[] = [];
    for (const a of argv) {
      sp -= a.length + 1;
      this.writeUser(sp, [...Buffer.from(a, 'latin1'), 0]);
      strAddrs.push(sp);
    }
    sp &= ~15;
    const words = [argv.length, ...strAddrs, 0, 0, 0, 0];
    sp -= words.length * 4;
    for (let i = 0; i < words.length; i++) this.writeUser32(sp + i * 4, words[i]);

    cpu.loadCr3(PGDIR);
    cpu.setCr0(cpu.cr0 | CR0.PG | CR0.WP);
    // enter ring 3 through IRET
    const frame = [entry, UCODE, 0x202, sp, UDATA];
    const kesp = KSTACK - 20;
    for (let i = 0; i < 5; i++) mem.write32(kesp + i * 4, frame[i]);
    const enter = STUBS + 0x200;
    mem.writeBytes(enter, [0x66, 0xb8, UDATA, 0, 0x8e, 0xd8, 0x8e, 0xc0, 0x8e, 0xe0, 0x8e, 0xe8, 0xcf]);
    cpu.setReg(4, kesp);
    cpu.eip = enter;
  }

  private frame(): number {
    const f = this.nextFrame;
    this.nextFrame += 4096;
    if (this.nextFrame > this.machine.memory.size) throw new Error('elf-runner: out of physical memory');
    this.machine.memory.fill(f, 4096, 0);
    return f;
  }

  /** Maps a zeroed user page at linear `la` (if not mapped yet); returns its physical address. */
  mapUser(la: number): number {
    const mem = this.machine.memory;
    const pdeA = PGDIR + (la >>> 22) * 4;
    let pde = mem.read32(pdeA);
    if (!(pde & 1)) {
      pde = this.frame() | 7;
      mem.write32(pdeA, pde);
    }
    const pteA = (pde & ~0xfff) + ((la >>> 12) & 0x3ff) * 4;
    let pte = mem.read32(pteA);
    if (!(pte & 1)) {
      pte = this.frame() | 7;
      mem.write32(pteA, pte);
    }
    return (pte & ~0xfff) >>> 0;
  }

  private physOf(la: number): number {
    return this.mapUser(la & ~0xfff) + (la & 0xfff);
  }
  private writeUser(la: number, bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.machine.memory.write8(this.physOf(la + i), bytes[i]);
  }
  private writeUser32(la: number, v: number): void {
    this.writeUser(la, [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]);
  }
  private readUser(la: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    let i = 0;
    while (i < len) {
      const a = la + i;
      const n = Math.min(len - i, 4096 - (a & 0xfff));
      out.set(this.machine.memory.u8.subarray(this.physOf(a), this.physOf(a) + n), i);
      i += n;
    }
    return out;
  }

  private loadElf(img: Uint8Array): number {
    const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
    if (dv.getUint32(0, false) !== 0x7f454c46 || img[4] !== 1 || dv.getUint16(18, true) !== 3) throw new Error('elf-runner: not an ELF32 i386 executable');
    const entry = dv.getUint32(24, true);
    const phoff = dv.getUint32(28, true);
    const phentsize = dv.getUint16(42, true);
    const phnum = dv.getUint16(44, true);
    let end = 0;
    for (let i = 0; i < phnum; i++) {
      const ph = phoff + i * phentsize;
      if (dv.getUint32(ph, true) !== 1) continue; // PT_LOAD
      const off = dv.getUint32(ph + 4, true);
      const va = dv.getUint32(ph + 8, true);
      const filesz = dv.getUint32(ph + 16, true);
      const memsz = dv.getUint32(ph + 20, true);
      for (let a = va & ~0xfff; a < va + memsz; a += 4096) this.mapUser(a);
      this.writeUser(va, img.subarray(off, off + filesz));
      end = Math.max(end, va + memsz);
    }
    this.brk = (end + 0xfff) & ~0xfff;
    this.brkLimit = this.brk + (32 << 20);
    return entry;
  }

  private syscall(nr: number): void {
    const cpu = this.machine.cpu;
    const a = cpu.getReg(3),
      b = cpu.getReg(1),
      c = cpu.getReg(2);
    let ret = -38; // ENOSYS
    switch (nr) {
      case 1:
      case 252:
        this.exitCode = a & 0xff;
        this.machine.stop('exit');
        return;
      case 4: {
        const bytes = Buffer.from(this.readUser(b, c)).toString('latin1');
        if (a === 1) this.stdout += bytes;
        else if (a === 2) this.stderr += bytes;
        ret = c;
        break;
      }
      case 45: {
        if (a === 0 || a < this.brk) ret = this.brk;
        else if (a > this.brkLimit) ret = this.brk;
        else {
          for (let p = this.brk; p < a; p += 4096) this.mapUser(p);
          this.brk = (a + 0xfff) & ~0xfff;
          ret = a;
        }
        break;
      }
      case 20:
        ret = 1;
        break;
      case 13: {
        const t = Math.floor(this.machine.counters.cycles / this.machine.config.coreClockHz);
        if (a) this.writeUser32(a, t);
        ret = t;
        break;
      }
      case 78: {
        const us = Math.floor(this.machine.counters.cycles / (this.machine.config.coreClockHz / 1e6));
        if (a) {
          this.writeUser32(a, Math.floor(us / 1e6));
          this.writeUser32(a + 4, us % 1e6);
        }
        ret = 0;
        break;
      }
      case 54: // ioctl
        ret = -25; // ENOTTY
        break;
    }
    cpu.setReg(0, ret);
  }

  run(cycleBudget = 20_000_000_000): ElfRunResult {
    const r = this.machine.run({ cycleBudget });
    return { stdout: this.stdout, stderr: this.stderr, exitCode: this.exitCode, fault: this.fault, reason: r.reason + (r.stopReason ? ':' + r.stopReason : '') };
  }
}

export function runElf(image: Uint8Array, opts: ElfRunOptions = {}): ElfRunResult & { machine: Machine } {
  const p = new ElfProcess(image, opts);
  const r = p.run(opts.cycleBudget);
  return { ...r, machine: p.machine };
}
