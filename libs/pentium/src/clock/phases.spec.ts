import { PhaseClock, PHASE, PHASES, PHASE_COUNT, PHASE_PMC_BASE, PHASE_PMC_LATCH, phaseName, type PhaseCpu } from './phases';
import { enterUser, flatMachine, runToStop, setGate, STOP, STOP_ID } from '../cpu/test-support';

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

function fakeCpu(): PhaseCpu & { stops: number } {
  const c = {
    trapCycle: 0,
    onUserReturn: null as (() => void) | null,
    stops: 0,
    requestStop() {
      c.stops++;
    },
  };
  return c;
}

describe('PhaseClock', () => {
  it('partitions the cycle counter: the phases always add up to the cycles since reset', () => {
    const counters = { cycles: 0 };
    const p = new PhaseClock(counters, fakeCpu());
    counters.cycles = 100;
    p.enter(PHASE.USER);
    counters.cycles = 130;
    p.enter(PHASE.KERNEL);
    counters.cycles = 175;
    expect(p.read(PHASE.NONE)).toBe(100);
    expect(p.read(PHASE.USER)).toBe(30);
    expect(p.read(PHASE.KERNEL)).toBe(45);
    const all = p.snapshot();
    expect(Object.values(all).reduce((a, b) => a + b, 0)).toBe(175);
    expect(Object.keys(all)).toEqual(PHASES.map((x) => x.name));
  });

  it('enterSinceTrap starts the phase at the trap, never before the previous switch', () => {
    const counters = { cycles: 0 };
    const cpu = fakeCpu();
    const p = new PhaseClock(counters, cpu);
    p.enter(PHASE.USER);
    cpu.trapCycle = 40;
    counters.cycles = 90;
    p.enterSinceTrap(PHASE.ENTRY);
    expect(p.read(PHASE.USER)).toBe(40);
    expect(p.read(PHASE.ENTRY)).toBe(50);
    // a stale trap record (before the last switch) is clamped to the switch
    counters.cycles = 100;
    p.enter(PHASE.KERNEL);
    counters.cycles = 120;
    p.enterSinceTrap(PHASE.EXIT);
    expect(p.read(PHASE.KERNEL)).toBe(0);
    expect(p.read(PHASE.EXIT)).toBe(20);
  });

  it('enterOnUserReturn arms the CPU hook once, asks for a stop, and switches at settle()', () => {
    const counters = { cycles: 0 };
    const cpu = fakeCpu();
    const p = new PhaseClock(counters, cpu);
    p.enter(PHASE.EXIT);
    p.enterOnUserReturn(PHASE.USER);
    expect(cpu.onUserReturn).not.toBeNull();
    counters.cycles = 27;
    cpu.onUserReturn?.(); // the IRET to CPL 3
    expect(cpu.onUserReturn).toBeNull();
    expect(cpu.stops).toBe(1);
    expect(p.pending).toBe(true);
    counters.cycles = 30; // the IRET's own clocks are charged after its execution
    p.settle();
    expect(p.pending).toBe(false);
    counters.cycles = 50;
    expect(p.read(PHASE.EXIT)).toBe(30);
    expect(p.read(PHASE.USER)).toBe(20);
  });

  it('RDPMC semantics: the latch returns the TSC and freezes every phase; unknown counters are -1', () => {
    const counters = { cycles: 0 };
    const p = new PhaseClock(counters, fakeCpu());
    p.enter(PHASE.USER);
    counters.cycles = 10;
    expect(p.pmc(PHASE_PMC_LATCH, 1010)).toBe(1010);
    counters.cycles = 25;
    expect(p.pmc(PHASE_PMC_BASE + PHASE.USER, 0)).toBe(10);
    expect(p.pmc(PHASE_PMC_BASE + PHASE_COUNT, 0)).toBe(-1);
    expect(p.pmc(0, 0)).toBe(-1);
    expect(p.pmc(1, 0)).toBe(-1);
  });

  it('rejects unknown phase ids', () => {
    const p = new PhaseClock({ cycles: 0 }, fakeCpu());
    expect(() => p.enter(PHASE_COUNT)).toThrow(/no phase 12/);
    expect(() => p.enter(-1)).toThrow(/no phase/);
    expect(phaseName(PHASE.IPC_CALL)).toBe('ipc_call');
  });

  it('ids and names are one table (PHASE matches PHASES)', () => {
    PHASES.forEach((x, i) => expect(x.id).toBe(i));
    for (const [key, id] of Object.entries(PHASE)) expect(PHASES[id].name).toBe(key.toLowerCase());
  });
});

