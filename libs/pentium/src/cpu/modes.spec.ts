// Real-address mode and virtual-8086 mode (cpu.ts file comment, segmentation.ts,
// exceptions.ts). The 16-bit code below was assembled with `as --32` (.code16) when the
// tests were written; the bytes are committed with the source beside them.

import { CODE, enterUser, flatMachine, IDT_BASE, KCODE, PAGE_TABLE, KDATA, KSTACK, loadCode, runToStop, setGate, STOP, TSS_BASE, TSS_SEL, UCODE, writeDescriptor, GDT_BASE } from './test-support';
import { encodeSegmentDescriptor, DESC_TYPE, TSS32, taskGate, tssDescriptor } from './descriptors';
import { CR0, CR4, EFLAGS, PF_ERR, SegReg } from './registers';
import type { Machine } from '../machine';

const HANDLER = 0x30000;
const r32 = (m: Machine, a: number) => m.memory.read32(a);
const r16 = (m: Machine, a: number) => m.memory.read16(a);

/** A machine in real mode after the processor's reset, CS:IP = 2000:0000 (linear CODE), SS:SP = 0000:7000. */
function realMachine(): Machine {
  const m = flatMachine();
  m.cpu.reset('power-on');
  m.cpu.loadSegment(SegReg.CS, CODE >>> 4);
  m.cpu.eip = 0;
  m.cpu.setReg(4, 0x7000);
  return m;
}

/** IVT entry `vector` → seg:off */
function setVector(m: Machine, vector: number, seg: number, off: number): void {
  m.memory.write16(vector * 4, off);
  m.memory.write16(vector * 4 + 2, seg);
}

/** 8259A: ICW1..ICW4 with vector base `base`, all lines unmasked */
function initPic(m: Machine, base: number): void {
  for (const [port, v] of [
    [0x20, 0x11],
    [0x21, base],
    [0x21, 0x04],
    [0x21, 0x01],
    [0x21, 0x00],
  ]) m.io.out8(port, v);
}

describe('reset state', () => {
  it('power-on reset is real mode at F000:FFF0 with CS base FFFF0000; the default reset stays protected mode', () => {
    const m = flatMachine();
    expect(m.cpu.realMode).toBe(false);
    expect(m.cpu.cr0 & CR0.PE).toBe(CR0.PE);
    m.cpu.reset('power-on');
    const c = m.cpu;
    expect(c.realMode).toBe(true);
    expect(c.cr0).toBe(0x60000010);
    expect(c.segSel[SegReg.CS]).toBe(0xf000);
    expect(c.segBase[SegReg.CS] >>> 0).toBe(0xffff0000);
    expect(c.segLimit[SegReg.CS]).toBe(0xffff);
    expect(c.eip).toBe(0xfff0);
    expect(c.getEflags()).toBe(2);
    expect(c.idtBase).toBe(0);
    expect(c.idtLimit).toBe(0x3ff);
    expect(c.getReg(2)).toBe(0x52c);
    m.cpu.reset();
    expect(m.cpu.realMode).toBe(false);
  });

  it('power-on reset disarms the breakpoints as the default reset does (DR7 back to its reset value)', () => {
    const m = flatMachine();
    m.cpu.setDebugRegister(0, CODE);
    m.cpu.setDebugRegister(7, 0x1); // L0: an instruction breakpoint at CODE
    expect(m.cpu.debugArmed).toBe(true);
    m.cpu.reset('power-on');
    expect(m.cpu.bpExec).toBe(0);
    expect(m.cpu.debugArmed).toBe(false);
  });
});

