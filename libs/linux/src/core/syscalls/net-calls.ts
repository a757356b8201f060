// socketcall(2) (net/socket.c sys_socketcall, Linux 2.0 i386): every BSD socket call
// goes through system call 102 with its number in EBX and a pointer to its arguments
// (an array of longs) in ECX. The protocols live in core/net/.

import { EBADF, EFAULT, EINVAL, KernelError } from '../errno';
import type { LinuxKernel } from '../kernel';
import {
  AF_INET,
  AF_UNIX,
  EAFNOSUPPORT,
  ENOTSOCK,
  EOPNOTSUPP,
  EPROTONOSUPPORT,
  ESOCKTNOSUPPORT,
  IPPROTO_TCP,
  IPPROTO_UDP,
  SOCKETCALL_NARGS,
  SOCK_DGRAM,
  SOCK_STREAM,
  SYS_ACCEPT,
  SYS_BIND,
  SYS_CONNECT,
  SYS_GETPEERNAME,
  SYS_GETSOCKNAME,
  SYS_GETSOCKOPT,
  SYS_LISTEN,
  SYS_RECV,
  SYS_RECVFROM,
  SYS_SEND,
  SYS_SENDTO,
  SYS_SETSOCKOPT,
  SYS_SHUTDOWN,
  SYS_SOCKET,
  SYS_SOCKETPAIR,
} from '../net/constants';
import { netOf } from '../net';
import { Sock, SocketFile, checkAddrLen, flushAfter, flushAfterSock } from '../net/socket';
import type { Blocking, Task } from '../task';
import type { SyscallImpls } from './table';

function sockOf(t: Task, fd: number): SocketFile {
  const f = fd >= 0 && fd < t.files.length ? t.files[fd] : null;
  if (!f) throw new KernelError(EBADF);
  if (!(f instanceof SocketFile)) throw new KernelError(ENOTSOCK);
  return f;
}

function create(k: LinuxKernel, family: number, type: number, protocol: number): Sock {
  const net = netOf(k);
  k.charge('net.sock-create');
  if (family === AF_UNIX) {
    if (protocol !== 0 && protocol !== AF_UNIX) throw new KernelError(EPROTONOSUPPORT);
    if (type !== SOCK_STREAM && type !== SOCK_DGRAM) throw new KernelError(ESOCKTNOSUPPORT);
    return net.unix.socket(type);
  }
  if (family === AF_INET) {
    if (type === SOCK_STREAM) {
      if (protocol !== 0 && protocol !== IPPROTO_TCP) throw new KernelError(EPROTONOSUPPORT);
      return net.tcp.socket();
    }
    if (type === SOCK_DGRAM) {
      if (protocol !== 0 && protocol !== IPPROTO_UDP) throw new KernelError(EPROTONOSUPPORT);
      return net.udp.socket();
    }
    throw new KernelError(ESOCKTNOSUPPORT);
  }
  throw new KernelError(EAFNOSUPPORT);
}

/** Copies a sockaddr and its length out (move_addr_to_user: truncated to the user's buffer). */
function putAddr(k: LinuxKernel, t: Task, addr: Uint8Array, uaddr: number, ulenp: number): void {
  if (uaddr === 0) return;
  const len = k.uaccess.read32(t.mm!, ulenp) | 0;
  if (len < 0) throw new KernelError(EINVAL);
  k.uaccess.copyTo(t.mm!, uaddr, addr.subarray(0, Math.min(len, addr.length)));
  k.uaccess.write32(t.mm!, ulenp, addr.length);
}

function getAddr(k: LinuxKernel, t: Task, uaddr: number, len: number, min = 2): Uint8Array {
  checkAddrLen(len, min);
  if (uaddr === 0) throw new KernelError(EFAULT);
  return k.uaccess.copyFrom(t.mm!, uaddr, len).slice();
}

function install(k: LinuxKernel, t: Task, s: Sock): number {
  const f = new SocketFile(s);
  try {
    return k.installFd(t, f);
  } catch (e) {
    f.release(k);
    throw e;
  }
}

function send(k: LinuxKernel, t: Task, fd: number, buf: number, len: number, flags: number, to: Uint8Array | null): number | Blocking {
  const f = sockOf(t, fd);
  if (len > 0x7fffffff) return -EINVAL;
  let off = 0;
  const fetch = (n: number): Uint8Array => {
    const b = k.uaccess.copyFrom(t.mm!, buf + off, n);
    off += n;
    return b;
  };
  return flushAfter(f.sock, f.sock.sendmsg(len, fetch, { flags, nonblock: f.nonblock }, to));
}

function recv(k: LinuxKernel, t: Task, fd: number, buf: number, len: number, flags: number, uaddr: number, ulenp: number): number | Blocking {
  const f = sockOf(t, fd);
  if (len > 0x7fffffff) return -EINVAL;
  let off = 0;
  const deliver = (b: Uint8Array): void => {
    k.uaccess.copyTo(t.mm!, buf + off, b);
    off += b.length;
  };
  const from = uaddr !== 0 ? (a: Uint8Array): void => putAddr(k, t, a, uaddr, ulenp) : null;
  return flushAfter(f.sock, f.sock.recvmsg(len, deliver, { flags, nonblock: f.nonblock }, from));
}

