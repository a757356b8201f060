// TCP over the loopback stack (Linux 2.0 net/ipv4/tcp*.c), with the RFC 793 state
// machine: the three-way handshake (SYN, SYN+ACK, ACK; the MSS option), segments of
// at most the MSS (loopback MTU 3924 - 40 = 3884 bytes) carrying sequence numbers,
// acknowledgements and the receive window, Nagle's rule, delayed ACKs (at most every
// second segment, or when the delayed-ACK timer fires, or piggybacked on data), window
// updates when the reader frees space (2.0's cleanup_rbuf), FIN and the closing states
// down to TIME_WAIT (2 MSL = 60 s, 2.0's TCP_TIMEWAIT_LEN), RST for segments nobody
// owns (a connect to a closed port fails with ECONNREFUSED), listen backlogs, SYN
// retransmission when a listener's backlog was full.
//
// Segments are real packets in socket buffers: built in tcp_sendmsg (the data copied
// from the user into room behind the headers, as 2.0 does), kept on the write queue
// until acknowledged (they count against the send buffer), and transmitted as clones
// through IP and the loopback device; the receiver queues the same pages. The
// loopback never loses, reorders or duplicates a packet, so there is no
// retransmission of data (no RTT estimation, no congestion window, no persist timer):
// a zero window always reopens through the receiver's window update.

import { EAGAIN, EINVAL, EPIPE, ERESTARTSYS, KernelError } from '../errno';
import type { IoResult } from '../fs/file';
import type { Blocking } from '../task';
import {
  EADDRINUSE,
  EALREADY,
  ECONNREFUSED,
  ECONNRESET,
  EINPROGRESS,
  EISCONN,
  ENOPROTOOPT,
  ENOTCONN,
  EOPNOTSUPP,
  ETIMEDOUT,
  INADDR_ANY,
  IPPROTO_TCP,
  MSG_DONTWAIT,
  MSG_PEEK,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SOCK_STREAM,
  SOL_TCP,
  TCP_MAXSEG,
  TCP_NODELAY,
} from './constants';
import { InetSock, parseInetAddr } from './inet';
import { BlockingSock, Deliver, Fetch, SockIo, sockAlloc, sockFree, sockTouch } from './socket';
import { SKB_OVERHEAD, SkBuff, csumFold } from './skbuff';
import { IP_HDR, IpPacket, LOOPBACK_MTU, NetStack, NetTimer, Protocol } from './stack';

export const TCP_HDR = 20;
/** the MSS on the loopback interface: MTU - IP header - TCP header */
export const TCP_MSS = LOOPBACK_MTU - IP_HDR - TCP_HDR;
const HZ = 100;
/** 2.0 include/net/tcp.h TCP_TIMEWAIT_LEN: 60 s (2 MSL) */
export const TCP_TIMEWAIT_JIFFIES = 60 * HZ;
/** 2.0 include/net/tcp.h TCP_TIMEOUT_INIT: the first SYN retransmission after 3 s, doubling */
export const TCP_TIMEOUT_INIT = 3 * HZ;
/** SYN retransmissions before connect gives up with ETIMEDOUT (approx.: 2.0's TCP_SYN_RETRIES) */
const TCP_SYN_RETRIES = 5;
/**
 * The delayed-ACK timeout: 2.0 estimates it per connection (ato) below TCP_ACK_TIME;
 * we use a fixed 200 ms, BSD's fast-timer period (approx.). An ACK is delayed only while
 * fewer than two segments are unacknowledged and no FIN arrived.
 */
export const TCP_DELACK_JIFFIES = HZ / 5;
/** SOMAXCONN in 2.0's include/linux/socket.h: the largest listen backlog */
export const SOMAXCONN = 128;

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

export type TcpState =
  | 'CLOSED'
  | 'LISTEN'
  | 'SYN_SENT'
  | 'SYN_RECV'
  | 'ESTABLISHED'
  | 'FIN_WAIT1'
  | 'FIN_WAIT2'
  | 'CLOSING'
  | 'TIME_WAIT'
  | 'CLOSE_WAIT'
  | 'LAST_ACK';

/** sequence-number comparisons modulo 2^32 */
const seqLt = (a: number, b: number): boolean => ((a - b) | 0) < 0;
const seqLe = (a: number, b: number): boolean => ((a - b) | 0) <= 0;
const add = (a: number, n: number): number => (a + n) >>> 0;

/** A segment on the write queue: its buffer holds room for the IP and TCP headers, then its data. */
interface TxSeg {
  skb: SkBuff;
  seq: number;
  len: number;
  syn: boolean;
  fin: boolean;
  sent: boolean;
  /** what it costs the send buffer */
  truesize: number;
}

interface RxSeg {
  skb: SkBuff;
  /** offset of the next unread byte in skb, and the bytes left */
  off: number;
  len: number;
}

/** A parsed incoming segment. */
export interface Segment {
  pkt: IpPacket;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  win: number;
  mss: number;
  dataOff: number;
  dataLen: number;
}

export class TcpProto implements Protocol {
  /** every socket holding a local port (bound, listening, connected, TIME_WAIT) */
  readonly bound = new Map<number, Set<TcpSock>>();
  /** connected and connecting sockets by (local address, local port, remote address, remote port) */
  readonly established = new Map<string, TcpSock>();
  readonly listeners = new Map<number, TcpSock>();
  private isnCounter = 0;

