// mach_msg: ONE trap (int 0x81, EAX = -25; kernel.ts documents the trap ABI) that
// sends, receives, or sends and then receives:
//   mach_msg(msg, option, send_size, rcv_size, rcv_name, timeout /* ms */, notify)
// option: MACH_SEND_MSG 1 | MACH_RCV_MSG 2 | MACH_SEND_TIMEOUT 0x10 | MACH_RCV_TIMEOUT 0x100.
// Send: the header (message.ts) is validated, its dest/reply rights copied in from the
// sender's name space, a complex body's port rights copied in and out-of-line regions
// turned into virtual copies (vm-map.ts copyin), inline bytes copied into the kmsg.
// The kmsg goes to a waiting receiver directly, or onto the port's queue; a full queue
// (qlimit) blocks the sender (or fails at once / after `timeout` ms with
// MACH_SEND_TIMEOUT). Send-once messages and the kernel's own ignore the limit.
// Receive: from the port named by rcv_name (a receive right); blocks (or times out)
// when the queue is empty; the message is copied out into the receiver's buffer, its
// rights entered into the receiver's space and its regions mapped copy-on-write.
// A send that fails after rights were copied in destroys them (Mach would hand them
// back by a pseudo-receive; simplification).
import type { MachKernel } from './kernel';
import type { Thread, MsgArgs } from './thread';
import type { KMsg, Descriptor } from './kmsg';
import type { Port, PortSet } from './port';
import type { Task } from './task';
import { RightError, type CarriedRight } from './ipc-space';
import { VmError } from './vm-map';
import { MACH_COSTS, copyProfile } from './costs';
import { EAX } from '@mklab/pentium';
import { KMSG_ZONE, KMSG_ZONE_END, kernelLinear, PORT_FIELD, THREAD_FIELD } from './layout';
import {
  DESCRIPTOR_BYTES,
  H,
  HEADER_BYTES,
  MACH_MSG_OOL_DESCRIPTOR,
  MACH_MSG_PORT_DESCRIPTOR,
  MACH_MSGH_BITS_COMPLEX,
  MACH_RCV_MSG,
  MACH_RCV_TIMEOUT,
  MACH_SEND_MSG,
  MACH_SEND_TIMEOUT,
  MAX_MSG_BYTES,
  MSG_RET,
  PORT_SEND_ONCE,
  PORT_SEND,
  msghBits,
} from './message';

/** The next kmsg buffer of the kernel's kmsg zone (round robin; per kernel, so every boot starts alike). */
function kmsgBuffer(k: MachKernel): number {
  const at = KMSG_ZONE + ((k.kmsgCursor++ * 0x400) % (KMSG_ZONE_END - KMSG_ZONE));
  return kernelLinear(at);
}

/** Addresses of the 32-byte lines of [start, start + bytes) (the data a copy reads or writes). */
function lines(start: number, bytes: number): number[] {
  const out: number[] = [];
  start >>>= 0;
  for (let a = start - (start % 32); a < start + bytes; a += 32) out.push(a);
  return out;
}

const u32 = (b: Uint8Array, at: number): number => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
const put32 = (b: Uint8Array, at: number, v: number): void => {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
};

export function machMsgTrap(k: MachKernel, t: Thread, sp: number): void {
  const a = (i: number) => k.readUser32(t.task, sp + 4 + 4 * i);
  k.charge(MACH_COSTS.trapArgs, [t.field(THREAD_FIELD.IPC_KMSG)], []);
  const args: MsgArgs = { msg: a(0), option: a(1), sendSize: a(2), rcvSize: a(3), rcvName: a(4), timeout: a(5), notify: a(6) };
  if (args.option & MACH_SEND_MSG) {
    const r = copyinMessage(k, t.task, args.msg, args.sendSize);
    if (typeof r === 'number') {
      t.regs[EAX] = r;
      return;
    }
    const sent = send(k, t, r, args);
    if (sent !== MSG_RET.SUCCESS) {
      if (sent !== 'blocked') t.regs[EAX] = sent;
      return;
    }
  }
  if (args.option & MACH_RCV_MSG) receive(k, t, args);
  else t.regs[EAX] = MSG_RET.SUCCESS;
}

