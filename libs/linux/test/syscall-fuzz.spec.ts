// Robustness: random system calls with hostile arguments (null, kernel-space and
// unaligned pointers, huge lengths, bad descriptors) never raise a host exception;
// the kernel answers with -errno, blocks, or ends the task, and its page accounting
// stays consistent.
import { NR } from '../src/core/syscall-numbers';
import { TaskState } from '../src/core/task';
import { fakeKernel } from './fake-arch';
import { tinyElf } from './tiny-elf';

function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const INTERESTING = [0, 1, 2, 3, 0xffffffff, 0x7fffffff, 0x80000000, 0xc0000000, 0xbffffffc, 0xbfff0000, 0x08048000, 0x08048054, 4096, 0x40000000, 0xfffff000, 100, 255, 256];

describe('system-call fuzzing on the core', () => {
  const numbers = [...Object.values(NR), 0, 222, 255, 256, 1000, 0xffffffff].filter((n) => n !== NR.pause && n !== NR.sigsuspend);

  test.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i: 400 hostile calls, no host exception', (seed) => {
    const { k, arch } = fakeKernel(tinyElf(new Array(200).fill(0x90), { bss: 8192 }), { '/etc/f': 'data' });
    const rnd = prng(seed);
    const arg = (): number => (rnd() % 3 === 0 ? rnd() : INTERESTING[rnd() % INTERESTING.length]);
    for (let i = 0; i < 400; i++) {
      const t = k.current;
      if (t.isIdle || t.state !== TaskState.Running) break;
      const nr = numbers[rnd() % numbers.length];
      // keep the process tree small
      if ((nr === NR.fork && k.tasks.size > 6) || nr === NR.exit) continue;
      // kill -1 / the process group would end the run early; send signals to ourselves only
      const args = [arg(), arg(), arg(), arg(), arg()];
      if (nr === NR.kill) args[0] = t.pid;
      expect(() => arch.syscall(nr, ...args)).not.toThrow();
      if (k.current !== t && k.current.parked) {
        // a switch to a parked task: it resumes through the resume path
        arch.fromUser = true;
        expect(() => k.onResume()).not.toThrow();
      }
    }
    // page accounting: every task's resident pages are really allocated
    let rss = 0;
    for (const t of k.tasks.values()) rss += t.mm?.rss ?? 0;
    expect(k.pages.totalPages - k.pages.freePages).toBeGreaterThanOrEqual(rss);
  });
});