  constructor(readonly stack: NetStack) {
    stack.register(IPPROTO_TCP, this);
  }

  socket(): TcpSock {
    return new TcpSock(this);
  }

  /**
   * An initial sequence number. 2.0 derives it from the time of day in microseconds;
   * here from the emulated jiffies plus 64000 per connection (BSD's increment), so runs
   * are deterministic.
   */
  isn(): number {
    this.isnCounter = (this.isnCounter + 64000) >>> 0;
    return (this.stack.env.jiffies * 250000 + this.isnCounter) >>> 0;
  }

  static key(laddr: number, lport: number, raddr: number, rport: number): string {
    return `${laddr}:${lport}:${raddr}:${rport}`;
  }

  /** tcp_rcv: checksum, header, demultiplex; segments nobody owns are answered with RST. */
  rcv(pkt: IpPacket): void {
    const { skb, off, len } = pkt;
    const env = this.stack.env;
    env.charge('net.csum', len, { read: skb.ranges(off, len) });
    if (len < TCP_HDR || csumFold(skb.sum(off, len, NetStack.pseudoSum(pkt.saddr, pkt.daddr, IPPROTO_TCP, len))) !== 0) {
      this.stack.drop(skb);
      return;
    }
    const doff = (skb.u8(off + 12) >>> 4) * 4;
    if (doff < TCP_HDR || doff > len) {
      this.stack.drop(skb);
      return;
    }
    let mss = 536; // RFC 1122 default when the SYN has no MSS option
    for (let o = off + TCP_HDR; o < off + doff; ) {
      const kind = skb.u8(o);
      if (kind === 0) break;
      if (kind === 1) {
        o++;
        continue;
      }
      const olen = skb.u8(o + 1);
      if (kind === 2 && olen === 4) mss = skb.u16(o + 2);
      if (olen < 2) break;
      o += olen;
    }
    const seg: Segment = {
      pkt,
      sport: skb.u16(off),
      dport: skb.u16(off + 2),
      seq: skb.u32(off + 4),
      ack: skb.u32(off + 8),
      flags: skb.u8(off + 13),
      win: skb.u16(off + 14),
      mss,
      dataOff: off + doff,
      dataLen: len - doff,
    };
    const sk = this.established.get(TcpProto.key(pkt.daddr, seg.dport, pkt.saddr, seg.sport)) ?? this.listenerFor(seg.dport, pkt.daddr);
    env.charge('net.tcp-rcv', 1, sockTouch(sk?.kaddr ?? 0, { read: skb.ranges(off, TCP_HDR) }));
    if (!sk) {
      this.sendReset(seg);
      skb.free();
      return;
    }
    sk.segment(seg);
  }

  private listenerFor(port: number, addr: number): TcpSock | undefined {
    const l = this.listeners.get(port);
    return l && (l.saddr === INADDR_ANY || l.saddr === addr) ? l : undefined;
  }

  /** tcp_reset: answer a segment with RST (never an RST itself). */
  sendReset(seg: Segment): void {
    if (seg.flags & RST) return;
    const env = this.stack.env;
    const skb = SkBuff.alloc(env, IP_HDR + TCP_HDR);
    let seq = 0;
    let ack = 0;
    let flags = RST;
    if (seg.flags & ACK) seq = seg.ack;
    else {
      ack = add(seg.seq, seg.dataLen + (seg.flags & SYN ? 1 : 0) + (seg.flags & FIN ? 1 : 0));
      flags |= ACK;
    }
    writeHeader(skb, seg.dport, seg.sport, seq, ack, flags, 0, 0);
    env.charge('net.tcp-send-ack', 1, { write: skb.ranges(IP_HDR, TCP_HDR) });
    checksum(this.stack, skb, seg.pkt.daddr, seg.pkt.saddr, TCP_HDR);
    this.stack.ipOutput(skb, IPPROTO_TCP, seg.pkt.daddr, seg.pkt.saddr, TCP_HDR);
  }
}

/** Writes a TCP header (and the MSS option when `mss` > 0) behind the IP header room. */
function writeHeader(skb: SkBuff, sport: number, dport: number, seq: number, ack: number, flags: number, win: number, mss: number): void {
  const h = new Uint8Array(mss ? TCP_HDR + 4 : TCP_HDR);
  const dv = new DataView(h.buffer);
  dv.setUint16(0, sport);
  dv.setUint16(2, dport);
  dv.setUint32(4, seq);
  dv.setUint32(8, ack);
  h[12] = (h.length / 4) << 4;
  h[13] = flags;
  dv.setUint16(14, win);
  // checksum (16) filled by checksum(); urgent pointer (18) 0
  if (mss) {
    h[20] = 2;
    h[21] = 4;
    dv.setUint16(22, mss);
  }
  skb.write(IP_HDR, h);
}

/** tcp_send_check: the checksum over the pseudo-header, the TCP header and the data. */
function checksum(stack: NetStack, skb: SkBuff, saddr: number, daddr: number, len: number): void {
  skb.setU16(IP_HDR + 16, 0);
  stack.env.charge('net.csum', len, { read: skb.ranges(IP_HDR, len) });
  skb.setU16(IP_HDR + 16, csumFold(skb.sum(IP_HDR, len, NetStack.pseudoSum(saddr, daddr, IPPROTO_TCP, len))));
}

