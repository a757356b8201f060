// The INET stack's spine (Linux 2.0 net/ipv4/ip.c, net/core/dev.c,
// drivers/net/loopback.c): the loopback interface lo (127.0.0.1, MTU 3924), IPv4
// output with fragmentation and input with reassembly, the device backlog and the
// network bottom half that drains it, the protocol port tables, and the stack's timers.
//
// Sending never delivers synchronously: ip_output puts the packet on the loopback
// device, whose transmit routine (netif_rx) appends it to the backlog and marks the
// bottom half; the bottom half (net_bh) runs when the kernel is on its way out (the
// socket calls run it before they return or sleep, as 2.0 runs do_bottom_half from
// ret_from_sys_call and at the top of schedule()) and hands each packet to ip_rcv.
//
// Timers (delayed ACK, SYN retransmission, TIME_WAIT) are kept here in jiffies. They
// run whenever the stack is entered (every socket call, poll, and the wake-up of a task
// sleeping in a socket call); a task that sleeps in a socket call also sleeps on the
// kernel's timer for the earliest of them, so a timer fires on its tick even when no
// one else enters the stack. (2.0 runs them from the timer bottom half.)

import { KernelError } from '../errno';
import type { SleepOn } from '../task';
import type { WaitQueue } from '../wait-queue';
import { ENETUNREACH, INADDR_LOOPBACK, IPPROTO_TCP, IPPROTO_UDP, PROT_SOCK } from './constants';
import { SkBuff, SkbEnv, csumFold } from './skbuff';

/** What the stack needs of the kernel. */
export interface NetEnv extends SkbEnv {
  readonly jiffies: number;
  wakeUp(q: WaitQueue): void;
  signalPending(): boolean;
  /** raise SIGPIPE on the current task */
  sigpipe(): void;
  /** a queue the kernel wakes at jiffy `at` (shared by every task sleeping until then) */
  timerQueue(at: number): WaitQueue;
  count(name: string, n?: number): void;
}

/**
 * The loopback MTU of Linux 2.0: 3924 bytes, as `ifconfig lo` printed on 2.0 systems
 * ("UP LOOPBACK RUNNING MTU:3924"; 2.2 raised it to 16 KiB). Source: recalled 2.0
 * drivers/net/loopback.c and ifconfig listings; the file itself is not in our
 * references. 3924 + 172 bytes of sk_buff overhead = one 4 KiB block (skbuff.ts).
 */
export const LOOPBACK_MTU = 3924;
export const IP_HDR = 20;
/** IP_DEFAULT_TTL (approx.: 2.0's ip_statistics.IpDefaultTTL) */
export const IP_TTL = 64;
/** 2.0 ip_fragment: a fragment queue is dropped after IP_FRAG_TIME = 30 s */
const IP_FRAG_TIME_JIFFIES = 30 * 100;

/** A parsed IPv4 packet as handed to a protocol (header at offset 0 of skb). */
export interface IpPacket {
  skb: SkBuff;
  saddr: number;
  daddr: number;
  proto: number;
  /** offset and length of the protocol's part (header + data) */
  off: number;
  len: number;
}

export interface Protocol {
  rcv(pkt: IpPacket): void;
}

export class NetTimer {
  active = true;
  constructor(
    public at: number,
    readonly fn: () => void,
    readonly seq: number,
  ) {}
}

