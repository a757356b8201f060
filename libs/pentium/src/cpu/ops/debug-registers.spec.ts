import { CODE, enterUser, flatMachine, GDT_BASE, KCODE, KDATA, KSTACK, loadCode, runToStop, setGate, STOP, UCODE, writeDescriptor } from '../test-support';
import { TSS32, tssDescriptor } from '../descriptors';
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

// ------------------------------------------------------------------ breakpoints

const DATA = 0x40000;
/** the #DB handler appends records here: pushed EIP, CS, EFLAGS, DR6 at entry, ECX */
const REC = 0x50000;
const REC_PTR = 0x4fff0;
const REC_SIZE = 20;
const DB_HANDLER = 0x31000;
const RF = 0x10000;

interface DbRecord {
  eip: number;
  cs: number;
  eflags: number;
  dr6: number;
  ecx: number;
}

/**
 * A ring-0 #DB handler that appends a record per exception; `setRf` sets RF in the pushed
 * EFLAGS (how a debugger resumes past an instruction breakpoint), `clearDr6` writes 0 to DR6.
 */
function installDbHandler(m: Machine, opts: { setRf?: boolean; clearDr6?: boolean } = {}): void {
  const code = [
    0x50, 0x53, // push eax; push ebx
    0x8b, 0x1d, ...le32(REC_PTR), // mov ebx, [REC_PTR]
    0x8b, 0x44, 0x24, 0x08, 0x89, 0x03, // EIP → [ebx]
    0x8b, 0x44, 0x24, 0x0c, 0x89, 0x43, 0x04, // CS → [ebx + 4]
    0x8b, 0x44, 0x24, 0x10, 0x89, 0x43, 0x08, // EFLAGS → [ebx + 8]
    ...fromDr(EAX, 6), 0x89, 0x43, 0x0c, // DR6 → [ebx + 12]
    0x89, 0x4b, 0x10, // ECX → [ebx + 16]
    0x83, 0xc3, REC_SIZE, 0x89, 0x1d, ...le32(REC_PTR), // advance the pointer
    ...(opts.clearDr6 ? [0x31, 0xc0, ...toDr(6, EAX)] : []),
    ...(opts.setRf ? [0x81, 0x4c, 0x24, 0x10, ...le32(RF)] : []), // or dword [esp + 16], RF
    0x5b, 0x58, 0xcf, // pop ebx; pop eax; iret
  ];
  m.memory.writeBytes(DB_HANDLER, code);
  m.memory.write32(REC_PTR, REC);
  setGate(m, 1, DB_HANDLER);
}

function records(m: Machine): DbRecord[] {
  const out: DbRecord[] = [];
  for (let a = REC; a < m.memory.read32(REC_PTR); a += REC_SIZE) {
    const r = (i: number) => m.memory.read32(a + 4 * i) >>> 0;
    out.push({ eip: r(0), cs: r(1) & 0xffff, eflags: r(2), dr6: r(3), ecx: r(4) });
  }
  return out;
}

/** DR7 bits of breakpoint i: local enable (or global), R/W and LEN fields */
const bp = (i: number, rw: number, len: number, enable: 'L' | 'G' | 'none' = 'L') =>
  (enable === 'L' ? 1 << (2 * i) : enable === 'G' ? 2 << (2 * i) : 0) | (rw << (16 + 4 * i)) | (len << (18 + 4 * i));
const RW_EXEC = 0,
  RW_WRITE = 1,
  RW_IO = 2,
  RW_RW = 3;
const LEN1 = 0,
  LEN2 = 1,
  LEN4 = 3;

/** guest code that loads DRn with v (through ECX) */
const setDr = (n: number, v: number) => [...movImm(ECX, v), ...toDr(n, ECX)];
/** Assembles `parts` at `origin`; returns the bytes and the address where each part starts. */
function assemble(origin: number, ...parts: number[][]): { bytes: number[]; at: number[] } {
  const at: number[] = [];
  const bytes: number[] = [];
  for (const p of parts) {
    at.push(origin + bytes.length);
    bytes.push(...p);
  }
  return { bytes, at };
}

