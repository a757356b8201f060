// LAR, LSL, VERR, VERW, ARPL and BOUND (ops/descriptor-checks.ts) case by case, at ring 3
// and ring 0: one GDT with every kind of descriptor the probes treat differently (data and
// code of DPL 0 and 3, execute-only, conforming, TSS, LDT, call and interrupt gates, a
// not-present page-granular segment), each case started with ZF opposite to its expected
// answer and the other status flags set (they must survive). LAR's 32-bit result is the
// second dword masked with 00F0FF00 (Intel: 00FxFF00, x undefined; we return 0 there).
import { CODE, enterUser, flatMachine, GDT_BASE, KCODE, KSTACK, loadCode, runToStop, setGate, STOP, UCODE, UDATA, writeDescriptor } from '../test-support';
import { callGate, DESC_TYPE, encodeSegmentDescriptor, interruptGate, ldtDescriptor, tssDescriptor } from '../descriptors';
import { CR0 } from '../registers';
import type { Machine } from '../../machine';

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const CF = 1,
  PF = 4,
  AF = 0x10,
  ZF = 0x40,
  SF = 0x80,
  OF = 0x800;
/** the flags every case starts with besides ZF: the probes must keep them */
const OTHERS = CF | PF | AF | SF | OF;
const RESULTS = 0x40000;
const USER_CODE = 0x21000;
const HANDLER_BASE = 0x30000;

// GDT entries of the cases (indices 6..15; the flat machine's GDT has 16 entries)
const sel = (index: number, rpl = 0) => (index << 3) | rpl;
const DATA3_SMALL = 6; // RW data, DPL 3, byte-granular limit 0x12345
const DATA0 = 7; // RW data, DPL 0
const CODE3_XO = 8; // execute-only code, DPL 3
const CODE0_CONF = 9; // readable conforming code, DPL 0
const CODE0 = 10; // readable code, DPL 0
const TSS3 = 11; // available 32-bit TSS, DPL 3
const LDT3 = 12; // LDT, DPL 3
const INTGATE3 = 13; // interrupt gate, DPL 3 (LAR/LSL reject it)
const CALLGATE3 = 14; // call gate, DPL 3 (LAR accepts it, LSL does not)
const DATA3_RO_PAGES = 15; // read-only data, DPL 3, G = 1 limit 0x3fff, NOT present

function descriptors(m: Machine): Record<number, [number, number]> {
  const d: Record<number, [number, number]> = {
    [DATA3_SMALL]: encodeSegmentDescriptor({ base: 0x100000, limit: 0x12345, type: DESC_TYPE.DATA_RW, dpl: 3, granularity: false }),
    [DATA0]: encodeSegmentDescriptor({ base: 0, limit: 0xfffff, type: DESC_TYPE.DATA_RW, dpl: 0, granularity: false }),
    [CODE3_XO]: encodeSegmentDescriptor({ base: 0, limit: 0xffff, type: DESC_TYPE.CODE_XO, dpl: 3, granularity: false }),
    [CODE0_CONF]: encodeSegmentDescriptor({ base: 0, limit: 0xffffffff, type: DESC_TYPE.CODE_RX_CONFORMING, dpl: 0 }),
    [CODE0]: encodeSegmentDescriptor({ base: 0, limit: 0xffffffff, type: DESC_TYPE.CODE_RX, dpl: 0 }),
    [TSS3]: tssDescriptor(0x5000, 0x67, 3),
    [LDT3]: ldtDescriptor(0x6000, 0x17),
    [INTGATE3]: interruptGate(KCODE, 0x1234, 3),
    [CALLGATE3]: callGate(KCODE, 0x5678, 3),
    [DATA3_RO_PAGES]: encodeSegmentDescriptor({ base: 0, limit: 0x3fff, type: DESC_TYPE.DATA_RO, dpl: 3, granularity: true, present: false }),
  };
  // the LDT descriptor's DPL is 0 in ldtDescriptor(): make it 3 for the ring-3 cases
  d[LDT3][1] |= 3 << 13;
  for (const [i, v] of Object.entries(d)) writeDescriptor(m.memory, GDT_BASE, Number(i), v);
  return d;
}
const hiOf = (m: Machine, index: number) => m.memory.read32(GDT_BASE + index * 8 + 4);

