import { bootMach } from './testing/boot';
import { scriptThread, writeMsg } from './testing/script';
import { TRAP } from './kernel';
import { IpcSpace, RightError } from './ipc-space';
import { Port } from './port';
import { H, MACH_RCV_MSG, MACH_SEND_MSG, MSG_RET, MSG_TYPE, msghBits, PORT_RIGHT, PORT_SEND, PORT_SEND_ONCE, PORT_TYPE } from './message';

const BUF = 0x1000; // a page each test maps in both tasks
const send = (msg: number, size: number) => [msg, MACH_SEND_MSG, size, 0, 0, 0, 0];
const recv = (msg: number, name: number) => [msg, MACH_RCV_MSG, 0, 256, name, 0, 0];

describe('Mach port rights', () => {
  it('a receive right made into a send right travels in a message; destroying the receive right turns the holder’s send right into a dead name', () => {
    const { machine, kernel } = bootMach({ timerHz: 0 });
    const a = kernel.createTask();
    const b = kernel.createTask();
    a.map.allocate(BUF, 0x1000);
    b.map.allocate(BUF, 0x1000);
    const bPort = kernel.ports.allocate();
    const bRecv = b.space.insert({ port: bPort, type: 16 });
    const aToB = a.space.insert({ port: bPort, type: PORT_SEND });
    const r = kernel.ports.allocate();
    const rName = a.space.insert({ port: r, type: 16 });
    let gotName = 0;
    let stage = 0;
    // A: give B a send right to R (make-send), then receive B's message on R, then destroy R
    const A = scriptThread(kernel, a, [
      (ctx) => ctx.trap(TRAP.MACH_MSG, send(BUF, writeMsg(ctx, BUF, { bits: msghBits(MSG_TYPE.COPY_SEND), remote: aToB, id: 7, ports: [{ name: rName, disposition: MSG_TYPE.MAKE_SEND }] }))),
      (ctx) => ctx.trap(TRAP.MACH_MSG, recv(BUF, rName)),
      (ctx) => {
        stage = ctx.read32(BUF + H.ID);
        ctx.trap(TRAP.PORT_DESTROY, [a.selfName, rName]);
      },
    ]);
    const B = scriptThread(
      kernel,
      b,
      [
        (ctx) => ctx.trap(TRAP.MACH_MSG, recv(BUF, bRecv)),
        (ctx) => {
          gotName = ctx.read32(BUF + 28); // first descriptor's name
          expect((ctx.read32(BUF + 36) >>> 16) & 0xff).toBe(PORT_SEND);
          ctx.trap(TRAP.MACH_MSG, send(BUF, writeMsg(ctx, BUF, { bits: msghBits(MSG_TYPE.COPY_SEND), remote: gotName, id: 99 })));
        },
        // wait (receive with a 1 ms timeout) so that A destroys R, then send again
        (ctx) => ctx.trap(TRAP.MACH_MSG, [BUF + 0x800, MACH_RCV_MSG | 0x100, 0, 256, bRecv, 1, 0]),
        (ctx) => ctx.trap(TRAP.MACH_MSG, send(BUF, writeMsg(ctx, BUF, { bits: msghBits(MSG_TYPE.COPY_SEND), remote: gotName, id: 100 }))),
      ],
      { priority: 14, onDone: () => machine.stop('done') },
    );
    const rr = machine.run({ cycleBudget: 20_000_000 });
    expect(rr).toEqual({ reason: 'stopped', stopReason: 'done' });
    expect(A.results).toEqual([0, 0, 0]);
    expect(stage).toBe(99);
    expect(B.results[0]).toBe(0);
    expect(B.results[1]).toBe(0);
    expect(B.results[2]).toBe(MSG_RET.RCV_TIMED_OUT);
    expect(B.results[3]).toBe(MSG_RET.SEND_INVALID_DEST);
    expect(r.dead).toBe(true);
    expect(b.space.typeOf(gotName)).toBe(PORT_TYPE.DEAD_NAME);
    expect(a.space.typeOf(rName)).toBe(0);
    expect(machine.counters.kernel.portsDestroyed).toBe(1);
  });

  it('a receive right moved in a message (MOVE_RECEIVE): the old holder loses it, messages sent by existing send rights go to the new holder', () => {
    const { machine, kernel } = bootMach({ timerHz: 0 });
    const a = kernel.createTask();
    const b = kernel.createTask();
    const c = kernel.createTask();
    for (const t of [a, b, c]) t.map.allocate(BUF, 0x1000);
    const bPort = kernel.ports.allocate();
    const bRecv = b.space.insert({ port: bPort, type: 16 });
    const aToB = a.space.insert({ port: bPort, type: PORT_SEND });
    const p = kernel.ports.allocate();
    const pName = a.space.insert({ port: p, type: 16 });
    const cToP = c.space.insert({ port: p, type: PORT_SEND });
    let movedName = 0;
    let gotId = 0;
    // A moves its receive right for P to B; then tries to receive on it (invalid name now)
    const A = scriptThread(kernel, a, [
      (ctx) => ctx.trap(TRAP.MACH_MSG, send(BUF, writeMsg(ctx, BUF, { bits: msghBits(MSG_TYPE.COPY_SEND), remote: aToB, id: 1, ports: [{ name: pName, disposition: MSG_TYPE.MOVE_RECEIVE }] }))),
      (ctx) => ctx.trap(TRAP.MACH_MSG, [BUF, MACH_RCV_MSG | 0x100, 0, 256, pName, 0, 0]),
    ]);
    // B receives the right, then receives on it the message C sends through its old send right
    scriptThread(
      kernel,
      b,
      [
        (ctx) => ctx.trap(TRAP.MACH_MSG, recv(BUF, bRecv)),
        (ctx) => {
          movedName = ctx.read32(BUF + 28);
          ctx.trap(TRAP.MACH_MSG, recv(BUF, movedName));
        },
        (ctx) => {
          gotId = ctx.read32(BUF + H.ID);
          ctx.trap(TRAP.MACH_MSG, [BUF, MACH_RCV_MSG | 0x100, 0, 256, bRecv, 0, 0]);
        },
      ],
      { onDone: () => machine.stop('done') },
    );
    scriptThread(kernel, c, [(ctx) => ctx.trap(TRAP.MACH_MSG, send(BUF, writeMsg(ctx, BUF, { bits: msghBits(MSG_TYPE.COPY_SEND), remote: cToP, id: 42 })))], { priority: 14 });
    expect(machine.run({ cycleBudget: 20_000_000 })).toEqual({ reason: 'stopped', stopReason: 'done' });
    expect(A.results).toEqual([0, MSG_RET.RCV_INVALID_NAME]);
    expect(a.space.typeOf(pName)).toBe(0);
    expect(b.space.typeOf(movedName)).toBe(PORT_TYPE.RECEIVE);
    expect(p.receiver).toBe(b.space);
    expect(gotId).toBe(42);
  });

  it('a send-once right is consumed by its one message; the name is gone afterwards', () => {
    const { machine, kernel } = bootMach({ timerHz: 0 });
    const a = kernel.createTask();
    const b = kernel.createTask();
    a.map.allocate(BUF, 0x1000);
    b.map.allocate(BUF, 0x1000);
    const p = kernel.ports.allocate();
    const pName = a.space.insert({ port: p, type: 16 });
    const once = b.space.insert({ port: p, type: PORT_SEND_ONCE });
    expect(b.space.typeOf(once)).toBe(PORT_TYPE.SEND_ONCE);
    const B = scriptThread(
      kernel,
      b,
      [
        (ctx) => ctx.trap(TRAP.MACH_MSG, send(BUF, writeMsg(ctx, BUF, { bits: msghBits(MSG_TYPE.MOVE_SEND_ONCE), remote: once, id: 1 }))),
        (ctx) => ctx.trap(TRAP.MACH_MSG, send(BUF, writeMsg(ctx, BUF, { bits: msghBits(MSG_TYPE.MOVE_SEND_ONCE), remote: once, id: 2 }))),
      ],
      { onDone: () => machine.stop('done') },
    );
    expect(machine.run({ cycleBudget: 5_000_000 })).toEqual({ reason: 'stopped', stopReason: 'done' });
    expect(B.results).toEqual([0, MSG_RET.SEND_INVALID_DEST]);
    expect(b.space.typeOf(once)).toBe(0);
    expect(p.queue.length).toBe(1);
    expect(p.queue[0].dest.type).toBe(PORT_SEND_ONCE);
    void pName;
  });
});

