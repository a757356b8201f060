import { CODE, enterUser, flatMachine, GDT_BASE, KCODE, KDATA, runToStop, setGate, STOP, TSS_SEL, UCODE, UDATA, loadCode } from '../test-support';
import { TSS32 } from '../descriptors';
import { Vector } from '../registers';
import type { Machine } from '../../machine';

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const ZF = 0x40;
const movEcx = (v: number) => [0xb9, ...le32(v)];
const lar = [0x0f, 0x02, 0xc1]; // lar eax, ecx
const lsl = [0x0f, 0x03, 0xd1]; // lsl edx, ecx
const verr = [0x0f, 0x00, 0xe1]; // verr cx
const verw = [0x0f, 0x00, 0xe9]; // verw cx
const flagsTo = (reg: number) => [0x9c, 0x58 + reg]; // pushfd; pop reg
const hiOf = (m: Machine, sel: number) => m.memory.read32(GDT_BASE + (sel & ~7) + 4);

/** runs `body` (ring 0 unless `user`) and returns the machine */
function run(body: number[], user = false): Machine {
  const m = flatMachine();
  if (user) {
    m.memory.writeBytes(CODE, [...body, ...STOP]);
    enterUser(m, CODE);
  } else {
    loadCode(m, [...body, ...STOP]);
  }
  runToStop(m);
  return m;
}

describe('LAR and LSL', () => {
  it('report access rights and the byte-granular limit of a visible descriptor with ZF = 1', () => {
    const m = run([...movEcx(KDATA), ...lar, ...flagsTo(3), ...lsl, ...movEcx(TSS_SEL), 0x0f, 0x03, 0xf1 /* lsl esi, ecx */, ...flagsTo(7)]);
    expect(m.cpu.getReg(0)).toBe(hiOf(m, KDATA) & 0x00f0ff00);
    expect(m.cpu.getReg(0)).toBe(0x00c09300); // G, D/B; P, DPL 0, S, data read/write accessed (limit bits masked)
    expect(m.cpu.getReg(3) & ZF).toBe(ZF);
    expect(m.cpu.getReg(2)).toBe(0xffffffff); // 4 GiB flat data segment, G = 1
    expect(m.cpu.getReg(6)).toBe(TSS32.SIZE - 1); // the TSS (a system descriptor LSL accepts)
    expect(m.cpu.getReg(7) & ZF).toBe(ZF);
  });

  it('clear ZF and leave the destination alone for a null selector or one beyond the GDT limit (no fault)', () => {
    const m = run([0xb8, ...le32(0x1234), 0xba, ...le32(0x5678), ...movEcx(0), ...lar, ...flagsTo(3), ...movEcx(0x0ff8), ...lsl, ...flagsTo(7)]);
    expect(m.cpu.getReg(0)).toBe(0x1234);
    expect(m.cpu.getReg(3) & ZF).toBe(0);
    expect(m.cpu.getReg(2)).toBe(0x5678);
    expect(m.cpu.getReg(7) & ZF).toBe(0);
  });

  it('at CPL 3 see only descriptors with DPL >= CPL and RPL', () => {
    const m = run([...movEcx(KDATA), ...lar, ...flagsTo(3), ...movEcx(UDATA), ...lar, ...flagsTo(7)], true);
    expect(m.cpu.cpl).toBe(3);
    expect(m.cpu.getReg(3) & ZF).toBe(0); // kernel data: DPL 0 < CPL 3
    expect(m.cpu.getReg(7) & ZF).toBe(ZF);
    expect(m.cpu.getReg(0)).toBe(hiOf(m, UDATA) & 0x00f0ff00);
  });
});