export class TcpSock extends InetSock {
  state: TcpState = 'CLOSED';
  mss = TCP_MSS;
  nonagle = false;
  // send side
  iss = 0;
  sndUna = 0;
  sndNxt = 0;
  /** the sequence number the next queued byte gets */
  writeSeq = 0;
  sndWnd = 0;
  readonly writeQueue: TxSeg[] = [];
  wmem = 0;
  // receive side
  rcvNxt = 0;
  /** the right edge of the window last advertised */
  rcvAdvEdge = 0;
  readonly rcvQueue: RxSeg[] = [];
  rmem = 0;
  /** a FIN arrived (no more data) */
  finRcvd = false;
  rcvShut = false;
  sndShut = false;
  /** segments received since the last ACK we sent */
  ackBacklog = 0;
  private delack: NetTimer | null = null;
  private synTimer: NetTimer | null = null;
  private twTimer: NetTimer | null = null;
  private synRetries = 0;
  // listening
  backlog = 0;
  readonly acceptQueue: TcpSock[] = [];
  parent: TcpSock | null = null;
  /** the user closed it (it lives on until the protocol is done with it) */
  orphan = false;

  constructor(readonly proto: TcpProto) {
    super(proto.stack, SOCK_STREAM, 'tcp');
    this.kaddr = sockAlloc(proto.stack.env);
  }

  private get env() {
    return this.stack.env;
  }

  // ------------------------------------------------------------------ tables

  protected portUsers(port: number): InetSock[] {
    return [...(this.proto.bound.get(port) ?? [])];
  }
  protected hash(): void {
    let s = this.proto.bound.get(this.sport);
    if (!s) {
      s = new Set();
      this.proto.bound.set(this.sport, s);
    }
    s.add(this);
  }
  protected listening(): boolean {
    return this.state === 'LISTEN';
  }
  protected override connected(): boolean {
    return this.state !== 'CLOSED' && this.state !== 'LISTEN' && this.state !== 'SYN_SENT';
  }
  private key(): string {
    return TcpProto.key(this.saddr, this.sport, this.daddr, this.dport);
  }

  private setState(s: TcpState): void {
    this.state = s;
    this.env.wakeUp(this.wait);
  }

  /** tcp_set_state(TCP_CLOSE) + the socket's destruction: the port and the tables let go of it. */
  private destroy(): void {
    this.delack = this.stack.cancel(this.delack);
    this.synTimer = this.stack.cancel(this.synTimer);
    this.twTimer = this.stack.cancel(this.twTimer);
    if (this.proto.established.get(this.key()) === this) this.proto.established.delete(this.key());
    if (this.proto.listeners.get(this.sport) === this) this.proto.listeners.delete(this.sport);
    const b = this.proto.bound.get(this.sport);
    if (b) {
      b.delete(this);
      if (b.size === 0) this.proto.bound.delete(this.sport);
    }
    for (const s of this.writeQueue.splice(0)) s.skb.free();
    this.wmem = 0;
    if (this.orphan) {
      for (const r of this.rcvQueue.splice(0)) r.skb.free();
      this.rmem = 0;
      if (this.kaddr !== 0) {
        sockFree(this.env, this.kaddr);
        this.kaddr = 0;
      }
    }
    this.setState('CLOSED');
  }

  // ------------------------------------------------------------------ user calls

  override listen(backlog: number): void {
    if (this.state !== 'CLOSED' && this.state !== 'LISTEN') throw new KernelError(EINVAL);
    this.autobind();
    const other = this.proto.listeners.get(this.sport);
    if (other && other !== this) throw new KernelError(EADDRINUSE);
    this.backlog = Math.max(1, Math.min(backlog, SOMAXCONN));
    this.proto.listeners.set(this.sport, this);
    this.setState('LISTEN');
  }

  override accept(nonblock: boolean): BlockingSock {
    if (this.state !== 'LISTEN') throw new KernelError(EINVAL);
    return function* (this: TcpSock): BlockingSock {
      for (;;) {
        if (this.state !== 'LISTEN') throw new KernelError(EINVAL);
        const i = this.acceptQueue.findIndex((c) => c.state !== 'SYN_RECV');
        if (i >= 0) {
          const c = this.acceptQueue.splice(i, 1)[0];
          c.parent = null;
          this.env.charge('net.tcp-accept', 1, sockTouch(c.kaddr, sockTouch(this.kaddr)));
          return c;
        }
        if (nonblock) throw new KernelError(EAGAIN);
        if (this.env.signalPending()) throw new KernelError(ERESTARTSYS);
        yield this.stack.waitFor(this.wait, () => this.state !== 'LISTEN' || this.acceptQueue.some((c) => c.state !== 'SYN_RECV'));
      }
    }.call(this);
  }

