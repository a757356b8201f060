import { Asm, R } from './testing/asm';
import { bootMach, dwords, TEST_MARK } from './testing/boot';
import { TRAP } from './kernel';
import { MACH_RCV_MSG, MACH_SEND_MSG, MSG_TYPE, msghBits, PORT_SEND } from './message';

const CODE = 0x08048000;
const DATA = 0x08060000;
const BUF = DATA;
const ARGS = DATA + 0x200;
const ARGS2 = DATA + 0x240;

/** Echo server: receive, then reply (move-send-once to the reply right) and receive again, forever. */
function server(serverName: number): { code: number[]; data: number[] } {
  const a = new Asm(CODE + 0x800);
  a.machTrap(TRAP.MACH_MSG, ARGS);
  a.label('loop').storeImm(BUF, msghBits(MSG_TYPE.MOVE_SEND_ONCE)).storeImm(BUF + 4, 24).storeImm(BUF + 12, 0);
  a.machTrap(TRAP.MACH_MSG, ARGS2).jmp('loop');
  const data = new Array<number>(0x280).fill(0);
  dwords(BUF, MACH_RCV_MSG, 0, 64, serverName, 0, 0).forEach((b, i) => (data[0x200 + i] = b));
  dwords(BUF, MACH_SEND_MSG | MACH_RCV_MSG, 24, 64, serverName, 0, 0).forEach((b, i) => (data[0x240 + i] = b));
  return { code: a.assemble(), data };
}

/** Client: n RPCs (send + receive in one mach_msg), RDTSC around them. */
function client(n: number, serverName: number, replyName: number): { code: number[]; data: number[] } {
  const a = new Asm(CODE);
  a.movImm(R.EDI, n).hostcall(TEST_MARK).rdtsc().store(DATA + 0x300, R.EAX);
  a.label('loop').storeImm(BUF, msghBits(MSG_TYPE.COPY_SEND, MSG_TYPE.MAKE_SEND_ONCE)).storeImm(BUF + 4, 24).storeImm(BUF + 8, serverName).storeImm(BUF + 12, replyName).storeImm(BUF + 20, 1000);
  a.machTrap(TRAP.MACH_MSG, ARGS).dec(R.EDI).jnz('loop');
  a.rdtsc().store(DATA + 0x304, R.EAX).hostcall(TEST_MARK);
  a.label('end').jmp('end');
  const data = new Array<number>(0x400).fill(0);
  dwords(BUF, MACH_SEND_MSG | MACH_RCV_MSG, 24, 64, replyName, 0, 0).forEach((b, i) => (data[0x200 + i] = b));
  return { code: a.assemble(), data };
}

describe('mach_msg on the emulated Pentium', () => {
  it('RPC between two tasks: one trap each way; round-trip and one-way cost measured with the machine clock and the guest’s RDTSC', () => {
    const N = 500;
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
    const cl = client(N, sendName, replyName);
    c.map.allocate(CODE, 0x1000);
    kernel.writeUser(c, CODE, cl.code);
    c.map.allocate(DATA, 0x1000);
    kernel.writeUser(c, DATA, cl.data);
    kernel.createThread(c, CODE, 0, 12);
    expect(runUntilMarks(1).reason).toBe('stopped');
    const s0 = machine.counters.snapshot();
    const rr = runUntilMarks(2);
    expect(rr).toEqual({ reason: 'stopped', stopReason: 'test-mark' });
    const s1 = machine.counters.snapshot();
    expect(marks[1].regs[R.EDI]).toBe(0);
    expect(marks[1].eax).toBeDefined();
    const per = (key: string) => ((s1[key] ?? 0) - (s0[key] ?? 0)) / N;
    expect(per('kernel.machTraps')).toBe(2);
    expect(per('kernel.machMessages')).toBe(2);
    expect(per('kernel.addressSpaceSwitches')).toBe(2);
    expect(per('kernel.threadSwitches')).toBe(2);
    expect(per('kernel.portLookups')).toBe(2 + 1 + 1 + 1); // request: dest + reply right; receive names ×2; reply: dest
    const roundTrip = (marks[1].cycle - marks[0].cycle) / N;
    const tsc = (off: number) => kernel.readUser32(c, DATA + off);
    const guestRoundTrip = ((tsc(0x304) - tsc(0x300)) >>> 0) / N;
    expect(Math.abs(guestRoundTrip - roundTrip)).toBeLessThan(1);
    // first-generation order of magnitude: far above L4's 2 × 121, near the 486's 5700 clocks translated
    expect(roundTrip).toBeGreaterThan(1500);
    expect(roundTrip).toBeLessThan(6000);
    console.log(`Mach RPC round trip (24-byte messages, two tasks): ${roundTrip.toFixed(0)} cycles = ${(roundTrip / 133).toFixed(1)} µs at 133 MHz; one-way ${(roundTrip / 2).toFixed(0)}; per round trip ${per('l1dMisses').toFixed(1)} L1D misses, ${per('instructions').toFixed(0)} instructions (user + kernel paths), ${per('tlbFlushes')} TLB flushes`);
  });
});
