import { CODE, flatMachine, loadCode, runToStop, STOP } from './test-support';

describe('Cpu basics', () => {
  it('runs MOV/ADD and stops at HOSTCALL', () => {
    const m = flatMachine();
    loadCode(m, [0xb8, 5, 0, 0, 0, 0x83, 0xc0, 7, ...STOP]);
    runToStop(m);
    expect(m.cpu.getReg(0)).toBe(12);
    expect(m.cpu.eip).toBe(CODE + 12);
    expect(m.counters.instructions).toBe(3);
  });
});
