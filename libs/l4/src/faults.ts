// Page faults and exceptions of user threads, turned into IPC: the faulting thread
// "calls" its pager (for a page fault) or its exception handler (for any other
// exception) with a message the kernel builds, and waits for the reply. A page-fault
// reply's map items install the page (the receive window is the whole address space,
// so the pager's snd_base places it); the thread then restarts the faulting
// instruction. An exception reply's dwords 0 and 1 are the thread's new EIP and ESP
// (0xFFFFFFFF keeps one), which is how the L4Linux trampoline redirects an `int 0x80`
// into the emulation library.
//
// Page-fault message:  w0 = fault address (task-relative) with bit 1 = write access,
//                      w1 = faulting EIP, w2 = 0
// Exception message:   w0 = vector, w1 = error code (0 when the vector has none),
//                      w2 = faulting EIP
//
// User-level IDT (L4/x86 version 2; Fiasco kept it as the "IDT" exception mechanism
// beside exception IPC): a thread executes LIDT (privileged: #GP), which the kernel
// emulates by recording the table for the task. An exception whose gate in that table
// is present is then reflected into the faulting thread itself, as the hardware would
// deliver it at the same privilege level: EFLAGS, CS, EIP and the error code (for the
// vectors that have one) are pushed on the thread's user stack and it continues at
// the gate's offset — no IPC, no thread switch. This is how the L4Linux trampoline
// turns an unmodified `int $0x80` (a #GP, error code 0x402) into a call of the
// emulation library. If the table or the user stack is not mapped (or read-only), the
// exception goes by IPC instead (L4 would page the stack in first: simplification).
import type { L4Kernel } from './kernel';
import type { Thread } from './tcb';
import { startIpc } from './ipc';
import { L4_COSTS } from './costs';
import { ERROR_CODE_VECTORS, ESP, PHASE } from '@mklab/pentium';
import { kernelLinear, TCB } from './layout';
import { WHOLE_SPACE_LOG2 } from './fpage';

function errorCodeOnStack(k: L4Kernel, t: Thread): number {
  // the stub entered with ESP pointing at the error code (kernel window: linear = KERNEL_BASE + phys)
  return k.memory.read32((t.regs[ESP] >>> 0) - 0xe0000000) >>> 0;
}

export function pageFault(k: L4Kernel, t: Thread): void {
  k.machine.phases.enterSinceTrap(PHASE.REFLECT); // phase accounting (contracts.md): a fault reflected to the pager
  const err = errorCodeOnStack(k, t);
  const cr2 = k.cpu.cr2 >>> 0;
  const frame = k.frame(t);
  if ((frame.cs & 3) !== 3 || t === k.idle) {
    k.panic(`page fault in the kernel at eip 0x${frame.eip.toString(16)}, address 0x${cr2.toString(16)}`);
    return;
  }
  const space = t.task.space;
  const v = (cr2 - space.linear(0)) >>> 0;
  const pager = k.activeThread(t.pager);
  if (!pager) {
    k.panic(`${t} faulted at 0x${v.toString(16)} (eip 0x${frame.eip.toString(16)}) and has no pager`);
    return;
  }
  k.charge(L4_COSTS.pageFault, [t.field(TCB.PAGER), kernelLinear(t.framePhys)], [t.field(TCB.STATE)]);
  t.sendOp = { kind: 'pagefault', dest: pager.id, w0: ((v & ~3) | (err & 2)) >>> 0, w1: frame.eip, w2: 0, map: false, buffer: 0, timeout: Infinity };
  t.receiveOp = { kind: 'pagefault', from: pager.id, window: { base: 0, log2: WHOLE_SPACE_LOG2, writable: true }, buffer: 0, timeout: Infinity };
  startIpc(k, t);
}

/**
 * #NM: with CR0.TS set it is the lazy FPU switch, done inside the kernel (the thread
 * restarts its FPU instruction; no reflection, so the phase stays what it was); any
 * other #NM is an ordinary exception.
 */
export function deviceNotAvailable(k: L4Kernel, t: Thread): void {
  const frame = k.frame(t);
  if ((frame.cs & 3) === 3 && t !== k.idle && k.fpu.trap(t)) return;
  exception(k, t, 7);
}

export function exception(k: L4Kernel, t: Thread, vector: number): void {
  k.machine.phases.enterSinceTrap(PHASE.REFLECT); // phase accounting (contracts.md): an exception reflected to user level
  const err = errorCodeOnStack(k, t);
  const frame = k.frame(t);
  if ((frame.cs & 3) !== 3 || t === k.idle) {
    k.panic(`exception ${vector} in the kernel at eip 0x${frame.eip.toString(16)}`);
    return;
  }
  if (vector === 13 && emulateLidt(k, t, frame.eip)) return;
  if (t.task.userIdt && reflect(k, t, vector, err, frame)) return;
  const handler = k.activeThread(t.exceptionHandler) ?? k.activeThread(t.pager);
  if (!handler) {
    k.panic(`${t}: exception ${vector} (error 0x${err.toString(16)}) at eip 0x${frame.eip.toString(16)} and no exception handler`);
    return;
  }
  k.bump('exceptionIpcs');
  k.charge(L4_COSTS.exception, [t.field(TCB.PAGER), kernelLinear(t.framePhys)], [t.field(TCB.STATE)]);
  t.sendOp = { kind: 'exception', dest: handler.id, w0: vector, w1: err, w2: frame.eip, map: false, buffer: 0, timeout: Infinity };
  t.receiveOp = { kind: 'exception', from: handler.id, window: null, buffer: 0, timeout: Infinity };
  startIpc(k, t);
}

