// MkLinux end to end: unmodified int 0x80 guest images (guest/images/int80) under the
// Linux server on Mach, in both configurations.
import * as fs from 'fs';
import * as path from 'path';
import { Machine } from '@mklab/pentium';
import { bootLinux } from '../../boot';
import { bootMkLinux } from './boot';
import type { MkLinuxConfig } from './mach-arch';

const IMAGES = path.join(__dirname, '../../../../../guest/images/int80');
const image = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(IMAGES, name)));
const BUDGET = 2_000_000_000;

function runMk(config: MkLinuxConfig, name: string, argv: string[] = [name]) {
  const machine = new Machine({ memoryBytes: 64 << 20 });
  const sys = bootMkLinux(machine, { rootfs: { [`/bin/${name}`]: image(name) }, init: { path: `/bin/${name}`, argv }, config, stdin: 'null' });
  const result = machine.run({ cycleBudget: BUDGET });
  return { machine, sys, result };
}

const samples = (out: string): number[] => [...out.matchAll(/^getpid_cycles (-?\d+\.\d+) cycles$/gm)].map((m) => Number(m[1]));

/** calibration.md / the paper's Table 2: the only figures the MkLinux fits (costs.ts) may be fitted to. */
const CALIBRATION_ROWS: Record<MkLinuxConfig, number> = { inkernel: 2050, user: 14710 };

/** Kernel counters per getpid call: the difference between two runs that differ only in the number of calls. */
function perCall(config: MkLinuxConfig, calls: number): Record<string, number> {
  const a = runMk(config, 'getpid', ['getpid', String(calls), '1']).machine.counters.kernel;
  const b = runMk(config, 'getpid', ['getpid', String(2 * calls), '1']).machine.counters.kernel;
  const out: Record<string, number> = {};
  for (const k of Object.keys(b)) out[k] = ((b[k] ?? 0) - (a[k] ?? 0)) / calls;
  return out;
}

describe('MkLinux getpid against the calibration rows (the two fitted values)', () => {
  test.each(['inkernel', 'user'] as const)('%s: guest-measured getpid within 5%% of the row', (config) => {
    const { sys, result } = runMk(config, 'getpid', ['getpid', '1000', '2']);
    expect(result).toEqual({ reason: 'stopped', stopReason: 'init-exited' });
    const s = samples(sys.stdout());
    expect(s).toHaveLength(2);
    const row = CALIBRATION_ROWS[config];
    const err = (s[1] - row) / row;
    console.log(`MkLinux ${config}: getpid ${s[1].toFixed(1)} cycles, row ${row}, error ${(100 * err).toFixed(2)}%`);
    expect(Math.abs(err)).toBeLessThan(0.05);
  });
});

describe('the Mach counters of one getpid call', () => {
  const MACH = ['machTraps', 'syscallRedirections', 'machMessages', 'portLookups', 'bytesCopied', 'oolPages', 'threadSwitches', 'addressSpaceSwitches'];
  test('in-kernel: the redirected int 0x80 and its reply are two kernel-internal messages; no switch of thread or address space', () => {
    const c = perCall('inkernel', 500);
    console.log('MkLinux in-kernel, per getpid:', JSON.stringify(Object.fromEntries(MACH.map((k) => [k, Math.round(c[k] * 100) / 100]))));
    expect(Math.round(c.syscallRedirections)).toBe(1);
    expect(Math.round(c.machMessages)).toBe(2);
    expect(Math.round(c.machTraps)).toBe(0);
    expect(Math.round(c.threadSwitches)).toBe(0);
    expect(Math.round(c.addressSpaceSwitches)).toBe(0);
    expect(c.bytesCopied).toBeLessThan(1);
  });
  test('user: one mach_msg trap of the server (reply + receive), two messages, two thread and two address-space switches; the request and reply bytes copied', () => {
    const c = perCall('user', 500);
    console.log('MkLinux user, per getpid:', JSON.stringify(Object.fromEntries(MACH.map((k) => [k, Math.round(c[k] * 100) / 100]))));
    expect(Math.round(c.syscallRedirections)).toBe(1);
    expect(Math.round(c.machTraps)).toBe(1);
    expect(Math.round(c.machMessages)).toBe(2);
    expect(Math.round(c.portLookups)).toBe(2);
    expect(Math.round(c.threadSwitches)).toBe(2);
    expect(Math.round(c.addressSpaceSwitches)).toBe(2);
    // exception_raise_state (116 bytes) copied out to the server, its reply (104) copied in
    expect(Math.round(c.bytesCopied)).toBe(116 + 104);
    expect(c.oolPages).toBe(0);
  });
});

describe.each(['inkernel', 'user'] as const)('MkLinux %s', (config) => {
  test('getpid runs to completion and measures itself', () => {
    const { sys, result } = runMk(config, 'getpid', ['getpid', '200', '2']);
    expect(result).toEqual({ reason: 'stopped', stopReason: 'init-exited' });
    expect(sys.initExit()).toEqual({ code: 0, signal: null });
    expect(samples(sys.stdout())).toHaveLength(2);
  });
});

function runNative(name: string, argv: string[] = [name]) {
  const machine = new Machine({ memoryBytes: 64 << 20 });
  const sys = bootLinux(machine, { arch: 'native', rootfs: { [`/bin/${name}`]: image(name) }, init: { path: `/bin/${name}`, argv }, stdin: 'null' });
  const result = machine.run({ cycleBudget: BUDGET });
  return { machine, sys, result };
}

describe.each(['inkernel', 'user'] as const)('MkLinux %s behaves as native Linux', (config) => {
  // fork/exec/wait, COW through the server as pager, faults → signals (handlers that fix up and return), alarm/pause (the timer), files
  test.each(['test-fork', 'test-exec', 'test-segv', 'test-sig-fault', 'test-sig-mask', 'test-signals', 'test-brk', 'test-fileio', 'test-misc'])('%s', (name) => {
    const native = runNative(name);
    const mk = runMk(config, name);
    expect(mk.result).toEqual({ reason: 'stopped', stopReason: 'init-exited' });
    expect(mk.sys.initExit()).toEqual(native.sys.initExit());
    expect(mk.sys.stdout()).toBe(native.sys.stdout());
    expect(mk.sys.stdout().length).toBeGreaterThan(0);
  });

  test('deterministic: two boots give identical counters and output', () => {
    const a = runMk(config, 'test-fork');
    const b = runMk(config, 'test-fork');
    expect(a.machine.counters.snapshot()).toEqual(b.machine.counters.snapshot());
    expect(a.sys.stdout()).toBe(b.sys.stdout());
  });
});

test('bad boot options are refused with a clear error', () => {
  expect(() => bootMkLinux(new Machine({ memoryBytes: 64 << 20 }), { rootfs: {}, init: { path: '/bin/x' }, config: 'fast' as 'user' })).toThrow(/config must be 'user' or 'inkernel'/);
  expect(() => bootMkLinux(new Machine({ memoryBytes: 64 << 20 }), { rootfs: {}, init: { path: 'bin/x' }, config: 'user' })).toThrow(/absolute path/);
});