describe('real-address mode', () => {
  it('forms addresses as selector << 4 + offset and far-jumps to a new CS', () => {
    const m = realMachine();
    loadCode(m, [
      0xb8, 0x00, 0x30, // mov ax, 0x3000
      0x8e, 0xd8, // mov ds, ax
      0xc7, 0x06, 0x10, 0x00, 0x34, 0x12, // mov word [0x10], 0x1234   (linear 0x30010)
      0xbb, 0xfe, 0x2f, // mov bx, 0x2ffe
      0x8e, 0xc3, // mov es, bx
      0x26, 0xa1, 0x30, 0x00, // mov ax, [es:0x30]   (0x2ffe0 + 0x30 = 0x30010)
      0xea, 0x05, 0x00, 0x00, 0x21, // jmp 0x2100:0x0005   (linear 0x21005)
    ]);
    m.cpu.eip = 0;
    m.memory.writeBytes(0x21005, [0x8c, 0xc9, ...STOP]); // mov cx, cs; stop
    runToStop(m);
    const c = m.cpu;
    expect(r16(m, 0x30010)).toBe(0x1234);
    expect(c.getReg(0) & 0xffff).toBe(0x1234);
    expect(c.segBase[SegReg.DS]).toBe(0x30000);
    expect(c.segBase[SegReg.ES]).toBe(0x2ffe0);
    expect(c.getReg(1) & 0xffff).toBe(0x2100);
    expect(c.segBase[SegReg.CS]).toBe(0x21000);
    expect(c.eip).toBe(0x5 + 2 + STOP.length);
    expect(c.cpl).toBe(0);
  });

  it('INT n goes through the IVT (FLAGS, CS, IP pushed, IF cleared) and IRET returns; a limit violation faults through vector 13', () => {
    const m = realMachine();
    setVector(m, 0x21, 0x2200, 0x0000);
    m.memory.writeBytes(0x22000, [
      0x89, 0xe5, // mov bp, sp
      0x8b, 0x46, 0x00, // mov ax, [bp]     IP
      0x8b, 0x5e, 0x02, // mov bx, [bp+2]   CS
      0x8b, 0x4e, 0x04, // mov cx, [bp+4]   FLAGS
      0x9c, 0x5f, // pushf; pop di      (flags inside the handler)
      0xba, 0x78, 0x56, // mov dx, 0x5678
      0xcf, // iret
    ]);
    setVector(m, 13, 0x2300, 0x0000);
    m.memory.writeBytes(0x23000, STOP);
    loadCode(m, [
      0xfb, // sti
      0xcd, 0x21, // int 0x21
      0x9c, 0x5e, // pushf; pop si
      0xa1, 0xff, 0xff, // mov ax, [0xffff]   (a word at offset FFFF crosses the 64 KiB limit: #GP)
    ]);
    m.cpu.eip = 0;
    runToStop(m);
    const c = m.cpu;
    expect(c.getReg(0) & 0xffff).toBe(0x0003); // the pushed IP: after INT 0x21
    expect(c.getReg(3) & 0xffff).toBe(0x2000); // the pushed CS
    expect(c.getReg(1) & EFLAGS.IF).toBe(EFLAGS.IF); // pushed FLAGS had IF
    expect(c.getReg(7) & EFLAGS.IF).toBe(0); // cleared in the handler
    expect(c.getReg(2) & 0xffff).toBe(0x5678);
    expect(c.getReg(6) & EFLAGS.IF).toBe(EFLAGS.IF); // restored by IRET
    // the #GP frame: IP of the faulting MOV, CS, FLAGS; no error code in real mode
    expect(c.segBase[SegReg.CS]).toBe(0x23000);
    const sp = c.getReg(4);
    expect(sp).toBe(0x7000 - 6);
    expect(r16(m, sp)).toBe(0x0005);
    expect(r16(m, sp + 2)).toBe(0x2000);
    expect(c.flags & EFLAGS.IF).toBe(0);
  });

  it('switches to protected mode (CR0.PE + far jump to 32-bit code) and back to real mode, keeping a 4 GiB DS limit ("big real mode")', () => {
    const m = realMachine();
    // GDT slot 6: 16-bit code, base CODE, 64 KiB (the way back to real mode)
    writeDescriptor(m.memory, GDT_BASE, 6, encodeSegmentDescriptor({ base: CODE, limit: 0xffff, type: DESC_TYPE.CODE_RX, dpl: 0, big: false, granularity: false }));
    m.memory.write16(CODE + 0x100, 16 * 8 - 1); // the LGDT operand
    m.memory.write32(CODE + 0x102, GDT_BASE);
    loadCode(m, [
      0x8c, 0xc8, // mov ax, cs
      0x8e, 0xd8, // mov ds, ax
      0x0f, 0x01, 0x16, 0x00, 0x01, // lgdt [0x100]
      0x0f, 0x20, 0xc0, // mov eax, cr0
      0x0c, 0x01, // or al, 1
      0x0f, 0x22, 0xc0, // mov cr0, eax
      0x66, 0xea, 0x40, 0x00, 0x02, 0x00, 0x08, 0x00, // jmp dword 0x08:0x20040
    ]);
    m.memory.writeBytes(CODE + 0x40, [
      // 32-bit protected mode
      0x66, 0xb8, 0x10, 0x00, // mov ax, KDATA
      0x8e, 0xd8, // mov ds, ax
      0xc7, 0x05, 0x00, 0x00, 0x04, 0x00, 0xef, 0xbe, 0xad, 0xde, // mov dword [0x40000], 0xdeadbeef
      0xea, 0x60, 0x00, 0x00, 0x00, 0x30, 0x00, // jmp 0x30:0x60 (16-bit code)
    ]);
    m.memory.writeBytes(CODE + 0x60, [
      0x0f, 0x20, 0xc0, // mov eax, cr0
      0x24, 0xfe, // and al, 0xfe
      0x0f, 0x22, 0xc0, // mov cr0, eax
      0xea, 0x80, 0x00, 0x00, 0x20, // jmp 0x2000:0x0080
    ]);
    m.memory.writeBytes(CODE + 0x80, [
      0x31, 0xc0, // xor ax, ax
      0x8e, 0xd8, // mov ds, ax   (real mode: base 0, the 4 GiB limit stays)
      0x67, 0x66, 0xc7, 0x05, 0x00, 0x00, 0x05, 0x00, 0x78, 0x56, 0x34, 0x12, // mov dword [dword 0x50000], 0x12345678
      0x8c, 0xcb, // mov bx, cs
      ...STOP,
    ]);
    m.cpu.eip = 0;
    runToStop(m);
    const c = m.cpu;
    expect(r32(m, 0x40000) >>> 0).toBe(0xdeadbeef);
    expect(r32(m, 0x50000)).toBe(0x12345678);
    expect(c.realMode).toBe(true);
    expect(c.getReg(3) & 0xffff).toBe(0x2000);
    expect(c.segBase[SegReg.CS]).toBe(CODE);
    expect(c.segSel[SegReg.DS]).toBe(0);
    expect(c.segLimit[SegReg.DS]).toBe(-1);
    expect(c.gdtBase).toBe(GDT_BASE);
  });

  it('a 16-bit stack (SS.B = 0) wraps SP within 64 KiB and leaves the upper half of ESP alone', () => {
    const m = realMachine();
    m.cpu.setReg(4, 0xabcd0000);
    m.cpu.setReg(5, 0x55557777);
    loadCode(m, [
      0xb8, 0x00, 0x30, // mov ax, 0x3000
      0x8e, 0xd0, // mov ss, ax
      0x31, 0xe4, // xor sp, sp
      0x68, 0x34, 0x12, // push 0x1234          (SP 0 → FFFE)
      0x66, 0x68, 0xef, 0xcd, 0xab, 0x89, // push dword 0x89abcdef
      0x9a, 0x40, 0x00, 0x00, 0x20, // call 0x2000:0x0040
      0x66, 0x59, // pop ecx
      0x5a, // pop dx                (SP FFFE → 0)
      0xc8, 0x04, 0x00, 0x00, // enter 4, 0
      0x89, 0xe6, // mov si, sp
      0xc9, // leave
      ...STOP,
    ]);
    m.memory.writeBytes(CODE + 0x40, [0x89, 0xe7, 0xcb]); // mov di, sp; retf
    m.cpu.eip = 0;
    runToStop(m);
    const c = m.cpu;
    expect(r16(m, 0x3fffe)).toBe(0x7777); // BP pushed by ENTER at SP 0 (after the 0x1234 was popped from there)
    expect(r32(m, 0x3fffa) >>> 0).toBe(0x89abcdef);
    expect(c.getReg(7) & 0xffff).toBe(0xfff6); // SP inside the far call
    expect(r16(m, 0x3fff8)).toBe(0x2000);
    expect(r16(m, 0x3fff6)).toBe(0x0015);
    expect(c.getReg(1) >>> 0).toBe(0x89abcdef);
    expect(c.getReg(2) & 0xffff).toBe(0x1234);
    expect(c.getReg(6) & 0xffff).toBe(0xfffa); // SP after ENTER 4 at SP 0
    expect(c.getReg(4) >>> 0).toBe(0xabcd0000);
    expect(c.getReg(5) >>> 0).toBe(0x55557777);
  });

  it('a hardware interrupt in real mode is delivered through the IVT after HLT', () => {
    const m = realMachine();
    initPic(m, 0x08);
    setVector(m, 0x08, 0x2300, 0);
    m.memory.writeBytes(0x23000, STOP);
    m.events.schedule(50_000, () => m.pic.pulse(0));
    loadCode(m, [0xfb, 0xf4, 0xeb, 0xfe]); // sti; hlt; jmp $
    m.cpu.eip = 0;
    runToStop(m);
    expect(m.counters.interrupts).toBe(1);
    expect(m.cpu.segBase[SegReg.CS]).toBe(0x23000);
    expect(r16(m, m.cpu.getReg(4))).toBe(2); // IP after the HLT
    expect(r16(m, m.cpu.getReg(4) + 2)).toBe(CODE >>> 4);
    expect(m.counters.cycles).toBeGreaterThanOrEqual(50_000);
  });

  it('LMSW sets PE but cannot clear it; MOV CR0 with PG and without PE is #GP', () => {
    const m = realMachine();
    setVector(m, 13, 0x2300, 0);
    m.memory.writeBytes(0x23000, STOP);
    loadCode(m, [
      0x0f, 0x01, 0xf0, // lmsw ax   (ax = 0: PE stays 0)
      0x0f, 0x20, 0xc3, // mov ebx, cr0
      0x66, 0xb9, 0x00, 0x00, 0x00, 0x80, // mov ecx, 0x80000000
      0x0f, 0x22, 0xc1, // mov cr0, ecx   (PG without PE: #GP)
    ]);
    m.cpu.eip = 0;
    m.cpu.setReg(0, 0);
    runToStop(m);
    expect(m.cpu.getReg(3) & CR0.PE).toBe(0);
    expect(r16(m, m.cpu.getReg(4))).toBe(12); // IP of the MOV CR0
    // from protected mode, LMSW with PE = 0 keeps PE
    const p = flatMachine();
    loadCode(p, [0x31, 0xc0, 0x0f, 0x01, 0xf0, ...STOP]); // xor eax, eax; lmsw ax
    runToStop(p);
    expect(p.cpu.cr0 & CR0.PE).toBe(CR0.PE);
  });

  it('does not reuse a block decoded with a 32-bit CS for a 16-bit CS at the same physical address', () => {
    const m = flatMachine();
    // 32-bit: mov ax, 0x5678; xor al, 0x12   16-bit: mov eax, 0x12345678
    loadCode(m, [0x66, 0xb8, 0x78, 0x56, 0x34, 0x12, ...STOP]);
    runToStop(m);
    expect(m.cpu.getReg(0)).toBe(0x566a);
    m.cpu.setCr0(m.cpu.cr0 & ~CR0.PE);
    m.cpu.loadSegment(SegReg.CS, 0);
    m.cpu.segAr[SegReg.CS] &= ~0x400000; // a 16-bit CS cache (as a real-mode return leaves it)
    m.cpu.eip = CODE;
    m.cpu.setReg(0, 0);
    runToStop(m);
    expect(m.cpu.getReg(0)).toBe(0x12345678);
  });

  it('LAR, LSL, ARPL, SLDT are #UD in real mode', () => {
    for (const insn of [
      [0x0f, 0x02, 0xc0], // lar ax, ax
      [0x0f, 0x03, 0xc0], // lsl ax, ax
      [0x63, 0xc0], // arpl ax, ax
      [0x0f, 0x00, 0xc0], // sldt ax
    ]) {
      const m = realMachine();
      setVector(m, 6, 0x2300, 0);
      m.memory.writeBytes(0x23000, STOP);
      loadCode(m, [0x90, ...insn, ...STOP]);
      m.cpu.eip = 0;
      runToStop(m);
      expect(m.cpu.segBase[SegReg.CS]).toBe(0x23000);
      expect(r16(m, m.cpu.getReg(4))).toBe(1);
    }
  });
});

