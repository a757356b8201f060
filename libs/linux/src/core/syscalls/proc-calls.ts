// Process system calls: fork, execve, exit, wait4/waitpid, getpid & co.

import type { UserRegs } from '../../arch/arch';
import { EACCES, ECHILD, EINVAL, EPERM, ERESTARTSYS, ESRCH, KernelError } from '../errno';
import { execve, MAX_ARG_BYTES } from '../exec/exec';
import { LinuxKernel, NO_RESULT } from '../kernel';
import { PATH_MAX } from '../fs/ramfs';
import { exitStatus } from '../signal';
import { Blocking, HZ, RLIM_INFINITY, RLIM_NLIMITS, Task, TaskState } from '../task';
import type { SyscallImpls } from './table';

export const WNOHANG = 1;
export const WUNTRACED = 2;

export function doFork(k: LinuxKernel, t: Task, regs: UserRegs): number {
  const pid = k.allocPid();
  const c = k.newTask(pid, t.pgrp, t.session);
  k.charge('fork');
  c.parent = t;
  t.children.add(c);
  c.comm = t.comm;
  c.priority = t.priority;
  // 2.0's do_fork: the parent's remaining time slice is shared with the child
  t.counter >>= 1;
  c.counter = t.counter;
  c.umask = t.umask;
  c.rlim = t.rlim.map(([cur, max]) => [cur, max] as [number, number]);
  c.blocked = t.blocked;
  c.sigactions = t.sigactions.map((a) => ({ ...a }));
  c.cwd = t.cwd;
  if (c.cwd) c.cwd.refs++;
  for (let fd = 0; fd < t.files.length; fd++) {
    const f = t.files[fd];
    if (f) {
      f.refs++;
      c.files[fd] = f;
      c.closeOnExec[fd] = t.closeOnExec[fd] ?? false;
    }
  }
  try {
    c.mm = t.mm ? t.mm.fork() : null;
  } catch (e) {
    for (let fd = 0; fd < c.files.length; fd++) if (c.files[fd]) k.closeFd(c, fd);
    if (c.cwd) k.fs.release(c.cwd);
    k.releaseTask(c);
    throw e;
  }
  k.arch.createTask(c);
  k.arch.prepareForkChild(c, { ...regs, eax: 0 });
  k.count('forks');
  k.wakeUpProcess(c);
  return pid;
}

/** struct rusage (18 longs): ru_utime, ru_stime as timevals from ticks, ru_minflt, ru_majflt; the rest 0 (as 2.0). */
function rusageBytes(utime: number, stime: number, minFlt: number, majFlt: number): Uint8Array {
  const b = new Uint8Array(72);
  const dv = new DataView(b.buffer);
  const tv = (at: number, ticks: number): void => {
    dv.setUint32(at, Math.floor(ticks / HZ), true);
    dv.setUint32(at + 4, (ticks % HZ) * (1_000_000 / HZ), true);
  };
  tv(0, utime);
  tv(8, stime);
  dv.setUint32(32, minFlt, true); // ru_minflt (word 8)
  dv.setUint32(36, majFlt, true); // ru_majflt
  return b;
}

function* wait4(k: LinuxKernel, t: Task, pid: number, statusAddr: number, options: number, ruAddr = 0): Blocking {
  if (options & ~(WNOHANG | WUNTRACED)) return -EINVAL;
  for (;;) {
    let found = false;
    for (const c of t.children) {
      if (pid > 0 ? c.pid !== pid : pid === 0 ? c.pgrp !== t.pgrp : pid < -1 ? c.pgrp !== -pid : false) continue;
      found = true;
      if (c.state === TaskState.Stopped && options & WUNTRACED && c.exitCode !== 0) {
        if (statusAddr) k.uaccess.write32(t.mm!, statusAddr, 0x7f | (c.exitCode << 8));
        c.exitCode = 0;
        return c.pid;
      }
      if (c.state === TaskState.Zombie) {
        if (statusAddr) k.uaccess.write32(t.mm!, statusAddr, c.exitCode);
        if (ruAddr) k.uaccess.copyTo(t.mm!, ruAddr, rusageBytes(c.utime + c.cutime, c.stime + c.cstime, c.minFlt, c.majFlt));
        t.cutime += c.utime + c.cutime;
        t.cstime += c.stime + c.cstime;
        const cpid = c.pid;
        k.releaseTask(c);
        return cpid;
      }
    }
    if (!found) return -ECHILD;
    if (options & WNOHANG) return 0;
    if (k.signalPending()) return -ERESTARTSYS;
    yield t.waitChild;
  }
}

