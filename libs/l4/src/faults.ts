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
import type { L4Kernel } from './kernel';
import type { Thread } from './tcb';
import { startIpc } from './ipc';
import { L4_COSTS } from './costs';
import { ESP } from '@mklab/pentium';
import { kernelLinear, TCB } from './layout';
import { WHOLE_SPACE_LOG2 } from './fpage';

function errorCodeOnStack(k: L4Kernel, t: Thread): number {
  // the stub entered with ESP pointing at the error code (kernel window: linear = KERNEL_BASE + phys)
  return k.memory.read32((t.regs[ESP] >>> 0) - 0xe0000000) >>> 0;
}

export function pageFault(k: L4Kernel, t: Thread): void {
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

export function exception(k: L4Kernel, t: Thread, vector: number): void {
  const err = errorCodeOnStack(k, t);
  const frame = k.frame(t);
  if ((frame.cs & 3) !== 3 || t === k.idle) {
    k.panic(`exception ${vector} in the kernel at eip 0x${frame.eip.toString(16)}`);
    return;
  }
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
