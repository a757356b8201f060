import { Asm, R } from './testing/asm';
import { bootL4, TEST_MARK } from './testing/boot';
import { encodeTimeouts, IPC_ERR, NO_PHASE } from './ipc-abi';
import { threadId } from './thread-id';

const CODE = 0x1000;
/** the server's loop at another page offset than the client's (two programs' hot code rarely shares L1 sets) */
const SERVER_CODE = 0x1800;

/** Server: open wait, then reply-and-wait forever, echoing the message. */
function echoServer(at: number): number[] {
  const a = new Asm(at);
  a.movImm(R.EAX, NO_PHASE).movImm(R.EBP, 1).movImm(R.ECX, 0).int(0x30);
  a.label('loop').movImm(R.EAX, 0).movImm(R.EBP, 1).movImm(R.ECX, encodeTimeouts({ send: 0 })).int(0x30).jmp('loop');
  return a.assemble();
}

/** Client: mark, `n` calls to `server` (EDI counts down, echoed by the server), mark. */
function pingClient(server: number, n: number): number[] {
  const a = new Asm(CODE);
  a.movImm(R.EDI, n).movImm(R.ESI, server).movImm(R.ECX, 0).hostcall(TEST_MARK);
  a.label('loop').movImm(R.EAX, 0).movImm(R.EBP, 0).int(0x30).dec(R.EDI).jnz('loop');
  a.hostcall(TEST_MARK);
  a.label('end').jmp('end');
  return a.assemble();
}

describe('L4 IPC on the emulated Pentium', () => {
  it('call and reply-and-wait between two address spaces: messages arrive, counters count, one-way cost near the 121-cycle anchor', () => {
    const { machine, kernel, marks, runUntilMarks } = bootL4({ timerHz: 0 });
    const server = threadId(5, 0);
    kernel.bootTask({ task: 5, image: { at: SERVER_CODE, bytes: echoServer(SERVER_CODE) }, prio: 100 });
    const N = 2000;
    kernel.bootTask({ task: 4, image: { at: CODE, bytes: pingClient(server, N) }, prio: 100 });
    const before = { ...machine.counters.snapshot() };
    void before;
    const r = runUntilMarks(1);
    const s0 = machine.counters.snapshot();
    runUntilMarks(2);
    const s1 = machine.counters.snapshot();
    const diff: Record<string, number> = {};
    for (const key of Object.keys(s1)) if (s1[key] !== s0[key]) diff[key] = +((s1[key] - (s0[key] ?? 0)) / (2 * N)).toFixed(2);
    console.log(JSON.stringify(diff));
    expect(r).toEqual({ reason: 'stopped', stopReason: 'test-mark' });
    void r;
    const k = machine.counters.kernel;
    const cycles = marks[1].cycle - marks[0].cycle;
    const oneWay = cycles / (2 * N);
    // eslint-disable-next-line no-console
    console.log(`L4 one-way short IPC (call/reply, two large spaces, warm): ${oneWay.toFixed(1)} cycles incl. ~4 user instructions per side; anchor 121`);
    expect(k.ipcs).toBeGreaterThanOrEqual(2 * N);
    expect(k.cr3Loads).toBeGreaterThanOrEqual(2 * N);
    expect(oneWay).toBeGreaterThan(100);
    expect(oneWay).toBeLessThan(200);
  });
});