/** Builds a kmsg from the user's buffer; returns an error code when the message is bad. */
export function copyinMessage(k: MachKernel, task: Task, addr: number, sendSize: number): KMsg | number {
  k.bump('machMessages');
  let bytes: Uint8Array;
  try {
    if (sendSize < HEADER_BYTES || sendSize % 4 || sendSize > MAX_MSG_BYTES) return MSG_RET.SEND_MSG_TOO_SMALL;
    bytes = Uint8Array.from(k.readUser(task, addr, sendSize));
  } catch {
    return MSG_RET.SEND_INVALID_DATA;
  }
  const buffer = kmsgBuffer(k);
  k.charge(MACH_COSTS.msgValidate, [buffer], []);
  k.charge(MACH_COSTS.msgKmsg, [buffer], [buffer]);
  k.charge(MACH_COSTS.msgCopySetup);
  k.charge(copyProfile(sendSize), lines(addr, sendSize), lines(buffer, sendSize)); // the sender is current: its buffer by its own linear addresses
  k.bump('bytesCopied', sendSize);
  const bits = u32(bytes, H.BITS);
  const size = u32(bytes, H.SIZE);
  if (size !== sendSize || bits & 0x7fff0000) return MSG_RET.SEND_INVALID_HEADER;
  const space = task.space;
  const lookup = (name: number) => {
    k.bump('portLookups');
    k.charge(MACH_COSTS.msgRightCopyin, [space.entryAddress(name)], [space.entryAddress(name)]);
  };
  let dest: CarriedRight;
  try {
    lookup(u32(bytes, H.REMOTE));
    dest = space.copyin(u32(bytes, H.REMOTE), bits & 0xff);
  } catch (e) {
    if (e instanceof RightError) return MSG_RET.SEND_INVALID_DEST;
    throw e;
  }
  let reply: CarriedRight | null = null;
  const replyName = u32(bytes, H.LOCAL);
  if (replyName !== 0) {
    try {
      lookup(replyName);
      reply = space.copyin(replyName, (bits >>> 8) & 0xff);
    } catch (e) {
      if (e instanceof RightError) return MSG_RET.SEND_INVALID_REPLY;
      throw e;
    }
  }
  const descriptors: Descriptor[] = [];
  const complex = (bits & MACH_MSGH_BITS_COMPLEX) !== 0;
  if (complex) {
    const n = u32(bytes, H.DESC_COUNT);
    if (HEADER_BYTES + 4 + n * DESCRIPTOR_BYTES > size) return MSG_RET.SEND_MSG_TOO_SMALL;
    for (let i = 0; i < n; i++) {
      const d = HEADER_BYTES + 4 + i * DESCRIPTOR_BYTES;
      const w1 = u32(bytes, d + 8);
      const type = w1 >>> 24;
      if (type === MACH_MSG_PORT_DESCRIPTOR) {
        const name = u32(bytes, d);
        const disposition = (w1 >>> 16) & 0xff;
        if (name === 0) {
          descriptors.push({ kind: 'port', right: null });
          continue;
        }
        try {
          lookup(name);
          descriptors.push({ kind: 'port', right: space.copyin(name, disposition) });
        } catch (e) {
          if (e instanceof RightError) return MSG_RET.SEND_INVALID_RIGHT;
          throw e;
        }
      } else if (type === MACH_MSG_OOL_DESCRIPTOR) {
        const address = u32(bytes, d);
        const osize = u32(bytes, d + 4);
        if (osize === 0) {
          descriptors.push({ kind: 'ool', copy: null, size: 0 });
          continue;
        }
        try {
          k.charge(MACH_COSTS.oolCopyin, [buffer], []);
          const copy = task.map.copyin(address, osize, (w1 & 0xff) !== 0);
          for (let p = 0; p < copy.size; p += 4096) k.charge(MACH_COSTS.oolPage);
          k.bump('oolPages', copy.size / 4096);
          descriptors.push({ kind: 'ool', copy, size: osize });
        } catch (e) {
          if (e instanceof VmError) return MSG_RET.SEND_INVALID_MEMORY;
          throw e;
        }
      } else return MSG_RET.SEND_INVALID_DATA;
    }
  }
  return { complex, size, id: u32(bytes, H.ID), dest, reply, descriptors, body: bytes.slice(HEADER_BYTES), buffer };
}

