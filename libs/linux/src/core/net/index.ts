// The networking of one kernel: the loopback INET stack (TCP, UDP) and AF_UNIX,
// created on first use and tied to the kernel.

import { ECONNREFUSED, S_IFSOCK, EADDRINUSE } from './constants';
import { KernelError, EEXIST } from '../errno';
import type { LinuxKernel } from '../kernel';
import type { Inode } from '../fs/ramfs';
import { NetEnv, NetStack } from './stack';
import { TcpProto } from './tcp';
import { UdpProto } from './udp';
import { UnixDomain, UnixEnv } from './unix';

export interface Net {
  stack: NetStack;
  tcp: TcpProto;
  udp: UdpProto;
  unix: UnixDomain;
}

const nets = new WeakMap<LinuxKernel, Net>();

/** The kernel's network state (made on first use). */
export function netOf(k: LinuxKernel): Net {
  let n = nets.get(k);
  if (n) return n;
  const env: NetEnv & UnixEnv = {
    mem: k.mem,
    pages: k.pages,
    charge: (path, units, touch) => k.charge(path, units, touch),
    get jiffies() {
      return k.jiffies;
    },
    wakeUp: (q) => k.wakeUp(q),
    signalPending: () => k.signalPending(),
    sigpipe: () => k.sigpipe(),
    // the stack's timers belong to no process (2.0: kernel timers): owned by the idle task,
    // so no exit removes one that other sleepers share
    timerQueue: (at) => k.timerQueue(k.idle, at),
    count: (name, c) => k.count(name, c),
    names: {
      bind(path: string) {
        const t = k.current;
        const cwd = t.cwd ?? k.fs.root;
        const { dir, name } = k.fs.lookupParent(path, cwd);
        if (name === '') throw new KernelError(EADDRINUSE);
        let inode: Inode;
        try {
          inode = k.fs.create(dir, name, S_IFSOCK | (0o777 & ~t.umask));
        } catch (e) {
          if (e instanceof KernelError && e.errno === EEXIST) throw new KernelError(EADDRINUSE);
          throw e;
        }
        inode.refs++;
        return { key: inode.ino, release: () => k.fs.release(inode) };
      },
      find(path: string) {
        const t = k.current;
        const inode = k.fs.lookup(path, t.cwd ?? k.fs.root);
        if ((inode.mode & 0o170000) !== S_IFSOCK) throw new KernelError(ECONNREFUSED);
        return inode.ino;
      },
    },
  };
  const stack = new NetStack(env);
  n = { stack, tcp: new TcpProto(stack), udp: new UdpProto(stack), unix: new UnixDomain(env) };
  nets.set(k, n);
  return n;
}
