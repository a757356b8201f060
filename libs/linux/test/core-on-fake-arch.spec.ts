// The core's scheduling, blocking and signal paths on an architecture without a CPU.
import { NR } from '../src/core/syscall-numbers';
import { TaskState } from '../src/core/task';
import { fakeKernel } from './fake-arch';
import { tinyElf } from './tiny-elf';

const STACK_BUF = 0xbfff0000; // inside the initial stack area (grows on demand)

describe('the core on a CPU-less architecture', () => {
  test('fork: the child is runnable with EAX = 0 and shares the time slice (2.0 do_fork)', () => {
    const { k, arch } = fakeKernel(tinyElf([0x90]));
    const parent = k.current;
    parent.counter = 20;
    arch.syscall(NR.fork);
    const childPid = arch.regs.get(parent)!.eax;
    const child = k.tasks.get(childPid)!;
    expect(child.parent).toBe(parent);
    expect(arch.regs.get(child)!.eax).toBe(0);
    expect([parent.counter, child.counter]).toEqual([10, 10]);
    expect(k.runQueue).toContain(child);
  });

  test('timer ticks use up the slice; at 0 the other runnable task is chosen (need_resched on return to user)', () => {
    const { k, arch } = fakeKernel(tinyElf([0x90]));
    const a = k.current;
    arch.syscall(NR.fork);
    const b = k.tasks.get(arch.regs.get(a)!.eax)!;
    expect(a.counter).toBe(10);
    for (let i = 0; i < 9; i++) k.onTimerInterrupt();
    expect(k.current).toBe(a);
    expect(k.needResched).toBe(false);
    k.onTimerInterrupt();
    expect(k.current).toBe(b);
    expect(arch.switches.at(-1)).toEqual([a.pid, b.pid]);
    // b's slice ends too: every counter is 0, recalculation gives each counter/2 + priority
    for (let i = 0; i < 10; i++) k.onTimerInterrupt();
    expect(a.counter).toBe(20);
    expect(k.current).toBe(a); // first on the run queue wins the tie
  });

  test('wait4 parks the parent; the child exit wakes it; the resume path finishes the call with pid and status', () => {
    const { k, arch } = fakeKernel(tinyElf([0x90]));
    const parent = k.current;
    arch.syscall(NR.fork);
    const childPid = arch.regs.get(parent)!.eax;
    arch.syscall(NR.wait4, -1 >>> 0, STACK_BUF, 0, 0);
    expect(parent.state).toBe(TaskState.Interruptible);
    expect(parent.parked).not.toBeNull();
    expect(k.current.pid).toBe(childPid);
    arch.syscall(NR.exit, 7);
    // the parent runs again: its continuation is the resume path
    expect(k.current).toBe(parent);
    k.onResume();
    expect(arch.regs.get(parent)!.eax).toBe(childPid);
    expect(k.uaccess.read32(parent.mm!, STACK_BUF)).toBe(7 << 8);
    expect(k.tasks.has(childPid)).toBe(false);
  });

  test('a signal interrupts a blocking read: with SA_RESTART the call restarts (EIP back over int 0x80), without it -EINTR', () => {
    for (const restart of [true, false]) {
      const { k, arch } = fakeKernel(tinyElf([0x90]));
      const t = k.current;
      // sigaction(SIGUSR1, {handler 0x08048100, mask 0, flags, restorer 0x08048200}, NULL)
      const act = STACK_BUF + 0x100;
      k.uaccess.copyTo(t.mm!, act, new Uint8Array(new Uint32Array([0x08048100, 0, (restart ? 0x10000000 : 0) | 0x04000000, 0x08048200]).buffer));
      arch.syscall(NR.sigaction, 10, act, 0);
      expect(arch.regs.get(t)!.eax).toBe(0);
      arch.syscall(NR.pipe, STACK_BUF);
      const rfd = k.uaccess.read32(t.mm!, STACK_BUF);
      const eipAtRead = arch.regs.get(t)!.eip + 2;
      arch.syscall(NR.read, rfd, STACK_BUF + 0x200, 10);
      expect(t.state).toBe(TaskState.Interruptible);
      expect(k.current).toBe(k.idle);
      k.sendSig(t, 10);
      expect(t.state).toBe(TaskState.Running);
      arch.fromUser = false;
      k.onTimerInterrupt(); // the idle task reschedules
      expect(k.current).toBe(t);
      arch.fromUser = true;
      k.onResume();
      const r = arch.regs.get(t)!;
      expect(r.eip).toBe(0x08048100); // in the handler
      // the saved context: restart → EIP back on the int $0x80 and EAX = NR_read; else EAX = -EINTR
      const ctx = r.esp + 8;
      const savedEax = k.uaccess.read32(t.mm!, ctx + 11 * 4);
      const savedEip = k.uaccess.read32(t.mm!, ctx + 14 * 4);
      if (restart) {
        expect(savedEax).toBe(NR.read);
        expect(savedEip).toBe(eipAtRead - 2);
      } else {
        expect(savedEax | 0).toBe(-4);
        expect(savedEip).toBe(eipAtRead);
      }
      expect(k.uaccess.read32(t.mm!, r.esp)).toBe(0x08048200); // returns through sa_restorer
      expect(t.blocked).toBe(1 << 9); // SIGUSR1 blocked while its handler runs
    }
  });

  test('SIGCHLD with the default action is discarded when a child exits (the zombie waits for wait4)', () => {
    const { k, arch } = fakeKernel(tinyElf([0x90]));
    const parent = k.current;
    arch.syscall(NR.fork);
    const child = k.tasks.get(arch.regs.get(parent)!.eax)!;
    k.current = child;
    arch.syscall(NR.exit, 0);
    expect(child.state).toBe(TaskState.Zombie);
    expect(parent.pending).toBe(0); // SIG_DFL SIGCHLD is discarded at generation (2.0 generate())
  });
});

