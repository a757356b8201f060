// L4Linux's interrupt threads: a device IRQ reaches the server as an L4 interrupt IPC to
// a thread of its own, which runs the top half above the main server thread's priority
// and kicks the bottom-half thread; the timer runs the same way from a 10 ms timeout.
import * as fs from 'fs';
import * as path from 'path';
import { Machine } from '@mklab/pentium';
import { bootL4Linux } from './boot';

const image = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(__dirname, '../../../../../guest/images/int80', name)));

describe('L4Linux interrupt and bottom-half threads', () => {
  it('a device IRQ runs its top half in its own server thread, then the bottom-half thread; the process is unaffected', () => {
    const machine = new Machine({ memoryBytes: 64 << 20 });
    const sys = bootL4Linux(machine, { rootfs: { '/bin/getpid': image('getpid') }, init: { path: '/bin/getpid', argv: ['getpid', '3000', '2'] }, variant: 'trampoline', stdin: 'null' });
    const tops: { cycle: number; prio: number; lthread: number }[] = [];
    const l4 = sys.l4;
    expect(sys.arch.attachIrq(5, () => tops.push({ cycle: machine.counters.cycles, prio: l4.current.prio, lthread: l4.current.lthread }))).toBe(true);
    expect(sys.arch.attachIrq(0)).toBe(false); // L4's clock
    expect(sys.arch.attachIrq(2)).toBe(false); // the cascade
    const pulses = [3_000_000, 3_500_000, 4_000_000];
    for (const at of pulses) machine.events.schedule(at, () => machine.pic.pulse(5));
    const result = machine.run({ cycleBudget: 2_000_000_000 });
    expect(result).toEqual({ reason: 'stopped', stopReason: 'init-exited' });
    expect(sys.initExit()).toEqual({ code: 0, signal: null });
    expect(sys.stdout()).toMatch(/^getpid_cycles /m);
    const k = machine.counters.kernel;
    expect(tops).toHaveLength(pulses.length);
    for (let i = 0; i < pulses.length; i++) {
      expect(tops[i].cycle).toBeGreaterThanOrEqual(pulses[i]);
      expect(tops[i].cycle - pulses[i]).toBeLessThan(20_000); // promptly: the IRQ thread preempts the process
      expect(tops[i].lthread).toBe(3); // the first IRQ thread of the server
      expect(tops[i].prio).toBeGreaterThan(150); // above the main server thread
    }
    expect(k['l4linux.deviceInterrupts']).toBe(pulses.length);
    expect(k.interruptIpcs).toBeGreaterThanOrEqual(pulses.length);
    // every top half (device and timer) is followed by a bottom-half run (kicks may coalesce)
    expect(k['l4linux.bottomHalfRuns']).toBeGreaterThan(0);
    expect(k['l4linux.bottomHalfRuns']).toBeLessThanOrEqual(k['l4linux.deviceInterrupts'] + k.timerTicks);
    expect(k.timerTicks).toBeGreaterThan(0);
  });
});
