import { bootMach, TEST_MARK } from './testing/boot';
import { Asm, R } from './testing/asm';
import { scriptThread } from './testing/script';
import { TRAP, type MachKernel } from './kernel';
import { EXC, EXC_MSG, EXC_REPLY, H, KERN, MACH_RCV_MSG, MACH_SEND_MSG, MSG_ID, MSG_TYPE, msghBits, PORT_SEND, replyId, TS } from './message';
import type { Task } from './task';
import { ThreadState } from './thread';
import { replyState, requestState } from './exceptions';

const CODE = 0x08048000;
const BUF = 0x1000;

function guest(kernel: MachKernel, build: (a: Asm) => void): { task: Task; code: number[] } {
  const a = new Asm(CODE);
  build(a);
  const task = kernel.createTask();
  task.map.allocate(CODE, 0x1000);
  const code = a.assemble();
  kernel.writeUser(task, CODE, code);
  return { task, code };
}

/** A handler thread: receives exception_raise_state messages on a fresh port and answers with `answer(state)` (RetCode, new state). */
function handler(kernel: MachKernel, answer: (exception: number, code: number[], state: number[]) => { ret: number; state: number[] }, seen: number[][]) {
  const task = kernel.createTask();
  task.map.allocate(BUF, 0x1000);
  const port = kernel.ports.allocate();
  const name = task.space.insert({ port, type: 16 });
  const steps = [];
  for (let i = 0; i < 2; i++) {
    steps.push((ctx: import('./kernel').UserThreadContext) => ctx.trap(TRAP.MACH_MSG, [BUF, MACH_RCV_MSG, 0, 512, name, 0, 0]));
    steps.push((ctx: import('./kernel').UserThreadContext) => {
      const exception = ctx.read32(BUF + EXC_MSG.EXCEPTION);
      const code = [ctx.read32(BUF + EXC_MSG.CODE0), ctx.read32(BUF + EXC_MSG.CODE1)];
      const state = Array.from({ length: 17 }, (_, j) => ctx.read32(BUF + EXC_MSG.STATE + 4 * j));
      seen.push([ctx.read32(BUF + H.ID), exception, ...code, state[TS.EIP], state[TS.EAX]]);
      const r = answer(exception, code, state);
      const reply = ctx.read32(BUF + H.REMOTE);
      const words = [msghBits(MSG_TYPE.MOVE_SEND_ONCE), EXC_REPLY.BYTES, reply, 0, 0, replyId(MSG_ID.EXCEPTION_RAISE_STATE), r.ret, 1, 17, ...r.state];
      words.forEach((w, j) => ctx.write32(BUF + 0x400 + 4 * j, w >>> 0));
      ctx.trap(TRAP.MACH_MSG, [BUF + 0x400, MACH_SEND_MSG, EXC_REPLY.BYTES, 0, 0, 0, 0]);
    });
  }
  scriptThread(kernel, task, steps);
  return port;
}

