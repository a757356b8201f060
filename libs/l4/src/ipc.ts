// IPC: synchronous, unbuffered message transfer between threads, entered by INT 0x30.
//
// Register ABI (ours; the layout follows L4 v2/X.0 on x86 where it can):
//
//   IN   EAX  send descriptor     0xFFFFFFFF       no send phase
//                                 0                register message: the three dwords
//                                 2                register map message: EDX = snd_base
//                                                  (bit 0 set: grant), EBX = fpage, EDI = 3rd dword
//                                 addr | m         long message at user address addr (4-aligned,
//                                                  ≠ 0); m = 2: its leading dword pairs are map
//                                                  items — (EDX, EBX), then (EDI, dword 3),
//                                                  (dword 4, dword 5), … up to an fpage of 0
//        EBP  receive descriptor  0xFFFFFFFF       no receive phase
//                                 bit 0            1 = open receive (from anyone), 0 = closed (from ESI)
//                                 bit 1 set        bits 31..2 are the receive window (an fpage
//                                                  without its w bit) for map items
//                                 bit 1 clear      bits 31..2: long-message buffer address (0 = registers only)
//        ECX  timeouts            see ipc-abi.ts decodeTimeouts (L4 v2 layout; 0 = never for all)
//        ESI  destination (send) / source (closed receive) thread id
//        EDX, EBX, EDI            message dwords 0, 1, 2
//   OUT  EAX  result              dwords received (31..13), strings (12..8), error (7..4:
//                                 ipc-abi.ts IPC_ERR, L4 v2 numbering), bit 1 = map items installed
//        EDX, EBX, EDI            received dwords 0, 1, 2
//        ESI                      the sender's id (an interrupt: irq + 1)
//        ECX, EBP                 preserved
//
// The four operations are the combinations: send (EBP = −1), receive (EAX = −1), call
// (send + closed receive from the same thread), reply-and-wait (send + open receive).
// A call or reply-and-wait whose partner is waiting switches to it directly (no
// scheduler), and the caller is left in the ready queue (lazy scheduling).
//
// Long messages: see ipc-abi.ts MSG for the buffer layout. Dwords beyond the third and
// strings are copied by the kernel from the sender's to the receiver's pages
// (through the kernel's physical window, standing in for L4's temporary mapping). A
// page of a long message that is not mapped ends the IPC with a page-fault-timeout
// error (L4 would send a page fault to the pager first; we treat every page-fault
// timeout in long messages as zero — documented simplification).
//
// Page faults and exceptions use the same machinery: the faulting thread "calls" its
// pager (exception handler) with a kernel-made message; the reply's map items land in
// a window of the whole address space; for an exception the reply's dwords 0 and 1
// are the new EIP and ESP (0xFFFFFFFF: unchanged).
import type { L4Kernel } from './kernel';
import { Thread, ThreadState, type ReceiveOp, type SendOp } from './tcb';
import {
  decodeReceiveDescriptor,
  decodeTimeouts,
  dopeDwords,
  dopeStrings,
  ipcResult,
  IPC_ERR,
  MSG,
  NO_PHASE,
  REGISTER_DWORDS,
} from './ipc-abi';
import { decodeFpage, isEmptyFpage, placeFpage, WHOLE_SPACE_LOG2, type Fpage } from './fpage';
import { LARGE_PAGE_LOG2, LARGE_PAGE_SIZE } from './address-space';
import { EAX, EBP, EBX, ECX, EDI, EDX, ESI, PHASE } from '@mklab/pentium';
import { irqOfId } from './thread-id';
import { L4_COSTS, stringCopyProfile } from './costs';
import { G_CURRENT, kernelLinear, PAGE_SIZE, TCB } from './layout';

/** The IPC system call of thread `t` (the current thread), its registers in its TCB. */
export function ipcSyscall(k: L4Kernel, t: Thread): void {
  const r = t.regs;
  const sndDesc = r[EAX] >>> 0;
  const rcvDesc = r[EBP] >>> 0;
  const timeouts = decodeTimeouts(r[ECX] >>> 0);
  const partner = r[ESI] >>> 0;
  k.bump('ipcSyscalls');
  t.sendOp =
    sndDesc === NO_PHASE
      ? null
      : { kind: 'user', dest: partner, w0: r[EDX], w1: r[EBX], w2: r[EDI], map: (sndDesc & 2) !== 0, buffer: (sndDesc & ~3) >>> 0, timeout: timeouts.send };
  if (rcvDesc === NO_PHASE) t.receiveOp = null;
  else {
    const d = decodeReceiveDescriptor(rcvDesc);
    t.receiveOp = { kind: 'user', from: d.open ? null : partner, window: d.window, buffer: d.buffer, timeout: timeouts.receive };
  }
  if (!t.sendOp && !t.receiveOp) {
    r[EAX] = 0;
    return;
  }
  // phase accounting (contracts.md "Phase accounting"), from the INT: a call (send + closed
  // receive) is the IPC with the call, a reply-and-wait (send + open receive) the IPC with the reply
  if (t.sendOp && t.receiveOp) k.machine.phases.enterSinceTrap(t.receiveOp.from === null ? PHASE.IPC_REPLY : PHASE.IPC_CALL);
  startIpc(k, t);
}

