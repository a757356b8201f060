import { Asm, R } from './testing/asm';
import { bootMach, dwords, TEST_MARK } from './testing/boot';
import { TRAP } from './kernel';
import { MACH_RCV_MSG, MACH_SEND_MSG, MSG_TYPE, msghBits, PORT_SEND } from './message';

const CODE = 0x08048000;
const DATA = 0x08060000;
const BUF = DATA;
const ARGS = DATA + 0xc00;
const ARGS2 = DATA + 0xc40;
const TSC = DATA + 0xd00;

/** Echo server: receive, then reply (move-send-once to the reply right) and receive again, forever. */
function server(serverName: number): { code: number[]; data: number[] } {
  const a = new Asm(CODE + 0x800);
  a.machTrap(TRAP.MACH_MSG, ARGS);
  a.label('loop').storeImm(BUF, msghBits(MSG_TYPE.MOVE_SEND_ONCE)).storeImm(BUF + 4, 24).storeImm(BUF + 12, 0);
  a.machTrap(TRAP.MACH_MSG, ARGS2).jmp('loop');
  const data = new Array<number>(0x1000).fill(0);
  dwords(BUF, MACH_RCV_MSG, 0, 2048, serverName, 0, 0).forEach((b, i) => (data[ARGS - DATA + i] = b));
  dwords(BUF, MACH_SEND_MSG | MACH_RCV_MSG, 24, 2048, serverName, 0, 0).forEach((b, i) => (data[ARGS2 - DATA + i] = b));
  return { code: a.assemble(), data };
}

/** Client: n RPCs (send + receive in one mach_msg), RDTSC around them. */
function client(n: number, serverName: number, replyName: number, size: number): { code: number[]; data: number[] } {
  const a = new Asm(CODE);
  a.movImm(R.EDI, n).hostcall(TEST_MARK).rdtsc().store(TSC, R.EAX);
  a.label('loop').storeImm(BUF, msghBits(MSG_TYPE.COPY_SEND, MSG_TYPE.MAKE_SEND_ONCE)).storeImm(BUF + 4, size).storeImm(BUF + 8, serverName).storeImm(BUF + 12, replyName).storeImm(BUF + 20, 1000);
  a.machTrap(TRAP.MACH_MSG, ARGS).dec(R.EDI).jnz('loop');
  a.rdtsc().store(TSC + 4, R.EAX).hostcall(TEST_MARK);
  a.label('end').jmp('end');
  const data = new Array<number>(0x1000).fill(0);
  dwords(BUF, MACH_SEND_MSG | MACH_RCV_MSG, size, 64, replyName, 0, 0).forEach((b, i) => (data[ARGS - DATA + i] = b));
  return { code: a.assemble(), data };
}

/** Runs `n` RPCs whose requests carry `size` bytes (header included) and returns per-round-trip figures. */
function rpc(n: number, size: number) {
  const { machine, kernel, marks, runUntilMarks } = bootMach({ timerHz: 0 });
  const srvPort = kernel.ports.allocate();
  const s = kernel.createTask();
  const srvName = s.space.insert({ port: srvPort, type: 16 });
  const c = kernel.createTask();
  const sendName = c.space.insert({ port: srvPort, type: PORT_SEND });
  const replyName = c.space.insert({ port: kernel.ports.allocate(), type: 16 });
  const sv = server(srvName);
  s.map.allocate(CODE, 0x1000);
  kernel.writeUser(s, CODE + 0x800, sv.code);
  s.map.allocate(DATA, 0x1000);
  kernel.writeUser(s, DATA, sv.data);
  kernel.createThread(s, CODE + 0x800, 0, 10);
  const cl = client(n, sendName, replyName, size);
  c.map.allocate(CODE, 0x1000);
  kernel.writeUser(c, CODE, cl.code);
  c.map.allocate(DATA, 0x1000);
  kernel.writeUser(c, DATA, cl.data);
  kernel.createThread(c, CODE, 0, 12);
  expect(runUntilMarks(1).reason).toBe('stopped');
  const s0 = machine.counters.snapshot();
  expect(runUntilMarks(2)).toEqual({ reason: 'stopped', stopReason: 'test-mark' });
  const s1 = machine.counters.snapshot();
  expect(marks[1].regs[R.EDI]).toBe(0);
  const per = (key: string) => ((s1[key] ?? 0) - (s0[key] ?? 0)) / n;
  expect(per('kernel.machMessages')).toBe(2); // every RPC sent its request and its reply
  const roundTrip = (marks[1].cycle - marks[0].cycle) / n;
  const tsc = (off: number) => kernel.readUser32(c, TSC + off);
  const guestRoundTrip = ((tsc(4) - tsc(0)) >>> 0) / n;
  return { roundTrip, guestRoundTrip, per };
}

describe('mach_msg on the emulated Pentium', () => {
  it('RPC between two tasks: one trap each way; round-trip and one-way cost measured with the machine clock and the guest’s RDTSC', () => {
    const N = 500;
    const r = rpc(N, 24);
    expect(r.per('kernel.machTraps')).toBe(2);
    expect(r.per('kernel.machMessages')).toBe(2);
    expect(r.per('kernel.addressSpaceSwitches')).toBe(2);
    expect(r.per('kernel.threadSwitches')).toBe(2);
    expect(r.per('kernel.portLookups')).toBe(2 + 1 + 1 + 1); // request: dest + reply right; receive names ×2; reply: dest
    expect(r.per('kernel.bytesCopied')).toBe(4 * 24); // each message copied in and out
    expect(Math.abs(r.guestRoundTrip - r.roundTrip)).toBeLessThan(1);
    // first-generation order of magnitude: far above L4's 2 × 121, near the 486's 5700 clocks translated
    expect(r.roundTrip).toBeGreaterThan(1500);
    expect(r.roundTrip).toBeLessThan(6000);
    console.log(
      `Mach RPC round trip (24-byte messages, two tasks): ${r.roundTrip.toFixed(0)} cycles = ${(r.roundTrip / 133).toFixed(1)} µs at 133 MHz; one-way ${(r.roundTrip / 2).toFixed(0)}; ` +
        `per round trip ${r.per('l1dMisses').toFixed(1)} L1D misses, ${r.per('instructions').toFixed(0)} instructions (user + kernel paths), ${r.per('tlbFlushes')} TLB flushes`,
    );
  });

  it('inline data is copied twice (in and out): a 1 KiB request costs more by about the copies and their cache misses', () => {
    const small = rpc(200, 24);
    const large = rpc(200, 24 + 1024);
    expect(large.per('kernel.bytesCopied') - small.per('kernel.bytesCopied')).toBe(2 * 1024);
    const extra = large.roundTrip - small.roundTrip;
    expect(extra).toBeGreaterThan(2 * (1024 / 4)); // REP MOVSD: at least one clock per dword each way
    expect(extra).toBeLessThan(4000);
    console.log(`Mach RPC with a 1 KiB inline request: ${large.roundTrip.toFixed(0)} cycles (+${extra.toFixed(0)} over 24 bytes)`);
  });
});