interface Case {
  /** the instruction under test; its selector operand is AX (or memory), its destination EDX */
  insn: number[];
  sel: number;
  /** expected ZF */
  zf: boolean;
  /** expected EDX afterwards (0xdeadbeef: untouched) */
  dst?: number;
}

const UNTOUCHED = 0xdeadbeef;
const LAR = [0x0f, 0x02, 0xd0]; // lar edx, eax
const LAR16 = [0x66, 0x0f, 0x02, 0xd0]; // lar dx, ax
const LSL = [0x0f, 0x03, 0xd0]; // lsl edx, eax
const LSL16 = [0x66, 0x0f, 0x03, 0xd0]; // lsl dx, ax
const VERR = [0x0f, 0x00, 0xe0]; // verr ax
const VERW = [0x0f, 0x00, 0xe8]; // verw ax

/** Runs the cases one after another at `ring`; each stores EDX and EFLAGS at RESULTS. */
function runCases(ring: 0 | 3, cases: Case[], setup?: (m: Machine) => void): { m: Machine; got: { dst: number; flags: number }[] } {
  const m = flatMachine();
  descriptors(m);
  setup?.(m);
  const code: number[] = [];
  cases.forEach((k, i) => {
    const pre = OTHERS | (k.zf ? 0 : ZF); // ZF starts opposite to the expected result
    code.push(0x68, ...le32(pre), 0x9d); // push pre; popfd
    code.push(0xb8, ...le32(k.sel)); // mov eax, sel
    code.push(0xba, ...le32(UNTOUCHED)); // mov edx, 0xdeadbeef
    code.push(...k.insn);
    code.push(0x9c, 0x59); // pushfd; pop ecx
    code.push(0x89, 0x15, ...le32(RESULTS + 8 * i)); // mov [res], edx
    code.push(0x89, 0x0d, ...le32(RESULTS + 8 * i + 4)); // mov [res+4], ecx
  });
  code.push(...STOP);
  if (ring === 0) loadCode(m, code);
  else {
    m.memory.writeBytes(USER_CODE, code);
    enterUser(m, USER_CODE);
  }
  runToStop(m);
  expect(m.cpu.cpl).toBe(ring);
  const got = cases.map((_, i) => ({ dst: m.memory.read32(RESULTS + 8 * i), flags: m.memory.read32(RESULTS + 8 * i + 4) }));
  return { m, got };
}

function check(cases: Case[], got: { dst: number; flags: number }[], names: string[]): void {
  const want = cases.map((k, i) => `${names[i]}: zf=${k.zf} dst=${((k.dst ?? UNTOUCHED) >>> 0).toString(16)} others=${OTHERS.toString(16)}`);
  const have = got.map((g, i) => `${names[i]}: zf=${(g.flags & ZF) !== 0} dst=${(g.dst >>> 0).toString(16)} others=${(g.flags & OTHERS).toString(16)}`);
  expect(have).toEqual(want);
}