/** Runs the send phase and then the receive phase of the current thread `t`. */
export function startIpc(k: L4Kernel, t: Thread): void {
  if (t.sendOp) {
    sendPhase(k, t);
    return;
  }
  if (!tryReceive(k, t)) block(k, t);
}

/** The current thread `s` sends; continues into its receive phase where there is one. */
function sendPhase(k: L4Kernel, s: Thread): void {
  const op = s.sendOp as SendOp;
  const d = k.activeThread(op.dest);
  if (!d || d === s) {
    finishOp(k, s, IPC_ERR.NOT_EXISTENT);
    return;
  }
  if (d.state === ThreadState.ReceiveWait && accepts(d.receiveOp as ReceiveOp, s)) {
    k.cancelTimeout(d);
    const err = transfer(k, s, d);
    k.charge(L4_COSTS.ipcShort, shortPathReads(s, d), shortPathWrites(s, d));
    d.state = ThreadState.Ready;
    if (err !== IPC_ERR.OK) {
      finishOp(k, s, err);
      k.makeReady(d);
      return;
    }
    s.sendOp = null;
    if (s.receiveOp) {
      if (tryReceive(k, s)) k.wake(d);
      else k.switchDirect(d); // call / reply-and-wait: straight to the partner
    } else {
      setResult(s, IPC_ERR.OK);
      k.wake(d);
    }
    return;
  }
  if (op.timeout === 0) {
    finishOp(k, s, IPC_ERR.SEND_TIMEOUT);
    return;
  }
  s.state = ThreadState.SendWait;
  s.sendingTo = d;
  d.senders.push(s);
  k.armTimeout(s, op.timeout, IPC_ERR.SEND_TIMEOUT);
  block(k, s);
}

/** The current thread waits: the scheduler picks the next one. */
function block(k: L4Kernel, t: Thread): void {
  k.charge(L4_COSTS.ipcBlock, [t.field(TCB.STATE), kernelLinear(G_CURRENT)], [t.field(TCB.STATE)]);
  if (k.current === t) k.reschedule();
}

function accepts(op: ReceiveOp, s: Thread): boolean {
  return op.from === null || op.from === s.id;
}

/**
 * The receive phase of `r` (current or not): takes a waiting sender's message, or a
 * pending interrupt, or starts waiting. Returns true when the phase is over (message
 * or error), false when `r` now waits (state ReceiveWait, timeout armed).
 */
export function tryReceive(k: L4Kernel, r: Thread): boolean {
  const op = r.receiveOp as ReceiveOp;
  if (op.from !== null) {
    const irq = irqOfId(op.from);
    if (irq >= 0) return k.interrupts.receive(r, irq);
    if (!k.activeThread(op.from)) {
      finishOp(k, r, IPC_ERR.NOT_EXISTENT);
      return true;
    }
  } else if (r.irq >= 0 && k.interrupts.takePending(r)) {
    return true;
  }
  const i = op.from === null ? (r.senders.length ? 0 : -1) : r.senders.findIndex((x) => x.id === op.from);
  if (i >= 0) {
    const s = r.senders[i];
    r.senders.splice(i, 1);
    s.sendingTo = null;
    k.cancelTimeout(s);
    const err = transfer(k, s, r);
    k.charge(L4_COSTS.ipcShort, shortPathReads(s, r), shortPathWrites(s, r));
    if (err !== IPC_ERR.OK) {
      finishOp(k, s, err);
      return true;
    }
    s.sendOp = null;
    s.state = ThreadState.Ready;
    if (!s.receiveOp) {
      setResult(s, IPC_ERR.OK);
      k.wake(s);
    } else if (tryReceive(k, s)) {
      k.wake(s);
    }
    return true;
  }
  if (op.timeout === 0) {
    finishOp(k, r, IPC_ERR.RECV_TIMEOUT);
    return true;
  }
  r.state = ThreadState.ReceiveWait;
  k.armTimeout(r, op.timeout, IPC_ERR.RECV_TIMEOUT);
  return false;
}