function socketcall(k: LinuxKernel, t: Task, call: number, argp: number): number | Blocking {
  if (call < SYS_SOCKET || call > SYS_GETSOCKOPT) return -EINVAL;
  const raw = new DataView(k.uaccess.copyFrom(t.mm!, argp, SOCKETCALL_NARGS[call] * 4).slice().buffer);
  const a = (i: number): number => raw.getUint32(i * 4, true);
  k.charge('net.socketcall');
  switch (call) {
    case SYS_SOCKET:
      return install(k, t, create(k, a(0), a(1), a(2)));
    case SYS_BIND: {
      const f = sockOf(t, a(0));
      f.sock.bind(getAddr(k, t, a(1), a(2)));
      return 0;
    }
    case SYS_CONNECT: {
      const f = sockOf(t, a(0));
      const r = f.sock.connect(getAddr(k, t, a(1), a(2)), f.nonblock);
      return flushAfter(f.sock, r);
    }
    case SYS_LISTEN: {
      const f = sockOf(t, a(0));
      f.sock.listen(a(1) | 0);
      return 0;
    }
    case SYS_ACCEPT: {
      const f = sockOf(t, a(0));
      const uaddr = a(1);
      const ulenp = a(2);
      const g = flushAfterSock(f.sock, f.sock.accept(f.nonblock));
      return (function* (): Blocking {
        const s = yield* g;
        const fd = install(k, t, s);
        try {
          putAddr(k, t, s.getname(true), uaddr, ulenp);
        } catch (e) {
          k.closeFd(t, fd);
          throw e;
        }
        return fd;
      })();
    }
    case SYS_GETSOCKNAME:
    case SYS_GETPEERNAME: {
      const f = sockOf(t, a(0));
      if (a(1) === 0) return -EFAULT;
      putAddr(k, t, f.sock.getname(call === SYS_GETPEERNAME), a(1), a(2));
      return 0;
    }
    case SYS_SOCKETPAIR: {
      const [family, type, protocol, sv] = [a(0), a(1), a(2), a(3)];
      if (family !== AF_UNIX) {
        // 2.0: inet_socketpair is sock_no_socketpair
        create(k, family, type, protocol);
        return -EOPNOTSUPP;
      }
      if (protocol !== 0 && protocol !== AF_UNIX) return -EPROTONOSUPPORT;
      if (type !== SOCK_STREAM && type !== SOCK_DGRAM) return -ESOCKTNOSUPPORT;
      k.charge('net.sock-create');
      k.charge('net.sock-create');
      const [s1, s2] = netOf(k).unix.pair(type);
      const fd1 = install(k, t, s1);
      let fd2: number;
      try {
        fd2 = install(k, t, s2);
      } catch (e) {
        k.closeFd(t, fd1);
        throw e;
      }
      try {
        k.uaccess.write32(t.mm!, sv, fd1);
        k.uaccess.write32(t.mm!, sv + 4, fd2);
      } catch (e) {
        k.closeFd(t, fd1);
        k.closeFd(t, fd2);
        throw e;
      }
      return 0;
    }
    case SYS_SEND:
      return send(k, t, a(0), a(1), a(2), a(3), null);
    case SYS_RECV:
      return recv(k, t, a(0), a(1), a(2), a(3), 0, 0);
    case SYS_SENDTO: {
      const to = a(4) !== 0 ? getAddr(k, t, a(4), a(5)) : null;
      return send(k, t, a(0), a(1), a(2), a(3), to);
    }
    case SYS_RECVFROM:
      return recv(k, t, a(0), a(1), a(2), a(3), a(4), a(5));
    case SYS_SHUTDOWN: {
      const f = sockOf(t, a(0));
      f.sock.shutdown(a(1));
      f.sock.flush();
      return 0;
    }
    case SYS_SETSOCKOPT: {
      const f = sockOf(t, a(0));
      const optlen = a(4) | 0;
      if (optlen < 4) return -EINVAL;
      const val = k.uaccess.read32(t.mm!, a(3)) | 0;
      f.sock.setsockopt(a(1) | 0, a(2) | 0, val);
      return 0;
    }
    case SYS_GETSOCKOPT: {
      const f = sockOf(t, a(0));
      const lenp = a(4);
      const len = k.uaccess.read32(t.mm!, lenp) | 0;
      if (len < 0) return -EINVAL;
      const v = f.sock.getsockopt(a(1) | 0, a(2) | 0);
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, v, true);
      k.uaccess.copyTo(t.mm!, a(3), b.subarray(0, Math.min(4, len)));
      k.uaccess.write32(t.mm!, lenp, Math.min(4, len));
      return 0;
    }
    default:
      return -EINVAL;
  }
}

export const netCalls: SyscallImpls = {
  socketcall(k, t, r) {
    return socketcall(k, t, r.ebx | 0, r.ecx >>> 0);
  },
};