/** Sends a kmsg from thread `t` (or from the kernel when `t` is null). */
export function send(k: MachKernel, t: Thread | null, m: KMsg, args: MsgArgs | null): number | 'blocked' {
  const port = m.dest.port;
  k.charge(MACH_COSTS.msgQueue, [port.field(PORT_FIELD.LOCK_REFS), port.field(PORT_FIELD.MSGCOUNT), port.field(PORT_FIELD.RCV_THREADS)], [port.field(PORT_FIELD.MSGS)]);
  if (port.dead) {
    destroyMessage(k, m);
    return MSG_RET.SEND_INVALID_DEST;
  }
  if (port.kernelServer) {
    port.kernelServer(m);
    return MSG_RET.SUCCESS;
  }
  if (t && args && port.queue.length >= port.qlimit && m.dest.type !== PORT_SEND_ONCE) {
    if (args.option & MACH_SEND_TIMEOUT && args.timeout === 0) {
      destroyMessage(k, m);
      return MSG_RET.SEND_TIMED_OUT;
    }
    t.wait = { kind: 'send', port, kmsg: m, options: args.option, args };
    port.blockedSenders.push(t);
    if (args.option & MACH_SEND_TIMEOUT) {
      k.armTimeout(t, args.timeout, () => {
        port.blockedSenders.splice(port.blockedSenders.indexOf(t), 1);
        destroyMessage(k, m);
        t.regs[EAX] = MSG_RET.SEND_TIMED_OUT;
        k.wakeup(t);
      });
    }
    k.bump('sendBlocks');
    k.block(t);
    return 'blocked';
  }
  enqueue(k, port, m);
  return MSG_RET.SUCCESS;
}

/** Puts `m` on `port`: straight to a thread waiting on it (or on its port set), else the queue. */
function enqueue(k: MachKernel, port: Port, m: KMsg): void {
  const r = port.receivers.shift() ?? port.set?.receivers.shift();
  if (r) {
    const args = (r.wait as { args: MsgArgs }).args;
    const code = deliver(k, r, port, m, args);
    r.regs[EAX] = code;
    if (code === MSG_RET.RCV_TOO_LARGE) port.queue.unshift(m);
    k.wakeup(r);
    return;
  }
  port.queue.push(m);
}

/** The current thread's receive phase: done at once, or it blocks. */
function receive(k: MachKernel, t: Thread, args: MsgArgs): void {
  if (!receivePhase(k, t, args)) k.block(t);
}

/**
 * The receive phase of `t` (current, or a sender just admitted to a full queue): takes a
 * queued message from the port (or the first member of the set) named by rcv_name and
 * returns true with the result in EAX; or makes `t` a waiting receiver (with its
 * timeout) and returns false.
 */
function receivePhase(k: MachKernel, t: Thread, args: MsgArgs): boolean {
  k.bump('portLookups');
  k.charge(MACH_COSTS.msgReceiveLookup, [t.task.space.entryAddress(args.rcvName)], []);
  const space = t.task.space;
  const set = space.portSet(args.rcvName);
  const port = set ? undefined : space.receivePort(args.rcvName);
  if (!set && !port) {
    t.regs[EAX] = MSG_RET.RCV_INVALID_NAME;
    return true;
  }
  const from = set ? set.members.find((p) => p.queue.length > 0) : port;
  const m = from?.queue.shift();
  if (from && m) {
    const code = deliver(k, t, from, m, args);
    if (code === MSG_RET.RCV_TOO_LARGE) from.queue.unshift(m);
    t.regs[EAX] = code;
    admitBlockedSender(k, from);
    return true;
  }
  if (args.option & MACH_RCV_TIMEOUT && args.timeout === 0) {
    t.regs[EAX] = MSG_RET.RCV_TIMED_OUT;
    return true;
  }
  const waitOn = (set ?? port) as Port | PortSet;
  t.wait = { kind: 'receive', port: waitOn, args };
  waitOn.receivers.push(t);
  if (args.option & MACH_RCV_TIMEOUT) {
    k.armTimeout(t, args.timeout, () => {
      waitOn.receivers.splice(waitOn.receivers.indexOf(t), 1);
      t.regs[EAX] = MSG_RET.RCV_TIMED_OUT;
      k.wakeup(t);
    });
  }
  return false;
}

/** A receive made room: the first blocked sender's message goes in, and it continues (into its receive phase). */
function admitBlockedSender(k: MachKernel, port: Port): void {
  while (port.queue.length < port.qlimit) {
    const s = port.blockedSenders.shift();
    if (!s) return;
    const w = s.wait as { kind: 'send'; kmsg: KMsg; args: MsgArgs };
    k.cancelTimeout(s);
    s.wait = null;
    enqueue(k, port, w.kmsg);
    s.regs[EAX] = MSG_RET.SUCCESS;
    // its receive phase runs now, on its behalf (it is not current); it stays blocked if it must wait
    if (!(w.args.option & MACH_RCV_MSG) || receivePhase(k, s, w.args)) k.wakeup(s);
  }
}

