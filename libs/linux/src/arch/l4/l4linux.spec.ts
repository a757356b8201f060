// L4Linux end to end: unmodified int 0x80 guest images (guest/images/int80) run under
// the Linux server on L4 and behave as on native Linux.
import * as fs from 'fs';
import * as path from 'path';
import { Machine } from '@mklab/pentium';
import { bootLinux } from '../../boot';
import { bootL4Linux } from './boot';

const IMAGES = path.join(__dirname, '../../../../../guest/images/int80');
const image = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(IMAGES, name)));
const BUDGET = 400_000_000;

function runL4(name: string, argv: string[] = [name], opts: { smallSpaces?: boolean } = {}) {
  const machine = new Machine({ memoryBytes: 64 << 20 });
  const sys = bootL4Linux(machine, { rootfs: { [`/bin/${name}`]: image(name) }, init: { path: `/bin/${name}`, argv }, variant: 'trampoline', smallSpaces: opts.smallSpaces, stdin: 'null' });
  const result = machine.run({ cycleBudget: BUDGET });
  return { machine, sys, result };
}

function runNative(name: string, argv: string[] = [name]) {
  const machine = new Machine({ memoryBytes: 64 << 20 });
  const sys = bootLinux(machine, { arch: 'native', rootfs: { [`/bin/${name}`]: image(name) }, init: { path: `/bin/${name}`, argv }, stdin: 'null' });
  const result = machine.run({ cycleBudget: BUDGET });
  return { machine, sys, result };
}

const samples = (out: string): number[] => [...out.matchAll(/^getpid_cycles (-?\d+\.\d+) cycles$/gm)].map((m) => Number(m[1]));

describe('L4Linux, trampoline (unmodified int 0x80 binaries)', () => {
  test('getpid runs to completion and measures itself; every int 0x80 went through the emulation library', () => {
    const { sys, result, machine } = runL4('getpid', ['getpid', '200', '2']);
    expect(result).toEqual({ reason: 'stopped', stopReason: 'init-exited' });
    expect(sys.initExit()).toEqual({ code: 0, signal: null });
    expect(sys.stdout()).toMatch(/^tsc_mhz 133\.0 MHz$/m);
    const s = samples(sys.stdout());
    expect(s).toHaveLength(2);
    const k = machine.counters.kernel;
    // each system call: the #GP reflected into the thread through the user-level IDT, one call to the
    // server; no exception IPC (the handler thread mapped the library's code page before the first one)
    expect(k.exceptionReflections).toBe(k.syscalls);
    expect(k.exceptionIpcs ?? 0).toBe(0);
    expect(k.exRegs ?? 0).toBe(0);
    // L4Linux pays at least two address-space switches per call on top of native's path
    for (const c of s) expect(c).toBeGreaterThan(400);
  });

  test('small spaces: the server in a small space makes getpid cheaper and saves the TLB flushes', () => {
    const large = runL4('getpid', ['getpid', '200', '1']);
    const small = runL4('getpid', ['getpid', '200', '1'], { smallSpaces: true });
    expect(small.sys.initExit()).toEqual({ code: 0, signal: null });
    const [cl] = samples(large.sys.stdout());
    const [cs] = samples(small.sys.stdout());
    expect(cs).toBeLessThan(cl);
    expect(small.machine.counters.tlbFlushes * 100).toBeLessThan(large.machine.counters.tlbFlushes);
    expect(small.machine.counters.kernel.smallSpaceSwitches).toBeGreaterThan(0);
  });

  // fork/exec/wait, files, faults → signals, alarm/pause (the timer thread), as on native Linux (output and exit status)
  test.each(['test-fork', 'test-exec', 'test-segv', 'test-signals', 'test-fileio', 'test-brk', 'test-setjmp', 'test-args', 'test-exit3', 'test-misc', 'test-arith', 'test-float', 'test-format', 'test-sort', 'test-strings', 'test-x87', 'test-x87-ext'])('%s behaves as on native Linux', (name) => {
    const native = runNative(name);
    const l4 = runL4(name);
    expect(l4.result).toEqual({ reason: 'stopped', stopReason: 'init-exited' });
    expect(l4.sys.initExit()).toEqual(native.sys.initExit());
    expect(l4.sys.stdout()).toBe(native.sys.stdout());
    expect(l4.sys.stdout().length).toBeGreaterThan(0);
  });

  test('deterministic: two boots give identical counters and output', () => {
    const a = runL4('test-fork');
    const b = runL4('test-fork');
    expect(a.machine.counters.snapshot()).toEqual(b.machine.counters.snapshot());
    expect(a.sys.stdout()).toBe(b.sys.stdout());
  });

  test('bad boot options are refused with a clear error', () => {
    const machine = new Machine({ memoryBytes: 64 << 20 });
    expect(() => bootL4Linux(machine, { rootfs: {}, init: { path: '/bin/x' }, variant: 'fast' as 'ipc' })).toThrow(/variant must be 'trampoline' or 'ipc'/);
    expect(() => bootL4Linux(new Machine({ memoryBytes: 64 << 20 }), { rootfs: {}, init: { path: 'bin/x' }, variant: 'ipc' })).toThrow(/absolute path/);
  });
});
