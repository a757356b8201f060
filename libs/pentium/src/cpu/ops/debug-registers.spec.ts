import { CODE, enterUser, flatMachine, loadCode, runToStop, setGate, STOP } from '../test-support';
import { CR4 } from '../registers';
import type { Machine } from '../../machine';

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const HANDLER_BASE = 0x30000;
/** MOV r32, DRn / MOV DRn, r32 (ModRM mod = 3, reg = DR number, rm = general register) */
const fromDr = (r: number, n: number) => [0x0f, 0x21, 0xc0 | (n << 3) | r];
const toDr = (n: number, r: number) => [0x0f, 0x23, 0xc0 | (n << 3) | r];
const movImm = (r: number, v: number) => [0xb8 + r, ...le32(v)];
const EAX = 0,
  ECX = 1,
  EDX = 2,
  EBX = 3,
  ESI = 6,
  EDI = 7;

/** a handler for `vector` that puts the vector in EDI and stops */
function catchVector(m: Machine, vector: number): void {
  m.memory.writeBytes(HANDLER_BASE + vector * 16, [...movImm(EDI, vector), ...STOP]);
  setGate(m, vector, HANDLER_BASE + vector * 16);
}
const frameTop = (m: Machine, i: number) => m.memory.read32(m.cpu.getReg(4) + 4 * i);

describe('debug registers', () => {
  it('reset to DR6 = FFFF0FF0h, DR7 = 400h; DR0–DR3 store what ring 0 writes', () => {
    const m = flatMachine();
    loadCode(m, [
      ...fromDr(EAX, 6), ...fromDr(EBX, 7),
      ...movImm(ECX, 0xc0001234), ...toDr(0, ECX), ...movImm(ECX, 0x00401000), ...toDr(3, ECX),
      ...fromDr(EDX, 0), ...fromDr(ESI, 3),
      ...STOP,
    ]);
    runToStop(m);
    expect([m.cpu.getReg(EAX), m.cpu.getReg(EBX)]).toEqual([0xffff0ff0, 0x400]);
    expect([m.cpu.getReg(EDX), m.cpu.getReg(ESI)]).toEqual([0xc0001234, 0x00401000]);
  });

  it('DR6 and DR7 keep their fixed bits whatever is written; DR4/DR5 alias them while CR4.DE = 0', () => {
    const m = flatMachine();
    loadCode(m, [
      ...movImm(ECX, 0), ...toDr(6, ECX), ...fromDr(EAX, 6), // 0 → FFFF0FF0
      ...movImm(ECX, 0xffffdfff), ...toDr(7, ECX), ...fromDr(EBX, 7), // all ones but GD → bits 11, 12, 14, 15 clear
      ...movImm(ECX, 0x4001), ...toDr(4, ECX), ...fromDr(EDX, 6), // DR4 writes DR6
      ...fromDr(ESI, 5), // DR5 reads DR7
      ...STOP,
    ]);
    runToStop(m);
    expect(m.cpu.getReg(EAX)).toBe(0xffff0ff0);
    expect(m.cpu.getReg(EBX)).toBe(0xffff07ff);
    expect(m.cpu.getReg(EDX)).toBe(0xffff4ff1);
    expect(m.cpu.getReg(ESI)).toBe(0xffff07ff);
  });

  it('DR4/DR5 are #UD with CR4.DE set', () => {
    const m = flatMachine();
    catchVector(m, 6);
    m.cpu.setCr4(CR4.DE);
    loadCode(m, [...fromDr(EAX, 0), ...fromDr(EAX, 5), ...STOP]);
    runToStop(m);
    expect(m.cpu.getReg(EDI)).toBe(6);
    expect(frameTop(m, 0)).toBe(CODE + 3);
  });

  it('#GP(0) from ring 3, reading or writing', () => {
    for (const insn of [fromDr(EAX, 7), toDr(0, EAX)]) {
      const m = flatMachine();
      catchVector(m, 13);
      m.memory.writeBytes(0x21000, [...insn, ...STOP]);
      enterUser(m, 0x21000);
      runToStop(m);
      expect(m.cpu.getReg(EDI)).toBe(13);
      expect([frameTop(m, 0), frameTop(m, 1)]).toEqual([0, 0x21000]);
    }
  });

  it('DR7.GD: the next debug-register access is a #DB fault with DR6.BD set and GD cleared', () => {
    const m = flatMachine();
    catchVector(m, 1);
    loadCode(m, [...movImm(ECX, 0x2000), ...toDr(7, ECX), ...fromDr(EAX, 0), ...STOP]);
    runToStop(m);
    expect(m.cpu.getReg(EDI)).toBe(1);
    expect(frameTop(m, 0)).toBe(CODE + 8); // the MOV from DR0, not executed
    expect(m.cpu.dr[6] & 0x2000).toBe(0x2000);
    expect(m.cpu.dr[7] & 0x2000).toBe(0);
  });

  it('single-step sets DR6.BS', () => {
    const m = flatMachine();
    catchVector(m, 1);
    loadCode(m, [0x90, ...STOP]);
    expect(m.cpu.dr[6] & 0x4000).toBe(0);
    m.cpu.setEflags(m.cpu.getEflags() | 0x100);
    runToStop(m);
    expect(m.cpu.getReg(EDI)).toBe(1);
    expect(m.cpu.dr[6] & 0x4000).toBe(0x4000);
  });
});