/**
 * Ends `t`'s IPC with `error` (0 = success of a send-only IPC): the result goes into its
 * registers (user IPC) and it becomes ready if it was waiting. A page-fault or exception
 * IPC that fails cannot be reported to user code: the kernel stops the run.
 */
export function finishOp(k: L4Kernel, t: Thread, error: number): void {
  const kind = t.sendOp?.kind ?? t.receiveOp?.kind ?? 'user';
  const wasWaiting = t.state === ThreadState.SendWait || t.state === ThreadState.ReceiveWait;
  k.cancelTimeout(t);
  t.sendOp = null;
  t.receiveOp = null;
  if (kind === 'user') setResult(t, error);
  else if (error !== IPC_ERR.OK && error !== IPC_ERR.SEND_CANCELLED && error !== IPC_ERR.RECV_CANCELLED) {
    k.panic(`${t}: ${kind} IPC failed with error 0x${error.toString(16)} (no pager or handler to talk to)`);
  }
  // a cancelled page-fault IPC: the thread restarts the faulting instruction (and faults again)
  if (wasWaiting) k.makeReady(t);
  else t.state = ThreadState.Ready;
}

function setResult(t: Thread, error: number): void {
  t.regs[EAX] = ipcResult(0, 0, error, false);
}

// ======================================================================= transfer

/**
 * Delivers `s`'s message to `r` according to both descriptors. Returns 0, or the
 * sender's error code (the receiver's error is in its result).
 */
function transfer(k: L4Kernel, s: Thread, r: Thread): number {
  const so = s.sendOp as SendOp;
  const ro = r.receiveOp as ReceiveOp;
  r.receiveOp = null;
  k.bump('ipcs');
  if (so.kind === 'pagefault') k.bump('pageFaultIpcs');
  if (ro.kind !== 'user' && ro.from !== s.id) throw new Error(`L4: ${r} got a reply from ${s} in a ${ro.kind} IPC`);

  let error: number = IPC_ERR.OK;
  let mapped = false;
  let dwords = REGISTER_DWORDS;
  let strings = 0;
  const sendDope = so.buffer ? k.memory.read32(physOr(k, s, so.buffer + MSG.SEND_DOPE)) : 0;

  // ---- map / grant items
  if (so.map) {
    const window = receiveWindowOf(k, r, ro);
    const items: [number, number][] = [[so.w0 >>> 0, so.w1 >>> 0]];
    if (so.buffer) {
      // further dword pairs of the long message (dwords 2,3 then 4,5 …) while they are items
      const n = dopeDwords(sendDope);
      for (let i = 2; i + 1 < n; i += 2) {
        const base = i === 2 ? so.w2 >>> 0 : readUser(k, s, so.buffer + MSG.DWORDS + i * 4);
        const fp = readUser(k, s, so.buffer + MSG.DWORDS + (i + 1) * 4);
        if (base < 0 || fp <= 0) break;
        items.push([base >>> 0, fp >>> 0]);
      }
    }
    for (const [sndBase, fpWord] of items) {
      const f = decodeFpage(fpWord);
      if (isEmptyFpage(f)) break;
      if (!window) {
        error = IPC_ERR.RECV_MAP_FAILED;
        break;
      }
      mapped = mapItem(k, s, r, f, window, sndBase) || mapped;
    }
  }

  // ---- long message: dwords beyond the registers, strings
  if (error === IPC_ERR.OK && so.buffer) {
    const sendDwords = dopeDwords(sendDope);
    const sendStrings = dopeStrings(sendDope);
    if (ro.kind !== 'user' || !ro.buffer) {
      if (sendDwords > REGISTER_DWORDS || sendStrings > 0) error = IPC_ERR.RECV_MSG_CUT;
    } else {
      const res = copyLong(k, s, so, r, ro, sendDwords, sendStrings);
      error = res.error;
      dwords = res.dwords;
      strings = res.strings;
    }
  }

  // ---- the receiver's registers (or the kernel's use of the reply)
  if (ro.kind === 'user') {
    r.regs[EDX] = so.w0;
    r.regs[EBX] = so.w1;
    r.regs[EDI] = so.w2;
    r.regs[ESI] = s.id;
    r.regs[EAX] = ipcResult(dwords, strings, error, mapped);
  } else if (ro.kind === 'exception' && error === IPC_ERR.OK) {
    k.setFrameEipEsp(r, so.w0 >>> 0, so.w1 >>> 0);
  }
  if (error === IPC_ERR.OK) return IPC_ERR.OK;
  return error + 0x10; // the sender's variant of the receive error (map failed, msg cut, pf timeout)
}