// ---------------------------------------------------------------- virtual-8086 mode

const V86_CS = CODE >>> 4; // 0x2000
const V86_SS = 0x0800;
const V86_SP = 0x0ffe;
const V86_ES = 0x3000;
const V86_DS = 0x4000;
const V86_FS = 0x5000;
const V86_GS = 0x6000;

/** A protected-mode machine that IRETs from ring 0 into a V86 program at 2000:0000. */
function v86Machine(opts: { iopl: number; paging?: boolean }): Machine {
  const m = flatMachine({ paging: opts.paging });
  const frame = [0, V86_CS, EFLAGS.VM | (opts.iopl << 12) | EFLAGS.IF | 2, V86_SP, V86_SS, V86_ES, V86_DS, V86_FS, V86_GS];
  const esp = KSTACK - 0x100 - frame.length * 4;
  frame.forEach((v, i) => m.memory.write32(esp + i * 4, v));
  const stub = CODE - 0x100;
  m.memory.writeBytes(stub, [0xcf]); // iretd
  m.cpu.setReg(4, esp);
  m.cpu.eip = stub;
  return m;
}
/** #GP handler that stops (frame left on the ring-0 stack) */
function stopOnGp(m: Machine): void {
  m.memory.writeBytes(HANDLER, STOP);
  setGate(m, 13, HANDLER);
}
/** the ring-0 stack slot i at the handler's ESP */
const slot = (m: Machine, i: number) => r32(m, m.cpu.getReg(4) + 4 * i) >>> 0;

