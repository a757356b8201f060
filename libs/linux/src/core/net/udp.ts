// UDP over the loopback stack (Linux 2.0 net/ipv4/udp.c): datagrams with a real
// header and checksum (pseudo-header included), fragmented by IP when they exceed the
// MTU, demultiplexed by destination port, queued on the receiver up to its receive
// buffer (beyond it they are dropped, as 2.0's sock_queue_rcv_skb drops them).
// Not modelled: ICMP port-unreachable (a datagram to a port nobody holds is dropped
// silently; 2.0 would answer with ICMP and report ECONNREFUSED to a connected sender).

import { EAGAIN, EINVAL, ERESTARTSYS, KernelError } from '../errno';
import type { IoResult } from '../fs/file';
import type { Blocking } from '../task';
import { EDESTADDRREQ, EMSGSIZE, INADDR_ANY, IPPROTO_UDP, MSG_DONTWAIT, MSG_PEEK, SOCK_DGRAM } from './constants';
import { InetSock, inetAddr, parseInetAddr } from './inet';
import { Deliver, Fetch, SockIo, sockAlloc, sockFree, sockTouch } from './socket';
import { SkBuff, csumFold } from './skbuff';
import { IP_HDR, IpPacket, NetStack, Protocol } from './stack';

export const UDP_HDR = 8;
/** the largest datagram: 65535 - IP header - UDP header */
export const UDP_MAX = 65535 - IP_HDR - UDP_HDR;

interface Datagram {
  skb: SkBuff;
  off: number;
  len: number;
  saddr: number;
  sport: number;
}

export class UdpProto implements Protocol {
  readonly ports = new Map<number, UdpSock[]>();
  constructor(readonly stack: NetStack) {
    stack.register(IPPROTO_UDP, this);
  }

  socket(): UdpSock {
    return new UdpSock(this);
  }

  /** udp_rcv: checksum, find the socket by port, queue or drop. */
  rcv(pkt: IpPacket): void {
    const { skb, off, len } = pkt;
    const env = this.stack.env;
    const ulen = skb.u16(off + 4);
    if (ulen < UDP_HDR || ulen > len) return this.stack.drop(skb);
    if (skb.u16(off + 6) !== 0) {
      env.charge('net.csum', ulen, { read: skb.ranges(off, ulen) });
      const s = skb.sum(off, ulen, NetStack.pseudoSum(pkt.saddr, pkt.daddr, IPPROTO_UDP, ulen));
      if (csumFold(s) !== 0) return this.stack.drop(skb);
    }
    const dport = skb.u16(off + 2);
    const sk = (this.ports.get(dport) ?? []).find((s) => s.saddr === INADDR_ANY || s.saddr === pkt.daddr);
    env.charge('net.udp-rcv', 1, sockTouch(sk?.kaddr ?? 0, { read: skb.ranges(off, UDP_HDR) }));
    if (!sk) return this.stack.drop(skb);
    const d: Datagram = { skb, off: off + UDP_HDR, len: ulen - UDP_HDR, saddr: pkt.saddr, sport: skb.u16(off) };
    if (sk.rmem + skb.truesize > sk.rcvbuf) return this.stack.drop(skb);
    sk.rmem += skb.truesize;
    sk.queue.push(d);
    env.wakeUp(sk.wait);
  }
}

export class UdpSock extends InetSock {
  readonly queue: Datagram[] = [];
  rmem = 0;
  private closed = false;

  constructor(readonly proto: UdpProto) {
    super(proto.stack, SOCK_DGRAM, 'udp');
    this.kaddr = sockAlloc(proto.stack.env);
  }

  protected portUsers(port: number): InetSock[] {
    return this.proto.ports.get(port) ?? [];
  }
  protected hash(): void {
    const l = this.proto.ports.get(this.sport) ?? [];
    l.push(this);
    this.proto.ports.set(this.sport, l);
  }
  protected listening(): boolean {
    return false;
  }

  connect(addr: Uint8Array): number {
    const a = parseInetAddr(addr);
    this.autobind();
    this.daddr = a.addr === INADDR_ANY ? this.stack.sourceFor(0) : a.addr;
    this.dport = a.port;
    this.stack.sourceFor(this.daddr);
    return 0;
  }