/** Copies `m` out into thread `r`'s buffer (header, body, rights, regions). */
function deliver(k: MachKernel, r: Thread, port: Port, m: KMsg, args: MsgArgs): number {
  if (m.size > args.rcvSize) return MSG_RET.RCV_TOO_LARGE;
  const space = r.task.space;
  k.charge(MACH_COSTS.msgDequeue, [port.field(PORT_FIELD.MSGS), port.field(PORT_FIELD.MSGCOUNT), m.buffer], [port.field(PORT_FIELD.MSGCOUNT)]);
  const out = new Uint8Array(m.size);
  out.set(m.body, HEADER_BYTES);
  const insert = (right: CarriedRight) => {
    k.charge(MACH_COSTS.msgRightCopyout, [space.entryAddress(0)], [space.entryAddress(0)]);
    return space.insert(right);
  };
  const replyName = m.reply ? insert(m.reply) : 0;
  const localName = space.insert({ port, type: 16 }) /* the receive right's own name (already held) */;
  put32(out, H.BITS, msghBits(m.reply ? m.reply.type : 0, m.dest.type === PORT_SEND_ONCE ? PORT_SEND_ONCE : PORT_SEND) | (m.complex ? MACH_MSGH_BITS_COMPLEX : 0));
  put32(out, H.SIZE, m.size);
  put32(out, H.REMOTE, replyName);
  put32(out, H.LOCAL, localName);
  put32(out, H.SEQNO, port.seqno++);
  put32(out, H.ID, m.id);
  m.descriptors.forEach((d, i) => {
    const at = HEADER_BYTES + 4 + i * DESCRIPTOR_BYTES;
    if (d.kind === 'port') {
      put32(out, at, d.right ? insert(d.right) : 0);
      put32(out, at + 4, 0);
      put32(out, at + 8, ((d.right ? d.right.type : 0) << 16) | (MACH_MSG_PORT_DESCRIPTOR << 24));
    } else {
      k.charge(MACH_COSTS.oolCopyout, [m.buffer], []);
      put32(out, at, d.copy ? r.task.map.copyout(d.copy) : 0);
      put32(out, at + 4, d.size);
      put32(out, at + 8, (1 << 8) | (MACH_MSG_OOL_DESCRIPTOR << 24));
    }
  });
  k.charge(MACH_COSTS.msgCopySetup);
  if (!k.writeUser(r.task, args.msg, out)) return MSG_RET.RCV_INVALID_DATA;
  // the receiver's buffer through the kernel's physical window (it may not be the current space)
  const dest: number[] = [];
  for (let off = 0; off < m.size; off += 32) dest.push(kernelLinear(k.userPhys(r.task, args.msg + off, false)));
  k.charge(copyProfile(m.size), lines(m.buffer, m.size), dest);
  k.bump('bytesCopied', m.size);
  return MSG_RET.SUCCESS;
}

/** Destroys a message that will never be received: its rights and regions go. */
export function destroyMessage(k: MachKernel, m: KMsg): void {
  const drop = (r: CarriedRight | null) => {
    if (r && r.type === 16) destroyPort(k, r.port);
  };
  drop(m.dest);
  drop(m.reply);
  for (const d of m.descriptors) {
    if (d.kind === 'port') drop(d.right);
    else if (d.copy) for (const c of d.copy.entries) k.objects.release(c.object);
  }
  k.bump('messagesDestroyed');
}

/** The receive right of `port` is gone: the port dies (send rights become dead names on their next look-up). */
export function destroyPort(k: MachKernel, port: Port): void {
  if (port.dead) return;
  port.dead = true;
  port.receiver = null;
  port.set?.remove(port);
  k.ports.release(port);
  k.bump('portsDestroyed');
  for (const m of port.queue.splice(0)) destroyMessage(k, m);
  for (const s of port.blockedSenders.splice(0)) {
    destroyMessage(k, (s.wait as { kmsg: KMsg }).kmsg);
    s.regs[EAX] = MSG_RET.SEND_INVALID_DEST;
    k.wakeup(s);
  }
  for (const r of port.receivers.splice(0)) {
    r.regs[EAX] = MSG_RET.RCV_PORT_DIED;
    k.wakeup(r);
  }
}

/** A message the kernel itself sends (exceptions, system-call redirection, pager requests). */
export function kernelMessage(k: MachKernel, dest: Port, reply: Port | null, id: number, body: Uint8Array, replyType = PORT_SEND_ONCE): number | 'blocked' {
  k.bump('machMessages');
  const m: KMsg = { complex: false, size: HEADER_BYTES + body.length, id, dest: { port: dest, type: PORT_SEND }, reply: reply ? { port: reply, type: replyType } : null, descriptors: [], body, buffer: kmsgBuffer(k) };
  k.charge(MACH_COSTS.msgKmsg, [m.buffer], [m.buffer]);
  return send(k, null, m, null);
}