export const procCalls: SyscallImpls = {
  exit(k, t, r) {
    k.doExit(t, exitStatus(r.ebx));
    return NO_RESULT;
  },
  fork(k, t, r) {
    return doFork(k, t, r);
  },
  execve(k, t, r) {
    const path = k.uaccess.string(t.mm!, r.ebx, PATH_MAX);
    const argv = k.uaccess.stringArray(t.mm!, r.ecx, MAX_ARG_BYTES);
    const envp = k.uaccess.stringArray(t.mm!, r.edx, MAX_ARG_BYTES);
    const res = execve(k, t, path, argv, envp);
    return res === 0 ? NO_RESULT : res;
  },
  waitpid(k, t, r) {
    return wait4(k, t, r.ebx | 0, r.ecx, r.edx);
  },
  wait4(k, t, r) {
    return wait4(k, t, r.ebx | 0, r.ecx, r.edx, r.esi);
  },
  getpid(_k, t) {
    return t.pid;
  },
  getppid(_k, t) {
    return t.parent?.pid ?? 0;
  },
  // every process runs as root: the ids are 0 and the set* calls succeed without changing them
  getuid: () => 0,
  geteuid: () => 0,
  getgid: () => 0,
  getegid: () => 0,
  setuid: () => 0,
  setgid: () => 0,
  setreuid: () => 0,
  setregid: () => 0,
  setfsuid: () => 0,
  setfsgid: () => 0,
  getgroups: () => 0,
  setgroups: () => 0,
  getpgrp(_k, t) {
    return t.pgrp;
  },
  getpgid(k, t, r) {
    const p = r.ebx === 0 ? t : k.tasks.get(r.ebx);
    if (!p || p.state === TaskState.Zombie) return -ESRCH;
    return p.pgrp;
  },
  getsid(k, t, r) {
    const p = r.ebx === 0 ? t : k.tasks.get(r.ebx);
    if (!p || p.state === TaskState.Zombie) return -ESRCH;
    return p.session;
  },
  setpgid(k, t, r) {
    // 2.0 sys_setpgid: ourselves or a child of ours in our session that has not exec'd;
    // not a session leader; the group must exist in our session unless it is the pid itself
    const pid = r.ebx === 0 ? t.pid : r.ebx | 0;
    const pgid = r.ecx === 0 ? pid : r.ecx | 0;
    if (pgid < 0) return -EINVAL;
    const p = k.tasks.get(pid);
    if (!p || p.state === TaskState.Zombie) return -ESRCH;
    if (p.parent === t) {
      if (p.session !== t.session) return -EPERM;
      if (p.didExec) return -EACCES;
    } else if (p !== t) {
      return -ESRCH;
    }
    if (p.leader) return -EPERM;
    if (pgid !== pid) {
      let found = false;
      for (const q of k.tasks.values()) if (q.pgrp === pgid && q.session === t.session && q.state !== TaskState.Zombie) found = true;
      if (!found) return -EPERM;
    }
    p.pgrp = pgid;
    return 0;
  },
  setsid(k, t) {
    // not when a process group with our pid exists (we lead one, or a child kept our pid as its group)
    for (const q of k.tasks.values()) if (q.pgrp === t.pid) return -EPERM;
    t.leader = true;
    t.session = t.pid;
    t.pgrp = t.pid;
    return t.pgrp;
  },
  getrlimit(k, t, r) {
    const res = r.ebx >>> 0;
    if (res >= RLIM_NLIMITS) return -EINVAL;
    const [cur, max] = t.rlim[res];
    const b = new Uint8Array(8);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, cur, true);
    dv.setUint32(4, max, true);
    k.uaccess.copyTo(t.mm!, r.ecx, b);
    return 0;
  },
  setrlimit(k, t, r) {
    const res = r.ebx >>> 0;
    if (res >= RLIM_NLIMITS) return -EINVAL;
    const dv = new DataView(k.uaccess.copyFrom(t.mm!, r.ecx, 8).slice().buffer);
    // values above LONG_MAX are RLIM_INFINITY (later libcs pass ~0UL)
    const clamp = (v: number): number => Math.min(v, RLIM_INFINITY);
    const cur = clamp(dv.getUint32(0, true));
    const max = clamp(dv.getUint32(4, true));
    if (cur > max) return -EINVAL;
    t.rlim[res] = [cur, max]; // root may also raise the hard limit
    return 0;
  },
  getrusage(k, t, r) {
    // RUSAGE_SELF (0) or RUSAGE_CHILDREN (-1): ticks of the process or of its reaped children
    const who = r.ebx | 0;
    if (who !== 0 && who !== -1) return -EINVAL;
    const ru = who === 0 ? rusageBytes(t.utime, t.stime, t.minFlt, t.majFlt) : rusageBytes(t.cutime, t.cstime, 0, 0);
    k.uaccess.copyTo(t.mm!, r.ecx, ru);
    return 0;
  },
  sched_yield(k) {
    // 2.0.x sys_sched_yield: move_last_runqueue(current) and nothing else; the
    // switch happens at the next schedule() (as on 2.0, where yield was weak)
    const t = k.current;
    k.runQueue = k.runQueue.filter((x) => x !== t);
    k.runQueue.push(t);
    return 0;
  },
};

export { KernelError };
