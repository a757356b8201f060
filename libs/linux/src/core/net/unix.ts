// AF_UNIX sockets (Linux 2.0 net/unix/af_unix.c): stream and datagram, unnamed
// (socketpair, or not bound) or bound to a path in the file system, where bind leaves
// an S_IFSOCK inode that connect and sendto find again.
//
// As in 2.0 the data travels in socket buffers appended straight to the peer's
// receive queue (AF_UNIX has no bottom half): the buffers count against the SENDER's
// send buffer (sock_alloc_send_skb) until the reader consumes them, so a writer sleeps
// when sndbuf bytes are in flight and a read wakes it. A stream connect queues a request
// on the listener and sleeps until accept answers it (2.0's unix_connect/unix_accept).

import { EAGAIN, EINVAL, EPIPE, ERESTARTSYS, KernelError } from '../errno';
import type { IoResult } from '../fs/file';
import type { Blocking } from '../task';
import {
  AF_UNIX,
  ECONNREFUSED,
  EDESTADDRREQ,
  EINPROGRESS,
  EISCONN,
  EMSGSIZE,
  ENOTCONN,
  EOPNOTSUPP,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SOCK_DGRAM,
  SOCK_STREAM,
  EADDRINUSE,
  MSG_DONTWAIT,
  MSG_PEEK,
} from './constants';
import { BlockingSock, Deliver, Fetch, Sock, SockIo, sockAlloc, sockFree, sockTouch } from './socket';
import { SKB_OVERHEAD, SkBuff, SkbEnv } from './skbuff';
import type { WaitQueue } from '../wait-queue';

/** The file-system side of AF_UNIX names (the kernel provides it: namei, mknod, iput). */
export interface UnixNames {
  /** Creates the socket inode at `path` (EADDRINUSE when the name exists); returns its key and a release for its reference. */
  bind(path: string): { key: number; release: () => void };
  /** The key of the socket inode at `path`; ENOENT etc. from the lookup, ECONNREFUSED when it is not a socket. */
  find(path: string): number;
}

export interface UnixEnv extends SkbEnv {
  wakeUp(q: WaitQueue): void;
  signalPending(): boolean;
  sigpipe(): void;
  readonly names: UnixNames;
}

/** 2.0 include/net/sock.h MIN_WRITE_SPACE: select calls a socket writable with this much send-buffer room */
export const MIN_WRITE_SPACE = 2048;

/** sun_path is 108 bytes (include/linux/un.h UNIX_PATH_MAX). */
export const UNIX_PATH_MAX = 108;

const enum UState {
  Unconnected,
  Listening,
  Connecting,
  Connected,
  Closed,
}

interface UnixSkb {
  skb: SkBuff;
  /** bytes of the buffer already read (stream) */
  off: number;
  /** the socket that sent it (its send buffer pays for it) */
  owner: UnixSock;
  /** datagrams: the sender's name */
  from: string | null;
}

/** The bound sockets, by inode (2.0's unix_socket_list searched by inode). */
export class UnixDomain {
  readonly bound = new Map<number, UnixSock>();
  constructor(readonly env: UnixEnv) {}

  socket(type: number): UnixSock {
    if (type !== SOCK_STREAM && type !== SOCK_DGRAM) throw new KernelError(94 /* ESOCKTNOSUPPORT */);
    return new UnixSock(this, type);
  }

  /** socketpair(AF_UNIX): two connected unnamed sockets. */
  pair(type: number): [UnixSock, UnixSock] {
    const a = this.socket(type);
    const b = this.socket(type);
    a.peer = b;
    b.peer = a;
    a.state = UState.Connected;
    b.state = UState.Connected;
    return [a, b];
  }
}

/** Parses a sockaddr_un: family (AF_UNIX) then a path, NUL-terminated or ending with the address. */
export function parseUnixAddr(addr: Uint8Array): string {
  if (addr.length < 2 || (addr[0] | (addr[1] << 8)) !== AF_UNIX) throw new KernelError(EINVAL);
  let end = 2;
  const max = Math.min(addr.length, 2 + UNIX_PATH_MAX);
  while (end < max && addr[end] !== 0) end++;
  if (end === 2) throw new KernelError(EINVAL);
  return String.fromCharCode(...addr.subarray(2, end));
}

export function unixAddr(name: string | null): Uint8Array {
  const n = name ?? '';
  const b = new Uint8Array(2 + n.length + (name ? 1 : 0));
  b[0] = AF_UNIX;
  for (let i = 0; i < n.length; i++) b[2 + i] = n.charCodeAt(i);
  return b;
}