describe('virtual-8086 mode', () => {
  it('IRET from ring 0 enters V86 mode; a program computes with 16-bit segments (paging on)', () => {
    const m = v86Machine({ iopl: 0, paging: true });
    m.memory.write16(0x40000, 1000); // DS:0
    m.memory.write16(0x30002, 234); // ES:2
    m.memory.write16(0x60006, 0xbeef); // GS:6
    loadCode(m, [
      0xa1, 0x00, 0x00, // mov ax, [0]
      0x26, 0x03, 0x06, 0x02, 0x00, // add ax, [es:2]
      0x64, 0xa3, 0x04, 0x00, // mov [fs:4], ax
      0x50, // push ax
      0x8c, 0xdb, // mov bx, ds
      0x65, 0x8b, 0x0e, 0x06, 0x00, // mov cx, [gs:6]
      ...STOP,
    ]);
    m.cpu.eip = CODE - 0x100;
    runToStop(m);
    const c = m.cpu;
    expect(c.v86).toBe(true);
    expect(c.cpl).toBe(3);
    expect(c.getEflags() & EFLAGS.VM).toBe(EFLAGS.VM);
    expect(r16(m, 0x50004)).toBe(1234);
    expect(c.getReg(4)).toBe(V86_SP - 2);
    expect(r16(m, (V86_SS << 4) + V86_SP - 2)).toBe(1234);
    expect(c.getReg(3) & 0xffff).toBe(V86_DS);
    expect(c.getReg(1) & 0xffff).toBe(0xbeef);
    for (const [s, sel] of [[SegReg.CS, V86_CS], [SegReg.SS, V86_SS], [SegReg.DS, V86_DS], [SegReg.ES, V86_ES], [SegReg.FS, V86_FS], [SegReg.GS, V86_GS]]) {
      expect(c.segSel[s]).toBe(sel);
      expect(c.segBase[s]).toBe(sel << 4);
      expect(c.segLimit[s]).toBe(0xffff);
    }
  });

  it('IRET to V86 mode with an EIP beyond 64 KiB is #GP(0) in ring 0, nothing loaded', () => {
    const m = v86Machine({ iopl: 0 });
    stopOnGp(m);
    m.memory.write32(m.cpu.getReg(4), 0x10000); // the frame's EIP
    loadCode(m, [0x90]);
    m.cpu.eip = CODE - 0x100;
    runToStop(m);
    expect(m.cpu.v86).toBe(false);
    expect(slot(m, 1)).toBe(CODE - 0x100); // the IRET
    expect(slot(m, 2)).toBe(KCODE);
    expect(m.cpu.segSel[SegReg.DS]).toBe(KDATA);
  });

  it('a V86 access to a supervisor page is a user-mode #PF (error code U|P, CR2) delivered with the V86 frame', () => {
    const m = v86Machine({ iopl: 0, paging: true });
    m.memory.write32(PAGE_TABLE + (0x40000 >>> 12) * 4, 0x40000 | 3); // present, writable, supervisor
    m.memory.writeBytes(HANDLER + 0x200, STOP);
    setGate(m, 14, HANDLER + 0x200);
    loadCode(m, [0x90, 0xa1, 0x10, 0x00]); // nop; mov ax, [0x10]
    m.cpu.eip = CODE - 0x100;
    runToStop(m);
    expect(m.cpu.cr2).toBe(0x40010);
    expect(slot(m, 0)).toBe(PF_ERR.U | PF_ERR.P);
    expect(slot(m, 1)).toBe(1);
    expect(slot(m, 3) & EFLAGS.VM).toBe(EFLAGS.VM);
    expect(slot(m, 7)).toBe(V86_DS);
  });

  it.each([
    ['CLI', [0xfa]],
    ['STI', [0xfb]],
    ['PUSHF', [0x9c]],
    ['POPF', [0x9d]],
    ['INT n', [0xcd, 0x21]],
    ['IRET', [0xcf]],
  ])('%s with IOPL < 3 traps to the ring-0 #GP handler with the V86 frame (GS, FS, DS, ES above SS:ESP)', (_name, insn) => {
    const m = v86Machine({ iopl: 0 });
    stopOnGp(m);
    loadCode(m, [0x90, 0x90, ...(insn as number[]), ...STOP]);
    m.cpu.eip = CODE - 0x100;
    runToStop(m);
    const c = m.cpu;
    expect(c.v86).toBe(false);
    expect(c.cpl).toBe(0);
    expect(c.getReg(4)).toBe(KSTACK - 40); // TSS.ESP0 minus ten dwords
    expect(slot(m, 0)).toBe(0); // error code
    expect(slot(m, 1)).toBe(2); // EIP of the sensitive instruction
    expect(slot(m, 2)).toBe(V86_CS);
    expect(slot(m, 3) & (EFLAGS.VM | EFLAGS.IOPL)).toBe(EFLAGS.VM);
    expect(slot(m, 4)).toBe(V86_SP);
    expect(slot(m, 5)).toBe(V86_SS);
    expect(slot(m, 6)).toBe(V86_ES);
    expect(slot(m, 7)).toBe(V86_DS);
    expect(slot(m, 8)).toBe(V86_FS);
    expect(slot(m, 9)).toBe(V86_GS);
    for (const s of [SegReg.ES, SegReg.DS, SegReg.FS, SegReg.GS]) expect(c.segSel[s]).toBe(0);
    expect(c.segSel[SegReg.CS]).toBe(KCODE);
    expect(c.segSel[SegReg.SS]).toBe(KDATA);
    expect(c.getEflags() & EFLAGS.VM).toBe(0);
  });

  it('with IOPL 3, CLI/PUSHF/POPF run in V86 mode and INT n goes through a DPL-3 gate to ring 0 (no error code); INT3 is not IOPL-sensitive', () => {
    const m = v86Machine({ iopl: 3 });
    m.memory.writeBytes(HANDLER + 0x40, STOP);
    setGate(m, 0x21, HANDLER + 0x40, { dpl: 3 });
    loadCode(m, [0xfa, 0x9c, 0x58, 0x50, 0x9d, 0xcd, 0x21]); // cli; pushf; pop ax; push ax; popf; int 0x21
    m.cpu.eip = CODE - 0x100;
    runToStop(m);
    expect(m.cpu.getReg(0) & (EFLAGS.IF | EFLAGS.VM)).toBe(0); // IF cleared by CLI; VM never pushed
    expect(m.cpu.getReg(4)).toBe(KSTACK - 36);
    expect(slot(m, 0)).toBe(7); // EIP after INT 0x21
    expect(slot(m, 1)).toBe(V86_CS);
    expect(slot(m, 2) & EFLAGS.VM).toBe(EFLAGS.VM);
    expect(slot(m, 8)).toBe(V86_GS);
    // INT3 with IOPL 0: #BP through its gate, not #GP
    const b = v86Machine({ iopl: 0 });
    stopOnGp(b);
    b.memory.writeBytes(HANDLER + 0x80, [0xb0, 0x03, ...STOP]); // mov al, 3; stop
    setGate(b, 3, HANDLER + 0x80, { dpl: 3 });
    loadCode(b, [0xcc]);
    b.cpu.eip = CODE - 0x100;
    runToStop(b);
    expect(b.cpu.getReg(0) & 0xff).toBe(3);
    expect(slot(b, 0)).toBe(1);
  });

  it('an interrupt gate whose target is not ring 0 raises #GP(selector) from V86 mode', () => {
    const m = v86Machine({ iopl: 3 });
    stopOnGp(m);
    setGate(m, 0x22, HANDLER + 0x40, { dpl: 3, selector: UCODE });
    loadCode(m, [0x90, 0xcd, 0x22]);
    m.cpu.eip = CODE - 0x100;
    runToStop(m);
    expect(slot(m, 0)).toBe(UCODE & 0xfffc);
    expect(slot(m, 1)).toBe(1); // the INT (a fault while delivering restarts it)
    expect(slot(m, 7)).toBe(V86_DS);
  });

  it('IN goes through the TSS I/O bitmap whatever the IOPL: a permitted port passes, a denied one is #GP', () => {
    const m = v86Machine({ iopl: 3 });
    stopOnGp(m);
    // a TSS with a 8 KiB + 1 byte I/O bitmap at 0x68: port 0x60 allowed, 0x61 denied
    const bitmap = TSS_BASE + 0x68;
    for (let i = 0; i < 0x2000; i++) m.memory.write8(bitmap + i, 0xff);
    m.memory.write8(bitmap + 0x2000, 0xff);
    m.memory.write8(bitmap + (0x60 >>> 3), 0xfe);
    writeDescriptor(m.memory, GDT_BASE, 5, tssDescriptor(TSS_BASE, 0x68 + 0x2000));
    m.cpu.loadTr(TSS_SEL);
    loadCode(m, [0xe4, 0x60, 0xe4, 0x61]); // in al, 0x60; in al, 0x61
    m.cpu.eip = CODE - 0x100;
    runToStop(m);
    expect(slot(m, 1)).toBe(2); // the first IN passed, the second faulted
    expect(slot(m, 3) & EFLAGS.VM).toBe(EFLAGS.VM);
    // without a bitmap (TSS limit 0x67) even IOPL 3 does not allow IN in V86 mode
    const n = v86Machine({ iopl: 3 });
    stopOnGp(n);
    loadCode(n, [0xe4, 0x60]);
    n.cpu.eip = CODE - 0x100;
    runToStop(n);
    expect(slot(n, 1)).toBe(0);
    expect(n.memory.read16(TSS_BASE + TSS32.IOMAP_BASE)).toBe(0x68);
  });

  it('a hardware interrupt in V86 mode goes to its ring-0 IDT handler with the V86 frame', () => {
    const m = v86Machine({ iopl: 0 });
    initPic(m, 0x20);
    m.memory.writeBytes(HANDLER + 0x100, STOP);
    setGate(m, 0x20, HANDLER + 0x100);
    m.events.schedule(20_000, () => m.pic.pulse(0));
    loadCode(m, [0xeb, 0xfe]); // jmp $ (IF is set in the entry image)
    m.cpu.eip = CODE - 0x100;
    runToStop(m);
    expect(m.counters.interrupts).toBe(1);
    expect(m.cpu.v86).toBe(false);
    expect(m.cpu.getReg(4)).toBe(KSTACK - 36);
    expect(slot(m, 0)).toBe(0); // EIP of the JMP
    expect(slot(m, 1)).toBe(V86_CS);
    expect(slot(m, 2) & (EFLAGS.VM | EFLAGS.IF)).toBe(EFLAGS.VM | EFLAGS.IF);
    expect(slot(m, 5)).toBe(V86_ES);
    expect(slot(m, 8)).toBe(V86_GS);
    expect(m.cpu.getEflags() & EFLAGS.IF).toBe(0);
  });

  it('a ring-0 monitor emulates CLI and IRETs back to V86 mode, which resumes with its segments', () => {
    const m = v86Machine({ iopl: 0 });
    m.memory.writeBytes(HANDLER, [
      0x83, 0xc4, 0x04, // add esp, 4       (drop the error code)
      0x83, 0x04, 0x24, 0x01, // add dword [esp], 1   (skip the 1-byte CLI)
      0xcf, // iretd
    ]);
    setGate(m, 13, HANDLER);
    loadCode(m, [0xfa, 0x8c, 0xd9, 0x8c, 0xe2, ...STOP]); // cli; mov cx, ds; mov dx, fs
    m.cpu.eip = CODE - 0x100;
    runToStop(m);
    const c = m.cpu;
    expect(c.v86).toBe(true);
    expect(c.cpl).toBe(3);
    expect(c.getReg(1) & 0xffff).toBe(V86_DS);
    expect(c.getReg(2) & 0xffff).toBe(V86_FS);
    expect(c.segBase[SegReg.DS]).toBe(V86_DS << 4);
    expect(c.getReg(4)).toBe(V86_SP);
    expect(c.getEflags() & EFLAGS.IF).toBe(EFLAGS.IF);
    expect(m.counters.traps).toBe(1);
  });
});

