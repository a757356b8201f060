// Signal system calls: kill, signal, sigaction (the old i386 struct), sigprocmask,
// sigpending, sigsuspend, pause, sigreturn, sgetmask/ssetmask, alarm.

import { EINVAL, EPERM, ERESTARTNOHAND, ESRCH } from '../errno';
import { LinuxKernel, NO_RESULT } from '../kernel';
import { dumpCore } from '../exec/core-dump';
import {
  BLOCKABLE,
  SIGCONTEXT_BYTES,
  SIGKILL,
  SIGRETURN_EFLAGS_MASK,
  SIGSEGV,
  SIGSTOP,
  SIG_BLOCK,
  SIG_SETMASK,
  SIG_UNBLOCK,
  SA_NOMASK,
  SA_ONESHOT,
  SigAction,
  parseSigContext,
  signalStatus,
} from '../signal';
import { Blocking, HZ, NSIG, Task } from '../task';
import { WaitQueue } from '../wait-queue';
import type { SyscallImpls } from './table';

function kill(k: LinuxKernel, t: Task, pid: number, sig: number): number {
  if (sig < 0 || sig > NSIG) return -EINVAL;
  const targets: Task[] = [];
  for (const p of k.tasks.values()) {
    // zombies count as found (2.0 kill_proc/kill_pg find them; send_sig then does nothing)
    if (p.isIdle) continue;
    if (pid > 0 ? p.pid === pid : pid === 0 ? p.pgrp === t.pgrp : pid === -1 ? p.pid > 1 && p !== t : p.pgrp === -pid) targets.push(p);
  }
  if (targets.length === 0) return -ESRCH;
  for (const p of targets) k.sendSig(p, sig);
  return 0;
}

function readAction(k: LinuxKernel, t: Task, addr: number): SigAction {
  const b = k.uaccess.copyFrom(t.mm!, addr, 16);
  const dv = new DataView(b.buffer);
  return { handler: dv.getUint32(0, true), mask: dv.getUint32(4, true), flags: dv.getUint32(8, true), restorer: dv.getUint32(12, true) };
}

function writeAction(k: LinuxKernel, t: Task, addr: number, a: SigAction): void {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, a.handler >>> 0, true);
  dv.setUint32(4, a.mask >>> 0, true);
  dv.setUint32(8, a.flags >>> 0, true);
  dv.setUint32(12, a.restorer >>> 0, true);
  k.uaccess.copyTo(t.mm!, addr, b);
}

export const ITIMER_REAL = 0;
export const ITIMER_VIRTUAL = 1;
export const ITIMER_PROF = 2;

/** tvtojiffies (2.0 kernel/itimer.c): microseconds round up to whole ticks. */
function tvToJiffies(sec: number, usec: number): number {
  if (sec < 0 || usec < 0) return 0;
  return sec * HZ + Math.ceil(usec / (1_000_000 / HZ));
}

/** _setitimer (2.0): a real timer's value is counted from the next tick (j + 1). */
function setItimer(k: LinuxKernel, t: Task, which: number, interval: number, value: number): void {
  if (which === ITIMER_REAL) {
    t.alarmAt = value ? k.jiffies + value + 1 : 0;
    t.alarmIncr = interval;
  } else if (which === ITIMER_VIRTUAL) t.itVirtual = [value, interval];
  else t.itProf = [value, interval];
}

/** The timer's interval and value as [sec, usec] pairs. */
function getItimer(k: LinuxKernel, t: Task, which: number): { interval: [number, number]; value: [number, number] } {
  const tv = (j: number): [number, number] => [Math.floor(j / HZ), (j % HZ) * (1_000_000 / HZ)];
  if (which === ITIMER_REAL) return { interval: tv(t.alarmIncr), value: tv(t.alarmAt ? Math.max(1, t.alarmAt - k.jiffies) : 0) };
  const it = which === ITIMER_VIRTUAL ? t.itVirtual : t.itProf;
  return { interval: tv(it[1]), value: tv(it[0]) };
}

function itimerBytes(it: { interval: [number, number]; value: [number, number] }): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  [it.interval[0], it.interval[1], it.value[0], it.value[1]].forEach((v, i) => dv.setUint32(i * 4, v, true));
  return b;
}

/** A wait queue nobody wakes: the task sleeps until a signal arrives (pause, sigsuspend). */
const forever = (): WaitQueue => new WaitQueue('pause');