function timerBefore(a: NetTimer, b: NetTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

interface FragQueue {
  parts: { off: number; bytes: Uint8Array }[];
  total: number; // -1 until the last fragment arrives
  timer: NetTimer;
}

export class NetStack {
  /** the loopback device's receive backlog (netif_rx queue) */
  readonly backlog: SkBuff[] = [];
  private readonly protocols = new Map<number, Protocol>();
  private readonly timers: NetTimer[] = [];
  private timerSeq = 0;
  private ipId = 0;
  private inBh = false;
  private readonly frags = new Map<string, FragQueue>();
  private readonly timerQueues = new Map<number, WaitQueue>();
  /** observers of every packet the loopback device carries (tests, tracing) */
  readonly taps: ((bytes: Uint8Array) => void)[] = [];
  /** next ephemeral port to try per protocol */
  private readonly nextPort = new Map<number, number>();
  readonly stats = { packets: 0, bytes: 0, dropped: 0 };

  constructor(readonly env: NetEnv) {}

  register(proto: number, p: Protocol): void {
    this.protocols.set(proto, p);
  }

  // ------------------------------------------------------------------ timers

  addTimer(at: number, fn: () => void): NetTimer {
    const t = new NetTimer(at, fn, this.timerSeq++);
    // a binary min-heap by (jiffy, creation order); cancelled timers are dropped when they surface
    const h = this.timers;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!timerBefore(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
    return t;
  }

  cancel(t: NetTimer | null): null {
    if (t) t.active = false;
    return null;
  }

  private popTimer(): NetTimer | undefined {
    const h = this.timers;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && timerBefore(h[l], h[m])) m = l;
        if (r < h.length && timerBefore(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }

  /** The earliest pending timer's jiffy, or -1. */
  nextTimer(): number {
    while (this.timers.length > 0 && !this.timers[0].active) this.popTimer();
    return this.timers.length > 0 ? this.timers[0].at : -1;
  }

  runTimers(): void {
    for (;;) {
      const at = this.nextTimer();
      if (at < 0 || at > this.env.jiffies) return;
      const t = this.popTimer()!;
      t.active = false;
      this.env.charge('net.timer', 1);
      t.fn();
    }
  }

  /** The wait queues a socket call sleeps on: its socket's, and the earliest net timer's. */
  sleepOn(q: WaitQueue): WaitQueue[] {
    const at = this.nextTimer();
    if (at < 0) return [q];
    const when = Math.max(at, this.env.jiffies + 1);
    // one kernel timer per jiffy, shared by every task sleeping in the stack
    for (const j of [...this.timerQueues.keys()]) if (j <= this.env.jiffies) this.timerQueues.delete(j);
    let tq = this.timerQueues.get(when);
    if (!tq) {
      tq = this.env.timerQueue(when);
      this.timerQueues.set(when, tq);
    }
    return [q, tq];
  }

  /**
   * A socket call that must wait (2.0: interruptible_sleep_on, then schedule(), which
   * runs the bottom half before it picks the next task). When the bottom half already
   * satisfies `ready` the task is awake again at once, but schedule() still chooses by
   * goodness: null (a reschedule). Otherwise the task sleeps on `q` (and the next timer).
   */
  waitFor(q: WaitQueue, ready: () => boolean): SleepOn {
    this.flush();
    return ready() ? null : this.sleepOn(q);
  }

  /** On the way out of a socket call (or before it sleeps, or after it wakes): timers, then the bottom half. */
  flush(): void {
    this.runTimers();
    this.bh();
  }

  // ------------------------------------------------------------------ ports

  /**
   * An unused local port above PROT_SOCK, `used` tells which are taken. 2.0's
   * get_new_socknum picks the least used hash chain above 1024; here the next free port
   * in order, wrapping at 65535 (a connection in TIME_WAIT keeps its port for 60 s, and
   * lat_connect makes thousands a second).
   */
  ephemeralPort(proto: number, used: (port: number) => boolean): number {
    let p = this.nextPort.get(proto) ?? PROT_SOCK + 1;
    for (let i = 0; i < 65536 - PROT_SOCK; i++) {
      if (p >= 65536) p = PROT_SOCK + 1;
      const cand = p++;
      if (!used(cand)) {
        this.nextPort.set(proto, p);
        return cand;
      }
    }
    throw new KernelError(11 /* EAGAIN */, 'no free port');
  }

  // ------------------------------------------------------------------ IP output

  /** Addresses that reach this host: 127.0.0.0/8 (the loopback net) and 0.0.0.0 (as 2.0 treats a connect to INADDR_ANY). */
  static isLocal(addr: number): boolean {
    return addr >>> 24 === 127 || addr === 0;
  }

  /** The source address for a destination (ip_rt_route: everything local goes out on lo). */
  sourceFor(daddr: number): number {
    if (!NetStack.isLocal(daddr)) throw new KernelError(ENETUNREACH);
    return INADDR_LOOPBACK;
  }

  /**
   * ip_queue_xmit / ip_build_xmit: `skb` holds the packet with IP_HDR bytes of room at
   * its start and `len` bytes of transport header and data after them. Fills the IP
   * header, and queues the packet on the loopback device. Packets bigger than the MTU
   * are split into fragments (only UDP sends them; TCP segments fit the MSS).
   */
  ipOutput(skb: SkBuff, proto: number, saddr: number, daddr: number, len: number): void {
    if (!NetStack.isLocal(daddr)) {
      skb.free();
      throw new KernelError(ENETUNREACH);
    }
    const id = this.ipId;
    this.ipId = (this.ipId + 1) & 0xffff;
    if (IP_HDR + len <= LOOPBACK_MTU) {
      skb.len = IP_HDR + len;
      this.ipHeader(skb, proto, saddr, daddr, IP_HDR + len, id, 0);
      this.env.charge('net.ip-output', 1, { write: skb.ranges(0, IP_HDR) });
      this.devXmit(skb);
      return;
    }
    // ip_fragment: pieces of a multiple of 8 bytes, each with its own header
    const payload = skb.read(IP_HDR, len);
    skb.free();
    const step = (LOOPBACK_MTU - IP_HDR) & ~7;
    for (let off = 0; off < len; off += step) {
      const n = Math.min(step, len - off);
      const f = SkBuff.alloc(this.env, IP_HDR + n);
      f.write(IP_HDR, payload.subarray(off, off + n));
      this.env.charge('net.copy', n, { write: f.ranges(IP_HDR, n) });
      const more = off + n < len ? 0x2000 : 0;
      this.ipHeader(f, proto, saddr, daddr, IP_HDR + n, id, more | (off >>> 3));
      this.env.charge('net.ip-output', 1, { write: f.ranges(0, IP_HDR) });
      this.devXmit(f);
    }
  }

  private ipHeader(skb: SkBuff, proto: number, saddr: number, daddr: number, total: number, id: number, frag: number): void {
    const h = new Uint8Array(IP_HDR);
    const dv = new DataView(h.buffer);
    h[0] = 0x45; // version 4, 5 words of header
    h[1] = 0; // TOS
    dv.setUint16(2, total);
    dv.setUint16(4, id);
    dv.setUint16(6, frag);
    h[8] = IP_TTL;
    h[9] = proto;
    dv.setUint32(12, saddr);
    dv.setUint32(16, daddr);
    let s = 0;
    for (let i = 0; i < IP_HDR; i += 2) s += (h[i] << 8) | h[i + 1];
    dv.setUint16(10, csumFold(s));
    skb.write(0, h);
  }

  /** dev_queue_xmit + loopback_xmit: netif_rx appends to the backlog and marks NET_BH. */
  private devXmit(skb: SkBuff): void {
    this.env.charge('net.dev-xmit', 1);
    this.stats.packets++;
    this.stats.bytes += skb.len;
    this.env.count('netPackets');
    if (this.taps.length > 0) {
      const bytes = skb.read(0, skb.len);
      for (const t of this.taps) t(bytes);
    }
    this.backlog.push(skb);
  }

  // ------------------------------------------------------------------ bottom half and IP input

  /** net_bh: drains the backlog through ip_rcv (packets queued meanwhile are drained too). */
  bh(): void {
    if (this.inBh) return;
    this.inBh = true;
    try {
      while (this.backlog.length > 0) {
        const skb = this.backlog.shift()!;
        this.env.charge('net.bh', 1);
        this.ipRcv(skb);
      }
    } finally {
      this.inBh = false;
    }
  }

  /** ip_rcv: header checks (version, length, header checksum), reassembly, protocol demux. */
  private ipRcv(skb: SkBuff): void {
    this.env.charge('net.ip-rcv', 1, { read: skb.ranges(0, IP_HDR) });
    const ver = skb.u8(0);
    const total = skb.u16(2);
    if (ver !== 0x45 || total > skb.len || total < IP_HDR || csumFold(skb.sum(0, IP_HDR)) !== 0) {
      this.drop(skb);
      return;
    }
    const frag = skb.u16(6);
    const proto = skb.u8(9);
    const saddr = skb.u32(12);
    const daddr = skb.u32(16);
    let pkt: IpPacket | null = { skb, saddr, daddr, proto, off: IP_HDR, len: total - IP_HDR };
    if (frag & 0x3fff) {
      pkt = this.defrag(pkt, skb.u16(4), frag);
      if (!pkt) return;
    }
    const p = this.protocols.get(proto);
    if (!p) {
      this.drop(pkt.skb);
      return;
    }
    p.rcv(pkt);
  }

  drop(skb: SkBuff): void {
    this.stats.dropped++;
    this.env.count('netDropped');
    skb.free();
  }

  /** ip_defrag: collects the fragments of a datagram; the last one completing it yields the whole. */
  private defrag(pkt: IpPacket, id: number, frag: number): IpPacket | null {
    const key = `${pkt.saddr}:${pkt.daddr}:${pkt.proto}:${id}`;
    let q = this.frags.get(key);
    if (!q) {
      const timer = this.addTimer(this.env.jiffies + IP_FRAG_TIME_JIFFIES, () => this.frags.delete(key));
      q = { parts: [], total: -1, timer };
      this.frags.set(key, q);
    }
    const off = (frag & 0x1fff) * 8;
    q.parts.push({ off, bytes: pkt.skb.read(pkt.off, pkt.len) });
    this.env.charge('net.copy', pkt.len, { read: pkt.skb.ranges(pkt.off, pkt.len) });
    if (!(frag & 0x2000)) q.total = off + pkt.len;
    pkt.skb.free();
    if (q.total < 0) return null;
    let have = 0;
    for (const p of q.parts) have += p.bytes.length;
    if (have < q.total) return null;
    this.frags.delete(key);
    this.cancel(q.timer);
    const whole = SkBuff.alloc(this.env, IP_HDR + q.total);
    for (const p of q.parts) whole.write(IP_HDR + p.off, p.bytes);
    this.env.charge('net.copy', q.total, { write: whole.ranges(IP_HDR, q.total) });
    return { skb: whole, saddr: pkt.saddr, daddr: pkt.daddr, proto: pkt.proto, off: IP_HDR, len: q.total };
  }

  /** The TCP/UDP pseudo-header sum (saddr, daddr, protocol, length). */
  static pseudoSum(saddr: number, daddr: number, proto: number, len: number): number {
    return (saddr >>> 16) + (saddr & 0xffff) + (daddr >>> 16) + (daddr & 0xffff) + proto + len;
  }
}

export { IPPROTO_TCP, IPPROTO_UDP };
