// Time and system information: time, gettimeofday, times, uname, nanosleep.

import { EINVAL } from '../errno';
import type { LinuxKernel } from '../kernel';
import { Blocking, HZ } from '../task';
import type { SyscallImpls } from './table';

/** What uname reports: the kernel release the paper measured (2.0.21) on a Pentium. */
export const UTS = {
  sysname: 'Linux',
  nodename: 'mklab',
  release: '2.0.21',
  version: '#1 mklab',
  machine: 'i586',
  domainname: '(none)',
};

function utsBytes(fields: string[], width: number): Uint8Array {
  const b = new Uint8Array(fields.length * width);
  const enc = new TextEncoder();
  fields.forEach((f, i) => b.set(enc.encode(f).subarray(0, width - 1), i * width));
  return b;
}

const u32s = (...v: number[]): Uint8Array => {
  const b = new Uint8Array(v.length * 4);
  const dv = new DataView(b.buffer);
  v.forEach((x, i) => dv.setUint32(i * 4, x >>> 0, true));
  return b;
};

export const miscCalls: SyscallImpls = {
  time(k, t, r) {
    const { sec } = k.timeOfDay();
    if (r.ebx) k.uaccess.write32(t.mm!, r.ebx, sec);
    return sec;
  },
  gettimeofday(k, t, r) {
    // 2.0: xtime plus do_gettimeoffset()'s PIT interpolation, i.e. µs resolution; here
    // straight from the cycle clock at 133 MHz (the same resolution, no drift)
    const { sec, usec } = k.timeOfDay();
    if (r.ebx) k.uaccess.copyTo(t.mm!, r.ebx, u32s(sec, usec));
    if (r.ecx) k.uaccess.copyTo(t.mm!, r.ecx, u32s(0, 0));
    return 0;
  },
  times(k, t, r) {
    // struct tms: utime, stime, cutime, cstime (in ticks)
    if (r.ebx) k.uaccess.copyTo(t.mm!, r.ebx, u32s(t.utime, t.stime, t.cutime, t.cstime));
    return k.jiffies;
  },
  uname(k, t, r) {
    const u = UTS;
    k.uaccess.copyTo(t.mm!, r.ebx, utsBytes([u.sysname, u.nodename, u.release, u.version, u.machine, u.domainname], 65));
    return 0;
  },
  olduname(k, t, r) {
    const u = UTS;
    k.uaccess.copyTo(t.mm!, r.ebx, utsBytes([u.sysname, u.nodename, u.release, u.version, u.machine], 65));
    return 0;
  },
  nanosleep(k: LinuxKernel, t, r) {
    const b = k.uaccess.copyFrom(t.mm!, r.ebx, 8);
    const dv = new DataView(b.buffer);
    const sec = dv.getInt32(0, true);
    const nsec = dv.getInt32(4, true);
    if (sec < 0 || nsec < 0 || nsec >= 1e9) return -EINVAL;
    // 2.0 rounds up to jiffies and adds one (timespectojiffies + (sec||nsec))
    const ticks = Math.ceil(sec * HZ + (nsec * HZ) / 1e9) + (sec || nsec ? 1 : 0);
    const at = k.jiffies + ticks;
    return (function* (): Blocking {
      while (k.jiffies < at) {
        if (k.signalPending()) {
          if (r.ecx) k.uaccess.copyTo(t.mm!, r.ecx, u32s(Math.floor((at - k.jiffies) / HZ), (((at - k.jiffies) % HZ) * 1e9) / HZ));
          return -4;
        }
        yield k.timerQueue(t, at);
      }
      return 0;
    })();
  },
};