export class UnixSock extends Sock {
  state = UState.Unconnected;
  peer: UnixSock | null = null;
  /** the path bound to (null: unnamed) */
  name: string | null = null;
  private key = -1;
  private releaseName: (() => void) | null = null;
  readonly queue: UnixSkb[] = [];
  /** bytes of this socket's buffers in flight (sk->wmem_alloc) */
  wmem = 0;
  /** no more data will arrive (peer closed or shut down its writing side) */
  rcvShut = false;
  sndShut = false;
  /** listener: connecting sockets waiting for accept */
  readonly pending: UnixSock[] = [];
  private backlog = 0;
  /** a datagram socket connected to a name: the socket's key */
  private dgramPeerKey = -1;

  constructor(
    readonly domain: UnixDomain,
    type: number,
  ) {
    super(AF_UNIX, type, 'unix');
    this.kaddr = sockAlloc(domain.env);
  }

  private get env(): UnixEnv {
    return this.domain.env;
  }

  bind(addr: Uint8Array): void {
    const path = parseUnixAddr(addr);
    if (this.name !== null) throw new KernelError(EINVAL);
    const b = this.env.names.bind(path);
    this.key = b.key;
    this.releaseName = b.release;
    this.name = path;
    this.domain.bound.set(b.key, this);
  }

  private findOther(path: string): UnixSock {
    const key = this.env.names.find(path);
    const other = this.domain.bound.get(key);
    if (!other || other.type !== this.type) throw new KernelError(ECONNREFUSED);
    return other;
  }

  connect(addr: Uint8Array, nonblock: boolean): number | Blocking {
    if (this.type === SOCK_DGRAM) {
      // a datagram socket just remembers its default destination
      const other = this.findOther(parseUnixAddr(addr));
      this.dgramPeerKey = other.key;
      this.state = UState.Connected;
      return 0;
    }
    if (this.state === UState.Connected) throw new KernelError(EISCONN);
    if (this.state === UState.Connecting) return this.waitConnected(nonblock);
    if (this.state !== UState.Unconnected) throw new KernelError(EINVAL);
    const other = this.findOther(parseUnixAddr(addr));
    if (other.state !== UState.Listening) throw new KernelError(ECONNREFUSED);
    other.pending.push(this);
    this.state = UState.Connecting;
    this.env.charge('net.unix-connect', 1, sockTouch(this.kaddr, sockTouch(other.kaddr)));
    this.env.wakeUp(other.wait);
    return this.waitConnected(nonblock);
  }

  private waitConnected(nonblock: boolean): number | Blocking {
    if (nonblock) return this.state === UState.Connected ? 0 : -EINPROGRESS;
    return function* (this: UnixSock): Blocking {
      while (this.state === UState.Connecting) {
        if (this.env.signalPending()) return -ERESTARTSYS;
        yield this.wait;
      }
      if (this.state === UState.Connected) return 0;
      const e = this.takeError();
      return -(e || ECONNREFUSED);
    }.call(this);
  }

  override listen(backlog: number): void {
    if (this.type !== SOCK_STREAM) throw new KernelError(EOPNOTSUPP);
    if (this.name === null || (this.state !== UState.Unconnected && this.state !== UState.Listening)) throw new KernelError(EINVAL);
    this.state = UState.Listening;
    this.backlog = backlog;
    this.env.wakeUp(this.wait);
  }

  override accept(nonblock: boolean): BlockingSock {
    if (this.state !== UState.Listening) throw new KernelError(EINVAL);
    return function* (this: UnixSock): BlockingSock {
      for (;;) {
        const c = this.pending.shift();
        if (c) {
          const n = new UnixSock(this.domain, SOCK_STREAM);
          n.name = this.name;
          n.peer = c;
          c.peer = n;
          n.state = UState.Connected;
          c.state = UState.Connected;
          this.env.charge('net.unix-accept', 1, sockTouch(n.kaddr, sockTouch(c.kaddr, sockTouch(this.kaddr))));
          this.env.wakeUp(c.wait);
          return n;
        }
        if (this.state !== UState.Listening) throw new KernelError(EINVAL);
        if (nonblock) throw new KernelError(EAGAIN);
        if (this.env.signalPending()) throw new KernelError(ERESTARTSYS);
        yield this.wait;
      }
    }.call(this);
  }

  sendmsg(len: number, fetch: Fetch, io: SockIo, to: Uint8Array | null): IoResult {
    if (this.type === SOCK_DGRAM) return this.sendDgram(len, fetch, io, to);
    if (to !== null) throw new KernelError(EISCONN);
    return this.sendStream(len, fetch, io.nonblock || (io.flags & MSG_DONTWAIT) !== 0);
  }

