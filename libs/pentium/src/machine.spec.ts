import { Machine } from './machine';
import { SegReg } from './cpu/registers';
import { CODE, flatMachine, loadCode, STOP } from './cpu/test-support';

// an endless loop: inc eax; jmp $-3
const LOOP = [0x40, 0xeb, 0xfd];

describe('Machine.run', () => {
  it('stops at the cycle budget (an absolute cycle count) and resumes where it stopped', () => {
    const m = flatMachine();
    loadCode(m, LOOP);
    const r = m.run({ cycleBudget: 100_000 });
    expect(r.reason).toBe('budget');
    expect(m.counters.cycles).toBeGreaterThanOrEqual(100_000);
    expect(m.counters.cycles).toBeLessThan(100_100);
    expect(m.clock.now).toBe(m.counters.cycles);
    const eax = m.cpu.getReg(0);
    expect(m.run({ cycleBudget: 200_000 }).reason).toBe('budget');
    expect(m.cpu.getReg(0)).toBeGreaterThan(eax);
  });

  it('is deterministic: the same inputs give the same counters', () => {
    const run = () => {
      const m = flatMachine();
      loadCode(m, LOOP);
      m.run({ cycleBudget: 300_000 });
      return m.counters.snapshot();
    };
    expect(run()).toEqual(run());
  });

  it('fires events at their cycle, ends on stop() from a hostcall with its reason', () => {
    const m = flatMachine();
    const fired: number[] = [];
    m.events.schedule(5_000, (at) => fired.push(at, m.counters.cycles));
    m.hostcalls.register(7, 'bye', () => m.stop('bye'));
    loadCode(m, [0xb9, 0x00, 0x00, 0x01, 0x00, 0x49, 0x75, 0xfd, 0x0f, 0x3f, 0x07, 0x00]); // mov ecx,65536; dec ecx; jnz; HOSTCALL 7
    const r = m.run({ cycleBudget: 1e9 });
    expect(r).toEqual({ reason: 'stopped', stopReason: 'bye' });
    expect(fired[0]).toBe(5_000);
    expect(fired[1]).toBeGreaterThanOrEqual(5_000);
    expect(fired[1]).toBeLessThan(5_100);
    expect(m.cpu.eip).toBe(CODE + 12);
  });

  it('looks at the AbortSignal and reports progress between slices', () => {
    const m = flatMachine();
    loadCode(m, LOOP);
    const ac = new AbortController();
    const seen: number[] = [];
    const r = m.run({
      cycleBudget: 1e12,
      signal: ac.signal,
      progressEvery: 1_000_000,
      onProgress: (p) => {
        seen.push(p.cycles);
        if (seen.length === 3) ac.abort();
      },
    });
    expect(r.reason).toBe('aborted');
    expect(seen).toHaveLength(3);
  });

  it('reports triple-fault and deadlock', () => {
    const m = new Machine();
    m.cpu.setIdtr(0, 0);
    m.memory.writeBytes(0x1000, [0x0f, 0x0b]);
    m.cpu.eip = 0x1000;
    expect(m.run({ cycleBudget: 1e6 }).reason).toBe('triple-fault');
    const h = flatMachine();
    loadCode(h, [0xf4, ...STOP]); // hlt with IF = 0
    expect(h.run({ cycleBudget: 1e9 }).reason).toBe('deadlock');
  });
});

describe('reset state', () => {
  it("starts in real mode when asked (resetState 'power-on'), protected mode by default", () => {
    expect(new Machine().cpu.realMode).toBe(false);
    const m = new Machine({ resetState: 'power-on' });
    expect(m.cpu.realMode).toBe(true);
    expect(m.cpu.eip).toBe(0xfff0);
    // no ROM at F000:FFF0: the caller places code (0100:0000 = linear 0x1000) and points CS:IP at it
    m.memory.writeBytes(0x1000, [0xb8, 0x34, 0x12, 0x01, 0xc0, 0xf4]); // mov ax, 0x1234; add ax, ax; hlt
    m.cpu.loadSegment(SegReg.CS, 0x0100);
    m.cpu.eip = 0;
    m.run({ cycleBudget: 100_000 });
    expect(m.cpu.getReg(0) & 0xffff).toBe(0x2468);
  });
});