describe('task switches and virtual-8086 mode', () => {
  it('a JMP to a TSS whose EFLAGS has VM runs the task in V86 mode; an INT through a task gate saves its V86 state and returns to the caller task', () => {
    const m = flatMachine();
    const tss2 = 0x5000;
    writeDescriptor(m.memory, GDT_BASE, 6, tssDescriptor(tss2));
    const w = (off: number, v: number) => m.memory.write32(tss2 + off, v);
    w(TSS32.EIP, 0);
    w(TSS32.EFLAGS, EFLAGS.VM | EFLAGS.IOPL | 2);
    w(TSS32.ESP, 0xabcd0ffe);
    w(TSS32.CS, 0x2100);
    w(TSS32.SS, V86_SS);
    w(TSS32.DS, V86_DS);
    w(TSS32.ES, V86_ES);
    w(TSS32.FS, V86_FS);
    w(TSS32.GS, V86_GS);
    w(TSS32.ESP0, KSTACK - 0x400);
    w(TSS32.SS0, KDATA);
    m.memory.write16(tss2 + TSS32.IOMAP_BASE, 0x68);
    writeDescriptor(m.memory, IDT_BASE, 0x50, taskGate(TSS_SEL, 3));
    m.memory.writeBytes(0x21000, [
      0xb8, 0x34, 0x12, // mov ax, 0x1234
      0x8c, 0xdb, // mov bx, ds
      0xcd, 0x50, // int 0x50   (task gate back to the first task)
    ]);
    loadCode(m, [0xea, 0, 0, 0, 0, 0x30, 0, ...STOP]); // jmp far 0x30:0
    runToStop(m);
    const c = m.cpu;
    // back in the first task, ring 0 protected mode, nested under the V86 task
    expect(c.trSel).toBe(TSS_SEL);
    expect(c.v86).toBe(false);
    expect(c.cpl).toBe(0);
    expect(c.eip).toBe(CODE + 7 + STOP.length);
    expect(c.getEflags() & EFLAGS.NT).toBe(EFLAGS.NT);
    expect(m.memory.read16(TSS_BASE + TSS32.LINK)).toBe(0x30);
    // the V86 task's saved state: VM, V86 selectors, EIP after the INT, its registers
    expect(r32(m, tss2 + TSS32.EFLAGS) & EFLAGS.VM).toBe(EFLAGS.VM);
    expect(r32(m, tss2 + TSS32.EIP)).toBe(7);
    expect(r32(m, tss2 + TSS32.CS)).toBe(0x2100);
    expect(r32(m, tss2 + TSS32.DS)).toBe(V86_DS);
    expect(r32(m, tss2 + TSS32.EAX) & 0xffff).toBe(0x1234);
    expect(r32(m, tss2 + TSS32.EBX) & 0xffff).toBe(V86_DS);
    expect(r32(m, tss2 + TSS32.ESP) >>> 0).toBe(0xabcd0ffe);
  });
});