  connect(addr: Uint8Array, nonblock: boolean): number | Blocking {
    const a = parseInetAddr(addr);
    if (this.state === 'ESTABLISHED' || this.state === 'CLOSE_WAIT') throw new KernelError(EISCONN);
    if (this.state === 'SYN_SENT' || this.state === 'SYN_RECV') {
      if (nonblock) throw new KernelError(EALREADY);
      return this.waitConnect();
    }
    if (this.state !== 'CLOSED') throw new KernelError(EINVAL);
    if (this.err) return -this.takeError();
    const daddr = a.addr === INADDR_ANY ? this.stack.sourceFor(0) : a.addr;
    const src = this.stack.sourceFor(daddr);
    this.autobind();
    if (this.saddr === INADDR_ANY) this.saddr = src;
    this.daddr = daddr;
    this.dport = a.port;
    if (this.proto.established.has(this.key())) throw new KernelError(EADDRINUSE);
    this.proto.established.set(this.key(), this);
    this.env.charge('net.tcp-connect', 1, sockTouch(this.kaddr));
    this.iss = this.proto.isn();
    this.sndUna = this.iss;
    this.sndNxt = this.iss;
    this.writeSeq = this.iss;
    this.sndWnd = 1; // room for the SYN until the peer's window is known
    this.setState('SYN_SENT');
    this.queueControl(SYN);
    this.writeXmit();
    this.armSynTimer();
    if (nonblock) return -EINPROGRESS;
    return this.waitConnect();
  }

  private waitConnect(): Blocking {
    return function* (this: TcpSock): Blocking {
      for (;;) {
        if (this.state === 'ESTABLISHED' || this.state === 'CLOSE_WAIT') return 0;
        if (this.state !== 'SYN_SENT' && this.state !== 'SYN_RECV') return -(this.takeError() || ECONNREFUSED);
        if (this.env.signalPending()) return -ERESTARTSYS;
        yield this.stack.waitFor(this.wait, () => this.state !== 'SYN_SENT' && this.state !== 'SYN_RECV');
      }
    }.call(this);
  }

  private armSynTimer(): void {
    this.synTimer = this.stack.addTimer(this.env.jiffies + (TCP_TIMEOUT_INIT << this.synRetries), () => {
      this.synTimer = null;
      if (this.state !== 'SYN_SENT') return;
      if (++this.synRetries > TCP_SYN_RETRIES) {
        this.err = ETIMEDOUT;
        this.destroy();
        return;
      }
      const s = this.writeQueue[0];
      if (s && s.syn) this.transmit(s);
      this.armSynTimer();
    });
  }

  sendmsg(len: number, fetch: Fetch, io: SockIo, to: Uint8Array | null): IoResult {
    if (to !== null && this.state !== 'CLOSED') throw new KernelError(EISCONN);
    if (to !== null) throw new KernelError(ENOTCONN);
    const nonblock = io.nonblock || (io.flags & MSG_DONTWAIT) !== 0;
    if (this.state === 'CLOSED' || this.state === 'LISTEN') {
      // 2.0 tcp_sendmsg: a pending error is returned (sock_error) without a signal; after it, SIGPIPE and EPIPE
      const e = this.takeError();
      if (e) return -e;
      if (this.state === 'LISTEN' || this.dport === 0) throw new KernelError(ENOTCONN);
      this.env.sigpipe();
      return -EPIPE;
    }
    return this.sendData(len, fetch, nonblock);
  }

  private *sendData(len: number, fetch: Fetch, nonblock: boolean): Blocking {
    let sent = 0;
    while (sent < len) {
      if (this.err) return sent > 0 ? sent : -this.takeError();
      if (this.state === 'SYN_SENT' || this.state === 'SYN_RECV') {
        if (nonblock) return sent > 0 ? sent : -EAGAIN;
        if (this.env.signalPending()) return sent > 0 ? sent : -ERESTARTSYS;
        yield this.stack.waitFor(this.wait, () => this.state !== 'SYN_SENT' && this.state !== 'SYN_RECV');
        continue;
      }
      if (this.sndShut || (this.state !== 'ESTABLISHED' && this.state !== 'CLOSE_WAIT')) {
        this.env.sigpipe();
        return sent > 0 ? sent : -EPIPE;
      }
      // 2.0 tcp_sendmsg: fill the last queued segment if it is not sent yet
      const tail = this.writeQueue[this.writeQueue.length - 1];
      if (tail && !tail.sent && !tail.syn && !tail.fin && tail.len < this.mss) {
        const n = Math.min(this.mss - tail.len, len - sent);
        if (!this.copyIn(tail, n, fetch, sent)) return sent;
        sent += n;
        this.writeXmit();
        continue;
      }
      const truesize = IP_HDR + TCP_HDR + this.mss + SKB_OVERHEAD;
      // sock_wmalloc allocates while the send buffers are below sndbuf (the last one may overshoot)
      if (this.wmem >= this.sndbuf) {
        // no send-buffer room: sleep until ACKs free some (sock_wmalloc fails, SO_NOSPACE)
        if (nonblock) return sent > 0 ? sent : -EAGAIN;
        if (this.env.signalPending()) return sent > 0 ? sent : -ERESTARTSYS;
        yield this.stack.waitFor(this.wait, () => this.wmem < this.sndbuf || this.err !== 0 || (this.state !== 'ESTABLISHED' && this.state !== 'CLOSE_WAIT'));
        continue;
      }
      const skb = SkBuff.alloc(this.env, IP_HDR + TCP_HDR + this.mss);
      skb.len = IP_HDR + TCP_HDR;
      const seg: TxSeg = { skb, seq: this.writeSeq, len: 0, syn: false, fin: false, sent: false, truesize };
      this.writeQueue.push(seg);
      this.wmem += truesize;
      const n = Math.min(this.mss, len - sent);
      if (!this.copyIn(seg, n, fetch, sent)) return sent;
      sent += n;
      this.writeXmit();
    }
    return sent;
  }