describe('Mach exceptions', () => {
  it('a fault becomes exception_raise_state to the exception port; the handler’s reply resumes the thread with the state it returns', () => {
    const { kernel, marks, runUntilMarks } = bootMach({ timerHz: 0 });
    const seen: number[][] = [];
    const port = handler(kernel, (_e, _c, s) => ({ ret: KERN.SUCCESS, state: s.map((v, i) => (i === TS.EIP ? v + 2 : i === TS.EAX ? 0x1234 : v)) }), seen);
    const g = guest(kernel, (a) => a.movImm(R.EAX, 7).ud2().hostcall(TEST_MARK).label('end').jmp('end'));
    g.task.exceptionPort = port;
    kernel.createThread(g.task, CODE, 0);
    expect(runUntilMarks(1).reason).toBe('stopped');
    expect(seen).toEqual([[MSG_ID.EXCEPTION_RAISE_STATE, EXC.BAD_INSTRUCTION, 6, 0, CODE + 5, 7]]);
    expect(marks[0].eax).toBe(0x1234);
  });

  it('a reply with a failure RetCode terminates the thread; so does an exception with no exception port', () => {
    const { machine, kernel } = bootMach({ timerHz: 0 });
    const seen: number[][] = [];
    const port = handler(kernel, (_e, _c, s) => ({ ret: KERN.FAILURE, state: s }), seen);
    const g = guest(kernel, (a) => a.movImm(R.EAX, 0).emit(0xf7, 0xf0).hostcall(TEST_MARK)); // div eax → #DE
    g.task.exceptionPort = port;
    const t = kernel.createThread(g.task, CODE, 0);
    const lone = guest(kernel, (a) => a.int(3).hostcall(TEST_MARK));
    const t2 = kernel.createThread(lone.task, CODE, 0);
    expect(machine.run({ cycleBudget: 5_000_000 }).reason).toBe('deadlock');
    expect(seen.map((s) => s[1])).toEqual([EXC.ARITHMETIC]);
    expect(t.state).toBe(ThreadState.Terminated);
    expect(t2.state).toBe(ThreadState.Terminated);
    expect(machine.counters.kernel.exceptionTerminations).toBe(2);
  });

  it('int 0x80 is redirected to the task’s system-call server as a message; the reply’s EAX is the system call’s result (MkLinux)', () => {
    const { machine, kernel, marks, runUntilMarks } = bootMach({ timerHz: 0 });
    const seen: number[][] = [];
    const server = handler(kernel, (_e, code, s) => ({ ret: KERN.SUCCESS, state: s.map((v, i) => (i === TS.EAX ? (code[1] === 20 ? 42 : -38) : v)) }), seen);
    const g = guest(kernel, (a) => a.movImm(R.EAX, 20).int(0x80).hostcall(TEST_MARK).movImm(R.EAX, 999).int(0x80).hostcall(TEST_MARK).label('end').jmp('end'));
    g.task.syscallServer = server;
    kernel.createThread(g.task, CODE, 0);
    expect(runUntilMarks(2).reason).toBe('stopped');
    expect(marks.map((m) => m.eax | 0)).toEqual([42, -38]);
    expect(seen.map((s) => s.slice(0, 4))).toEqual([
      [MSG_ID.EXCEPTION_RAISE_STATE, EXC.SYSCALL, 0x80, 20],
      [MSG_ID.EXCEPTION_RAISE_STATE, EXC.SYSCALL, 0x80, 999],
    ]);
    expect(seen[0][4]).toBe(CODE + 7); // the state's EIP is after the INT
    expect(machine.counters.kernel.syscallRedirections).toBe(2);
    void PORT_SEND;
  });
});