describe('virtual-8086 mode extensions (CR4.VME) and protected-mode virtual interrupts (CR4.PVI)', () => {
  /** V86 with IOPL 0, CR4.VME, VIF set (and VIP when asked) in the entry image */
  function vmeMachine(opts: { vip?: boolean } = {}): Machine {
    const m = v86Machine({ iopl: 0 });
    const esp = m.cpu.getReg(4);
    m.memory.write32(esp + 8, r32(m, esp + 8) | EFLAGS.VIF | (opts.vip ? EFLAGS.VIP : 0));
    m.cpu.setCr4(CR4.VME);
    stopOnGp(m);
    return m;
  }

  it('CLI/STI act on VIF, PUSHF shows VIF as IF (IOPL 3), POPF sets VIF; IF itself never changes', () => {
    const m = vmeMachine();
    loadCode(m, [
      0xfa, // cli
      0x9c, 0x58, // pushf; pop ax
      0xfb, // sti
      0x9c, 0x5b, // pushf; pop bx
      0x68, 0x00, 0x00, // push 0
      0x9d, // popf            (VIF ← 0)
      0x9c, 0x59, // pushf; pop cx
      ...STOP,
    ]);
    m.cpu.eip = CODE - 0x100;
    runToStop(m);
    const c = m.cpu;
    expect(c.v86).toBe(true); // no trap to the monitor
    expect(c.getReg(0) & (EFLAGS.IF | EFLAGS.IOPL)).toBe(EFLAGS.IOPL);
    expect(c.getReg(3) & (EFLAGS.IF | EFLAGS.IOPL)).toBe(EFLAGS.IF | EFLAGS.IOPL);
    expect(c.getReg(1) & EFLAGS.IF).toBe(0);
    expect(c.getEflags() & (EFLAGS.IF | EFLAGS.VIF | EFLAGS.IOPL)).toBe(EFLAGS.IF);
  });

  it.each([
    // name, bytes (after a NOP at 0), VIP pending, EIP of the trapping instruction
    ['STI with VIP pending', [0xfb], true, 1],
    ['POPF setting TF', [0x68, 0x00, 0x01, 0x9d], false, 4],
    ['POPF setting IF with VIP pending', [0x68, 0x00, 0x02, 0x9d], true, 4],
    ['PUSHFD (32-bit)', [0x66, 0x9c], false, 1],
    ['IRETD (32-bit)', [0x66, 0xcf], false, 1],
  ])('%s still traps to the monitor', (_name, insn, vip, eip) => {
    const m = vmeMachine({ vip: vip as boolean });
    loadCode(m, [0x90, ...(insn as number[]), ...STOP]);
    m.cpu.eip = CODE - 0x100;
    runToStop(m);
    expect(m.cpu.v86).toBe(false);
    expect(slot(m, 1)).toBe(eip);
  });

  it('INT n with its redirection-bitmap bit clear goes to the V86 vector table and IRETs back; a set bit traps with IOPL < 3', () => {
    const m = vmeMachine();
    // TSS: redirection bitmap at 0x68..0x87 (all set but vector 0x21), I/O map base 0x88
    for (let i = 0; i < 32; i++) m.memory.write8(TSS_BASE + 0x68 + i, 0xff);
    m.memory.write8(TSS_BASE + 0x68 + (0x21 >>> 3), 0xff & ~(1 << (0x21 & 7)));
    m.memory.write16(TSS_BASE + TSS32.IOMAP_BASE, 0x88);
    writeDescriptor(m.memory, GDT_BASE, 5, tssDescriptor(TSS_BASE, 0x88));
    m.cpu.loadTr(TSS_SEL);
    setVector(m, 0x21, 0x2200, 0x0000); // the V86 program's IVT at linear 0
    m.memory.writeBytes(0x22000, [
      0x9c, 0x5b, // pushf; pop bx     (VIF, shown as IF, is clear in the handler)
      0x89, 0xe5, // mov bp, sp
      0x8b, 0x76, 0x04, // mov si, [bp+4]   (the pushed FLAGS image)
      0xba, 0x78, 0x56, // mov dx, 0x5678
      0xcf, // iret (16-bit: VIF ← the image's IF)
    ]);
    loadCode(m, [0xcd, 0x21, 0x8c, 0xd9, 0xcd, 0x22, ...STOP]); // int 0x21; mov cx, ds; int 0x22
    m.cpu.eip = CODE - 0x100;
    runToStop(m);
    const c = m.cpu;
    expect(c.getReg(2) & 0xffff).toBe(0x5678);
    expect(c.getReg(3) & EFLAGS.IF).toBe(0);
    expect(c.getReg(6) & (EFLAGS.IF | EFLAGS.IOPL)).toBe(EFLAGS.IF | EFLAGS.IOPL);
    expect(c.getReg(1) & 0xffff).toBe(V86_DS);
    // INT 0x22 (bit set, IOPL 0): #GP to the monitor, with VIF back on from the IRET
    expect(c.v86).toBe(false);
    expect(slot(m, 1)).toBe(4);
    expect(slot(m, 3) & (EFLAGS.VM | EFLAGS.VIF)).toBe(EFLAGS.VM | EFLAGS.VIF);
    expect(slot(m, 4)).toBe(V86_SP);
  });

  it('with IOPL 3 a redirected INT n clears IF itself and pushes the real FLAGS', () => {
    const m = v86Machine({ iopl: 3 });
    m.cpu.setCr4(CR4.VME);
    stopOnGp(m);
    for (let i = 0; i < 32; i++) m.memory.write8(TSS_BASE + 0x68 + i, 0);
    m.memory.write16(TSS_BASE + TSS32.IOMAP_BASE, 0x88);
    writeDescriptor(m.memory, GDT_BASE, 5, tssDescriptor(TSS_BASE, 0x88));
    m.cpu.loadTr(TSS_SEL);
    setVector(m, 0x33, 0x2200, 0x0010);
    m.memory.writeBytes(0x22010, [0x9c, 0x5b, 0x89, 0xe5, 0x8b, 0x76, 0x04, ...STOP]); // pushf; pop bx; mov bp, sp; mov si, [bp+4]
    loadCode(m, [0xcd, 0x33]);
    m.cpu.eip = CODE - 0x100;
    runToStop(m);
    const c = m.cpu;
    expect(c.v86).toBe(true);
    expect(c.segBase[SegReg.CS]).toBe(0x22000);
    expect(c.getReg(3) & EFLAGS.IF).toBe(0);
    expect(c.getReg(6) & (EFLAGS.IF | EFLAGS.IOPL)).toBe(EFLAGS.IF | EFLAGS.IOPL);
    expect(r16(m, (V86_SS << 4) + V86_SP - 4)).toBe(V86_CS);
    expect(r16(m, (V86_SS << 4) + V86_SP - 6)).toBe(2);
  });

  it('CR4.PVI: CLI/STI at CPL 3 with IOPL 0 change VIF; without PVI they are #GP', () => {
    for (const pvi of [true, false]) {
      const m = flatMachine();
      stopOnGp(m);
      if (pvi) m.cpu.setCr4(CR4.PVI);
      m.memory.writeBytes(CODE, [0xfb, ...STOP]); // sti
      enterUser(m, CODE);
      runToStop(m);
      expect(m.cpu.cpl).toBe(pvi ? 3 : 0);
      expect(m.cpu.getEflags() & EFLAGS.VIF).toBe(pvi ? EFLAGS.VIF : 0);
    }
  });
});