describe('debug-register breakpoints', () => {
  it('an instruction breakpoint is a fault before the instruction (EIP at it); RF in the pushed EFLAGS lets the handler resume', () => {
    const m = flatMachine();
    installDbHandler(m, { setRf: true });
    const target = CODE + 0x40;
    const arm = assemble(CODE, setDr(0, target), setDr(7, bp(0, RW_EXEC, LEN1)));
    m.memory.writeBytes(CODE, [...arm.bytes, 0xe9, ...le32(target - (CODE + arm.bytes.length + 5))]); // jmp target
    const t = assemble(target, movImm(EBX, 2), movImm(EDX, 3), STOP);
    m.memory.writeBytes(target, t.bytes);
    m.cpu.eip = CODE;
    runToStop(m);
    const r = records(m);
    expect(r).toHaveLength(1);
    expect(r[0].eip).toBe(target); // before the MOV EBX ran ...
    expect(r[0].dr6 & 0xf).toBe(1); // B0
    expect(r[0].eflags & RF).toBe(0); // an instruction breakpoint pushes RF as it is
    expect([m.cpu.getReg(EBX), m.cpu.getReg(EDX)]).toEqual([2, 3]); // ... which ran once resumed
    expect(m.cpu.getEflags() & RF).toBe(0); // cleared again by the next instruction
  });

  it('RF suppresses the instruction breakpoint for one instruction only: a breakpoint in a loop fires every pass', () => {
    const m = flatMachine();
    installDbHandler(m, { setRf: true });
    const loop = CODE + 0x30; // DEC ECX
    m.memory.writeBytes(CODE, [...setDr(0, loop), ...setDr(7, bp(0, RW_EXEC, LEN1, 'G')), ...movImm(ECX, 3)]);
    m.memory.writeBytes(CODE + 21, [0xe9, ...le32(loop - (CODE + 26))]);
    m.memory.writeBytes(loop, [0x49, 0x75, 0xfd, ...STOP]); // dec ecx; jnz loop
    m.cpu.eip = CODE;
    runToStop(m);
    const r = records(m);
    expect(r.map((x) => x.ecx)).toEqual([3, 2, 1]);
    expect(r.every((x) => x.eip === loop)).toBe(true);
    expect(m.cpu.getReg(ECX)).toBe(0);
  });

  it('a data-write breakpoint traps after the writing instruction with its B bit; reads and writes beside it do not', () => {
    const m = flatMachine();
    installDbHandler(m, { clearDr6: true });
    const p = assemble(
      CODE,
      setDr(1, DATA + 0x10),
      setDr(7, bp(1, RW_WRITE, LEN4)),
      [0xa1, ...le32(DATA + 0x10)], // mov eax, [DATA+10h]: a read
      [0xa3, ...le32(DATA + 0x14)], // mov [DATA+14h], eax: the next dword
      [0x89, 0x1d, ...le32(DATA + 0x0c)], // mov [DATA+0Ch], ebx: the dword before
      [...movImm(EAX, 0x1234), 0x66, 0xa3, ...le32(DATA + 0x12)], // mov [DATA+12h], ax: inside
      [0x90], // the trap's EIP
      STOP,
    );
    loadCode(m, p.bytes);
    runToStop(m);
    const r = records(m);
    expect(r).toHaveLength(1);
    expect(r[0].eip).toBe(p.at[6]);
    expect(r[0].dr6 & 0xf).toBe(2); // B1
    expect(m.memory.read16(DATA + 0x12)).toBe(0x1234);
  });

  it('an access spanning the breakpoint bytes matches (unaligned dword, and a page-crossing one with paging)', () => {
    for (const paging of [false, true]) {
      const m = flatMachine({ paging });
      installDbHandler(m, { clearDr6: true });
      const p = assemble(
        CODE,
        setDr(2, DATA + 0x10),
        setDr(3, DATA + 0x1000),
        setDr(7, bp(2, RW_WRITE, LEN4) | bp(3, RW_WRITE, LEN1)),
        [0x89, 0x1d, ...le32(DATA + 0x0e)], // mov [DATA+0Eh], ebx: bytes 0E–11h
        [0x89, 0x1d, ...le32(DATA + 0xffe)], // mov [DATA+FFEh], ebx: bytes FFE–1001h, across the page
        [0x90],
        STOP,
      );
      loadCode(m, p.bytes);
      runToStop(m);
      const r = records(m);
      expect(r.map((x) => [x.eip, x.dr6 & 0xf])).toEqual([
        [p.at[4], 4],
        [p.at[5], 8],
      ]);
    }
  });

  it('a read/write breakpoint traps on a read; a write-only one does not', () => {
    const m = flatMachine();
    installDbHandler(m, { clearDr6: true });
    const p = assemble(
      CODE,
      setDr(3, DATA + 0x13),
      setDr(0, DATA + 0x10),
      setDr(7, bp(3, RW_RW, LEN1) | bp(0, RW_WRITE, LEN1)),
      [0x8b, 0x15, ...le32(DATA + 0x10)], // mov edx, [DATA+10h]: reads 10–13h
      [0x90],
      STOP,
    );
    loadCode(m, p.bytes);
    runToStop(m);
    const r = records(m);
    expect(r).toHaveLength(1);
    expect(r[0].eip).toBe(p.at[4]);
    expect(r[0].dr6 & 0xf).toBe(8); // B3 only: DR0 watches writes
  });

  it('the breakpoint address is aligned down by LEN', () => {
    const m = flatMachine();
    installDbHandler(m, { clearDr6: true });
    const p = assemble(
      CODE,
      setDr(0, DATA + 0x13), // LEN 4: bytes 10–13h
      setDr(1, DATA + 0x21), // LEN 2: bytes 20–21h
      setDr(7, bp(0, RW_WRITE, LEN4) | bp(1, RW_WRITE, LEN2)),
      [0xc6, 0x05, ...le32(DATA + 0x10), 0x01], // mov byte [DATA+10h], 1: hits DR0
      [0xc6, 0x05, ...le32(DATA + 0x22), 0x01], // byte 22h: outside DR1's word
      [0xc6, 0x05, ...le32(DATA + 0x20), 0x01], // byte 20h: hits DR1
      [0x90],
      STOP,
    );
    loadCode(m, p.bytes);
    runToStop(m);
    expect(records(m).map((x) => [x.eip, x.dr6 & 0xf])).toEqual([
      [p.at[4], 1],
      [p.at[6], 2],
    ]);
  });

  it('a disabled breakpoint (no L or G bit) does not raise', () => {
    const m = flatMachine();
    installDbHandler(m);
    const p = assemble(
      CODE,
      setDr(0, DATA),
      setDr(1, CODE + 0x40),
      setDr(7, bp(0, RW_RW, LEN4, 'none') | bp(1, RW_EXEC, LEN1, 'none')),
      [0xa3, ...le32(DATA)],
      [0xa1, ...le32(DATA)],
      STOP,
    );
    loadCode(m, p.bytes);
    runToStop(m);
    expect(records(m)).toHaveLength(0);
    expect(m.cpu.dr[6] & 0xf).toBe(0);
  });

  it('I/O breakpoints: with CR4.DE, R/W = 10 traps after IN/OUT on the port; without DE the encoding is inert', () => {
    for (const de of [true, false]) {
      const m = flatMachine();
      installDbHandler(m, { clearDr6: true });
      if (de) m.cpu.setCr4(CR4.DE);
      const p = assemble(
        CODE,
        setDr(2, 0x81), // LEN 2: ports 80h–81h
        setDr(7, bp(2, RW_IO, LEN2)),
        [0xe6, 0x82], // out 82h, al: outside
        [0xe6, 0x80], // out 80h, al
        [0x66, 0xba, 0x81, 0x00, 0xec], // mov dx, 81h; in al, dx
        [0x90],
        STOP,
      );
      loadCode(m, p.bytes);
      runToStop(m);
      expect(records(m).map((x) => [x.eip, x.dr6 & 0xf])).toEqual(
        de
          ? [
              [p.at[4], 4],
              [p.at[5], 4],
            ]
          : [],
      );
    }
  });

  it('breakpoints in ring 3 (paging on) are delivered to the ring-0 handler', () => {
    const m = flatMachine({ paging: true });
    installDbHandler(m, { setRf: true, clearDr6: true });
    const user = 0x21000;
    const u = assemble(user, movImm(EAX, 7), [0xa3, ...le32(DATA + 4)], [0x90], STOP);
    m.memory.writeBytes(user, u.bytes);
    m.cpu.setDebugRegister(0, u.at[1]); // the user-mode store: an instruction breakpoint ...
    m.cpu.setDebugRegister(1, DATA + 4); // ... and a data breakpoint on what it stores to
    m.cpu.setDebugRegister(7, bp(0, RW_EXEC, LEN1) | bp(1, RW_WRITE, LEN4, 'G'));
    enterUser(m, user);
    runToStop(m);
    expect(m.cpu.cpl).toBe(3);
    expect(records(m).map((x) => [x.eip, x.cs, x.dr6 & 0xf])).toEqual([
      [u.at[1], UCODE, 1], // fault at the store
      [u.at[2], UCODE, 2], // trap after it
    ]);
    expect(m.memory.read32(DATA + 4)).toBe(7);
  });

  it('a hit inside REP STOS traps after that iteration, EIP at the string with the remaining count and RF pushed as 1', () => {
    const m = flatMachine();
    installDbHandler(m, { clearDr6: true });
    const p = assemble(
      CODE,
      setDr(0, DATA + 3),
      setDr(7, bp(0, RW_WRITE, LEN1)),
      movImm(EDI, DATA),
      movImm(ECX, 8),
      [0xb0, 0xaa], // mov al, AAh
      [0xf3, 0xaa], // rep stosb
      [0x90],
      STOP,
    );
    loadCode(m, p.bytes);
    runToStop(m);
    const r = records(m);
    expect(r).toHaveLength(1);
    expect([r[0].eip, r[0].ecx, r[0].dr6 & 0xf, r[0].eflags & RF]).toEqual([p.at[5], 4, 1, RF]);
    expect(m.cpu.getReg(ECX)).toBe(0); // resumed and finished
    for (let i = 0; i < 8; i++) expect(m.memory.read8(DATA + i)).toBe(0xaa);
  });

  it('an instruction breakpoint on a long REP string fires once, not again when the string continues after 1024 iterations', () => {
    const m = flatMachine();
    installDbHandler(m, { setRf: true });
    const p = assemble(CODE, setDr(0, CODE + 0x40), setDr(7, bp(0, RW_EXEC, LEN1)), movImm(EDI, DATA), movImm(ECX, 3000), [0xe9, 0, 0, 0, 0]);
    const jmpEnd = p.at[4] + 5;
    m.memory.writeBytes(CODE, p.bytes.slice(0, -4));
    m.memory.writeBytes(jmpEnd - 4, le32(CODE + 0x40 - jmpEnd)); // jmp CODE+40h
    m.memory.writeBytes(CODE + 0x40, [0xf3, 0xaa, ...STOP]); // rep stosb
    m.cpu.eip = CODE;
    runToStop(m);
    expect(records(m).map((x) => [x.eip, x.ecx])).toEqual([[CODE + 0x40, 3000]]);
    expect(m.cpu.getReg(ECX)).toBe(0);
    expect(m.cpu.getReg(EDI)).toBe(DATA + 3000);
  });

  it('DR6 B bits are sticky: two hits without clearing leave both set', () => {
    const m = flatMachine();
    installDbHandler(m);
    const p = assemble(
      CODE,
      setDr(0, DATA),
      setDr(1, DATA + 8),
      setDr(7, bp(0, RW_WRITE, LEN4) | bp(1, RW_WRITE, LEN4)),
      [0xa3, ...le32(DATA)],
      [0xa3, ...le32(DATA + 8)],
      STOP,
    );
    loadCode(m, p.bytes);
    runToStop(m);
    expect(records(m).map((x) => x.dr6 & 0xf)).toEqual([1, 3]);
    expect(m.cpu.dr[6] & 0xf).toBe(3);
  });

  it('a fault pushes RF = 1; INT n pushes RF = 0', () => {
    for (const [insn, vector, rf] of [
      [[0x0f, 0x0b], 6, RF], // UD2: #UD, a fault
      [[0xcd, 0x40], 0x40, 0], // INT 40h
    ] as const) {
      const m = flatMachine();
      const h = HANDLER_BASE + 0x100;
      m.memory.writeBytes(h, [0x8b, 0x74, 0x24, 0x08, ...STOP]); // mov esi, [esp + 8] (EFLAGS); stop
      setGate(m, vector, h);
      loadCode(m, [...insn, ...STOP]);
      runToStop(m);
      expect(m.cpu.getReg(ESI) & RF).toBe(rf);
      expect(m.cpu.getEflags() & RF).toBe(0); // delivery clears it
    }
  });

  it('DR7.L0–L3 are cleared by a hardware task switch, G0–G3 kept', () => {
    const m = flatMachine();
    const tss2 = 0x3800;
    writeDescriptor(m.memory, GDT_BASE, 6, tssDescriptor(tss2));
    m.memory.write32(tss2 + TSS32.EIP, CODE + 0x80);
    m.memory.write32(tss2 + TSS32.EFLAGS, 2);
    m.memory.write32(tss2 + TSS32.ESP, KSTACK - 0x100);
    for (const [off, sel] of [[TSS32.CS, KCODE], [TSS32.SS, KDATA], [TSS32.DS, KDATA], [TSS32.ES, KDATA]]) m.memory.write32(tss2 + off, sel);
    m.memory.writeBytes(CODE + 0x80, STOP);
    m.cpu.setDebugRegister(0, DATA);
    m.cpu.setDebugRegister(7, bp(0, RW_WRITE, LEN4, 'L') | bp(1, RW_WRITE, LEN4, 'G'));
    loadCode(m, [0xea, ...le32(0), 0x30, 0x00]); // jmp far 30h:0 (the TSS)
    runToStop(m);
    expect(m.cpu.eip).toBe(CODE + 0x80 + STOP.length);
    expect(m.cpu.dr[7] & 0xff).toBe(0x08); // G1 only
  });

  it('a task switch into a TSS with its T bit set traps (#DB, DR6.BT) before the first instruction of the new task', () => {
    for (const t of [1, 0]) {
      const m = flatMachine();
      installDbHandler(m);
      const tss2 = 0x3800;
      writeDescriptor(m.memory, GDT_BASE, 6, tssDescriptor(tss2));
      m.memory.write32(tss2 + TSS32.EIP, CODE + 0x80);
      m.memory.write32(tss2 + TSS32.EFLAGS, 2);
      m.memory.write32(tss2 + TSS32.ESP, KSTACK - 0x100);
      m.memory.write16(tss2 + TSS32.TRAP, t);
      for (const [off, sel] of [[TSS32.CS, KCODE], [TSS32.SS, KDATA], [TSS32.DS, KDATA], [TSS32.ES, KDATA]]) m.memory.write32(tss2 + off, sel);
      m.memory.writeBytes(CODE + 0x80, [...movImm(EBX, 9), ...STOP]);
      loadCode(m, [0xea, ...le32(0), 0x30, 0x00]); // jmp far 30h:0 (the TSS)
      runToStop(m);
      expect(records(m).map((x) => [x.eip, x.dr6 & 0x8000])).toEqual(t ? [[CODE + 0x80, 0x8000]] : []);
      expect(m.cpu.getReg(EBX)).toBe(9);
    }
  });

  it('armed breakpoints that never fire leave the cycle count unchanged', () => {
    const program = (m: Machine) => {
      // a loop that loads, stores and calls, over the watched page and others
      const loop = CODE + 0x20;
      m.memory.writeBytes(CODE, [...movImm(ECX, 200), ...movImm(ESI, DATA)]);
      m.memory.writeBytes(CODE + 10, [0xe9, ...le32(loop - (CODE + 15))]);
      m.memory.writeBytes(loop, [
        0x8b, 0x06, // mov eax, [esi]
        0x01, 0x46, 0x08, // add [esi + 8], eax
        0x89, 0x86, ...le32(0x2000), // mov [esi + 2000h], eax
        0x50, 0x58, // push eax; pop eax
        0x83, 0xc6, 0x04, // add esi, 4
        0x49, 0x75, 0xed, // dec ecx; jnz loop
        ...STOP,
      ]);
      m.cpu.eip = CODE;
    };
    const run = (armed: boolean) => {
      const m = flatMachine({ paging: true });
      installDbHandler(m);
      program(m);
      if (armed) {
        m.cpu.setDebugRegister(0, DATA + 0xffc); // on the loop's page, never touched
        m.cpu.setDebugRegister(1, CODE + 0x200); // code never run
        m.cpu.setDebugRegister(7, bp(0, RW_RW, LEN4) | bp(1, RW_EXEC, LEN1));
      }
      runToStop(m);
      expect(records(m)).toHaveLength(0);
      return [m.counters.cycles, m.counters.instructions, m.cpu.getReg(ESI)];
    };
    expect(run(true)).toEqual(run(false));
  });
});
