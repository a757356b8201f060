// Process system calls: fork, execve, exit, wait4/waitpid, getpid & co.

import type { UserRegs } from '../../arch/arch';
import { ECHILD, EINVAL, EPERM, ERESTARTSYS, ESRCH, KernelError } from '../errno';
import { execve, MAX_ARG_BYTES } from '../exec/exec';
import { LinuxKernel, NO_RESULT } from '../kernel';
import { PATH_MAX } from '../fs/ramfs';
import { exitStatus } from '../signal';
import { Blocking, Task, TaskState } from '../task';
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

function* wait4(k: LinuxKernel, t: Task, pid: number, statusAddr: number, options: number): Blocking {
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
    if (r.esi) k.uaccess.copyTo(t.mm!, r.esi, new Uint8Array(72)); // struct rusage: zeroed (2.0 fills times only)
    return wait4(k, t, r.ebx | 0, r.ecx, r.edx);
  },
  getpid(_k, t) {
    return t.pid;
  },
  getppid(_k, t) {
    return t.parent?.pid ?? 0;
  },
  getuid: () => 0,
  geteuid: () => 0,
  getgid: () => 0,
  getegid: () => 0,
  getpgrp(_k, t) {
    return t.pgrp;
  },
  getpgid(k, t, r) {
    const p = r.ebx === 0 ? t : k.tasks.get(r.ebx);
    if (!p || p.state === TaskState.Zombie) return -ESRCH;
    return p.pgrp;
  },
  setpgid(k, t, r) {
    const pid = r.ebx === 0 ? t.pid : r.ebx;
    const pgid = r.ecx === 0 ? pid : r.ecx | 0;
    if (pgid < 0) return -EINVAL;
    const p = k.tasks.get(pid);
    if (!p || (p !== t && p.parent !== t)) return -ESRCH;
    if (p.session !== t.session) return -EPERM;
    p.pgrp = pgid;
    return 0;
  },
  setsid(_k, t) {
    if (t.pgrp === t.pid) return -EPERM;
    t.session = t.pid;
    t.pgrp = t.pid;
    return t.pgrp;
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