export const signalCalls: SyscallImpls = {
  kill(k, t, r) {
    return kill(k, t, r.ebx | 0, r.ecx);
  },
  signal(k, t, r) {
    const sig = r.ebx;
    if (sig < 1 || sig > NSIG || sig === SIGKILL || sig === SIGSTOP) return -EINVAL;
    const old = t.sigactions[sig].handler;
    // 2.0's sys_signal: one-shot, no masking (System V semantics)
    t.sigactions[sig] = { handler: r.ecx, mask: 0, flags: SA_ONESHOT | SA_NOMASK, restorer: 0 };
    return old;
  },
  sigaction(k, t, r) {
    const sig = r.ebx;
    if (sig < 1 || sig > NSIG || sig === SIGKILL || sig === SIGSTOP) return -EINVAL;
    const next = r.ecx ? readAction(k, t, r.ecx) : null;
    if (r.edx) writeAction(k, t, r.edx, t.sigactions[sig]);
    if (next) {
      next.mask &= BLOCKABLE;
      t.sigactions[sig] = next;
      // setting SIG_IGN (or SIG_DFL for an ignored-by-default signal) discards a pending one
      if (next.handler === 1) t.pending &= ~(1 << (sig - 1));
    }
    return 0;
  },
  sigprocmask(k, t, r) {
    const old = t.blocked;
    if (r.ecx) {
      const set = k.uaccess.read32(t.mm!, r.ecx);
      if (r.ebx === SIG_BLOCK) t.blocked |= set;
      else if (r.ebx === SIG_UNBLOCK) t.blocked &= ~set;
      else if (r.ebx === SIG_SETMASK) t.blocked = set;
      else return -EINVAL;
      t.blocked = (t.blocked & BLOCKABLE) >>> 0;
    }
    if (r.edx) k.uaccess.write32(t.mm!, r.edx, old);
    return 0;
  },
  sgetmask(_k, t) {
    return t.blocked;
  },
  ssetmask(_k, t, r) {
    const old = t.blocked;
    t.blocked = (r.ebx & BLOCKABLE) >>> 0;
    return old;
  },
  sigpending(k, t, r) {
    k.uaccess.write32(t.mm!, r.ebx, (t.pending & t.blocked) >>> 0);
    return 0;
  },
  sigsuspend(k, t, r) {
    // old i386 sigsuspend(int history0, int history1, old_sigset_t mask): the mask is in EDX
    const saved = t.blocked;
    t.blocked = (r.edx & BLOCKABLE) >>> 0;
    return (function* (): Blocking {
      while (!k.signalPending()) yield forever();
      // the signal frame records the mask from before sigsuspend (2.0 passes it to do_signal)
      t.restoreMask = saved;
      return -4; // -EINTR
    })();
  },
  pause(k) {
    return (function* (): Blocking {
      while (!k.signalPending()) yield forever();
      return -ERESTARTNOHAND;
    })();
  },
  alarm(k, t, r) {
    // 2.0 sys_alarm: setitimer(ITIMER_REAL, {0, 0}, {seconds, 0}); returns the old value's
    // seconds, rounded up when microseconds remain
    const old = getItimer(k, t, ITIMER_REAL);
    setItimer(k, t, ITIMER_REAL, 0, r.ebx * HZ);
    return old.value[0] + (old.value[1] ? 1 : 0);
  },
  setitimer(k, t, r) {
    const which = r.ebx | 0;
    if (which < 0 || which > 2) return -EINVAL;
    let interval = 0;
    let value = 0;
    if (r.ecx) {
      const dv = new DataView(k.uaccess.copyFrom(t.mm!, r.ecx, 16).slice().buffer);
      interval = tvToJiffies(dv.getInt32(0, true), dv.getInt32(4, true));
      value = tvToJiffies(dv.getInt32(8, true), dv.getInt32(12, true));
    }
    const old = getItimer(k, t, which);
    setItimer(k, t, which, interval, value);
    if (r.edx) k.uaccess.copyTo(t.mm!, r.edx, itimerBytes(old));
    return 0;
  },
  getitimer(k, t, r) {
    const which = r.ebx | 0;
    if (which < 0 || which > 2) return -EINVAL;
    k.uaccess.copyTo(t.mm!, r.ecx, itimerBytes(getItimer(k, t, which)));
    return 0;
  },
  sigreturn(k, t) {
    const regs = k.arch.getUserRegs(t);
    let ctx;
    try {
      ctx = parseSigContext(k.uaccess.copyFrom(t.mm!, regs.esp, SIGCONTEXT_BYTES));
    } catch {
      k.doExit(t, signalStatus(SIGSEGV, dumpCore(k, t)));
      return NO_RESULT;
    }
    t.blocked = (ctx.oldmask & BLOCKABLE) >>> 0;
    k.arch.setUserRegs(t, {
      gs: ctx.gs, fs: ctx.fs, es: ctx.es, ds: ctx.ds, edi: ctx.edi, esi: ctx.esi, ebp: ctx.ebp, esp: ctx.esp,
      ebx: ctx.ebx, edx: ctx.edx, ecx: ctx.ecx, eax: ctx.eax, eip: ctx.eip, cs: ctx.cs, ss: ctx.ss,
      eflags: ((regs.eflags & ~SIGRETURN_EFLAGS_MASK) | (ctx.eflags & SIGRETURN_EFLAGS_MASK)) >>> 0,
    });
    return NO_RESULT;
  },
};

export { EPERM };