  /** Copies n user bytes into the segment's room; false when the copy faulted after some bytes went. */
  private copyIn(seg: TxSeg, n: number, fetch: Fetch, sentBefore: number): boolean {
    let bytes: Uint8Array;
    try {
      bytes = fetch(n);
    } catch (e) {
      if (sentBefore > 0) return false;
      throw e;
    }
    const at = IP_HDR + TCP_HDR + seg.len;
    seg.skb.len = at + n;
    seg.skb.write(at, bytes);
    this.env.charge('net.tcp-sendmsg', 1, sockTouch(this.kaddr, { write: seg.skb.ranges(at, n) }));
    seg.len += n;
    this.writeSeq = add(this.writeSeq, n);
    return true;
  }

  /** A SYN or FIN (or both never): a control segment on the write queue, or a FIN set on the unsent tail. */
  private queueControl(flag: number): void {
    const tail = this.writeQueue[this.writeQueue.length - 1];
    if (flag === FIN && tail && !tail.sent && !tail.syn && !tail.fin) {
      tail.fin = true;
      this.writeSeq = add(this.writeSeq, 1);
      return;
    }
    const opt = flag & SYN ? 4 : 0;
    const skb = SkBuff.alloc(this.env, IP_HDR + TCP_HDR + opt);
    const truesize = skb.truesize;
    this.writeQueue.push({ skb, seq: this.writeSeq, len: 0, syn: (flag & SYN) !== 0, fin: (flag & FIN) !== 0, sent: false, truesize });
    this.wmem += truesize;
    this.writeSeq = add(this.writeSeq, 1);
  }

  /** tcp_write_xmit: send what the peer's window (and Nagle's rule) allows. */
  writeXmit(): void {
    for (const s of this.writeQueue) {
      if (s.sent) continue;
      if (s.len > 0 && seqLt(add(this.sndUna, this.sndWnd), add(s.seq, s.len))) break;
      if (s.len > 0 && s.len < this.mss && !s.fin && !this.nonagle && this.sndNxt !== this.sndUna) break;
      this.transmit(s);
      s.sent = true;
      const end = add(s.seq, s.len + (s.syn ? 1 : 0) + (s.fin ? 1 : 0));
      if (seqLt(this.sndNxt, end)) this.sndNxt = end;
    }
  }

  /** The window to advertise (tcp_select_window): free receive-buffer space; below one MSS, none (silly-window avoidance). */
  private selectWindow(): number {
    const free = this.rcvbuf - this.rmem;
    if (free < Math.min(this.mss, this.rcvbuf >> 1)) return 0;
    return Math.min(free, 65535);
  }

  /** tcp_send_skb: headers (ACK of everything received, the window), checksum, a clone to IP. */
  private transmit(s: TxSeg): void {
    const opt = s.syn ? 4 : 0;
    let flags = 0;
    if (s.syn) flags |= SYN;
    if (s.fin) flags |= FIN;
    if (s.len > 0) flags |= PSH;
    if (this.state !== 'SYN_SENT') flags |= ACK;
    const win = this.selectWindow();
    writeHeader(s.skb, this.sport, this.dport, s.seq, flags & ACK ? this.rcvNxt : 0, flags, win, s.syn ? TCP_MSS : 0);
    s.skb.len = IP_HDR + TCP_HDR + opt + s.len;
    this.env.charge('net.tcp-output', 1, sockTouch(this.kaddr, { write: s.skb.ranges(IP_HDR, TCP_HDR + opt) }));
    checksum(this.stack, s.skb, this.saddr, this.daddr, TCP_HDR + opt + s.len);
    if (flags & ACK) this.ackSent(win);
    this.stack.ipOutput(s.skb.clone(), IPPROTO_TCP, this.saddr, this.daddr, TCP_HDR + opt + s.len);
  }

  private ackSent(win: number): void {
    this.ackBacklog = 0;
    this.delack = this.stack.cancel(this.delack);
    this.rcvAdvEdge = add(this.rcvNxt, win);
  }

  /** tcp_send_ack: a bare ACK (also a window update). */
  sendAck(): void {
    if (this.state === 'CLOSED' || this.state === 'LISTEN' || this.state === 'SYN_SENT') return;
    const skb = SkBuff.alloc(this.env, IP_HDR + TCP_HDR);
    const win = this.selectWindow();
    writeHeader(skb, this.sport, this.dport, this.sndNxt, this.rcvNxt, ACK, win, 0);
    this.env.charge('net.tcp-send-ack', 1, sockTouch(this.kaddr, { write: skb.ranges(IP_HDR, TCP_HDR) }));
    checksum(this.stack, skb, this.saddr, this.daddr, TCP_HDR);
    this.ackSent(win);
    this.stack.ipOutput(skb, IPPROTO_TCP, this.saddr, this.daddr, TCP_HDR);
  }

