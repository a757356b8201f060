// Exceptions as messages: a thread's fault becomes exception_raise_state (message.ts
// EXC_MSG) to its exception port (else its task's); the thread waits for the reply
// on a kernel-served send-once reply port. A reply with RetCode KERN_SUCCESS resumes
// it with the state the handler returned; any other RetCode, or no exception port at
// all, terminates it.
//
// System-call redirection (MkLinux): a task's `int 0x80` enters the kernel through a
// DPL-3 gate whose stub hands it here; Mach does not interpret it but sends the same
// exception_raise_state message (exception EXC_SYSCALL, code[0] = 0x80, code[1] = EAX)
// to the task's registered system-call server port; the server's reply state (EAX =
// the result, possibly a new EIP/ESP) is what the task resumes with.
import type { MachKernel } from './kernel';
import type { Thread } from './thread';
import type { Port } from './port';
import type { KMsg } from './kmsg';
import { kernelMessage, send } from './mach-msg';
import { EBP, EBX, ECX, EDI, EDX, ESI, EAX, PHASE } from '@mklab/pentium';
import { EXC, EXC_MSG, EXC_REPLY, I386_THREAD_STATE, I386_THREAD_STATE_COUNT, KERN, MSG_ID, replyId, TS } from './message';
import { MACH_COSTS } from './costs';
import { THREAD_FIELD } from './layout';

export function raiseException(k: MachKernel, t: Thread, exception: number, code0: number, code1: number): void {
  const port = t.exceptionPort ?? t.task.exceptionPort;
  k.charge(MACH_COSTS.exception, [t.field(THREAD_FIELD.EXC_PORT), t.field(THREAD_FIELD.TASK)], [t.field(THREAD_FIELD.IPC_KMSG)]);
  if (!port || port.dead) {
    k.bump('exceptionTerminations');
    k.terminateThread(t);
    return;
  }
  k.bump('exceptionMessages');
  sendStateMessage(k, t, port, exception, code0, code1);
}

export function unixSyscall(k: MachKernel, t: Thread): void {
  const server = t.task.syscallServer;
  k.bump('syscallRedirections');
  // phase accounting (contracts.md): the redirected call travels as a message from its INT on
  k.machine.phases.enterSinceTrap(PHASE.IPC_CALL);
  if (!server || server.dead) {
    raiseException(k, t, EXC.SYSCALL, 0x80, t.regs[EAX] >>> 0);
    return;
  }
  k.charge(MACH_COSTS.exception, [t.field(THREAD_FIELD.EXC_PORT), t.field(THREAD_FIELD.TASK)], [t.field(THREAD_FIELD.IPC_KMSG)]);
  sendStateMessage(k, t, server, EXC.SYSCALL, 0x80, t.regs[EAX] >>> 0);
}

/** thread_get_state(i386_THREAD_STATE) of a thread that is not on the CPU: its 17 dwords (message.ts TS order). */
export function threadGetState(k: MachKernel, t: Thread): number[] {
  const f = k.frame(t);
  const s = new Array<number>(I386_THREAD_STATE_COUNT).fill(0);
  s[TS.GS] = s[TS.FS] = s[TS.ES] = s[TS.DS] = k.userDs;
  s[TS.EDI] = t.regs[EDI] >>> 0;
  s[TS.ESI] = t.regs[ESI] >>> 0;
  s[TS.EBP] = t.regs[EBP] >>> 0;
  s[TS.ESP] = f.esp;
  s[TS.EBX] = t.regs[EBX] >>> 0;
  s[TS.EDX] = t.regs[EDX] >>> 0;
  s[TS.ECX] = t.regs[ECX] >>> 0;
  s[TS.EAX] = t.regs[EAX] >>> 0;
  s[TS.EIP] = f.eip;
  s[TS.CS] = k.userCs;
  s[TS.EFL] = f.eflags;
  s[TS.UESP] = f.esp;
  s[TS.SS] = k.userDs;
  return s;
}

/** thread_set_state(i386_THREAD_STATE) of a thread that is not on the CPU (the segment selectors stay the user ones; EFLAGS is sanitised). */
export function threadSetState(k: MachKernel, t: Thread, s: ArrayLike<number>): void {
  t.regs[EDI] = s[TS.EDI];
  t.regs[ESI] = s[TS.ESI];
  t.regs[EBP] = s[TS.EBP];
  t.regs[EBX] = s[TS.EBX];
  t.regs[EDX] = s[TS.EDX];
  t.regs[ECX] = s[TS.ECX];
  t.regs[EAX] = s[TS.EAX];
  k.setFrame(t, s[TS.EIP], s[TS.UESP], s[TS.EFL]);
}