  private *sendStream(len: number, fetch: Fetch, nonblock: boolean): Blocking {
    let sent = 0;
    while (sent < len) {
      const peer = this.peer;
      if (this.sndShut || this.state === UState.Closed || (peer === null && this.state === UState.Connected) || (peer !== null && peer.state === UState.Closed)) {
        this.env.sigpipe();
        return sent > 0 ? sent : -EPIPE;
      }
      if (this.state !== UState.Connected || peer === null) return sent > 0 ? sent : -ENOTCONN;
      // 2.0 unix_stream_sendmsg: "keep two messages in the pipe so it schedules better"
      const size = Math.min(len - sent, Math.floor((this.sndbuf - SKB_OVERHEAD) / 2));
      // sock_wmalloc allocates while the socket's buffers are below sndbuf (one may overshoot it)
      if (this.wmem >= this.sndbuf) {
        if (nonblock) return sent > 0 ? sent : -EAGAIN;
        if (this.env.signalPending()) return sent > 0 ? sent : -ERESTARTSYS;
        yield this.wait;
        continue;
      }
      let bytes: Uint8Array;
      try {
        bytes = fetch(size);
      } catch (e) {
        if (sent > 0) return sent;
        throw e;
      }
      this.queueTo(peer, bytes, null);
      sent += size;
    }
    return sent;
  }

  private queueTo(peer: UnixSock, bytes: Uint8Array, from: string | null): void {
    const skb = SkBuff.alloc(this.env, bytes.length);
    skb.write(0, bytes);
    this.env.charge('net.unix-sendmsg', 1, sockTouch(this.kaddr, sockTouch(peer.kaddr, { write: skb.ranges(0, bytes.length) })));
    this.wmem += skb.truesize;
    peer.queue.push({ skb, off: 0, owner: this, from });
    this.env.wakeUp(peer.wait);
  }

  private sendDgram(len: number, fetch: Fetch, io: SockIo, to: Uint8Array | null): IoResult {
    let other: UnixSock;
    if (to !== null) other = this.findOther(parseUnixAddr(to));
    else if (this.dgramPeerKey >= 0 || this.peer) {
      const o = this.peer ?? this.domain.bound.get(this.dgramPeerKey);
      if (!o || o.state === UState.Closed) throw new KernelError(ECONNREFUSED);
      other = o;
    } else throw new KernelError(this.state === UState.Connected ? ENOTCONN : EDESTADDRREQ);
    if (len + SKB_OVERHEAD > this.sndbuf) throw new KernelError(EMSGSIZE);
    const nonblock = io.nonblock || (io.flags & MSG_DONTWAIT) !== 0;
    return function* (this: UnixSock): Blocking {
      while (this.wmem >= this.sndbuf) {
        if (nonblock) return -EAGAIN;
        if (this.env.signalPending()) return -ERESTARTSYS;
        yield this.wait;
      }
      if (other.state === UState.Closed) return -ECONNREFUSED;
      const bytes = fetch(len);
      this.queueTo(other, bytes, this.name);
      return len;
    }.call(this);
  }

  recvmsg(len: number, deliver: Deliver, io: SockIo, from: ((addr: Uint8Array) => void) | null): IoResult {
    const nonblock = io.nonblock || (io.flags & MSG_DONTWAIT) !== 0;
    const peek = (io.flags & MSG_PEEK) !== 0;
    if (this.type === SOCK_STREAM && this.state !== UState.Connected && this.queue.length === 0) {
      if (this.state === UState.Listening || this.state === UState.Unconnected || this.state === UState.Connecting) throw new KernelError(ENOTCONN);
    }
    return function* (this: UnixSock): Blocking {
      while (this.queue.length === 0) {
        if (this.type === SOCK_STREAM && (this.rcvShut || this.state === UState.Closed || this.peer === null || this.peer.state === UState.Closed)) return 0;
        if (this.type === SOCK_DGRAM && this.rcvShut) return 0;
        if (nonblock) return -EAGAIN;
        if (this.env.signalPending()) return -ERESTARTSYS;
        yield this.wait;
      }
      return this.type === SOCK_DGRAM ? this.recvDgram(len, deliver, peek, from) : this.recvStream(len, deliver, peek, from);
    }.call(this);
  }