describe('LAR', () => {
  it('at ring 3: visible code/data and the accepted system types give the access rights; the rest ZF=0, destination kept', () => {
    const m0 = flatMachine();
    const d = descriptors(m0);
    const ar32 = (i: number) => d[i][1] & 0x00f0ff00;
    const cases: [string, Case][] = [
      ['flat user code, accessed by the IRET that loaded it', { insn: LAR, sel: UCODE, zf: true, dst: 0x00c0fb00 }],
      ['data DPL 3, byte limit', { insn: LAR, sel: sel(DATA3_SMALL, 3), zf: true, dst: ar32(DATA3_SMALL) }],
      ['data DPL 3, RPL 0 from CPL 3', { insn: LAR, sel: sel(DATA3_SMALL, 0), zf: true, dst: ar32(DATA3_SMALL) }],
      ['16-bit: FF00 mask', { insn: LAR16, sel: sel(DATA3_SMALL, 3), zf: true, dst: (UNTOUCHED & 0xffff0000) | (d[DATA3_SMALL][1] & 0xff00) }],
      ['data DPL 0 (DPL < CPL)', { insn: LAR, sel: sel(DATA0, 3), zf: false }],
      ['code DPL 0 (DPL < CPL)', { insn: LAR, sel: sel(CODE0, 3), zf: false }],
      ['conforming code DPL 0: no privilege check', { insn: LAR, sel: sel(CODE0_CONF, 3), zf: true, dst: ar32(CODE0_CONF) }],
      ['execute-only code DPL 3', { insn: LAR, sel: sel(CODE3_XO, 3), zf: true, dst: ar32(CODE3_XO) }],
      ['32-bit TSS DPL 3', { insn: LAR, sel: sel(TSS3, 3), zf: true, dst: 0x00008900 | (3 << 13) }],
      ['LDT DPL 3', { insn: LAR, sel: sel(LDT3, 3), zf: true, dst: 0x0000e200 }],
      ['call gate DPL 3', { insn: LAR, sel: sel(CALLGATE3, 3), zf: true, dst: d[CALLGATE3][1] & 0x00f0ff00 }],
      ['interrupt gate: not a LAR type', { insn: LAR, sel: sel(INTGATE3, 3), zf: false }],
      ['not present: still reported, P = 0', { insn: LAR, sel: sel(DATA3_RO_PAGES, 3), zf: true, dst: ar32(DATA3_RO_PAGES) }],
      ['the ring-0 TSS (DPL 0) with RPL 3', { insn: LAR, sel: 0x2b, zf: false }],
      ['null selector 0', { insn: LAR, sel: 0, zf: false }],
      ['null selector 3', { insn: LAR, sel: 3, zf: false }],
      ['past the GDT limit', { insn: LAR, sel: sel(16, 3), zf: false }],
      ['LDT selector without an LDT', { insn: LAR, sel: 0x07, zf: false }],
    ];
    expect(ar32(DATA3_RO_PAGES) & 0x8000).toBe(0);
    const { got } = runCases(3, cases.map((c) => c[1]));
    check(cases.map((c) => c[1]), got, cases.map((c) => c[0]));
  });

  it('at ring 0: DPL 0 segments are visible, unless the selector RPL is above the DPL', () => {
    const cases: [string, Case][] = [
      ['code DPL 0', { insn: LAR, sel: sel(CODE0), zf: true, dst: 0x00c09a00 }],
      ['data DPL 0', { insn: LAR, sel: sel(DATA0), zf: true, dst: 0x00409200 }],
      ['data DPL 0 with RPL 3', { insn: LAR, sel: sel(DATA0, 3), zf: false }],
      ['the flat kernel code after its load (accessed)', { insn: LAR, sel: KCODE, zf: true, dst: 0x00c09b00 }],
    ];
    const { got } = runCases(0, cases.map((c) => c[1]));
    check(cases.map((c) => c[1]), got, cases.map((c) => c[0]));
  });

  it('reads a memory selector operand; the descriptor read is a supervisor access that can #PF', () => {
    // the selector operand in memory
    const mem: Case[] = [{ insn: [0x0f, 0x02, 0x15, ...le32(0x41000)], sel: 0, zf: true, dst: 0x00c0f300 }];
    const { got } = runCases(3, mem, (m) => m.memory.write16(0x41000, UDATA));
    check(mem, got, ['lar edx, [mem] = user data (accessed: loaded by the kernel)']);

    // a GDT that reaches into a not-present page: #PF with CR2 at the descriptor, error code 0 (supervisor read)
    const m = flatMachine({ paging: true });
    descriptors(m);
    m.cpu.setGdtr(GDT_BASE, 0xffff);
    m.memory.write32(0x11000 + 5 * 4, 0); // PTE of page 0x5000: not present
    m.memory.writeBytes(HANDLER_BASE + 14 * 16, STOP);
    setGate(m, 14, HANDLER_BASE + 14 * 16);
    m.memory.writeBytes(USER_CODE, [0xb8, ...le32(0x4000 | 3), 0x0f, 0x02, 0xd0, ...STOP]); // mov eax, 0x4003; lar edx, eax
    enterUser(m, USER_CODE);
    runToStop(m);
    expect(m.cpu.cr2).toBe(GDT_BASE + 0x4000);
    const esp = m.cpu.getReg(4);
    expect(m.memory.read32(esp)).toBe(0); // error code: not present, read, supervisor
    expect(m.memory.read32(esp + 4)).toBe(USER_CODE + 5); // the LAR, restarted after the fault
    expect(m.cpu.cr0 & CR0.PG).toBeTruthy();
  });
});