describe('out of memory', () => {
  test('fork fails with -ENOMEM and leaks no page when memory runs out part-way', () => {
    const { k, arch } = fakeKernel(tinyElf([0x90]));
    const t = k.current;
    // touch a few stack pages so the copy has work to do
    for (let i = 0; i < 8; i++) k.uaccess.write32(t.mm!, 0xbfffe000 - i * 4096, i);
    // leave just enough free pages to fail inside copy_page_range
    const hog: number[] = [];
    while (k.pages.freePages > 3) hog.push(k.pages.alloc());
    const before = k.pages.freePages;
    const tasksBefore = k.tasks.size;
    arch.syscall(NR.fork);
    expect(arch.regs.get(t)!.eax | 0).toBe(-12);
    expect(k.pages.freePages).toBe(before);
    expect(k.tasks.size).toBe(tasksBefore);
    for (const p of hog) k.pages.put(p);
    arch.syscall(NR.fork);
    expect(arch.regs.get(t)!.eax).toBeGreaterThan(1);
  });
});

describe('directories through system calls', () => {
  test('mkdir, open, getdents lists ".", "..", and the entries in creation order across calls', () => {
    const { k, arch } = fakeKernel(tinyElf([0x90]));
    const t = k.current;
    const str = (addr: number, s: string): number => {
      k.uaccess.copyTo(t.mm!, addr, new TextEncoder().encode(s + '\0'));
      return addr;
    };
    arch.syscall(NR.mkdir, str(STACK_BUF, '/tmp/d'), 0o755);
    expect(arch.regs.get(t)!.eax).toBe(0);
    for (const n of ['alpha', 'b']) {
      arch.syscall(NR.creat, str(STACK_BUF, `/tmp/d/${n}`), 0o644);
      arch.syscall(NR.close, arch.regs.get(t)!.eax);
    }
    arch.syscall(NR.open, str(STACK_BUF, '/tmp/d'), 0, 0);
    const fd = arch.regs.get(t)!.eax;
    const names: string[] = [];
    for (;;) {
      arch.syscall(NR.getdents, fd, STACK_BUF + 0x400, 40); // room for two short records per call
      const n = arch.regs.get(t)!.eax | 0;
      expect(n).toBeGreaterThanOrEqual(0);
      if (n === 0) break;
      const b = k.uaccess.copyFrom(t.mm!, STACK_BUF + 0x400, n);
      const dv = new DataView(b.buffer);
      for (let off = 0; off < n; off += dv.getUint16(off + 8, true)) {
        let end = off + 10;
        while (b[end] !== 0) end++;
        names.push(new TextDecoder().decode(b.subarray(off + 10, end)));
      }
    }
    expect(names).toEqual(['.', '..', 'alpha', 'b']);
    arch.syscall(NR.rmdir, str(STACK_BUF, '/tmp/d'));
    expect(arch.regs.get(t)!.eax | 0).toBe(-39); // ENOTEMPTY
  });
});

describe('select', () => {
  test('on a pipe: polls with a zero timeout, sees data, sleeps until its timeout in ticks', () => {
    const { k, arch } = fakeKernel(tinyElf([0x90]));
    const t = k.current;
    const eax = (): number => arch.regs.get(t)!.eax | 0;
    arch.syscall(NR.pipe, STACK_BUF);
    const rfd = k.uaccess.read32(t.mm!, STACK_BUF);
    const wfd = k.uaccess.read32(t.mm!, STACK_BUF + 4);
    const set = STACK_BUF + 0x40;
    const tv = STACK_BUF + 0x80;
    const arm = (sec: number, usec: number): void => {
      k.uaccess.write32(t.mm!, set, 1 << rfd);
      k.uaccess.write32(t.mm!, tv, sec);
      k.uaccess.write32(t.mm!, tv + 4, usec);
    };
    arm(0, 0);
    arch.syscall(NR.newselect, rfd + 1, set, 0, 0, tv);
    expect(eax()).toBe(0);
    expect(k.uaccess.read32(t.mm!, set)).toBe(0);

    k.uaccess.write32(t.mm!, STACK_BUF + 0x100, 0x78);
    arch.syscall(NR.write, wfd, STACK_BUF + 0x100, 1);
    arm(0, 0);
    arch.syscall(NR.newselect, rfd + 1, set, 0, 0, 0);
    expect(eax()).toBe(1);
    expect(k.uaccess.read32(t.mm!, set)).toBe(1 << rfd);
    arch.syscall(NR.read, rfd, STACK_BUF + 0x100, 1);

    arm(0, 30_000); // 30 ms: 3 ticks, +1 as 2.0 rounds
    arch.syscall(NR.newselect, rfd + 1, set, 0, 0, tv);
    expect(k.current).toBe(k.idle);
    arch.fromUser = false;
    for (let i = 0; i < 3; i++) k.onTimerInterrupt();
    expect(k.current).toBe(k.idle);
    k.onTimerInterrupt();
    expect(k.current).toBe(t);
    arch.fromUser = true;
    k.onResume();
    expect(eax()).toBe(0);
    expect([k.uaccess.read32(t.mm!, tv), k.uaccess.read32(t.mm!, tv + 4)]).toEqual([0, 0]);
    // a closed descriptor in the set is EBADF
    k.uaccess.write32(t.mm!, set, 1 << 9);
    arch.syscall(NR.newselect, 10, set, 0, 0, 0);
    expect(eax()).toBe(-9);
  });
});