  private sendRstAndClose(): void {
    const skb = SkBuff.alloc(this.env, IP_HDR + TCP_HDR);
    writeHeader(skb, this.sport, this.dport, this.sndNxt, this.rcvNxt, RST | ACK, 0, 0);
    this.env.charge('net.tcp-send-ack', 1, sockTouch(this.kaddr, { write: skb.ranges(IP_HDR, TCP_HDR) }));
    checksum(this.stack, skb, this.saddr, this.daddr, TCP_HDR);
    this.stack.ipOutput(skb, IPPROTO_TCP, this.saddr, this.daddr, TCP_HDR);
    this.destroy();
  }

  /** An ACK is owed: now (two segments unacknowledged, or `now`), else by the delayed-ACK timer. */
  private scheduleAck(now: boolean): void {
    this.ackBacklog++;
    if (now || this.ackBacklog >= 2) {
      this.sendAck();
      return;
    }
    if (!this.delack) {
      this.delack = this.stack.addTimer(this.env.jiffies + TCP_DELACK_JIFFIES, () => {
        this.delack = null;
        if (this.ackBacklog > 0) this.sendAck();
      });
    }
  }

  recvmsg(len: number, deliver: Deliver, io: SockIo, from: ((addr: Uint8Array) => void) | null): IoResult {
    void from;
    if (this.state === 'LISTEN') throw new KernelError(ENOTCONN);
    if (this.state === 'CLOSED' && this.rcvQueue.length === 0 && !this.err && this.dport === 0) throw new KernelError(ENOTCONN);
    const nonblock = io.nonblock || (io.flags & MSG_DONTWAIT) !== 0;
    const peek = (io.flags & MSG_PEEK) !== 0;
    return function* (this: TcpSock): Blocking {
      for (;;) {
        if (this.rcvQueue.length > 0) break;
        if (this.err) return -this.takeError();
        if (this.finRcvd || this.rcvShut || this.state === 'CLOSED') return 0;
        if (nonblock) return -EAGAIN;
        if (this.env.signalPending()) return -ERESTARTSYS;
        yield this.stack.waitFor(this.wait, () => this.rcvQueue.length > 0 || this.err !== 0 || this.finRcvd || this.state === 'CLOSED');
      }
      return this.copyOut(len, deliver, peek);
    }.call(this);
  }

  /** tcp_recvmsg's copy loop and cleanup_rbuf. */
  private copyOut(len: number, deliver: Deliver, peek: boolean): number {
    let copied = 0;
    const touched: [number, number][] = [];
    const parts: Uint8Array[] = [];
    let i = 0;
    while (copied < len && i < this.rcvQueue.length) {
      const r = this.rcvQueue[i];
      const n = Math.min(len - copied, r.len);
      parts.push(r.skb.read(r.off, n));
      touched.push(...r.skb.ranges(r.off, n));
      copied += n;
      if (peek) {
        i++;
        continue;
      }
      r.off += n;
      r.len -= n;
      if (r.len === 0) {
        this.rcvQueue.shift();
        this.rmem -= r.skb.truesize;
        r.skb.free();
      }
    }
    this.env.charge('net.tcp-recvmsg', 1, sockTouch(this.kaddr, { read: touched }));
    for (const p of parts) deliver(p);
    if (!peek) this.cleanupRbuf();
    return copied;
  }

  /** 2.0 cleanup_rbuf: tell the sender at once when the window grew by an MSS or more. */
  private cleanupRbuf(): void {
    if (this.state === 'CLOSED' || this.state === 'LISTEN' || this.state === 'SYN_SENT') return;
    const edge = add(this.rcvNxt, this.selectWindow());
    if (((edge - this.rcvAdvEdge) | 0) >= this.mss) this.sendAck();
  }

  override shutdown(how: number): void {
    if (how !== SHUT_RD && how !== SHUT_WR && how !== SHUT_RDWR) throw new KernelError(EINVAL);
    if (this.state === 'CLOSED' || this.state === 'LISTEN' || this.state === 'SYN_SENT') throw new KernelError(ENOTCONN);
    if (how !== SHUT_WR) {
      this.rcvShut = true;
      this.env.wakeUp(this.wait);
    }
    if (how !== SHUT_RD) this.sendFin();
  }

  /** tcp_send_fin (from close or shutdown): ESTABLISHED → FIN_WAIT1, CLOSE_WAIT → LAST_ACK. */
  private sendFin(): void {
    if (this.sndShut) return;
    this.sndShut = true;
    if (this.state === 'ESTABLISHED' || this.state === 'SYN_RECV') this.setState('FIN_WAIT1');
    else if (this.state === 'CLOSE_WAIT') this.setState('LAST_ACK');
    else return;
    this.env.charge('net.tcp-close', 1, sockTouch(this.kaddr));
    this.queueControl(FIN);
    this.writeXmit();
  }

  override readableBytes(): number {
    let n = 0;
    for (const r of this.rcvQueue) n += r.len;
    return n;
  }

