// The BSD socket layer (net/socket.c in 2.0): a socket is an open file whose
// operations go to its protocol (AF_UNIX, or INET's TCP and UDP). The protocol objects
// implement Sock; SocketFile is the struct file that plugs them into read/write,
// select (poll) and close.

import { EINVAL, KernelError } from '../errno';
import { FileEnv, IoResult, O_NONBLOCK, O_RDWR, OpenFile, PollState } from '../fs/file';
import type { Blocking, SleepOn } from '../task';
import { WaitQueue } from '../wait-queue';
import type { PathTouch } from '../../arch/arch';
import { PAGE_SIZE } from '../phys-mem';
import type { SkbEnv } from './skbuff';
import {
  ENOPROTOOPT,
  ENOTCONN,
  EOPNOTSUPP,
  SK_RMEM_MAX,
  SK_WMEM_MAX,
  SOL_SOCKET,
  SO_BROADCAST,
  SO_DEBUG,
  SO_DONTROUTE,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_OOBINLINE,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_SNDBUF,
  SO_TYPE,
} from './constants';

/** Hands received bytes to the user (copy_to_user; may throw EFAULT). */
export type Deliver = (b: Uint8Array) => void;
/** Fetches the next n bytes from the user (copy_from_user). */
export type Fetch = (n: number) => Uint8Array;
/** A protocol operation that may sleep and returns a new socket (accept). */
export type BlockingSock = Generator<SleepOn, Sock, void>;

export interface SockIo {
  /** flags of the call (MSG_PEEK, MSG_OOB, …) */
  flags: number;
  nonblock: boolean;
}

/**
 * struct sock in guest memory: 1 KiB per socket (2.0's struct sock with its protocol
 * part is some 700-800 bytes; approx.), four to a page from the kernel's allocator, so
 * the protocol paths' accesses to it go through the D-cache and DTLB. Pages go back when
 * their four slots are free.
 */
export const SOCK_BYTES = 1024;
const slabs = new WeakMap<SkbEnv, { free: number[]; used: Map<number, number> }>();

export function sockAlloc(env: SkbEnv): number {
  let s = slabs.get(env);
  if (!s) {
    s = { free: [], used: new Map() };
    slabs.set(env, s);
  }
  if (s.free.length === 0) {
    const page = env.pages.alloc(true);
    s.used.set(page, 0);
    for (let o = PAGE_SIZE - SOCK_BYTES; o >= 0; o -= SOCK_BYTES) s.free.push(page + o);
  }
  const a = s.free.pop()!;
  const page = a - (a % PAGE_SIZE);
  s.used.set(page, s.used.get(page)! + 1);
  return a;
}

export function sockFree(env: SkbEnv, a: number): void {
  const s = slabs.get(env);
  const page = a - (a % PAGE_SIZE);
  const n = s?.used.get(page);
  if (!s || n === undefined || n === 0) throw new Error(`sockFree: 0x${a.toString(16)} is not an allocated socket`);
  if (n === 1) {
    s.used.delete(page);
    s.free = s.free.filter((x) => x - (x % PAGE_SIZE) !== page);
    env.pages.put(page);
  } else {
    s.used.set(page, n - 1);
    s.free.push(a);
  }
}

/** A path's accesses to a socket: the fields it reads (6 lines) and updates (2 lines), plus `more`. */
export function sockTouch(kaddr: number, more?: PathTouch): PathTouch {
  if (kaddr === 0) return more ?? {};
  return {
    read: [[kaddr, 192], ...(more?.read ?? [])],
    write: [[kaddr + 64, 64], ...(more?.write ?? [])],
  };
}

export abstract class Sock {
  readonly wait: WaitQueue;
  reuse = false;
  keepalive = false;
  sndbuf = SK_WMEM_MAX;
  rcvbuf = SK_RMEM_MAX;
  /** pending asynchronous error (sk->err), reported once */
  err = 0;
  /** the open file holding this socket (null once closed or before accept) */
  file: SocketFile | null = null;
  /** physical address of the socket's struct sock (0 once freed) */
  kaddr = 0;

  constructor(
    readonly family: number,
    readonly type: number,
    name: string,
  ) {
    this.wait = new WaitQueue(name);
  }

