// Test support: a flat protected-mode machine (GDT with ring-0 and ring-3 flat code and
// data, a TSS with a ring-0 stack, an empty IDT, optional identity paging) and helpers
// to place hand-assembled code. Used by the CPU's specs; kernels build their own tables.

import { Machine, type MachineOptions } from '../machine';
import { SegReg, CR0 } from './registers';
import { flatCode, flatData, interruptGate, trapGate, tssDescriptor, writeDescriptor, TSS32, taskGate, callGate } from './descriptors';
// (the `untimed` option is honoured by the ELF runner; flat machines always carry the timing model)

export const KCODE = 0x08;
export const KDATA = 0x10;
export const UCODE = 0x1b;
export const UDATA = 0x23;
export const TSS_SEL = 0x28;
export const GDT_BASE = 0x1000;
export const IDT_BASE = 0x2000;
export const TSS_BASE = 0x3000;
/** ring-0 stack top (TSS.ESP0) */
export const KSTACK = 0x9000;
/** ring-3 stack top */
export const USTACK = 0x8000;
export const PAGE_DIR = 0x10000;
export const PAGE_TABLE = 0x11000;
/** code is loaded here by default */
export const CODE = 0x20000;
/** HOSTCALL id that stops the machine */
export const STOP_ID = 0xffff;
/** the bytes of HOSTCALL STOP */
export const STOP = [0x0f, 0x3f, 0xff, 0xff];

export interface FlatOptions extends MachineOptions {
  /** identity-map the first `pagedMiB` MiB with 4 KiB pages (user, writable) and turn paging on */
  paging?: boolean;
  pagedMiB?: number;
  /** run without the timing model (table clocks only) */
  untimed?: boolean;
  /** called with the new machine before the set-up touches it (e.g. to attach a timing trace) */
  onMachine?: (m: Machine) => void;
}

export function flatMachine(opts: FlatOptions = {}): Machine {
  const m = new Machine(opts);
  opts.onMachine?.(m);
  const mem = m.memory;
  writeDescriptor(mem, GDT_BASE, 1, flatCode(0));
  writeDescriptor(mem, GDT_BASE, 2, flatData(0));
  writeDescriptor(mem, GDT_BASE, 3, flatCode(3));
  writeDescriptor(mem, GDT_BASE, 4, flatData(3));
  writeDescriptor(mem, GDT_BASE, 5, tssDescriptor(TSS_BASE));
  const cpu = m.cpu;
  cpu.setGdtr(GDT_BASE, 16 * 8 - 1);
  cpu.setIdtr(IDT_BASE, 256 * 8 - 1);
  mem.write32(TSS_BASE + TSS32.ESP0, KSTACK);
  mem.write32(TSS_BASE + TSS32.SS0, KDATA);
  mem.write16(TSS_BASE + TSS32.IOMAP_BASE, 0x68);
  cpu.loadSegment(SegReg.CS, KCODE);
  for (const s of [SegReg.SS, SegReg.DS, SegReg.ES, SegReg.FS, SegReg.GS]) cpu.loadSegment(s, KDATA);
  cpu.loadTr(TSS_SEL);
  cpu.setReg(4, KSTACK);
  m.hostcalls.register(STOP_ID, 'test.stop', () => m.stop('test-stop'), { fromUser: true });
  if (opts.paging) {
    const mib = opts.pagedMiB ?? 4;
    for (let i = 0; i < mib / 4; i++) mem.write32(PAGE_DIR + i * 4, (PAGE_TABLE + i * 0x1000) | 7);
    for (let p = 0; p < mib * 256; p++) mem.write32(PAGE_TABLE + p * 4, (p << 12) | 7);
    cpu.loadCr3(PAGE_DIR);
    cpu.setCr0(cpu.cr0 | CR0.PG);
  }
  return m;
}

/** Places code at `addr` and points EIP at it. */
export function loadCode(m: Machine, bytes: number[], addr = CODE): void {
  m.memory.writeBytes(addr, bytes);
  m.cpu.eip = addr;
}

/** Runs until HOSTCALL STOP (or another end); fails loudly on anything else. */
export function runToStop(m: Machine, budget = 10_000_000): void {
  const r = m.run({ cycleBudget: m.counters.cycles + budget });
  if (r.reason !== 'stopped') throw new Error(`run ended with ${r.reason}${r.stopReason ? ' (' + r.stopReason + ')' : ''} at eip 0x${m.cpu.eip.toString(16)}`);
}

export function setGate(m: Machine, vector: number, handler: number, opts: { dpl?: number; trap?: boolean; selector?: number } = {}): void {
  const g = opts.trap ? trapGate(opts.selector ?? KCODE, handler, opts.dpl ?? 0) : interruptGate(opts.selector ?? KCODE, handler, opts.dpl ?? 0);
  writeDescriptor(m.memory, IDT_BASE, vector, g);
}
export function setTaskGate(m: Machine, vector: number, tssSel: number): void {
  writeDescriptor(m.memory, IDT_BASE, vector, taskGate(tssSel));
}
export { callGate, writeDescriptor };

/** Switches the CPU to ring 3 as a kernel would before the first IRET: user CS/SS/DS, user stack. */
export function enterUser(m: Machine, eip: number): void {
  // build an IRET frame on the kernel stack and run a tiny ring-0 stub that IRETs
  const stub = CODE - 0x100;
  const frame = [eip, UCODE, 0x202, USTACK, UDATA];
  const esp = KSTACK - 20;
  for (let i = 0; i < 5; i++) m.memory.write32(esp + i * 4, frame[i]);
  m.memory.writeBytes(stub, [
    0x66, 0xb8, UDATA, 0x00, // mov ax, UDATA
    0x8e, 0xd8, // mov ds, ax
    0x8e, 0xc0, // mov es, ax
    0xcf, // iret
  ]);
  m.cpu.setReg(4, esp);
  m.cpu.eip = stub;
}
