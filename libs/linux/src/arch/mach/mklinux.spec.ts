// MkLinux end to end: unmodified int 0x80 guest images (guest/images/int80) under the
// Linux server on Mach, in both configurations.
import * as fs from 'fs';
import * as path from 'path';
import { Machine } from '@mklab/pentium';
import { bootMkLinux } from './boot';
import type { MkLinuxConfig } from './mach-arch';

const IMAGES = path.join(__dirname, '../../../../../guest/images/int80');
const image = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(IMAGES, name)));
const BUDGET = 2_000_000_000;

export function runMk(config: MkLinuxConfig, name: string, argv: string[] = [name]) {
  const machine = new Machine({ memoryBytes: 64 << 20 });
  const sys = bootMkLinux(machine, { rootfs: { [`/bin/${name}`]: image(name) }, init: { path: `/bin/${name}`, argv }, config, stdin: 'null' });
  const result = machine.run({ cycleBudget: BUDGET });
  return { machine, sys, result };
}

const samples = (out: string): number[] => [...out.matchAll(/^getpid_cycles (-?\d+\.\d+) cycles$/gm)].map((m) => Number(m[1]));

describe.each(['inkernel', 'user'] as const)('MkLinux %s', (config) => {
  test('getpid runs to completion and measures itself', () => {
    const { sys, result, machine } = runMk(config, 'getpid', ['getpid', '200', '2']);
    console.log(sys.stdout(), sys.kernelLog(), JSON.stringify(machine.counters.kernel));
    expect(result).toEqual({ reason: 'stopped', stopReason: 'init-exited' });
    expect(sys.initExit()).toEqual({ code: 0, signal: null });
    expect(samples(sys.stdout())).toHaveLength(2);
  });
});

describe('debug', () => {
  test('sig-mask', () => {
    const { sys, result, machine } = runMk((process.env.MKCFG as MkLinuxConfig) ?? 'inkernel', process.env.MKPROG ?? 'test-sig-mask');
    console.log(result, sys.stdout(), sys.kernelLog(), JSON.stringify(machine.counters.kernel));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    for (const [task, p] of (sys.arch as any).procs) console.log(task.pid, task.state, !!task.parked, task.pending, task.blocked, p.waiting, p.switchedAway, p.thread?.state, p.thread?.wait?.kind, p.thread && sys.mach.frame(p.thread));
    console.log('current', sys.mach.current.number, sys.kernel.current.pid);
  });
});