function receiveWindowOf(k: L4Kernel, r: Thread, ro: ReceiveOp): Fpage | null {
  if (ro.kind !== 'user') return { base: 0, log2: WHOLE_SPACE_LOG2, writable: true };
  if (ro.window) return ro.window;
  if (ro.buffer) {
    const w = readUser(k, r, ro.buffer + MSG.RCV_FPAGE);
    if (w > 0) {
      const f = decodeFpage(w);
      if (!isEmptyFpage(f)) return f;
    }
  }
  return null;
}

/**
 * One map/grant item: every mapping of the sent fpage that falls into the window. A
 * superpage of the sender that the transferred region covers whole goes as one 4 MiB
 * mapping (when its place in the receiver is 4 MiB aligned, which natural fpage
 * alignment makes it); of one covered in part, the pages inside the region go.
 */
function mapItem(k: L4Kernel, s: Thread, r: Thread, f: Fpage, window: Fpage, sndBase: number): boolean {
  const grant = (sndBase & 1) !== 0;
  const place = placeFpage(f, window, sndBase & ~(PAGE_SIZE - 1));
  const from = s.task.space;
  const to = r.task.space;
  let any = false;
  // walk only the mappings the sender has (a 4 GiB fpage is not walked page by page)
  for (const run of k.mdb.mappingsIn(from, place.from, place.bytes)) {
    const v = run.vaddr;
    const dest = place.to + (v - place.from);
    const large = run.log2 === LARGE_PAGE_LOG2 && dest % LARGE_PAGE_SIZE === 0 && dest + LARGE_PAGE_SIZE <= to.userBytes;
    const pages = large ? [v] : run.log2 === LARGE_PAGE_LOG2 ? rangePages(v, LARGE_PAGE_SIZE) : [v];
    for (const pv of pages) {
      const pd = dest + (pv - v);
      if (pd >= to.userBytes) continue;
      let done: boolean;
      if (large) done = grant ? k.mdb.grantLarge(from, pv, to, pd, f.writable) : k.mdb.mapLarge(from, pv, to, pd, f.writable);
      else done = grant ? k.mdb.grant(from, pv, to, pd, f.writable) : k.mdb.map(from, pv, to, pd, f.writable);
      if (done) {
        any = true;
        k.bump(grant ? 'grants' : 'maps');
        if (large) k.bump('superpageMaps');
        const src = from.ptePhys(pv);
        k.charge(L4_COSTS.ipcMapPage, [kernelLinear(src >= 0 ? src : to.pdir)], [kernelLinear(to.ptePhys(pd))]);
      }
    }
  }
  return any;
}

function rangePages(v: number, bytes: number): number[] {
  const out: number[] = [];
  for (let p = v; p < v + bytes; p += PAGE_SIZE) out.push(p);
  return out;
}

