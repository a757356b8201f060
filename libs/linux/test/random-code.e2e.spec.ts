// Random user code (seeded) under native Linux: whatever it does — faults, privileged
// instructions, wild system calls — the run ends with the process exiting or killed
// by a signal, or reaching its budget; never a kernel panic or a host exception.
// Random bytes die at once (SIGSEGV/SIGILL), so the second family is random system
// calls through the real int 0x80 path with hostile register values.
import { runProgram } from './e2e-helpers';
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

describe('random user code on native Linux', () => {
  test.each(Array.from({ length: 24 }, (_, i) => i + 1))('seed %i', (seed) => {
    const rnd = prng(seed * 7919);
    const code: number[] = [];
    for (let i = 0; i < 256; i++) {
      // salt the stream with int $0x80 and small immediates so system calls happen
      const r = rnd() % 16;
      if (r === 0) code.push(0xb8, rnd() % 200, 0, 0, 0, 0xcd, 0x80);
      else code.push(rnd() & 0xff);
    }
    const { linux, result } = runProgram({ path: '/init' }, { '/init': tinyElf(code) }, 20_000_000);
    expect(linux.kernelLog()).toBe('');
    if (result.reason === 'stopped') {
      expect(result.stopReason).toBe('init-exited');
      expect(linux.initExit()).not.toBeNull();
    } else {
      expect(result.reason).toBe('budget');
    }
  });

  const VALUES = [0, 1, 2, 3, 0xffffffff, 0x7fffffff, 0x80000000, 0xc0000000, 0xc0100000, 0xbffffffc, 0xbfffe000, 0x08048000, 0x08048054, 4096, 0x40000000, 0xfffff000, 17, 64];
  test.each(Array.from({ length: 12 }, (_, i) => i + 1))('random system calls, seed %i', (seed) => {
    const rnd = prng(seed * 104729);
    const code: number[] = [];
    for (let i = 0; i < 60; i++) {
      let nr = rnd() % 200;
      if (nr === 1 || nr === 29 || nr === 72) nr = 20; // exit, pause, sigsuspend
      const v = (): number => (rnd() % 4 === 0 ? rnd() : VALUES[rnd() % VALUES.length]);
      for (const [op, val] of [[0xbb, v()], [0xb9, v()], [0xba, v()], [0xbe, v()], [0xbf, v()], [0xb8, nr]] as const) {
        code.push(op, val & 0xff, (val >>> 8) & 0xff, (val >>> 16) & 0xff, (val >>> 24) & 0xff);
      }
      code.push(0xcd, 0x80);
    }
    code.push(0x31, 0xdb, 0xb8, 1, 0, 0, 0, 0xcd, 0x80); // exit(0)
    const { linux, result, machine } = runProgram({ path: '/init' }, { '/init': tinyElf(code), '/etc/f': 'data' }, 100_000_000);
    expect(linux.kernelLog()).toBe('');
    expect(machine.counters.kernel.syscalls).toBeGreaterThan(0);
    if (result.reason === 'stopped') expect(result.stopReason).toBe('init-exited');
    else expect(result.reason).toBe('budget');
  });
});