describe('VERR and VERW', () => {
  it('tell readable and writable segments apart; system descriptors are neither', () => {
    const m = run([
      ...movEcx(KDATA), ...verw, ...flagsTo(0), // writable data
      ...movEcx(KCODE), ...verw, ...flagsTo(1), // code is never writable
      ...movEcx(KCODE), ...verr, ...flagsTo(2), // execute/read code is readable
      ...movEcx(TSS_SEL), ...verr, ...flagsTo(3), // a TSS is not a segment to read
    ]);
    expect(m.cpu.getReg(0) & ZF).toBe(ZF);
    expect(m.cpu.getReg(1) & ZF).toBe(0);
    expect(m.cpu.getReg(2) & ZF).toBe(ZF);
    expect(m.cpu.getReg(3) & ZF).toBe(0);
  });

  it('apply the privilege check at CPL 3 (and through the RPL at CPL 0)', () => {
    const u = run([...movEcx(KDATA), ...verr, ...flagsTo(0), ...movEcx(UDATA), ...verw, ...flagsTo(1)], true);
    expect(u.cpu.getReg(0) & ZF).toBe(0);
    expect(u.cpu.getReg(1) & ZF).toBe(ZF);
    const k = run([...movEcx(KDATA | 3), ...verr, ...flagsTo(0), ...movEcx(UCODE), ...verr, ...flagsTo(1)]);
    expect(k.cpu.getReg(0) & ZF).toBe(0); // RPL 3 > DPL 0
    expect(k.cpu.getReg(1) & ZF).toBe(ZF);
  });
});

describe('ARPL', () => {
  it('raises the destination RPL to the source RPL and sets ZF only when it changed something', () => {
    const m = run([
      0xb8, ...le32(0x10), 0xbb, ...le32(0x1b), // mov eax, 0x10; mov ebx, 0x1b
      0x63, 0xd8, ...flagsTo(1), // arpl ax, bx  → ax = 0x13, ZF = 1
      0x63, 0xd8, ...flagsTo(2), // again: RPL already 3 → ZF = 0
      0xc7, 0x05, ...le32(0x7000), ...le32(0x21), // mov dword [0x7000], 0x21
      0x63, 0x1d, ...le32(0x7000), ...flagsTo(6), // arpl [0x7000], bx → 0x23
    ]);
    expect(m.cpu.getReg(0)).toBe(0x13);
    expect(m.cpu.getReg(1) & ZF).toBe(ZF);
    expect(m.cpu.getReg(2) & ZF).toBe(0);
    expect(m.memory.read32(0x7000)).toBe(0x23);
    expect(m.cpu.getReg(6) & ZF).toBe(ZF);
  });
});

describe('BOUND', () => {
  const HANDLER = 0x30000;
  const body = (index: number) => [
    0xc7, 0x05, ...le32(0x7000), ...le32(-10), // lower bound -10
    0xc7, 0x05, ...le32(0x7004), ...le32(20), // upper bound 20
    0xbb, ...le32(index), // mov ebx, index
    0xbe, ...le32(0x7000), // mov esi, 0x7000
    0x62, 0x1e, // bound ebx, [esi]
    0xbf, ...le32(1), // mov edi, 1 (reached when in range)
  ];
  const BOUND_EIP = CODE + 10 + 10 + 5 + 5;

  it('passes signed indices within the bounds, inclusive', () => {
    for (const index of [-10, 0, 20]) {
      const m = run(body(index));
      expect(m.cpu.getReg(7)).toBe(1);
    }
  });

  it('raises #BR (a fault: the frame points at BOUND) outside them', () => {
    for (const index of [-11, 21]) {
      const m = flatMachine();
      m.memory.writeBytes(HANDLER, STOP);
      setGate(m, Vector.BR, HANDLER);
      loadCode(m, [...body(index), ...STOP]);
      runToStop(m);
      expect(m.cpu.getReg(7)).toBe(0);
      expect(m.cpu.eip).toBe(HANDLER + STOP.length);
      expect(m.memory.read32(m.cpu.getReg(4))).toBe(BOUND_EIP);
    }
  });

  it('is #UD with a register operand', () => {
    const m = flatMachine();
    m.memory.writeBytes(HANDLER, STOP);
    setGate(m, Vector.UD, HANDLER);
    loadCode(m, [0x62, 0xc3, ...STOP]); // bound eax, ebx
    runToStop(m);
    expect(m.cpu.eip).toBe(HANDLER + STOP.length);
    expect(m.memory.read32(m.cpu.getReg(4))).toBe(CODE);
  });
});