function copyLong(
  k: L4Kernel,
  s: Thread,
  so: SendOp,
  r: Thread,
  ro: ReceiveOp,
  sendDwords: number,
  sendStrings: number,
): { error: number; dwords: number; strings: number } {
  const sizeDope = readUser(k, r, ro.buffer + MSG.SIZE_DOPE);
  const senderSize = readUser(k, s, (so.buffer as number) + MSG.SIZE_DOPE);
  if (sizeDope < 0 || senderSize < 0) return { error: IPC_ERR.RECV_PF_TIMEOUT, dwords: 0, strings: 0 };
  k.charge(L4_COSTS.ipcLong, [kernelLinear(physOr(k, s, so.buffer + MSG.SEND_DOPE)), kernelLinear(physOr(k, r, ro.buffer + MSG.SIZE_DOPE))]);
  const capDwords = dopeDwords(sizeDope);
  const capStrings = dopeStrings(sizeDope);
  let error: number = IPC_ERR.OK;
  // dwords 3.. from buffer to buffer
  const n = Math.min(sendDwords, Math.max(capDwords, REGISTER_DWORDS));
  if (sendDwords > Math.max(capDwords, REGISTER_DWORDS)) error = IPC_ERR.RECV_MSG_CUT;
  if (n > REGISTER_DWORDS) {
    const bytes = (n - REGISTER_DWORDS) * 4;
    const ok = copyBytes(k, s, so.buffer + MSG.DWORDS + REGISTER_DWORDS * 4, r, ro.buffer + MSG.DWORDS + REGISTER_DWORDS * 4, bytes);
    if (!ok) return { error: IPC_ERR.RECV_PF_TIMEOUT, dwords: REGISTER_DWORDS, strings: 0 };
  }
  // strings: the dopes follow each buffer's dword area (sized by its own size dope)
  const sDopes = so.buffer + MSG.DWORDS + dopeDwords(senderSize) * 4;
  const rDopes = ro.buffer + MSG.DWORDS + capDwords * 4;
  const count = Math.min(sendStrings, capStrings);
  if (sendStrings > capStrings) error = IPC_ERR.RECV_MSG_CUT;
  for (let i = 0; i < count; i++) {
    const sd = sDopes + i * MSG.STRING_DOPE_BYTES;
    const rd = rDopes + i * MSG.STRING_DOPE_BYTES;
    const sendSize = readUser(k, s, sd);
    const sendAddr = readUser(k, s, sd + 4);
    const rcvSize = readUser(k, r, rd + 8);
    const rcvAddr = readUser(k, r, rd + 12);
    if (sendSize < 0 || sendAddr < 0 || rcvSize < 0 || rcvAddr < 0) return { error: IPC_ERR.RECV_PF_TIMEOUT, dwords: n, strings: i };
    let len = sendSize;
    if (sendSize > rcvSize) {
      len = rcvSize;
      error = IPC_ERR.RECV_MSG_CUT;
    }
    if (!copyBytes(k, s, sendAddr, r, rcvAddr, len)) return { error: IPC_ERR.RECV_PF_TIMEOUT, dwords: n, strings: i };
    if (!writeUser(k, r, rd, len)) return { error: IPC_ERR.RECV_PF_TIMEOUT, dwords: n, strings: i };
    k.bump('stringBytes', len);
  }
  return { error, dwords: Math.max(n, REGISTER_DWORDS), strings: count };
}

/** Copies `bytes` from `s`'s space to `r`'s, page by page through the kernel window; false when a page is missing or read-only. */
function copyBytes(k: L4Kernel, s: Thread, from: number, r: Thread, to: number, bytes: number): boolean {
  const mem = k.memory;
  const reads: number[] = [];
  const writes: number[] = [];
  for (let done = 0; done < bytes; ) {
    const a = from + done;
    const b = to + done;
    const chunk = Math.min(bytes - done, PAGE_SIZE - (a % PAGE_SIZE), PAGE_SIZE - (b % PAGE_SIZE));
    const pa = k.userPhys(s.task.space, a, false);
    const pb = k.userPhys(r.task.space, b, true);
    if (pa < 0 || pb < 0) return false;
    for (let i = 0; i < chunk; i++) mem.write8(pb + i, mem.read8(pa + i));
    for (let i = 0; i < chunk; i += 32) {
      reads.push(kernelLinear(pa + i));
      writes.push(kernelLinear(pb + i));
    }
    done += chunk;
  }
  k.charge(stringCopyProfile(bytes), reads, writes);
  return true;
}

function readUser(k: L4Kernel, t: Thread, v: number): number {
  const p = k.userPhys(t.task.space, v >>> 0, false);
  return p < 0 || (v & 3) !== 0 ? -1 : k.memory.read32(p) >>> 0;
}

function writeUser(k: L4Kernel, t: Thread, v: number, value: number): boolean {
  const p = k.userPhys(t.task.space, v >>> 0, true);
  if (p < 0 || (v & 3) !== 0) return false;
  k.memory.write32(p, value);
  return true;
}

/** Physical address of a user dword, or the kernel's own globals when unmapped (for cost addresses only). */
function physOr(k: L4Kernel, t: Thread, v: number): number {
  const p = k.userPhys(t.task.space, v >>> 0, false);
  return p < 0 ? G_CURRENT : p;
}

// ============================================================ short-path addresses

function shortPathReads(s: Thread, r: Thread): number[] {
  return [s.field(TCB.STATE), s.field(TCB.PARTNER), s.field(TCB.SPACE), r.field(TCB.STATE), r.field(TCB.PARTNER), r.field(TCB.PRIO), r.field(TCB.SPACE), r.field(TCB.KERNEL_ESP)];
}

function shortPathWrites(s: Thread, r: Thread): number[] {
  return [s.field(TCB.STATE), s.field(TCB.KERNEL_ESP), r.field(TCB.STATE), kernelLinear(G_CURRENT)];
}
