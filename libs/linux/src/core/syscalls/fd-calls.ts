// Calls on the descriptor table and on open files of every kind: dup, dup2, pipe,
// fcntl, ioctl, select (_newselect #142 and the old select #82).
//
// select asks each open file OpenFile.poll(env) → { readable, writable, queues }: a
// kind of file (pipe, tty, regular file, socket) only answers that question; the
// waiting, the timeout and the fd_set bookkeeping are here.

import { EBADF, EINVAL, ENOTTY, ERESTARTNOHAND, KernelError } from '../errno';
import { O_APPEND, O_NONBLOCK, OpenFile } from '../fs/file';
import { makePipe } from '../ipc/pipe';
import type { LinuxKernel } from '../kernel';
import { Blocking, HZ, NR_OPEN, Task } from '../task';
import type { WaitQueue } from '../wait-queue';
import type { SyscallImpls } from './table';

export const F_DUPFD = 0;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const FD_CLOEXEC = 1;

/** ioctl numbers (include/asm-i386/ioctls.h). */
export const TCGETS = 0x5401;
export const TCSETS = 0x5402;
export const TCSETSW = 0x5403;
export const TCSETSF = 0x5404;
export const TIOCGPGRP = 0x540f;
export const TIOCSPGRP = 0x5410;
export const TIOCGWINSZ = 0x5413;
export const FIONREAD = 0x541b;
export const FIONBIO = 0x5421;
export const FIONCLEX = 0x5450;
export const FIOCLEX = 0x5451;
export const FIOASYNC = 0x5452;

function file(t: Task, fd: number): OpenFile {
  const f = fd >= 0 ? t.files[fd] : undefined;
  if (!f) throw new KernelError(EBADF);
  return f;
}

/** F_DUPFD / dup: the lowest free descriptor >= min, sharing the open file; close-on-exec clear. */
function dupFrom(k: LinuxKernel, t: Task, f: OpenFile, min: number): number {
  const fd = k.installFd(t, f, min);
  f.refs++;
  return fd;
}

/** The console's termios (struct termios, 36 bytes): ICRNL|IXON, OPOST|ONLCR, B38400|CS8|CREAD, ISIG|ICANON|ECHO… */
function termiosBytes(): Uint8Array {
  const b = new Uint8Array(36);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 0o2400, true);
  dv.setUint32(4, 0o5, true);
  dv.setUint32(8, 0o277, true);
  dv.setUint32(12, 0o105073, true);
  return b;
}

function ttyIoctl(k: LinuxKernel, t: Task, cmd: number, arg: number): number {
  switch (cmd) {
    case TCGETS:
      k.uaccess.copyTo(t.mm!, arg, termiosBytes());
      return 0;
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
      k.uaccess.copyFrom(t.mm!, arg, 36); // settings are accepted and not kept: the console is fixed
      return 0;
    case TIOCGWINSZ: {
      const b = new Uint8Array(8);
      const dv = new DataView(b.buffer);
      dv.setUint16(0, 25, true); // rows
      dv.setUint16(2, 80, true); // columns
      k.uaccess.copyTo(t.mm!, arg, b);
      return 0;
    }
    case TIOCGPGRP:
      k.uaccess.write32(t.mm!, arg, t.pgrp);
      return 0;
    case TIOCSPGRP:
      k.uaccess.read32(t.mm!, arg);
      return 0;
    default:
      return -EINVAL; // 2.0 tty_ioctl's answer to a command it does not know
  }
}

/**
 * select (2.0 fs/select.c do_select): fd_sets of n bits; ready descriptors are left
 * set, the count returned; the timeout (rounded up to ticks, +1 as 2.0 does) is
 * updated with the time left. Exceptional conditions never occur on our files.
 */
export function select(k: LinuxKernel, t: Task, n: number, inp: number, outp: number, exp: number, tvp: number): number | Blocking {
  if (n < 0) return -EINVAL;
  n = Math.min(n, NR_OPEN);
  const words = (n + 31) >>> 5;
  const readSet = (addr: number): Uint32Array => (addr && words ? new Uint32Array(k.uaccess.copyFrom(t.mm!, addr, words * 4).slice().buffer) : new Uint32Array(words));
  const want = { r: readSet(inp), w: readSet(outp), x: readSet(exp) };
  for (let fd = 0; fd < n; fd++) {
    const bit = 1 << (fd & 31);
    if ((want.r[fd >>> 5] | want.w[fd >>> 5] | want.x[fd >>> 5]) & bit && !t.files[fd]) return -EBADF;
  }
  let deadline = -1; // -1: no timeout
  if (tvp) {
    const tv = new DataView(k.uaccess.copyFrom(t.mm!, tvp, 8).slice().buffer);
    const sec = tv.getInt32(0, true);
    const usec = tv.getInt32(4, true);
    if (sec < 0 || usec < 0) return -EINVAL;
    const ticks = Math.ceil(usec / (1_000_000 / HZ)) + sec * HZ;
    deadline = ticks === 0 ? k.jiffies : k.jiffies + ticks + 1;
  }
  const writeBack = (r: Uint32Array, w: Uint32Array): void => {
    if (inp && words) k.uaccess.copyTo(t.mm!, inp, new Uint8Array(r.buffer));
    if (outp && words) k.uaccess.copyTo(t.mm!, outp, new Uint8Array(w.buffer));
    if (exp && words) k.uaccess.copyTo(t.mm!, exp, new Uint8Array(words * 4));
    if (tvp && deadline >= 0) {
      const left = Math.max(0, deadline - k.jiffies);
      const b = new Uint8Array(8);
      const dv = new DataView(b.buffer);
      dv.setUint32(0, Math.floor(left / HZ), true);
      dv.setUint32(4, (left % HZ) * (1_000_000 / HZ), true);
      k.uaccess.copyTo(t.mm!, tvp, b);
    }
  };
  return (function* (): Blocking {
    for (;;) {
      const r = new Uint32Array(words);
      const w = new Uint32Array(words);
      const queues: WaitQueue[] = [];
      let count = 0;
      for (let fd = 0; fd < n; fd++) {
        const i = fd >>> 5;
        const bit = 1 << (fd & 31);
        if (!((want.r[i] | want.w[i]) & bit)) continue;
        const f = t.files[fd];
        if (!f) return -EBADF;
        const st = f.poll(k);
        queues.push(...st.queues);
        if (want.r[i] & bit && st.readable) {
          r[i] |= bit;
          count++;
        }
        if (want.w[i] & bit && st.writable) {
          w[i] |= bit;
          count++;
        }
      }
      if (count > 0 || (deadline >= 0 && k.jiffies >= deadline)) {
        writeBack(r, w);
        return count;
      }
      if (k.signalPending()) return -ERESTARTNOHAND;
      if (deadline >= 0) queues.push(k.timerQueue(t, deadline));
      yield queues;
    }
  })();
}