describe('LSL', () => {
  it('gives the limit in bytes (G scales it), accepts TSS and LDT but no gates, checks privilege', () => {
    const cases: [string, Case][] = [
      ['flat user data: G, 4 GiB', { insn: LSL, sel: UDATA, zf: true, dst: 0xffffffff }],
      ['byte-granular 0x12345', { insn: LSL, sel: sel(DATA3_SMALL, 3), zf: true, dst: 0x12345 }],
      ['16-bit: the low word', { insn: LSL16, sel: sel(DATA3_SMALL, 3), zf: true, dst: 0xdead2345 }],
      ['G = 1, limit field 3, not present', { insn: LSL, sel: sel(DATA3_RO_PAGES, 3), zf: true, dst: 0x3fff }],
      ['TSS DPL 3', { insn: LSL, sel: sel(TSS3, 3), zf: true, dst: 0x67 }],
      ['LDT DPL 3', { insn: LSL, sel: sel(LDT3, 3), zf: true, dst: 0x17 }],
      ['call gate: no limit', { insn: LSL, sel: sel(CALLGATE3, 3), zf: false }],
      ['interrupt gate', { insn: LSL, sel: sel(INTGATE3, 3), zf: false }],
      ['data DPL 0 from ring 3', { insn: LSL, sel: sel(DATA0, 3), zf: false }],
      ['conforming code DPL 0', { insn: LSL, sel: sel(CODE0_CONF, 3), zf: true, dst: 0xffffffff }],
      ['null', { insn: LSL, sel: 0, zf: false }],
      ['past the limit', { insn: LSL, sel: 0xfff8, zf: false }],
    ];
    const { got } = runCases(3, cases.map((c) => c[1]));
    check(cases.map((c) => c[1]), got, cases.map((c) => c[0]));
  });

  it('at ring 0 sees DPL-0 segments', () => {
    const cases: [string, Case][] = [
      ['data DPL 0, byte limit 0xfffff', { insn: LSL, sel: sel(DATA0), zf: true, dst: 0xfffff }],
      ['the ring-0 TSS', { insn: LSL, sel: 0x28, zf: true, dst: 0x67 }],
    ];
    const { got } = runCases(0, cases.map((c) => c[1]));
    check(cases.map((c) => c[1]), got, cases.map((c) => c[0]));
  });
});