  private recvDgram(len: number, deliver: Deliver, peek: boolean, from: ((addr: Uint8Array) => void) | null): number {
    const u = this.queue[0];
    const n = Math.min(len, u.skb.len);
    const bytes = u.skb.read(0, n);
    this.env.charge('net.unix-recvmsg', 1, sockTouch(this.kaddr, { read: u.skb.ranges(0, n) }));
    deliver(bytes);
    if (from) from(unixAddr(u.from));
    if (!peek) {
      this.queue.shift();
      this.consume(u);
    }
    return n;
  }

  private recvStream(len: number, deliver: Deliver, peek: boolean, from: ((addr: Uint8Array) => void) | null): number {
    let copied = 0;
    let i = 0;
    const touched: [number, number][] = [];
    const parts: Uint8Array[] = [];
    while (copied < len && i < this.queue.length) {
      const u = this.queue[i];
      const n = Math.min(len - copied, u.skb.len - u.off);
      parts.push(u.skb.read(u.off, n));
      touched.push(...u.skb.ranges(u.off, n));
      copied += n;
      if (peek) {
        i++;
        continue;
      }
      u.off += n;
      if (u.off === u.skb.len) {
        this.queue.shift();
        this.consume(u);
      }
    }
    this.env.charge('net.unix-recvmsg', 1, sockTouch(this.kaddr, { read: touched }));
    for (const p of parts) deliver(p);
    if (from) from(unixAddr(this.peer?.name ?? null));
    return copied;
  }

  /** A buffer was read: the sender's send buffer gets its bytes back. */
  private consume(u: UnixSkb): void {
    u.owner.wmem -= u.skb.truesize;
    u.skb.free();
    this.env.wakeUp(u.owner.wait);
  }

  override shutdown(how: number): void {
    if (how !== SHUT_RD && how !== SHUT_WR && how !== SHUT_RDWR) throw new KernelError(EINVAL);
    if (this.state !== UState.Connected) throw new KernelError(ENOTCONN);
    if (how !== SHUT_RD) {
      this.sndShut = true;
      if (this.peer) {
        this.peer.rcvShut = true;
        this.env.wakeUp(this.peer.wait);
      }
    }
    if (how !== SHUT_WR) {
      this.rcvShut = true;
      if (this.peer) this.peer.sndShut = true;
    }
    this.env.wakeUp(this.wait);
  }

  getname(peer: boolean): Uint8Array {
    if (!peer) return unixAddr(this.name);
    if (this.type === SOCK_DGRAM && this.dgramPeerKey >= 0) return unixAddr(this.domain.bound.get(this.dgramPeerKey)?.name ?? null);
    if (!this.peer) throw new KernelError(ENOTCONN);
    return unixAddr(this.peer.name);
  }

  override readableBytes(): number {
    if (this.type === SOCK_DGRAM) return this.queue.length > 0 ? this.queue[0].skb.len : 0;
    let n = 0;
    for (const u of this.queue) n += u.skb.len - u.off;
    return n;
  }

  poll(): { readable: boolean; writable: boolean } {
    const peerGone = this.type === SOCK_STREAM && this.state === UState.Connected && (this.peer === null || this.peer.state === UState.Closed);
    const readable = this.queue.length > 0 || this.pending.length > 0 || this.rcvShut || peerGone || this.state === UState.Closed;
    // 2.0 datagram_select: writable while sock_wspace >= MIN_WRITE_SPACE (2048, include/net/sock.h)
    const writable = this.state !== UState.Listening && this.state !== UState.Connecting && (peerGone || this.sndShut || this.sndbuf - this.wmem >= MIN_WRITE_SPACE);
    return { readable, writable };
  }

  release(): void {
    const wasListening = this.state === UState.Listening;
    this.state = UState.Closed;
    this.env.charge('net.unix-release', 1, sockTouch(this.kaddr));
    // connections nobody accepted are refused
    if (wasListening) {
      for (const c of this.pending.splice(0)) {
        c.state = UState.Closed;
        c.err = ECONNREFUSED;
        this.env.wakeUp(c.wait);
      }
    }
    for (const u of this.queue.splice(0)) this.consume(u);
    const peer = this.peer;
    if (peer && this.type === SOCK_STREAM) {
      peer.rcvShut = true;
      this.env.wakeUp(peer.wait);
    }
    if (this.key >= 0 && this.domain.bound.get(this.key) === this) this.domain.bound.delete(this.key);
    this.releaseName?.();
    this.releaseName = null;
    this.env.wakeUp(this.wait);
    if (this.kaddr !== 0) {
      sockFree(this.env, this.kaddr);
      this.kaddr = 0;
    }
  }
}

export { EADDRINUSE };