  abstract bind(addr: Uint8Array): void;
  abstract connect(addr: Uint8Array, nonblock: boolean): number | Blocking;
  listen(backlog: number): void {
    void backlog;
    throw new KernelError(EOPNOTSUPP);
  }
  accept(nonblock: boolean): BlockingSock {
    void nonblock;
    throw new KernelError(EOPNOTSUPP);
  }
  /** Sends `len` bytes (to `to` when given, a sockaddr in the user's format). */
  abstract sendmsg(len: number, fetch: Fetch, io: SockIo, to: Uint8Array | null): IoResult;
  /** Receives up to `len` bytes; `from` gets the sender's sockaddr. */
  abstract recvmsg(len: number, deliver: Deliver, io: SockIo, from: ((addr: Uint8Array) => void) | null): IoResult;
  shutdown(how: number): void {
    void how;
    throw new KernelError(ENOTCONN);
  }
  /** The local (peer = false) or remote address as a sockaddr. */
  abstract getname(peer: boolean): Uint8Array;
  abstract poll(): { readable: boolean; writable: boolean };
  /** The last reference to the file went (sock_release → the protocol's release). */
  abstract release(): void;
  /** Protocol-level options (levels other than SOL_SOCKET). */
  protoSetOpt(level: number, opt: number, val: number): void {
    void level;
    void opt;
    void val;
    throw new KernelError(ENOPROTOOPT);
  }
  protoGetOpt(level: number, opt: number): number {
    void level;
    void opt;
    throw new KernelError(ENOPROTOOPT);
  }
  /** The network stack to flush on the way out, if the protocol has one. */
  flush(): void {}
  /** FIONREAD: bytes a read would return now (datagram sockets: the next datagram's size). */
  readableBytes(): number {
    return 0;
  }
  /** Where select waits for this socket to change (INET adds the stack's next timer). */
  pollQueues(): WaitQueue[] {
    return [this.wait];
  }

  /** sock_setsockopt (net/core/sock.c). */
  setsockopt(level: number, opt: number, val: number): void {
    if (level !== SOL_SOCKET) return this.protoSetOpt(level, opt, val);
    switch (opt) {
      case SO_REUSEADDR:
        this.reuse = val !== 0;
        return;
      case SO_KEEPALIVE:
        this.keepalive = val !== 0;
        return;
      case SO_SNDBUF:
        // 2.0 sock_setsockopt (as recalled): above 2 × SK_WMEM_MAX clipped to it, below 256 raised to 256
        this.sndbuf = Math.max(256, Math.min(val, 2 * SK_WMEM_MAX));
        return;
      case SO_RCVBUF:
        this.rcvbuf = Math.max(256, Math.min(val, 2 * SK_RMEM_MAX));
        return;
      case SO_DEBUG:
      case SO_DONTROUTE:
      case SO_BROADCAST:
      case SO_OOBINLINE:
      case SO_LINGER:
        return;
      default:
        throw new KernelError(ENOPROTOOPT);
    }
  }

  getsockopt(level: number, opt: number): number {
    if (level !== SOL_SOCKET) return this.protoGetOpt(level, opt);
    switch (opt) {
      case SO_REUSEADDR:
        return this.reuse ? 1 : 0;
      case SO_KEEPALIVE:
        return this.keepalive ? 1 : 0;
      case SO_TYPE:
        return this.type;
      case SO_ERROR: {
        const e = this.err;
        this.err = 0;
        return e;
      }
      case SO_SNDBUF:
        return this.sndbuf;
      case SO_RCVBUF:
        return this.rcvbuf;
      case SO_DEBUG:
      case SO_DONTROUTE:
      case SO_BROADCAST:
      case SO_OOBINLINE:
        return 0;
      default:
        throw new KernelError(ENOPROTOOPT);
    }
  }

  /** Takes the pending error (sock_error). */
  takeError(): number {
    const e = this.err;
    this.err = 0;
    return e;
  }
}

/** A socket's struct file: read/write are recv/send without flags or address. */
export class SocketFile extends OpenFile {
  constructor(readonly sock: Sock) {
    super(O_RDWR, null);
    sock.file = this;
  }

  get nonblock(): boolean {
    return (this.flags & O_NONBLOCK) !== 0;
  }

  read(_env: FileEnv, len: number, deliver: Deliver): IoResult {
    if (len === 0) return 0;
    return flushAfter(this.sock, this.sock.recvmsg(len, deliver, { flags: 0, nonblock: this.nonblock }, null));
  }

  write(_env: FileEnv, len: number, fetch: Fetch): IoResult {
    if (len === 0) return 0;
    return flushAfter(this.sock, this.sock.sendmsg(len, fetch, { flags: 0, nonblock: this.nonblock }, null));
  }

  override poll(): PollState {
    this.sock.flush();
    const st = this.sock.poll();
    return { readable: st.readable, writable: st.writable, queues: this.sock.pollQueues() };
  }

  override bytesReadable(): number {
    return this.sock.readableBytes();
  }

  override release(env: FileEnv): void {
    void env;
    this.sock.file = null;
    this.sock.release();
    this.sock.flush();
  }
}

/** Runs the protocol's bottom half when a call returns (and before it sleeps: the protocols do that). */
export function flushAfter(sock: Sock, r: IoResult): IoResult {
  if (typeof r === 'number') {
    sock.flush();
    return r;
  }
  return (function* (): Blocking {
    try {
      const v = yield* r;
      return v;
    } finally {
      sock.flush();
    }
  })();
}

export function flushAfterSock(sock: Sock, g: BlockingSock): BlockingSock {
  return (function* (): BlockingSock {
    try {
      const v = yield* g;
      return v;
    } finally {
      sock.flush();
    }
  })();
}

/** Checks a user-supplied address length. */
export function checkAddrLen(len: number, min: number): void {
  if (len < min || len > 128) throw new KernelError(EINVAL);
}