export const fdCalls: SyscallImpls = {
  dup(k, t, r) {
    return dupFrom(k, t, file(t, r.ebx), 0);
  },
  dup2(k, t, r) {
    const f = file(t, r.ebx);
    const nfd = r.ecx | 0;
    if (nfd < 0 || nfd >= NR_OPEN) return -EBADF;
    if (nfd === r.ebx) return nfd;
    if (t.files[nfd]) k.closeFd(t, nfd);
    f.refs++;
    t.files[nfd] = f;
    t.closeOnExec[nfd] = false;
    return nfd;
  },
  pipe(k, t, r) {
    const { reader, writer } = makePipe();
    let rfd: number;
    try {
      rfd = k.installFd(t, reader);
    } catch (e) {
      reader.release(k);
      writer.release(k);
      throw e;
    }
    let wfd: number;
    try {
      wfd = k.installFd(t, writer);
    } catch (e) {
      k.closeFd(t, rfd);
      writer.release(k);
      throw e;
    }
    const b = new Uint8Array(8);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, rfd, true);
    dv.setUint32(4, wfd, true);
    try {
      k.uaccess.copyTo(t.mm!, r.ebx, b);
    } catch (e) {
      k.closeFd(t, rfd);
      k.closeFd(t, wfd);
      throw e;
    }
    return 0;
  },
  fcntl(k, t, r) {
    const fd = r.ebx;
    const f = file(t, fd);
    switch (r.ecx) {
      case F_DUPFD: {
        const min = r.edx | 0;
        if (min < 0 || min >= NR_OPEN) return -EINVAL;
        return dupFrom(k, t, f, min); // EMFILE when none is free
      }
      case F_GETFD:
        return t.closeOnExec[fd] ? FD_CLOEXEC : 0;
      case F_SETFD:
        t.closeOnExec[fd] = (r.edx & FD_CLOEXEC) !== 0;
        return 0;
      case F_GETFL:
        return f.flags;
      case F_SETFL:
        // 2.0: only O_APPEND and O_NONBLOCK (and FASYNC, which we do not have) change
        f.flags = (f.flags & ~(O_APPEND | O_NONBLOCK)) | (r.edx & (O_APPEND | O_NONBLOCK));
        return 0;
      default:
        return -EINVAL;
    }
  },
  ioctl(k, t, r) {
    const fd = r.ebx;
    const f = file(t, fd);
    const cmd = r.ecx >>> 0;
    const arg = r.edx >>> 0;
    // the commands sys_ioctl answers for every file (2.0 fs/ioctl.c)
    switch (cmd) {
      case FIOCLEX:
        t.closeOnExec[fd] = true;
        return 0;
      case FIONCLEX:
        t.closeOnExec[fd] = false;
        return 0;
      case FIONBIO: {
        const on = k.uaccess.read32(t.mm!, arg) !== 0;
        f.flags = on ? f.flags | O_NONBLOCK : f.flags & ~O_NONBLOCK;
        return 0;
      }
    }
    if (cmd === FIONREAD) {
      // regular files: size - position (2.0 file_ioctl); pipes (and sockets): bytes buffered
      const n = f.inode?.isReg ? Math.max(0, f.inode.size - f.pos) : f.bytesReadable();
      if (n !== null) {
        k.uaccess.write32(t.mm!, arg, n);
        return 0;
      }
    }
    if (f.isTty) return ttyIoctl(k, t, cmd, arg);
    // Linux 2.0 answers EINVAL from the ioctl of a regular file or a pipe and ENOTTY
    // where a file has none; later kernels (and the tests' native oracle) say ENOTTY for
    // all of them, which is what isatty() looks for.
    return -ENOTTY;
  },
  newselect(k, t, r) {
    return select(k, t, r.ebx | 0, r.ecx, r.edx, r.esi, r.edi);
  },
  select(k, t, r) {
    // old_select(struct sel_arg_struct *): n, inp, outp, exp, tvp
    const b = k.uaccess.copyFrom(t.mm!, r.ebx, 20);
    const dv = new DataView(b.buffer, b.byteOffset, 20);
    const a = (i: number): number => dv.getUint32(i * 4, true);
    return select(k, t, a(0) | 0, a(1), a(2), a(3), a(4));
  },
};