describe('port name spaces', () => {
  it('send rights to one port share one name and count user references; send-once rights get a name each', () => {
    const space = new IpcSpace(1);
    const p = new Port(1);
    const n1 = space.insert({ port: p, type: PORT_SEND });
    const n2 = space.insert({ port: p, type: PORT_SEND });
    expect(n2).toBe(n1);
    expect(space.lookup(n1)?.urefs).toBe(2);
    const o1 = space.insert({ port: p, type: PORT_SEND_ONCE });
    const o2 = space.insert({ port: p, type: PORT_SEND_ONCE });
    expect(new Set([n1, o1, o2]).size).toBe(3);
    // copy-send leaves the references, move-send takes one
    expect(space.copyin(n1, MSG_TYPE.COPY_SEND).type).toBe(PORT_SEND);
    expect(space.lookup(n1)?.urefs).toBe(2);
    space.copyin(n1, MSG_TYPE.MOVE_SEND);
    expect(space.lookup(n1)?.urefs).toBe(1);
    expect(space.deallocate(n1)).toBe(true);
    expect(space.typeOf(n1)).toBe(0);
    expect(() => space.copyin(n1, MSG_TYPE.COPY_SEND)).toThrow(RightError);
    // make-send needs the receive right, which shares the name with later send rights
    const r = space.insert({ port: new Port(2), type: 16 });
    expect(space.typeOf(r)).toBe(PORT_TYPE.RECEIVE);
    const made = space.copyin(r, MSG_TYPE.MAKE_SEND);
    expect(space.insert(made)).toBe(r);
    expect(space.typeOf(r)).toBe(PORT_TYPE.RECEIVE | PORT_TYPE.SEND);
    expect(() => space.copyin(o1, MSG_TYPE.MAKE_SEND)).toThrow(RightError);
  });

  it('task termination kills the ports it received on: other tasks’ send rights become dead names', () => {
    const { kernel } = bootMach({ timerHz: 0 });
    const a = kernel.createTask();
    const b = kernel.createTask();
    const p = kernel.ports.allocate();
    a.space.insert({ port: p, type: 16 });
    const n = b.space.insert({ port: p, type: PORT_SEND });
    const self = b.space.insert({ port: a.port!, type: PORT_SEND });
    kernel.terminateTask(a);
    expect(b.space.typeOf(n)).toBe(PORT_TYPE.DEAD_NAME);
    expect(b.space.typeOf(self)).toBe(PORT_TYPE.DEAD_NAME);
    expect(kernel.machine.counters.kernel.tasksTerminated).toBe(1);
  });
});