describe('VERR / VERW', () => {
  it('at ring 3: readable/writable by type and privilege; conforming readable code skips the privilege check', () => {
    const cases: [string, Case][] = [
      ['VERR user code', { insn: VERR, sel: UCODE, zf: true }],
      ['VERW user code', { insn: VERW, sel: UCODE, zf: false }],
      ['VERR user data', { insn: VERR, sel: UDATA, zf: true }],
      ['VERW user data', { insn: VERW, sel: UDATA, zf: true }],
      ['VERR execute-only code', { insn: VERR, sel: sel(CODE3_XO, 3), zf: false }],
      ['VERR conforming code DPL 0', { insn: VERR, sel: sel(CODE0_CONF, 3), zf: true }],
      ['VERW conforming code DPL 0', { insn: VERW, sel: sel(CODE0_CONF, 3), zf: false }],
      ['VERR code DPL 0', { insn: VERR, sel: sel(CODE0, 3), zf: false }],
      ['VERR data DPL 0', { insn: VERR, sel: sel(DATA0, 3), zf: false }],
      ['VERW data DPL 0', { insn: VERW, sel: sel(DATA0, 3), zf: false }],
      ['VERR read-only data (not present)', { insn: VERR, sel: sel(DATA3_RO_PAGES, 3), zf: true }],
      ['VERW read-only data', { insn: VERW, sel: sel(DATA3_RO_PAGES, 3), zf: false }],
      ['VERR TSS (system)', { insn: VERR, sel: sel(TSS3, 3), zf: false }],
      ['VERW LDT (system)', { insn: VERW, sel: sel(LDT3, 3), zf: false }],
      ['VERR null', { insn: VERR, sel: 0, zf: false }],
      ['VERW past the limit', { insn: VERW, sel: sel(20, 3), zf: false }],
    ];
    const { got } = runCases(3, cases.map((c) => c[1]));
    check(cases.map((c) => c[1]), got, cases.map((c) => c[0]));
  });

  it('at ring 0: DPL-0 segments, and RPL 3 hides them again', () => {
    const cases: [string, Case][] = [
      ['VERR code DPL 0', { insn: VERR, sel: sel(CODE0), zf: true }],
      ['VERW data DPL 0', { insn: VERW, sel: sel(DATA0), zf: true }],
      ['VERW data DPL 0, RPL 3', { insn: VERW, sel: sel(DATA0, 3), zf: false }],
      ['VERR code DPL 0, RPL 3', { insn: VERR, sel: sel(CODE0, 3), zf: false }],
    ];
    const { got } = runCases(0, cases.map((c) => c[1]));
    check(cases.map((c) => c[1]), got, cases.map((c) => c[0]));
  });
});

describe('ARPL', () => {
  /** arpl dx, ax (63 C2) with DX = dst, AX = src; result and flags */
  function arpl(dst: number, src: number, ring: 0 | 3 = 0): { dst: number; flags: number } {
    const m = flatMachine();
    const code = [0x68, ...le32(OTHERS), 0x9d, 0xba, ...le32(dst), 0xb8, ...le32(src), 0x63, 0xc2, 0x9c, 0x59, ...STOP];
    if (ring === 0) loadCode(m, code);
    else {
      m.memory.writeBytes(USER_CODE, code);
      enterUser(m, USER_CODE);
    }
    runToStop(m);
    return { dst: m.cpu.getReg(2), flags: m.cpu.getReg(1) };
  }

  it('raises the destination RPL to the source RPL (ZF=1), else leaves it (ZF=0); other flags and bits kept', () => {
    const a = arpl(0xabcd0010, 0xffff0003);
    expect(a.dst).toBe(0xabcd0013);
    expect(a.flags & (ZF | OTHERS)).toBe(ZF | OTHERS);
    const b = arpl(0x12340023, 0x0001, 3);
    expect(b.dst).toBe(0x12340023);
    expect(b.flags & (ZF | OTHERS)).toBe(OTHERS);
    const c = arpl(0x0000fff9, 0x00000fff); // RPL 1 < 3: adjusted, the index bits kept
    expect(c.dst).toBe(0xfffb);
    expect(c.flags & ZF).toBe(ZF);
    const e = arpl(0x0002, 0x0002);
    expect(e.dst).toBe(2);
    expect(e.flags & ZF).toBe(0);
  });

  it('adjusts a memory destination', () => {
    const m = flatMachine();
    m.memory.write32(0x41000, 0x55aa0020);
    loadCode(m, [0xb9, ...le32(2), 0x63, 0x0d, ...le32(0x41000), 0x9c, 0x59, ...STOP]); // mov ecx, 2; arpl [0x41000], cx
    runToStop(m);
    expect(m.memory.read32(0x41000)).toBe(0x55aa0022);
    expect(m.cpu.getReg(1) & ZF).toBe(ZF);
  });
});