describe('phase accounting on the machine (a ring-3 guest reads the counters)', () => {
  // A user program latches and reads every phase counter, makes 100 `int 0x80`, and reads
  // them again. The "kernel" marks entry from the trap, 10 clocks of work, 5 clocks of
  // exit path, and the user phase from the first user instruction after its IRET.
  const SNAP0 = 0x40000;
  const SNAP1 = 0x40100;
  const CALLS = 100;

  function snapshotCode(at: number): number[] {
    const code = [0xb9, ...le32(PHASE_PMC_LATCH), 0x0f, 0x33, 0xa3, ...le32(at), 0x89, 0x15, ...le32(at + 4)]; // mov ecx; rdpmc; mov [at], eax; mov [at+4], edx
    for (let p = 0; p < PHASE_COUNT; p++) code.push(0xb9, ...le32(PHASE_PMC_BASE + p), 0x0f, 0x33, 0xa3, ...le32(at + 8 + 4 * p));
    return code;
  }

  function run() {
    const m = flatMachine();
    m.hostcalls.register(STOP_ID - 1, 'test.syscall', () => {
      m.phases.enterSinceTrap(PHASE.ENTRY);
      m.phases.enter(PHASE.KERNEL);
      m.cpu.charge(10);
      m.phases.enter(PHASE.EXIT);
      m.cpu.charge(5);
      m.phases.enterOnUserReturn(PHASE.USER);
    });
    const stub = 0x31000;
    m.memory.writeBytes(stub, [0x0f, 0x3f, ...[(STOP_ID - 1) & 0xff, (STOP_ID - 1) >> 8], 0xcf]); // HOSTCALL; IRET
    setGate(m, 0x80, stub, { dpl: 3, trap: true });
    const userCode = 0x21000;
    const loop = [0xbe, ...le32(CALLS), 0xcd, 0x80, 0x4e, 0x75, 0xfb]; // mov esi, n; L: int 0x80; dec esi; jnz L
    m.memory.writeBytes(userCode, [...snapshotCode(SNAP0), ...loop, ...snapshotCode(SNAP1), ...STOP]);
    enterUser(m, userCode);
    m.phases.enter(PHASE.USER);
    runToStop(m);
    const snap = (at: number) => ({
      tsc: m.memory.read32(at) + m.memory.read32(at + 4) * 2 ** 32,
      phases: Array.from({ length: PHASE_COUNT }, (_, p) => m.memory.read32(at + 8 + 4 * p)),
    });
    const s0 = snap(SNAP0);
    const s1 = snap(SNAP1);
    const delta = s1.phases.map((v, p) => v - s0.phases[p]);
    return { m, tsc: s1.tsc - s0.tsc, delta };
  }

  it('the deltas of two latched snapshots add up exactly to the TSC delta', () => {
    const { tsc, delta } = run();
    expect(delta.reduce((a, b) => a + b, 0)).toBe(tsc);
  });

  it('attributes the INT to the entry, the kernel work to kernel, exit path + IRET to exit', () => {
    const { delta } = run();
    expect(delta[PHASE.KERNEL]).toBe(10 * CALLS);
    // INT n to an inner level: 42 table clocks [REF] (plus fetch/stack stalls)
    expect(delta[PHASE.ENTRY] / CALLS).toBeGreaterThanOrEqual(42);
    expect(delta[PHASE.ENTRY] / CALLS).toBeLessThan(42 + 15);
    // 5 clocks of exit path + IRET to an outer level: 27 [REF]
    expect(delta[PHASE.EXIT] / CALLS).toBeGreaterThanOrEqual(5 + 27);
    expect(delta[PHASE.EXIT] / CALLS).toBeLessThan(5 + 27 + 15);
    // the user loop (dec + jnz) and the snapshot code
    expect(delta[PHASE.USER]).toBeGreaterThan(0);
    expect(delta[PHASE.USER] / CALLS).toBeLessThan(20);
    expect(delta[PHASE.NONE]).toBe(0);
  });

  it('is deterministic (two runs read the same counters)', () => {
    expect(run().delta).toEqual(run().delta);
  });

  it('RDPMC of a counter that does not exist raises #GP(0)', () => {
    const m = flatMachine();
    const handler = 0x30000;
    m.memory.writeBytes(handler, STOP);
    setGate(m, 13, handler);
    const userCode = 0x21000;
    m.memory.writeBytes(userCode, [0xb9, ...le32(PHASE_PMC_BASE + PHASE_COUNT), 0x0f, 0x33, ...STOP]);
    enterUser(m, userCode);
    runToStop(m);
    expect(m.memory.read32(m.cpu.getReg(4))).toBe(0); // error code
    expect(m.memory.read32(m.cpu.getReg(4) + 4)).toBe(userCode + 5); // at the RDPMC
  });
});