describe('port sets', () => {
  it('a receive on a port set takes a message from any member (waiting until one arrives); the local name says which', () => {
    const { machine, kernel } = bootMach({ timerHz: 0 });
    const r = kernel.createTask();
    const s = kernel.createTask();
    r.map.allocate(BUF, 0x1000);
    s.map.allocate(BUF, 0x1000);
    const p1 = kernel.ports.allocate();
    const p2 = kernel.ports.allocate();
    const n1 = r.space.insert({ port: p1, type: 16 });
    const n2 = r.space.insert({ port: p2, type: 16 });
    const to1 = s.space.insert({ port: p1, type: PORT_SEND });
    const to2 = s.space.insert({ port: p2, type: PORT_SEND });
    let set = 0;
    const got: number[][] = [];
    const SETVAR = BUF + 0x800;
    const R = scriptThread(
      kernel,
      r,
      [
        (ctx) => ctx.trap(TRAP.PORT_ALLOCATE, [r.selfName, PORT_RIGHT.PORT_SET, SETVAR]),
        (ctx) => {
          set = ctx.read32(SETVAR);
          ctx.trap(TRAP.PORT_MOVE_MEMBER, [r.selfName, n1, set]);
        },
        (ctx) => ctx.trap(TRAP.PORT_MOVE_MEMBER, [r.selfName, n2, set]),
        (ctx) => ctx.trap(TRAP.MACH_MSG, recv(BUF, set)), // nothing queued yet: waits
        (ctx) => {
          got.push([ctx.read32(BUF + H.ID), ctx.read32(BUF + H.LOCAL)]);
          ctx.trap(TRAP.MACH_MSG, recv(BUF, set));
        },
        (ctx) => {
          got.push([ctx.read32(BUF + H.ID), ctx.read32(BUF + H.LOCAL)]);
          ctx.trap(TRAP.MACH_MSG, [BUF, MACH_RCV_MSG | 0x100, 0, 256, set, 0, 0]); // empty: zero timeout
        },
      ],
      { priority: 10, onDone: () => machine.stop('done') },
    );
    scriptThread(
      kernel,
      s,
      [
        (ctx) => ctx.trap(TRAP.MACH_MSG, send(BUF, writeMsg(ctx, BUF, { bits: msghBits(MSG_TYPE.COPY_SEND), remote: to2, id: 2 }))),
        (ctx) => ctx.trap(TRAP.MACH_MSG, send(BUF, writeMsg(ctx, BUF, { bits: msghBits(MSG_TYPE.COPY_SEND), remote: to1, id: 1 }))),
      ],
      { priority: 12 },
    );
    expect(machine.run({ cycleBudget: 10_000_000 })).toEqual({ reason: 'stopped', stopReason: 'done' });
    expect(r.space.typeOf(set)).toBe(PORT_TYPE.PORT_SET);
    expect(got).toEqual([
      [2, n2],
      [1, n1],
    ]);
    expect(R.results).toEqual([0, 0, 0, 0, 0, MSG_RET.RCV_TIMED_OUT]);
  });
});