  poll(): { readable: boolean; writable: boolean } {
    if (this.state === 'LISTEN') return { readable: this.acceptQueue.some((c) => c.state !== 'SYN_RECV'), writable: false };
    const readable = this.rcvQueue.length > 0 || this.finRcvd || this.rcvShut || this.err !== 0 || this.state === 'CLOSED';
    const connecting = this.state === 'SYN_SENT' || this.state === 'SYN_RECV';
    // 2.0 tcp_select: writable when sock_wspace >= mtu + 128 + max_header (room for a full segment and some)
    const writable = !connecting && (this.state !== 'ESTABLISHED' && this.state !== 'CLOSE_WAIT' ? true : this.sndbuf - this.wmem >= LOOPBACK_MTU + 128 + SKB_OVERHEAD);
    return { readable, writable };
  }

  /** close(): the user lets go; the connection closes in the background. */
  release(): void {
    this.orphan = true;
    this.rcvShut = true;
    this.env.charge('net.sock-release', 1, sockTouch(this.kaddr));
    for (const r of this.rcvQueue.splice(0)) r.skb.free();
    this.rmem = 0;
    switch (this.state) {
      case 'LISTEN':
        for (const c of this.acceptQueue.splice(0)) {
          c.orphan = true;
          c.sendRstAndClose();
        }
        this.destroy();
        return;
      case 'CLOSED':
      case 'SYN_SENT':
        this.destroy();
        return;
      case 'SYN_RECV':
      case 'ESTABLISHED':
      case 'CLOSE_WAIT':
        this.sendFin();
        return;
      default:
        return; // already closing
    }
  }

  override protoSetOpt(level: number, opt: number, val: number): void {
    if (level !== SOL_TCP) throw new KernelError(ENOPROTOOPT);
    if (opt === TCP_NODELAY) {
      this.nonagle = val !== 0;
      return;
    }
    if (opt === TCP_MAXSEG) {
      if (val < 1 || val > TCP_MSS) throw new KernelError(EINVAL);
      this.mss = val;
      return;
    }
    throw new KernelError(ENOPROTOOPT);
  }

  override protoGetOpt(level: number, opt: number): number {
    if (level !== SOL_TCP) throw new KernelError(ENOPROTOOPT);
    if (opt === TCP_NODELAY) return this.nonagle ? 1 : 0;
    if (opt === TCP_MAXSEG) return this.mss;
    throw new KernelError(EOPNOTSUPP);
  }

  // ------------------------------------------------------------------ the state machine (tcp_rcv's per-socket part)

  segment(g: Segment): void {
    const skb = g.pkt.skb;
    let keep = false;
    try {
      keep = this.process(g);
    } finally {
      if (!keep) skb.free();
    }
  }

  /** Processes one segment; true when its buffer went to the receive queue. */
  private process(g: Segment): boolean {
    switch (this.state) {
      case 'LISTEN':
        this.onListen(g);
        return false;
      case 'SYN_SENT':
        this.onSynSent(g);
        return false;
      case 'CLOSED':
        this.proto.sendReset(g);
        return false;
    }
    // synchronized states: sequence check (the loopback delivers in order: anything else is old)
    const segEnd = add(g.seq, g.dataLen + (g.flags & FIN ? 1 : 0));
    if (g.flags & RST) {
      if (g.seq !== this.rcvNxt) return false;
      this.onReset();
      return false;
    }
    if (g.flags & SYN) {
      if (this.state === 'SYN_RECV' && g.seq === add(this.rcvNxt, -1)) return false; // the peer's SYN again
      this.err = ECONNRESET;
      this.sendRstAndClose();
      return false;
    }
    if (g.seq !== this.rcvNxt && (g.dataLen > 0 || g.flags & FIN)) {
      // a duplicate (a retransmitted FIN in TIME_WAIT, …): re-acknowledge
      if (seqLe(segEnd, this.rcvNxt)) this.sendAck();
      return false;
    }
    if (!(g.flags & ACK)) return false;
    if (!this.onAck(g)) return false;
    let keep = false;
    if (g.dataLen > 0 && (this.state === 'ESTABLISHED' || this.state === 'FIN_WAIT1' || this.state === 'FIN_WAIT2')) {
      if (this.rcvShut) {
        // 2.0 tcp_data: data for a socket whose receiving side is shut (closed or
        // shutdown(SHUT_RD)) is answered with a reset
        this.sendRstAndClose();
        return false;
      }
      this.rcvQueue.push({ skb: g.pkt.skb, off: g.dataOff, len: g.dataLen });
      this.rmem += g.pkt.skb.truesize;
      keep = true;
      this.rcvNxt = add(this.rcvNxt, g.dataLen);
      this.env.wakeUp(this.wait);
      if (!(g.flags & FIN)) this.scheduleAck(false);
    }
    if (g.flags & FIN) this.onFin();
    this.writeXmit();
    return keep;
  }