describe('the cost of a redirected int 0x80', () => {
  it('measured: a task’s int 0x80 answered by a guest server replying with exception state (the Mach part of a MkLinux-user system call)', () => {
    const N = 300;
    const { machine, kernel, marks, runUntilMarks } = bootMach({ timerHz: 0 });
    const srv = kernel.createTask();
    const port = kernel.ports.allocate();
    const name = srv.space.insert({ port, type: 16 });
    const SB = 0x20000000;
    const s = new Asm(CODE + 0x800);
    const argsRecv = SB + 0x400,
      argsReply = SB + 0x440;
    s.machTrap(TRAP.MACH_MSG, argsRecv);
    s.label('loop');
    s.movImm(R.ESI, SB + EXC_MSG.STATE).movImm(R.EDI, SB + EXC_REPLY.STATE).movImm(R.ECX, 17).emit(0xf3, 0xa5); // rep movsd: the state back
    s.storeImm(SB, msghBits(MSG_TYPE.MOVE_SEND_ONCE)).storeImm(SB + 4, EXC_REPLY.BYTES).storeImm(SB + 12, 0).storeImm(SB + 20, replyId(MSG_ID.EXCEPTION_RAISE_STATE));
    s.storeImm(SB + EXC_REPLY.RETCODE, 0).storeImm(SB + EXC_REPLY.FLAVOR, 1).storeImm(SB + EXC_REPLY.STATE_CNT, 17).storeImm(SB + EXC_REPLY.STATE + 4 * TS.EAX, 42);
    s.machTrap(TRAP.MACH_MSG, argsReply).jmp('loop');
    srv.map.allocate(CODE, 0x1000);
    kernel.writeUser(srv, CODE + 0x800, s.assemble());
    srv.map.allocate(SB, 0x1000);
    const dw = (...v: number[]) => v.flatMap((x) => [x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff]);
    kernel.writeUser(srv, argsRecv, dw(SB, MACH_RCV_MSG, 0, 256, name, 0, 0));
    kernel.writeUser(srv, argsReply, dw(SB, MACH_SEND_MSG | MACH_RCV_MSG, EXC_REPLY.BYTES, 256, name, 0, 0));
    kernel.createThread(srv, CODE + 0x800, 0, 10);
    const g = guest(kernel, (a) => a.movImm(R.EDI, N).hostcall(TEST_MARK).label('l').movImm(R.EAX, 20).int(0x80).dec(R.EDI).jnz('l').hostcall(TEST_MARK).label('e').jmp('e'));
    g.task.syscallServer = port;
    kernel.createThread(g.task, CODE, 0, 12);
    expect(runUntilMarks(1).reason).toBe('stopped');
    const s0 = machine.counters.snapshot();
    expect(runUntilMarks(2).reason).toBe('stopped');
    const s1 = machine.counters.snapshot();
    expect(marks[1].eax).toBe(42);
    expect(marks[1].regs[R.EDI]).toBe(0);
    const per = (k: string) => ((s1[k] ?? 0) - (s0[k] ?? 0)) / N;
    expect(per('kernel.syscallRedirections')).toBe(1);
    expect(per('kernel.addressSpaceSwitches')).toBe(2);
    const cycles = (marks[1].cycle - marks[0].cycle) / N;
    expect(cycles).toBeGreaterThan(1500);
    console.log(`redirected int 0x80 → server task → reply (no server work): ${cycles.toFixed(0)} cycles per call (MkLinux-user getpid is 14710 in calibration.md; the Linux server's own path is not here yet)`);
  });
});

describe('a co-located system-call server', () => {
  it('measured: int 0x80 answered inside the kernel by a kernel-served port (the Mach part of a MkLinux in-kernel system call)', () => {
    const N = 300;
    const { machine, kernel, marks, runUntilMarks } = bootMach({ timerHz: 0 });
    const calls: number[] = [];
    const server = kernel.kernelPort('linux-server', (m) => {
      const r = requestState(m);
      calls.push(r.code[1]);
      replyState(kernel, m, KERN.SUCCESS, r.state.map((v, i) => (i === TS.EAX ? 42 : v)));
    });
    const g = guest(kernel, (a) => a.movImm(R.EDI, N).hostcall(TEST_MARK).label('l').movImm(R.EAX, 20).int(0x80).dec(R.EDI).jnz('l').hostcall(TEST_MARK).label('e').jmp('e'));
    g.task.syscallServer = server;
    kernel.createThread(g.task, CODE, 0, 12);
    expect(runUntilMarks(1).reason).toBe('stopped');
    const s0 = machine.counters.snapshot();
    expect(runUntilMarks(2).reason).toBe('stopped');
    const s1 = machine.counters.snapshot();
    expect(marks[1].eax).toBe(42);
    expect(calls.length).toBe(N);
    expect(calls.every((c) => c === 20)).toBe(true);
    const per = (k: string) => ((s1[k] ?? 0) - (s0[k] ?? 0)) / N;
    expect(per('kernel.addressSpaceSwitches')).toBe(0);
    expect(per('kernel.machMessages')).toBe(2);
    const cycles = (marks[1].cycle - marks[0].cycle) / N;
    console.log(`redirected int 0x80 answered in the kernel (no server work): ${cycles.toFixed(0)} cycles per call (MkLinux in-kernel getpid is 2050 in calibration.md)`);
    expect(cycles).toBeLessThan(3000);
  });
});
