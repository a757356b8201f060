import { bootMach } from './testing/boot';
import { scriptThread, writeMsg } from './testing/script';
import { TRAP } from './kernel';
import { MACH_RCV_MSG, MACH_RCV_TIMEOUT, MACH_SEND_MSG, MACH_SEND_TIMEOUT, MSG_RET, MSG_TYPE, msghBits, PORT_SEND } from './message';
import { QLIMIT_DEFAULT } from './port';

const BUF = 0x1000;

describe('Mach message queues', () => {
  it('a full queue (qlimit) fails a send with a zero timeout, times a finite one out at its time, and blocks an untimed one until a receive makes room', () => {
    const { machine, kernel } = bootMach({ timerHz: 0 });
    const s = kernel.createTask();
    const r = kernel.createTask();
    s.map.allocate(BUF, 0x1000);
    r.map.allocate(BUF, 0x1000);
    const port = kernel.ports.allocate();
    const recvName = r.space.insert({ port, type: 16 });
    const dest = s.space.insert({ port, type: PORT_SEND });
    const cycles: number[] = [];
    const msg = (ctx: import('./kernel').UserThreadContext, id: number, option = 0, timeout = 0) => {
      cycles.push(machine.counters.cycles);
      ctx.trap(TRAP.MACH_MSG, [BUF, MACH_SEND_MSG | option, writeMsg(ctx, BUF, { bits: msghBits(MSG_TYPE.COPY_SEND), remote: dest, id, inline: [id] }), 0, 0, timeout, 0]);
    };
    const steps = [];
    for (let i = 0; i < QLIMIT_DEFAULT; i++) steps.push((ctx: import('./kernel').UserThreadContext) => msg(ctx, i));
    steps.push((ctx: import('./kernel').UserThreadContext) => msg(ctx, 100, MACH_SEND_TIMEOUT, 0));
    steps.push((ctx: import('./kernel').UserThreadContext) => msg(ctx, 101, MACH_SEND_TIMEOUT, 2)); // 2 ms
    steps.push((ctx: import('./kernel').UserThreadContext) => msg(ctx, 102)); // blocks until the receiver takes one
    steps.push((ctx: import('./kernel').UserThreadContext) => {
      cycles.push(machine.counters.cycles);
      ctx.trap(TRAP.TASK_SELF, []);
    });
    const S = scriptThread(kernel, s, steps, { priority: 10 });
    let firstId = -1;
    // the receiver (lower priority) sleeps 10 ms, then receives one message
    const R = scriptThread(
      kernel,
      r,
      [
        (ctx) => ctx.trap(TRAP.MACH_MSG, [BUF, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 256, r.space.insert({ port: kernel.ports.allocate(), type: 16 }), 10, 0]),
        (ctx) => ctx.trap(TRAP.MACH_MSG, [BUF, MACH_RCV_MSG, 0, 256, recvName, 0, 0]),
        (ctx) => {
          firstId = ctx.read32(BUF + 20);
          ctx.trap(TRAP.MACH_MSG, [BUF, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, 256, r.space.insert({ port: kernel.ports.allocate(), type: 16 }), 1, 0]);
        },
      ],
      { priority: 20, onDone: () => machine.stop('done') },
    );
    expect(machine.run({ cycleBudget: 20_000_000 })).toEqual({ reason: 'stopped', stopReason: 'done' });
    expect(S.results.slice(0, 8)).toEqual([0, 0, 0, 0, 0, MSG_RET.SEND_TIMED_OUT, MSG_RET.SEND_TIMED_OUT, 0]);
    expect(R.results.slice(0, 2)).toEqual([MSG_RET.RCV_TIMED_OUT, 0]);
    expect(firstId).toBe(0);
    const hz = 133_000_000;
    const timedOut = cycles[7] - cycles[6];
    expect(timedOut).toBeGreaterThanOrEqual((2 * hz) / 1000);
    expect(timedOut).toBeLessThan((2 * hz) / 1000 + 20_000);
    const blocked = cycles[8] - cycles[7];
    expect(blocked).toBeGreaterThan((7 * hz) / 1000); // until the receiver woke at 10 ms
    expect(port.queue.map((m) => m.id)).toEqual([1, 2, 3, 4, 102]);
    expect(machine.counters.kernel.sendBlocks).toBe(2);
  });
});
