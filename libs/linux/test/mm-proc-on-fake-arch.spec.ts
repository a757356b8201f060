// Mapped files, mprotect, core dumps, exec of scripts and process groups on the core,
// without a CPU: system calls through the fake arch, user memory through the core's
// own user access (the same software walk the kernel uses).
import { NR } from '../src/core/syscall-numbers';
import { TaskState } from '../src/core/task';
import { fakeKernel } from './fake-arch';
import { IoWait } from '../src/core/block/io-wait';
import { WaitQueue } from '../src/core/wait-queue';
import { tinyElf } from './tiny-elf';

const BUF = 0xbfff0000; // in the initial stack area
const PAGE = 4096;

function setup(extra: Record<string, Uint8Array | string> = {}) {
  const { k, arch } = fakeKernel(tinyElf([0x90]), extra);
  const t = k.current;
  const eax = (): number => arch.regs.get(t)!.eax | 0;
  const str = (addr: number, s: string): number => {
    k.uaccess.copyTo(t.mm!, addr, new TextEncoder().encode(s + '\0'));
    return addr;
  };
  const sys = (nr: number, ...args: number[]): number => {
    arch.syscall(nr, ...args);
    return eax();
  };
  const mmap = (addr: number, len: number, prot: number, flags: number, fd: number, off: number): number => {
    k.uaccess.copyTo(t.mm!, BUF + 0x800, new Uint8Array(new Uint32Array([addr, len, prot, flags, fd >>> 0, off]).buffer));
    return sys(NR.mmap, BUF + 0x800);
  };
  return { k, arch, t, eax, str, sys, mmap };
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('mmap of files', () => {
  test('MAP_SHARED: stores reach the file at munmap; pages and the file are let go', () => {
    const { k, t, str, sys, mmap } = setup({ '/data': 'x'.repeat(2 * PAGE + 10) });
    const fd = sys(NR.open, str(BUF, '/data'), 2, 0);
    expect(fd).toBeGreaterThan(2);
    const freeBefore = k.pages.freePages;
    const inode = k.fs.lookup('/data');
    const refsBefore = inode.refs;
    const a = mmap(0, 2 * PAGE + 10, 3, 1 /* MAP_SHARED */, fd, 0);
    expect(a).toBe(0x40000000);
    expect(inode.refs).toBe(refsBefore + 1);
    k.uaccess.copyTo(t.mm!, a + PAGE + 1, new TextEncoder().encode('SHARED'));
    expect(text(inode.read(PAGE, 8))).toBe('xxxxxxxx'); // not yet: the page is in the cache
    expect(sys(NR.msync, a, PAGE * 3, 4 /* MS_SYNC */)).toBe(0);
    expect(text(inode.read(PAGE, 8))).toBe('xSHAREDx');
    k.uaccess.copyTo(t.mm!, a + 2 * PAGE, new TextEncoder().encode('END'));
    expect(sys(NR.munmap, a, 3 * PAGE)).toBe(0);
    expect(text(inode.read(2 * PAGE, 4))).toBe('ENDx');
    expect(inode.size).toBe(2 * PAGE + 10); // a mapping never extends its file
    expect(inode.refs).toBe(refsBefore);
    // the cache keeps the two touched file pages (page tables may stay too); nothing else leaked
    expect(k.filemap.cachedPages).toBe(2);
    expect(freeBefore - k.pages.freePages).toBeLessThanOrEqual(2 + 1);
  });

  test('MAP_PRIVATE: a store copies the page; the file and a shared mapping keep the original', () => {
    const { k, t, str, sys, mmap } = setup({ '/data': 'abcdefgh' });
    const fd = sys(NR.open, str(BUF, '/data'), 2, 0);
    const priv = mmap(0, PAGE, 3, 2 /* MAP_PRIVATE */, fd, 0);
    const shared = mmap(0, PAGE, 3, 1, fd, 0);
    expect(text(k.uaccess.copyFrom(t.mm!, priv, 8))).toBe('abcdefgh');
    const cowBefore = k.counters.cowFaults;
    k.uaccess.copyTo(t.mm!, priv, new TextEncoder().encode('P'));
    expect(k.counters.cowFaults).toBe(cowBefore + 1); // read first mapped the cache page read-only
    expect(text(k.uaccess.copyFrom(t.mm!, shared, 8))).toBe('abcdefgh');
    k.uaccess.copyTo(t.mm!, shared + 1, new TextEncoder().encode('S'));
    expect(text(k.uaccess.copyFrom(t.mm!, priv, 8))).toBe('Pbcdefgh');
    // read() sees the shared store at once
    sys(NR.lseek, fd, 0, 0);
    expect(sys(NR.read, fd, BUF + 0x100, 8)).toBe(8);
    expect(text(k.uaccess.copyFrom(t.mm!, BUF + 0x100, 8))).toBe('aScdefgh');
    // write() shows through the shared mapping
    sys(NR.lseek, fd, 7, 0);
    sys(NR.write, fd, str(BUF + 0x200, 'W'), 1);
    expect(text(k.uaccess.copyFrom(t.mm!, shared, 8))).toBe('aScdefgW');
  });

  test('clean pages are not written back; MS_INVALIDATE unmaps shared pages (the next access faults them in)', () => {
    const { k, t, str, sys, mmap } = setup({ '/data': 'y'.repeat(3 * PAGE) });
    const fd = sys(NR.open, str(BUF, '/data'), 2, 0);
    const writes: number[] = [];
    const source = k.filemap.source;
    k.filemap.source = { ...source, writePage: (inode, index, b) => (writes.push(index), source.writePage(inode, index, b)) };
    const ro = mmap(0, 3 * PAGE, 1, 1, fd, 0);
    for (let i = 0; i < 3; i++) k.uaccess.read32(t.mm!, ro + i * PAGE);
    expect(sys(NR.munmap, ro, 3 * PAGE)).toBe(0);
    expect(writes).toEqual([]);
    const rw = mmap(0, 3 * PAGE, 3, 1, fd, 0);
    k.uaccess.read32(t.mm!, rw);
    k.uaccess.write32(t.mm!, rw + PAGE, 0x41424344);
    expect(sys(NR.msync, rw, 3 * PAGE, 2 /* MS_INVALIDATE */)).toBe(0);
    // page 0 was only read, but a read fault of a writable shared mapping maps it writable
    // (2.0's PAGE_SHARED), so it counts as dirty: the CPU's dirty bit is not seen on every arch
    expect(writes).toEqual([0, 1]);
    expect(t.mm!.presentPhys(rw)).toBe(-1);
    expect(t.mm!.presentPhys(rw + PAGE)).toBe(-1);
    const faults = k.counters.fileFaults;
    expect(k.uaccess.read32(t.mm!, rw + PAGE)).toBe(0x41424344);
    expect(k.counters.fileFaults).toBe(faults + 1);
    // write access taken away after a store: still written back
    k.uaccess.write32(t.mm!, rw + 2 * PAGE, 0x45);
    expect(sys(NR.mprotect, rw, 3 * PAGE, 1)).toBe(0);
    writes.length = 0;
    expect(sys(NR.msync, rw, 3 * PAGE, 4)).toBe(0);
    expect(writes).toEqual([1, 2]); // both were writable (1 since its fault after the invalidate)
    writes.length = 0;
    expect(sys(NR.msync, rw, 3 * PAGE, 4)).toBe(0);
    expect(writes).toEqual([]); // read-only and cleaned: nothing more to write
  });

  test('a write-back that would wait for the disk (munmap cannot sleep) is kept and done before the next read()', () => {
    const { k, t, str, sys, mmap } = setup({ '/data': 'z'.repeat(PAGE) });
    const fd = sys(NR.open, str(BUF, '/data'), 2, 0);
    const source = k.filemap.source;
    let busy = true;
    k.filemap.source = {
      ...source,
      writePage: (inode, index, b) => {
        if (busy) throw new IoWait(new WaitQueue('disk'), 'test');
        source.writePage(inode, index, b);
      },
    };
    const a = mmap(0, PAGE, 3, 1, fd, 0);
    k.uaccess.copyTo(t.mm!, a, new TextEncoder().encode('LATE'));
    expect(sys(NR.munmap, a, PAGE)).toBe(0);
    const inode = k.fs.lookup('/data');
    expect(text(inode.read(0, 4))).toBe('zzzz');
    busy = false;
    expect(sys(NR.read, fd, BUF + 0x100, 4)).toBe(4);
    expect(text(k.uaccess.copyFrom(t.mm!, BUF + 0x100, 4))).toBe('LATE');
  });

  test('/dev/zero: private mappings are zero-filled memory, shared ones are refused (2.0 mmap_zero)', () => {
    const { k, t, str, sys, mmap } = setup();
    const fd = sys(NR.open, str(BUF, '/dev/zero'), 2, 0);
    const a = mmap(0, PAGE, 3, 2, fd, 0);
    expect(k.uaccess.read32(t.mm!, a)).toBe(0);
    k.uaccess.write32(t.mm!, a, 5);
    expect(k.uaccess.read32(t.mm!, a)).toBe(5);
    expect(mmap(0, PAGE, 3, 1, fd, 0)).toBe(-22);
  });

  test('errors: unaligned offset, a directory, a shared writable mapping of a read-only descriptor', () => {
    const { str, sys, mmap } = setup({ '/data': 'abc' });
    const ro = sys(NR.open, str(BUF, '/data'), 0, 0);
    expect(mmap(0, PAGE, 1, 1, ro, 100)).toBe(-22);
    expect(mmap(0, PAGE, 3, 1, ro, 0)).toBe(-13);
    expect(mmap(0, PAGE, 3, 2, ro, 0)).toBeGreaterThan(0);
    const dir = sys(NR.open, str(BUF, '/tmp'), 0, 0);
    expect(mmap(0, PAGE, 1, 2, dir, 0)).toBe(-19);
    expect(sys(NR.msync, 0x10000, PAGE, 4)).toBe(-12);
  });
});

describe('mprotect', () => {
  test('PROT_NONE makes present pages inaccessible (EFAULT from the kernel), PROT_READ gives them back', () => {
    const { k, t, sys, mmap } = setup();
    const a = mmap(0, 2 * PAGE, 3, 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0);
    k.uaccess.write32(t.mm!, a, 0x1234);
    expect(sys(NR.mprotect, a, PAGE, 0)).toBe(0);
    expect(() => k.uaccess.read32(t.mm!, a)).toThrow();
    expect(sys(NR.mprotect, a, PAGE, 1)).toBe(0);
    expect(k.uaccess.read32(t.mm!, a)).toBe(0x1234);
    expect(() => k.uaccess.write32(t.mm!, a, 1)).toThrow();
    expect(sys(NR.mprotect, a, PAGE, 3)).toBe(0);
    k.uaccess.write32(t.mm!, a, 7);
    expect(k.uaccess.read32(t.mm!, a)).toBe(7);
    expect(sys(NR.mprotect, a, PAGE, 8)).toBe(-22);
    expect(sys(NR.mprotect, a + 4 * PAGE, PAGE, 1)).toBe(-12);
  });
});

describe('core dumps (2.0: the 0x80 flag only when a core file was written)', () => {
  for (const limit of [0, 1 << 24]) {
    test(`SIGQUIT with RLIMIT_CORE ${limit}`, () => {
      const { k, arch, t, sys } = setup();
      k.uaccess.copyTo(t.mm!, BUF, new Uint8Array(new Uint32Array([limit, 0x7fffffff]).buffer));
      expect(sys(NR.setrlimit, 4, BUF)).toBe(0);
      arch.syscall(NR.fork);
      const child = k.tasks.get(arch.regs.get(t)!.eax)!;
      k.current = child;
      k.sendSig(child, 3);
      k.retToUser(child);
      expect(child.state).toBe(TaskState.Zombie);
      expect(child.exitCode & 0x7f).toBe(3);
      expect((child.exitCode & 0x80) !== 0).toBe(limit > 0);
      if (limit > 0) {
        const core = k.fs.lookup('/core');
        expect(Array.from(core.read(0, 4))).toEqual([0x7f, 0x45, 0x4c, 0x46]);
        expect(core.read(16, 1)[0]).toBe(4); // ET_CORE
        expect(core.size).toBeGreaterThan(PAGE);
      } else {
        expect(() => k.fs.lookup('/core')).toThrow();
      }
    });
  }
});

describe('exec and process groups', () => {
  test('a #! script runs its interpreter with [interpreter, argument, script, argv[1..]]', () => {
    const { k, t, str, sys } = setup({ '/s': { bytes: '#!/init  -x  \nrest\n', mode: 0o755 } as never });
    const argv = BUF + 0x400;
    k.uaccess.copyTo(t.mm!, argv, new Uint8Array(new Uint32Array([str(BUF + 0x100, 'name'), str(BUF + 0x140, 'arg1'), 0]).buffer));
    expect(sys(NR.execve, str(BUF, '/s'), argv, 0)).toBe(0);
    const sp = t.mm!.startStack;
    const argc = k.uaccess.read32(t.mm!, sp);
    const args = Array.from({ length: argc }, (_, i) => k.uaccess.string(t.mm!, k.uaccess.read32(t.mm!, sp + 4 + 4 * i), 100));
    expect(args).toEqual(['/init', '-x', '/s', 'arg1']);
  });

  test('exec errors: ENOEXEC for text, E2BIG for an argument beyond 32 pages', () => {
    const { k, t, str, sys } = setup({ '/text': { bytes: 'hello', mode: 0o755 } as never });
    expect(sys(NR.execve, str(BUF, '/text'), 0, 0)).toBe(-8);
    const big = 0x40000000;
    k.uaccess.copyTo(t.mm!, BUF + 0x800, new Uint8Array(new Uint32Array([9, 33 * PAGE + 1, 3, 0x22, 0xffffffff, 0]).buffer));
    expect(sys(NR.mmap, BUF + 0x800)).toBe(big);
    k.uaccess.copyTo(t.mm!, big, new Uint8Array(33 * PAGE).fill(0x61));
    const argv = BUF + 0x400;
    k.uaccess.copyTo(t.mm!, argv, new Uint8Array(new Uint32Array([big, 0]).buffer));
    expect(sys(NR.execve, str(BUF, '/init'), argv, 0)).toBe(-7);
  });

  test('setpgid: a child that has exec\'d cannot be moved (EACCES); setsid of a group leader fails', () => {
    const { k, arch, t, sys, str } = setup();
    expect(sys(NR.setsid)).toBe(-1); // init leads its group already
    const path = str(BUF, '/init'); // before fork: the child's copy has it
    arch.syscall(NR.fork);
    const child = k.tasks.get(arch.regs.get(t)!.eax)!;
    expect(sys(NR.setpgid, child.pid, child.pid)).toBe(0);
    expect(child.pgrp).toBe(child.pid);
    expect(sys(NR.setpgid, child.pid, 0x7000)).toBe(-1); // no such group in the session: EPERM
    k.current = child;
    arch.syscall(NR.execve, path, 0, 0);
    expect(child.didExec).toBe(true);
    k.current = t;
    expect(sys(NR.setpgid, child.pid, t.pgrp)).toBe(-13);
    expect(sys(NR.getsid, child.pid)).toBe(t.session);
  });
});

describe('descriptor calls', () => {
  test('old select (#82, arguments in a struct), FIONREAD on a pipe and a file, F_DUPFD, FD_CLOEXEC closed by exec', () => {
    const { k, t, str, sys } = setup({ '/f': '0123456789' });
    sys(NR.pipe, BUF);
    const [rfd, wfd] = [k.uaccess.read32(t.mm!, BUF), k.uaccess.read32(t.mm!, BUF + 4)];
    sys(NR.write, wfd, str(BUF + 0x100, 'abc'), 3);
    const set = BUF + 0x200;
    k.uaccess.write32(t.mm!, set, 1 << rfd);
    k.uaccess.copyTo(t.mm!, BUF + 0x300, new Uint8Array(new Uint32Array([rfd + 1, set, 0, 0, 0]).buffer));
    expect(sys(NR.select, BUF + 0x300)).toBe(1);
    expect(k.uaccess.read32(t.mm!, set)).toBe(1 << rfd);
    expect(sys(NR.ioctl, rfd, 0x541b, BUF + 0x400)).toBe(0);
    expect(k.uaccess.read32(t.mm!, BUF + 0x400)).toBe(3);
    const ffd = sys(NR.open, str(BUF, '/f'), 0, 0);
    sys(NR.lseek, ffd, 4, 0);
    expect(sys(NR.ioctl, ffd, 0x541b, BUF + 0x400)).toBe(0);
    expect(k.uaccess.read32(t.mm!, BUF + 0x400)).toBe(6);
    expect(sys(NR.ioctl, ffd, 0x5401, BUF + 0x400)).toBe(-25); // TCGETS off a tty: ENOTTY
    expect(sys(NR.fcntl, ffd, 0, 50)).toBe(50); // F_DUPFD
    expect(sys(NR.fcntl, 50, 2, 1)).toBe(0); // F_SETFD FD_CLOEXEC
    expect(sys(NR.fcntl, 50, 1, 0)).toBe(1);
    expect(sys(NR.execve, str(BUF, '/init'), 0, 0)).toBe(0);
    expect(t.files[50]).toBeNull();
    expect(t.files[ffd]).not.toBeNull();
  });
});

describe('stop and continue inside a system call', () => {
  test('a read interrupted by SIGSTOP is issued again after SIGCONT (2.0 restarts it: no handler ran)', () => {
    const { k, arch, t, sys } = setup();
    sys(NR.pipe, BUF);
    const rfd = k.uaccess.read32(t.mm!, BUF);
    const eipAtRead = arch.regs.get(t)!.eip + 2;
    arch.syscall(NR.read, rfd, BUF + 0x100, 10);
    expect(t.state).toBe(TaskState.Interruptible);
    k.sendSig(t, 19); // SIGSTOP wakes it; on the way out it stops
    arch.fromUser = false;
    k.onTimerInterrupt();
    arch.fromUser = true;
    k.onResume();
    expect(t.state).toBe(TaskState.Stopped);
    k.sendSig(t, 18); // SIGCONT: runnable again
    expect(t.state).toBe(TaskState.Running);
    arch.fromUser = false;
    k.onTimerInterrupt();
    arch.fromUser = true;
    expect(k.current).toBe(t);
    k.onResume();
    const r = arch.regs.get(t)!;
    expect(r.eax).toBe(NR.read); // not -ERESTARTSYS (512) leaking to user space
    expect(r.eip).toBe(eipAtRead - 2);
  });
});

describe('interval timers', () => {
  test('ITIMER_REAL re-arms with its interval; ITIMER_VIRTUAL counts user ticks only; alarm reports 2.0\'s rounding', () => {
    const { k, arch, t, sys } = setup();
    const itv = (interval: number, value: number): number => {
      k.uaccess.copyTo(t.mm!, BUF, new Uint8Array(new Uint32Array([0, interval, 0, value]).buffer));
      return BUF;
    };
    expect(sys(NR.setitimer, 0, itv(30_000, 30_000), 0)).toBe(0); // 3 ticks, counted from the next tick
    const tick = (user: boolean): void => {
      arch.fromUser = user;
      k.onTimerInterrupt();
      arch.fromUser = true;
    };
    const alrm = 1 << 13;
    for (let i = 0; i < 3; i++) tick(false);
    expect(t.pending & alrm).toBe(0);
    tick(false);
    expect(t.pending & alrm).toBe(alrm);
    t.pending = 0;
    for (let i = 0; i < 3; i++) tick(false);
    expect(t.pending & alrm).toBe(alrm); // again 3 ticks later
    t.pending = 0;
    expect(sys(NR.setitimer, 0, itv(0, 0), 0)).toBe(0);
    const vtalrm = 1 << 25;
    expect(sys(NR.setitimer, 1, itv(0, 20_000), 0)).toBe(0); // 2 user ticks
    tick(false);
    tick(false);
    expect(t.pending & vtalrm).toBe(0); // kernel ticks do not count
    expect(sys(NR.alarm, 100)).toBe(0);
    expect(sys(NR.alarm, 5)).toBe(101); // 100 s and a tick left: rounded up
    expect(sys(NR.getitimer, 0, BUF)).toBe(0);
    expect(k.uaccess.read32(t.mm!, BUF + 8)).toBe(5);
    expect(sys(NR.getitimer, 3, BUF)).toBe(-22);
    tick(true);
    expect(k.initExit).toBeNull();
    tick(true); // the second user tick: SIGVTALRM, whose default action ends the process
    expect(k.initExit).toEqual({ code: null, signal: 26 });
    void vtalrm;
  });
});