function sendStateMessage(k: MachKernel, t: Thread, port: Port, exception: number, code0: number, code1: number): void {
  const body = new Uint8Array(EXC_MSG.BYTES - 24);
  const dv = new DataView(body.buffer);
  dv.setUint32(EXC_MSG.EXCEPTION - 24, exception, true);
  dv.setUint32(EXC_MSG.CODE_CNT - 24, 2, true);
  dv.setUint32(EXC_MSG.CODE0 - 24, code0 >>> 0, true);
  dv.setUint32(EXC_MSG.CODE1 - 24, code1 >>> 0, true);
  dv.setUint32(EXC_MSG.FLAVOR - 24, I386_THREAD_STATE, true);
  dv.setUint32(EXC_MSG.STATE_CNT - 24, I386_THREAD_STATE_COUNT, true);
  threadGetState(k, t).forEach((v, i) => dv.setUint32(EXC_MSG.STATE - 24 + 4 * i, v >>> 0, true));
  const reply = k.kernelPort(t, (m) => exceptionReply(k, t, reply, m));
  t.wait = { kind: 'reply', port: reply, onReply: () => {} };
  k.block(t);
  const r = kernelMessage(k, port, reply, MSG_ID.EXCEPTION_RAISE_STATE, body);
  if (r !== 0) {
    k.bump('exceptionTerminations');
    k.terminateThread(t);
  }
}

function exceptionReply(k: MachKernel, t: Thread, reply: Port, m: KMsg): void {
  reply.dead = true;
  k.ports.release(reply);
  k.charge(MACH_COSTS.exceptionReply, [t.field(THREAD_FIELD.STATE)], [t.field(THREAD_FIELD.STATE)]);
  const dv = new DataView(m.body.buffer, m.body.byteOffset, m.body.byteLength);
  if (m.id !== replyId(MSG_ID.EXCEPTION_RAISE_STATE) || m.size < EXC_REPLY.BYTES || dv.getUint32(EXC_REPLY.RETCODE - 24, true) !== KERN.SUCCESS) {
    k.bump('exceptionTerminations');
    k.terminateThread(t);
    return;
  }
  threadSetState(k, t, Array.from({ length: I386_THREAD_STATE_COUNT }, (_, i) => dv.getUint32(EXC_REPLY.STATE - 24 + 4 * i, true)));
  k.wakeup(t);
}

/** The state an exception_raise_state request carries (17 dwords, message.ts TS order). */
export function requestState(m: KMsg): { exception: number; code: [number, number]; state: number[] } {
  const dv = new DataView(m.body.buffer, m.body.byteOffset, m.body.byteLength);
  const at = (off: number) => dv.getUint32(off - 24, true);
  return { exception: at(EXC_MSG.EXCEPTION), code: [at(EXC_MSG.CODE0), at(EXC_MSG.CODE1)], state: Array.from({ length: I386_THREAD_STATE_COUNT }, (_, i) => at(EXC_MSG.STATE + 4 * i)) };
}

/**
 * A server co-located in the kernel (MkLinux in-kernel) answers an exception_raise_state
 * request without leaving the kernel: the reply goes to the request's send-once reply
 * right as a kernel-internal message.
 */
export function replyState(k: MachKernel, request: KMsg, retCode: number, state: number[]): void {
  if (!request.reply) throw new Error('mach: replyState: the request carries no reply right');
  const body = new Uint8Array(EXC_REPLY.BYTES - 24);
  const dv = new DataView(body.buffer);
  dv.setUint32(EXC_REPLY.RETCODE - 24, retCode >>> 0, true);
  dv.setUint32(EXC_REPLY.FLAVOR - 24, I386_THREAD_STATE, true);
  dv.setUint32(EXC_REPLY.STATE_CNT - 24, I386_THREAD_STATE_COUNT, true);
  state.forEach((v, i) => dv.setUint32(EXC_REPLY.STATE - 24 + 4 * i, v >>> 0, true));
  k.bump('machMessages');
  const m: KMsg = { complex: false, size: EXC_REPLY.BYTES, id: replyId(MSG_ID.EXCEPTION_RAISE_STATE), dest: request.reply, reply: null, descriptors: [], body, buffer: request.buffer };
  k.charge(MACH_COSTS.msgKmsg, [m.buffer], [m.buffer]);
  send(k, null, m, null);
}