/** Reads a dword of the thread's user memory, or -1 when it is not mapped. */
function userRead(k: L4Kernel, t: Thread, v: number): number {
  const p = k.userPhys(t.task.space, v >>> 0, false);
  return p < 0 ? -1 : k.memory.read32(p) >>> 0;
}

function userByte(k: L4Kernel, t: Thread, v: number): number {
  const p = k.userPhys(t.task.space, v >>> 0, false);
  return p < 0 ? -1 : k.memory.read8(p);
}

/**
 * LIDT m16&32 at user level (0F 01 /3) raised #GP: record the operand as the task's
 * user-level IDT and step over the instruction. Addressing forms decoded: [disp32] and
 * [reg] / [reg + disp8] / [reg + disp32] without SIB (what a library's LIDT uses); any
 * other form is an ordinary #GP. Returns true when it emulated the instruction.
 */
function emulateLidt(k: L4Kernel, t: Thread, eip: number): boolean {
  if (userByte(k, t, eip) !== 0x0f || userByte(k, t, eip + 1) !== 0x01) return false;
  const modrm = userByte(k, t, eip + 2);
  if (modrm < 0 || ((modrm >> 3) & 7) !== 3) return false;
  const mod = modrm >> 6;
  const rm = modrm & 7;
  if (mod === 3 || rm === 4) return false;
  let addr: number;
  let len = 3;
  if (mod === 0 && rm === 5) {
    addr = userRead(k, t, eip + 3);
    len = 7;
    if (addr < 0) return false;
  } else {
    addr = t.regs[rm] >>> 0;
    if (mod === 1) {
      const d = userByte(k, t, eip + 3);
      if (d < 0) return false;
      addr += (d << 24) >> 24;
      len = 4;
    } else if (mod === 2) {
      const d = userRead(k, t, eip + 3);
      if (d < 0) return false;
      addr += d | 0;
      len = 7;
    }
  }
  const lo = userRead(k, t, addr);
  const hi = userRead(k, t, addr + 4);
  if (lo < 0 || hi < 0) return false;
  const limit = lo & 0xffff;
  const base = ((lo >>> 16) | ((hi & 0xffff) << 16)) >>> 0;
  k.setUserIdt(t.task, base, limit);
  k.charge(L4_COSTS.lidt, [t.field(TCB.STATE)]);
  k.setFrameEipEsp(t, (eip + len) >>> 0, 0xffffffff);
  return true;
}

/**
 * Reflects exception `vector` into thread `t` through its task's user-level IDT.
 * Returns false (the caller sends an exception IPC) when there is no present gate, or
 * the table or the user stack cannot be reached.
 */
function reflect(k: L4Kernel, t: Thread, vector: number, err: number, frame: { eip: number; cs: number; eflags: number; esp: number }): boolean {
  const idt = t.task.userIdt as { base: number; limit: number };
  if (vector * 8 + 7 > idt.limit) return false;
  const gate = idt.base + vector * 8;
  const lo = userRead(k, t, gate);
  const hi = userRead(k, t, gate + 4);
  if (lo < 0 || hi < 0 || !(hi & 0x8000)) return false;
  const handler = ((hi & 0xffff0000) | (lo & 0xffff)) >>> 0;
  const words = ERROR_CODE_VECTORS.has(vector) ? [err, frame.eip, frame.cs, frame.eflags] : [frame.eip, frame.cs, frame.eflags];
  const esp = (frame.esp - 4 * words.length) >>> 0;
  const space = t.task.space;
  const phys: number[] = [];
  for (let i = 0; i < words.length; i++) {
    const p = k.userPhys(space, esp + 4 * i, true);
    if (p < 0 || (esp + 4 * i) >>> 0 >= space.userBytes) return false;
    phys.push(p);
  }
  words.forEach((w, i) => k.memory.write32(phys[i], w));
  // the path reads the gate and writes the user stack through the thread's own space (it is current)
  k.charge(L4_COSTS.exceptionReflect, [t.field(TCB.STATE), kernelLinear(t.framePhys), space.linear(gate)], words.map((_, i) => space.linear(esp + 4 * i)));
  k.setFrameEipEsp(t, handler, esp);
  // as the hardware does through a gate: TF cleared (IF stays: user level cannot mask interrupts)
  k.memory.write32(t.framePhys + 8, frame.eflags & ~0x100);
  k.bump('exceptionReflections');
  return true;
}