  sendmsg(len: number, fetch: Fetch, io: SockIo, to: Uint8Array | null): IoResult {
    void io;
    let daddr: number;
    let dport: number;
    if (to !== null) {
      const a = parseInetAddr(to);
      daddr = a.addr === INADDR_ANY ? this.stack.sourceFor(0) : a.addr;
      dport = a.port;
    } else if (this.dport !== 0) {
      daddr = this.daddr;
      dport = this.dport;
    } else throw new KernelError(EDESTADDRREQ);
    if (len > UDP_MAX) throw new KernelError(EMSGSIZE);
    if (dport === 0) throw new KernelError(EINVAL);
    this.autobind();
    const env = this.stack.env;
    const saddr = this.saddr !== INADDR_ANY ? this.saddr : this.stack.sourceFor(daddr);
    const data = fetch(len);
    const skb = SkBuff.alloc(env, IP_HDR + UDP_HDR + len);
    const h = new Uint8Array(UDP_HDR);
    h[0] = this.sport >>> 8;
    h[1] = this.sport & 0xff;
    h[2] = dport >>> 8;
    h[3] = dport & 0xff;
    h[4] = (UDP_HDR + len) >>> 8;
    h[5] = (UDP_HDR + len) & 0xff;
    skb.write(IP_HDR, h);
    skb.write(IP_HDR + UDP_HDR, data);
    // udp_getfrag: the copy from the user checksums as it goes (csum_partial_copy_fromuser)
    env.charge('net.udp-sendmsg', 1, sockTouch(this.kaddr, { write: skb.ranges(IP_HDR, UDP_HDR + len) }));
    env.charge('net.csum', UDP_HDR + len, { read: skb.ranges(IP_HDR, UDP_HDR + len) });
    let c = csumFold(skb.sum(IP_HDR, UDP_HDR + len, NetStack.pseudoSum(saddr, daddr, IPPROTO_UDP, UDP_HDR + len)));
    if (c === 0) c = 0xffff; // RFC 768: a computed 0 is sent as all ones
    skb.setU16(IP_HDR + 6, c);
    this.stack.ipOutput(skb, IPPROTO_UDP, saddr, daddr, UDP_HDR + len);
    return len;
  }

  recvmsg(len: number, deliver: Deliver, io: SockIo, from: ((addr: Uint8Array) => void) | null): IoResult {
    const nonblock = io.nonblock || (io.flags & MSG_DONTWAIT) !== 0;
    const peek = (io.flags & MSG_PEEK) !== 0;
    return function* (this: UdpSock): Blocking {
      for (;;) {
        if (this.queue.length > 0) break;
        if (this.closed) return 0;
        if (nonblock) return -EAGAIN;
        if (this.stack.env.signalPending()) return -ERESTARTSYS;
        yield this.stack.waitFor(this.wait, () => this.queue.length > 0);
      }
      const d = this.queue[0];
      const n = Math.min(len, d.len);
      this.stack.env.charge('net.udp-recvmsg', 1, sockTouch(this.kaddr, { read: d.skb.ranges(d.off, n) }));
      deliver(d.skb.read(d.off, n));
      if (from) from(inetAddr(d.saddr, d.sport));
      if (!peek) {
        this.queue.shift();
        this.rmem -= d.skb.truesize;
        d.skb.free();
      }
      return n;
    }.call(this);
  }

  override readableBytes(): number {
    return this.queue.length > 0 ? this.queue[0].len : 0;
  }

  poll(): { readable: boolean; writable: boolean } {
    return { readable: this.queue.length > 0, writable: true };
  }

  release(): void {
    this.closed = true;
    if (this.sport !== 0) {
      const l = (this.proto.ports.get(this.sport) ?? []).filter((s) => s !== this);
      if (l.length > 0) this.proto.ports.set(this.sport, l);
      else this.proto.ports.delete(this.sport);
    }
    for (const d of this.queue.splice(0)) d.skb.free();
    this.rmem = 0;
    this.stack.env.charge('net.sock-release', 1, sockTouch(this.kaddr));
    if (this.kaddr !== 0) {
      sockFree(this.stack.env, this.kaddr);
      this.kaddr = 0;
    }
  }
}