  private onListen(g: Segment): void {
    if (g.flags & RST) return;
    if (g.flags & ACK) {
      this.proto.sendReset(g);
      return;
    }
    if (!(g.flags & SYN)) return;
    // tcp_conn_request: a full backlog drops the SYN (the client retransmits it)
    if (this.acceptQueue.length >= this.backlog) {
      this.env.count('tcpListenDrops');
      return;
    }
    this.env.charge('net.tcp-conn-request', 1, sockTouch(this.kaddr));
    const c = new TcpSock(this.proto);
    c.saddr = g.pkt.daddr;
    c.sport = this.sport;
    c.daddr = g.pkt.saddr;
    c.dport = g.sport;
    c.sndbuf = this.sndbuf;
    c.rcvbuf = this.rcvbuf;
    c.nonagle = this.nonagle;
    c.reuse = this.reuse;
    c.mss = Math.min(this.mss, g.mss);
    c.parent = this;
    c.rcvNxt = add(g.seq, 1);
    c.iss = this.proto.isn();
    c.sndUna = c.iss;
    c.sndNxt = c.iss;
    c.writeSeq = c.iss;
    c.sndWnd = g.win;
    c.hash();
    this.proto.established.set(c.key(), c);
    c.state = 'SYN_RECV';
    this.acceptQueue.push(c);
    c.queueControl(SYN);
    c.writeXmit();
  }

  private onSynSent(g: Segment): void {
    if (g.flags & ACK && g.ack !== add(this.iss, 1)) {
      if (!(g.flags & RST)) this.proto.sendReset(g);
      return;
    }
    if (g.flags & RST) {
      if (g.flags & ACK) {
        // connection refused
        this.err = ECONNREFUSED;
        this.destroy();
      }
      return;
    }
    if (!(g.flags & SYN)) return;
    this.rcvNxt = add(g.seq, 1);
    this.mss = Math.min(this.mss, g.mss);
    this.synTimer = this.stack.cancel(this.synTimer);
    if (g.flags & ACK) {
      this.ackUpTo(g.ack);
      this.sndWnd = g.win;
      this.setState('ESTABLISHED');
      this.sendAck();
      this.writeXmit();
    } else {
      // simultaneous open: our SYN crossed theirs
      this.sndWnd = g.win;
      this.setState('SYN_RECV');
      const s = this.writeQueue[0];
      if (s && s.syn) this.transmit(s);
    }
  }

  /** Frees the segments `ack` covers; wakes writers waiting for send-buffer room. */
  private ackUpTo(ack: number): void {
    this.sndUna = ack;
    while (this.writeQueue.length > 0) {
      const s = this.writeQueue[0];
      const end = add(s.seq, s.len + (s.syn ? 1 : 0) + (s.fin ? 1 : 0));
      if (!s.sent || seqLt(ack, end)) break;
      this.writeQueue.shift();
      this.wmem -= s.truesize;
      s.skb.free();
    }
    this.env.wakeUp(this.wait);
  }

  /** tcp_ack; false when the segment must be dropped. */
  private onAck(g: Segment): boolean {
    if (seqLt(this.sndNxt, g.ack)) {
      // acknowledges something never sent
      this.sendAck();
      return false;
    }
    if (this.state === 'SYN_RECV') {
      if (g.ack !== this.sndNxt) {
        this.proto.sendReset(g);
        return false;
      }
      this.setState('ESTABLISHED');
      const p = this.parent;
      if (p) this.env.wakeUp(p.wait);
    }
    if (seqLt(this.sndUna, g.ack)) {
      this.env.charge('net.tcp-ack', 1, sockTouch(this.kaddr));
      this.ackUpTo(g.ack);
    }
    if (seqLe(this.sndUna, g.ack)) this.sndWnd = g.win;
    const finAcked = this.sndShut && this.writeQueue.length === 0 && this.sndUna === this.writeSeq;
    if (finAcked) {
      if (this.state === 'FIN_WAIT1') this.setState('FIN_WAIT2');
      else if (this.state === 'CLOSING') this.enterTimeWait();
      else if (this.state === 'LAST_ACK') {
        this.destroy();
        return false;
      }
    }
    return true;
  }

  private onFin(): void {
    if (this.finRcvd) return;
    this.finRcvd = true;
    this.rcvNxt = add(this.rcvNxt, 1);
    this.env.wakeUp(this.wait);
    this.ackBacklog++;
    this.sendAck();
    switch (this.state) {
      case 'SYN_RECV':
      case 'ESTABLISHED':
        this.setState('CLOSE_WAIT');
        if (this.parent) this.env.wakeUp(this.parent.wait);
        return;
      case 'FIN_WAIT1':
        this.setState('CLOSING');
        return;
      case 'FIN_WAIT2':
        this.enterTimeWait();
        return;
      default:
        return;
    }
  }

  private enterTimeWait(): void {
    this.setState('TIME_WAIT');
    this.twTimer = this.stack.cancel(this.twTimer);
    this.twTimer = this.stack.addTimer(this.env.jiffies + TCP_TIMEWAIT_JIFFIES, () => {
      this.twTimer = null;
      this.destroy();
    });
  }

  private onReset(): void {
    const p = this.parent;
    if (p) {
      const i = p.acceptQueue.indexOf(this);
      if (i >= 0) p.acceptQueue.splice(i, 1);
      this.orphan = true;
    }
    this.err = this.state === 'CLOSE_WAIT' ? EPIPE : ECONNRESET;
    if (this.state === 'TIME_WAIT' || this.state === 'LAST_ACK' || this.state === 'CLOSING') this.err = 0;
    this.destroy();
  }
}
