// What the single-server arch layers share about the core's code and its switches:
//   - the core's code in the server's text is laid out as native links it (order,
//     distances, offsets within a page), so it aliases in the caches as on native;
//   - a Linux process switch inside the server is charged as the server's mechanism: a
//     blocked task that a wake-up made runnable continues only through a switch into its
//     kernel context, as on native (lmbench udp: two per round trip on every system).
import * as fs from 'fs';
import * as path from 'path';
import { Machine } from '@mklab/pentium';
import { bootLinux } from '../../boot';
import { bootL4Linux } from '../l4/boot';
import { bootMkLinux } from '../mach/boot';
import { CORE_PATHS, sysProfile } from '../native/costs';
import { NR } from '../../core/syscall-numbers';
import { coreProfile as l4CoreProfile } from '../l4/costs';
import { coreProfile as machCoreProfile } from '../mach/costs';
import { LINUX_BASE as L4_BASE } from '../l4/l4-arch';
import { LINUX_BASE as MACH_BASE } from '../mach/mach-arch';

const IMAGES = path.join(__dirname, '../../../../../guest/images/int80');
const lmbench = new Uint8Array(fs.readFileSync(path.join(IMAGES, 'lmbench')));
const BUDGET = 3_000_000_000;

type System = 'native' | 'l4linux' | 'mklinux-inkernel' | 'mklinux-user';

function run(system: System, args: string[]) {
  const machine = new Machine({ memoryBytes: 64 << 20 });
  const opts = { rootfs: { '/bin/lmbench': lmbench }, init: { path: '/bin/lmbench', argv: ['lmbench', ...args] }, stdin: 'null' as const };
  const sys =
    system === 'native'
      ? bootLinux(machine, { arch: 'native', ...opts })
      : system === 'l4linux'
        ? bootL4Linux(machine, { ...opts, variant: 'trampoline' })
        : bootMkLinux(machine, { ...opts, config: system === 'mklinux-user' ? 'user' : 'inkernel' });
  const result = machine.run({ cycleBudget: BUDGET });
  expect(result).toEqual({ reason: 'stopped', stopReason: 'init-exited' });
  expect(sys.initExit()).toEqual({ code: 0, signal: null });
  return { stdout: sys.stdout(), k: machine.counters.kernel as Record<string, number> };
}

describe("the core's code in the server's text", () => {
  const paths = [...Object.keys(CORE_PATHS), ...Object.keys(NR).map((n) => `sys.${n}`)];
  const native = (p: string) => (p.startsWith('sys.') ? sysProfile(p.slice(4)) : CORE_PATHS[p]).code.start;
  test.each([
    ['L4Linux', l4CoreProfile, L4_BASE],
    ['MkLinux', machCoreProfile, MACH_BASE],
  ] as const)('%s: native order and distances, native offsets within a page', (_name, profile, base) => {
    const first = paths.reduce((m, p) => Math.min(m, native(p)), Infinity);
    const serverFirst = profile(paths.find((p) => native(p) === first) as string).code.start;
    for (const p of paths) {
      const at = profile(p).code.start;
      expect(at - serverFirst).toBe(native(p) - first);
      expect((base + at) % 4096).toBe(native(p) % 4096);
    }
  });
});

describe('a Linux process switch inside the server', () => {
  // udp: client and server processes; every round trip blocks each of them once
  const SWITCHES: Record<string, string> = { native: 'contextSwitches', l4linux: 'l4linux.coreSwitches', 'mklinux-inkernel': 'mklinux.coreSwitches' };
  test.each(['native', 'l4linux', 'mklinux-inkernel'] as const)('%s: two switches into a blocked process per UDP round trip', (system) => {
    const { stdout, k } = run(system, ['-t', '2000', '-N', '1', 'udp']);
    expect(stdout).toMatch(/^lmb_udp_us \d+\.\d{4} us$/m);
    const roundTrips = k.netPackets / 2;
    expect(roundTrips).toBeGreaterThan(20);
    const perTrip = k[SWITCHES[system]] / roundTrips;
    expect(perTrip).toBeGreaterThan(1.8);
    expect(perTrip).toBeLessThan(2.2);
  }, 600_000);

  test('MkLinux user: the ring of two processes pays a Mach thread switch per hop beyond the pipe overhead', () => {
    const { stdout, k } = run('mklinux-user', ['-t', '10000', '-c', '1', '-p', '2', 'ctx']);
    const m = /^lmb_ctx_2p_0k_us (-?\d+\.\d+) us$/m.exec(stdout);
    expect(m).not.toBeNull();
    // a thread switch with its Mach trap is several µs at 133 MHz; before it was charged the ring cost what the overhead did
    expect(Number((m as RegExpExecArray)[1])).toBeGreaterThan(2);
    expect(k['mklinux.serverThreadSwitches']).toBeGreaterThanOrEqual(k.contextSwitches * 0.9);
  }, 600_000);
});