describe('BOUND', () => {
  const BOUNDS = 0x41000;
  /** runs `bound edx, [BOUNDS]` (or its 16-bit form) with EDX = index; returns the vector raised, or -1 */
  function bound(lower: number, upper: number, index: number, opts: { size?: 16 | 32; ring?: 0 | 3 } = {}): { vector: number; frame: number[]; m: Machine } {
    const m = flatMachine();
    const size = opts.size ?? 32;
    if (size === 32) {
      m.memory.write32(BOUNDS, lower);
      m.memory.write32(BOUNDS + 4, upper);
    } else {
      m.memory.write16(BOUNDS, lower);
      m.memory.write16(BOUNDS + 2, upper);
    }
    for (const v of [5, 6, 13]) {
      m.memory.writeBytes(HANDLER_BASE + v * 16, [0xb8, ...le32(v), ...STOP]); // mov eax, vector; stop
      setGate(m, v, HANDLER_BASE + v * 16);
    }
    const insn = [...(size === 16 ? [0x66] : []), 0x62, 0x15, ...le32(BOUNDS)];
    const code = [0xb8, ...le32(-1), 0xba, ...le32(index), ...insn, ...STOP];
    if (opts.ring === 3) {
      m.memory.writeBytes(USER_CODE, code);
      enterUser(m, USER_CODE);
    } else loadCode(m, code);
    runToStop(m);
    const esp = m.cpu.getReg(4);
    const frame = [0, 1, 2].map((i) => m.memory.read32(esp + 4 * i));
    return { vector: m.cpu.getReg(0) | 0, frame, m };
  }

  it('passes indices within [lower, upper] (both inclusive) and raises #BR outside, as a fault without error code', () => {
    expect(bound(10, 20, 10).vector).toBe(-1);
    expect(bound(10, 20, 20).vector).toBe(-1);
    expect(bound(10, 20, 15).vector).toBe(-1);
    const below = bound(10, 20, 9);
    expect(below.vector).toBe(5);
    expect(below.frame).toEqual([CODE + 10, KCODE, below.frame[2]]); // EIP of the BOUND, then CS: no error code
    expect(bound(10, 20, 21).vector).toBe(5);
  });

  it('compares signed: negative bounds and indices, and 0x80000000 is below everything', () => {
    expect(bound(-10 >>> 0, 5, -3 >>> 0).vector).toBe(-1);
    expect(bound(-10 >>> 0, 5, -10 >>> 0).vector).toBe(-1);
    expect(bound(-10 >>> 0, 5, -11 >>> 0).vector).toBe(5);
    expect(bound(-10 >>> 0, 5, 6).vector).toBe(5);
    expect(bound(0, 0x7fffffff, 0x80000000).vector).toBe(5); // -2^31 is below 0
    expect(bound(0x80000000, 0x7fffffff, 0x80000000).vector).toBe(-1); // [-2^31, 2^31-1]: unsigned, lower > upper would reject all
  });

  it('16-bit form: signed words, the upper half of the index register ignored', () => {
    expect(bound(0xfffe, 0x7fff, 0xabcdfffe, { size: 16 }).vector).toBe(-1); // -2 in [-2, 32767]
    expect(bound(0xfffe, 0x7fff, 0x0000fffd, { size: 16 }).vector).toBe(5); // -3
    expect(bound(0, 0x7fff, 0x00008000, { size: 16 }).vector).toBe(5); // -32768
  });

  it('from ring 3: #BR through the gate with the user EIP; the register form is #UD', () => {
    const r = bound(1, 2, 3, { ring: 3 });
    expect(r.vector).toBe(5);
    expect(r.frame.slice(0, 2)).toEqual([USER_CODE + 10, UCODE]);
    expect(r.m.cpu.getReg(4)).toBe(KSTACK - 20); // no error code: EIP CS EFLAGS ESP SS

    const m = flatMachine();
    m.memory.writeBytes(HANDLER_BASE + 6 * 16, [0xb8, 6, 0, 0, 0, ...STOP]);
    setGate(m, 6, HANDLER_BASE + 6 * 16);
    loadCode(m, [0x62, 0xd0]); // bound edx, eax: no memory operand
    runToStop(m);
    expect(m.cpu.getReg(0)).toBe(6);
  });
});
