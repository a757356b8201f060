import { callGate, CODE, enterUser, flatMachine, GDT_BASE, KCODE, KDATA, KSTACK, loadCode, PAGE_DIR, PAGE_TABLE, runToStop, setGate, setTaskGate, STOP, TSS_BASE, TSS_SEL, UCODE, UDATA, USTACK, writeDescriptor } from './test-support';
import { TSS32, tssDescriptor, decodeSegmentDescriptor, encodeSegmentDescriptor, DESC_TYPE } from './descriptors';
import { CR0, CR4, SegReg } from './registers';
import { CPUID_FEATURES, CPUID_SIGNATURE } from './ops/system';
import type { Machine } from '../machine';

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const HANDLER = 0x30000;

/** installs a handler for `vector` that records nothing and stops */
function stopOn(m: Machine, vector: number, opts: { dpl?: number } = {}): void {
  m.memory.writeBytes(HANDLER + vector * 16, STOP);
  setGate(m, vector, HANDLER + vector * 16, opts);
}
const top = (m: Machine, i: number) => m.memory.read32(m.cpu.getReg(4) + 4 * i);

describe('integer instructions', () => {
  it('runs MOV/ADD and stops at HOSTCALL', () => {
    const m = flatMachine();
    loadCode(m, [0xb8, 5, 0, 0, 0, 0x83, 0xc0, 7, ...STOP]);
    runToStop(m);
    expect(m.cpu.getReg(0)).toBe(12);
    expect(m.cpu.eip).toBe(CODE + 12);
    expect(m.counters.instructions).toBe(3);
  });

  it('sets OF/SF/AF/PF on signed overflow and CF on borrow', () => {
    const m = flatMachine();
    loadCode(m, [
      0xb8, ...le32(0x7fffffff), // mov eax, 0x7fffffff
      0x83, 0xc0, 0x01, // add eax, 1
      0x9c, 0x5b, // pushfd; pop ebx
      0xb9, ...le32(0), // mov ecx, 0
      0x83, 0xe9, 0x01, // sub ecx, 1
      0x9c, 0x5a, // pushfd; pop edx
      0xf9, // stc
      0xbe, ...le32(0xffffffff), // mov esi, -1
      0x46, // inc esi (CF kept)
      0x9c, 0x5f, // pushfd; pop edi
      ...STOP,
    ]);
    runToStop(m);
    expect(m.cpu.getReg(0)).toBe(0x80000000);
    expect(m.cpu.getReg(3) & 0x8d5).toBe(0x800 | 0x80 | 0x10 | 0x04);
    expect(m.cpu.getReg(1)).toBe(0xffffffff);
    expect(m.cpu.getReg(2) & 0x8d5).toBe(0x01 | 0x04 | 0x10 | 0x80);
    expect(m.cpu.getReg(6)).toBe(0);
    expect(m.cpu.getReg(7) & 0x8d5).toBe(0x01 | 0x04 | 0x10 | 0x40);
  });

  it('multiplies and divides 32-bit operands (MUL, DIV, IDIV)', () => {
    const m = flatMachine();
    loadCode(m, [
      0xb8, ...le32(0x12345678), // mov eax
      0xb9, ...le32(0x9abcdef0), // mov ecx
      0xf7, 0xe1, // mul ecx
      0x89, 0xc3, // mov ebx, eax
      0x89, 0xd6, // mov esi, edx
      0xf7, 0xf1, // div ecx  (back to 0x12345678, remainder 0)
      0x89, 0xc7, // mov edi, eax
      0xb8, ...le32(-7 >>> 0), // mov eax, -7
      0x99, // cdq
      0xb9, ...le32(2), // mov ecx, 2
      0xf7, 0xf9, // idiv ecx
      ...STOP,
    ]);
    runToStop(m);
    const p = 0x12345678n * 0x9abcdef0n;
    expect(m.cpu.getReg(3)).toBe(Number(p & 0xffffffffn));
    expect(m.cpu.getReg(6)).toBe(Number(p >> 32n));
    expect(m.cpu.getReg(7)).toBe(0x12345678);
    expect(m.cpu.getReg(0) | 0).toBe(-3);
    expect(m.cpu.getReg(2) | 0).toBe(-1);
  });

  it('runs REP MOVSB and REPNE SCASB', () => {
    const m = flatMachine();
    m.memory.writeBytes(0x40000, [...Buffer.from('hello, world\0')]);
    loadCode(m, [
      0xfc, // cld
      0xbe, ...le32(0x40000), // mov esi
      0xbf, ...le32(0x41000), // mov edi
      0xb9, ...le32(13), // mov ecx, 13
      0xf3, 0xa4, // rep movsb
      0xbf, ...le32(0x41000), // mov edi
      0x31, 0xc0, // xor eax, eax
      0xb9, ...le32(100), // mov ecx, 100
      0xf2, 0xae, // repne scasb
      ...STOP,
    ]);
    runToStop(m);
    expect(m.memory.readCString(0x41000)).toBe('hello, world');
    expect(m.cpu.getReg(7)).toBe(0x41000 + 13);
    expect(m.cpu.getReg(1)).toBe(100 - 13);
  });
});

describe('exceptions', () => {
  it('#DE: frame points at the DIV (fault), no error code', () => {
    const m = flatMachine();
    stopOn(m, 0);
    loadCode(m, [0x31, 0xc9, 0xf7, 0xf1, ...STOP]); // xor ecx,ecx; div ecx
    runToStop(m);
    expect(m.cpu.eip).toBe(HANDLER + 4);
    expect(top(m, 0)).toBe(CODE + 2);
    expect(top(m, 1)).toBe(KCODE);
    expect(m.cpu.getReg(4)).toBe(KSTACK - 12);
    expect(m.counters.traps).toBe(1);
  });

  it('#GP with the selector as error code for a selector beyond the GDT limit', () => {
    const m = flatMachine();
    stopOn(m, 13);
    loadCode(m, [0x66, 0xb8, 0x00, 0x01, 0x8e, 0xd8, ...STOP]); // mov ax, 0x100; mov ds, ax
    runToStop(m);
    expect(top(m, 0)).toBe(0x100);
    expect(top(m, 1)).toBe(CODE + 4);
    expect(m.cpu.segSel[SegReg.DS]).toBe(KDATA);
  });

  it('#NP for a not-present data segment, #UD for UD2 and unregistered HOSTCALLs', () => {
    const m = flatMachine();
    stopOn(m, 11);
    const d = decodeSegmentDescriptor(m.memory.read32(GDT_BASE + 16), m.memory.read32(GDT_BASE + 20));
    void d;
    // GDT entry 7: the kernel data descriptor with P = 0
    m.memory.write32(GDT_BASE + 56, m.memory.read32(GDT_BASE + 16));
    m.memory.write32(GDT_BASE + 60, m.memory.read32(GDT_BASE + 20) & ~0x8000);
    loadCode(m, [0x66, 0xb8, 0x38, 0x00, 0x8e, 0xc0, ...STOP]); // mov ax, 0x38; mov es, ax
    runToStop(m);
    expect(top(m, 0)).toBe(0x38);

    const u = flatMachine();
    stopOn(u, 6);
    loadCode(u, [0x90, 0x0f, 0x0b]);
    runToStop(u);
    expect(top(u, 0)).toBe(CODE + 1);

    const h = flatMachine();
    stopOn(h, 6);
    loadCode(h, [0x0f, 0x3f, 0x34, 0x12]);
    runToStop(h);
    expect(top(h, 0)).toBe(CODE);
  });

  it('#DF when delivering #PF hits a not-present gate, then triple fault without a #DF gate', () => {
    const m = flatMachine({ paging: true });
    stopOn(m, 8);
    // IDT[14] left not present: #PF delivery raises #NP → double fault
    loadCode(m, [0xa1, ...le32(0x500000)]); // mov eax, [0x500000] (unmapped)
    runToStop(m);
    expect(m.cpu.eip).toBe(HANDLER + 8 * 16 + 4);
    expect(top(m, 0)).toBe(0); // #DF error code
    expect(top(m, 1)).toBe(CODE);
    expect(m.cpu.cr2).toBe(0x500000);

    const t = flatMachine();
    t.cpu.setIdtr(0x2000, 0); // no usable gates at all
    loadCode(t, [0x0f, 0x0b]);
    const r = t.run({ cycleBudget: 1_000_000 });
    expect(r.reason).toBe('triple-fault');
  });
});

describe('paging', () => {
  it('#PF: CR2 and error codes for not-present read, write, and user access to a supervisor page', () => {
    const m = flatMachine({ paging: true });
    stopOn(m, 14);
    loadCode(m, [0xa3, ...le32(0x500004)]); // mov [0x500004], eax
    runToStop(m);
    expect(m.cpu.cr2).toBe(0x500004);
    expect(top(m, 0)).toBe(2); // not present, write, supervisor
    expect(top(m, 1)).toBe(CODE);

    const u = flatMachine({ paging: true });
    stopOn(u, 14);
    // make page 0x42000 supervisor-only, then read it from ring 3
    u.memory.write32(PAGE_TABLE + 0x42 * 4, 0x42000 | 3);
    const userCode = 0x21000;
    u.memory.writeBytes(userCode, [0xa1, ...le32(0x42010), ...STOP]);
    enterUser(u, userCode);
    runToStop(u);
    expect(u.cpu.cr2).toBe(0x42010);
    expect(top(u, 0)).toBe(1 | 4); // present, read, user
    expect(top(u, 1)).toBe(userCode);
    expect(top(u, 2)).toBe(UCODE);
  });

  it('translates through 4 KiB and 4 MiB pages and sets Accessed/Dirty bits', () => {
    const m = flatMachine({ paging: true });
    // 4 MiB page: linear 0x800000 → physical 0x400000
    m.cpu.setCr4(m.cpu.cr4 | CR4.PSE);
    m.memory.write32(PAGE_DIR + 2 * 4, 0x400000 | 0x83);
    m.memory.write32(0x400010, 0xcafef00d);
    loadCode(m, [
      0xa1, ...le32(0x800010), // mov eax, [0x800010]
      0xc7, 0x05, ...le32(0x43000), ...le32(0x11223344), // mov dword [0x43000], 0x11223344
      ...STOP,
    ]);
    runToStop(m);
    expect(m.cpu.getReg(0)).toBe(0xcafef00d);
    expect(m.memory.read32(0x43000)).toBe(0x11223344);
    expect(m.memory.read32(PAGE_DIR + 8) & 0x20).toBe(0x20); // A on the 4 MiB PDE
    expect(m.memory.read32(PAGE_TABLE + 0x43 * 4) & 0x60).toBe(0x60); // A and D
    expect(m.memory.read32(PAGE_TABLE + 0x20 * 4) & 0x60).toBe(0x20); // code page: A only
  });

  it('honours CR0.WP for supervisor writes to read-only pages and flushes on MOV CR3', () => {
    const m = flatMachine({ paging: true });
    stopOn(m, 14);
    m.memory.write32(PAGE_TABLE + 0x44 * 4, 0x44000 | 5); // user, read-only
    loadCode(m, [0xc7, 0x05, ...le32(0x44000), ...le32(1), ...STOP]);
    runToStop(m);
    expect(m.memory.read32(0x44000)).toBe(1); // WP = 0: the supervisor may write
    const flushes = m.counters.tlbFlushes;
    m.cpu.setCr0(m.cpu.cr0 | CR0.WP);
    expect(m.counters.tlbFlushes).toBe(flushes + 1);
    loadCode(m, [0xc7, 0x05, ...le32(0x44000), ...le32(2), ...STOP]);
    runToStop(m);
    expect(top(m, 0)).toBe(1 | 2); // present, write, supervisor
    expect(m.memory.read32(0x44000)).toBe(1);
  });
});

describe('privilege changes', () => {
  it('INT 0x80 from ring 3 switches to the TSS stack and IRET returns to ring 3', () => {
    const m = flatMachine();
    const frames: number[][] = [];
    m.hostcalls.register(1, 'syscall', (c) => {
      const esp = c.getReg(4);
      frames.push([esp, ...[0, 1, 2, 3, 4].map((i) => m.memory.read32(esp + 4 * i)), c.cpl]);
      c.setReg(0, 99);
    });
    const entry = 0x31000;
    m.memory.writeBytes(entry, [0x0f, 0x3f, 0x01, 0x00, 0xcf]); // HOSTCALL 1; IRET
    setGate(m, 0x80, entry, { dpl: 3, trap: true });
    const userCode = 0x21000;
    m.memory.writeBytes(userCode, [0xb8, ...le32(42), 0xcd, 0x80, 0x89, 0xc3, ...STOP]);
    enterUser(m, userCode);
    runToStop(m);
    expect(frames).toHaveLength(1);
    const [esp, eip, cs, eflags, uesp, uss, cpl] = frames[0];
    expect(esp).toBe(KSTACK - 20);
    expect(eip).toBe(userCode + 7);
    expect(cs).toBe(UCODE);
    expect(eflags & 0x200).toBe(0x200);
    expect(uesp).toBe(USTACK);
    expect(uss).toBe(UDATA);
    expect(cpl).toBe(0);
    expect(m.cpu.cpl).toBe(3);
    expect(m.cpu.getReg(3)).toBe(99);
    expect(m.cpu.getReg(4)).toBe(USTACK);
  });

  it('a gate with DPL 0 rejects INT n from ring 3 with #GP(vector*8+2)', () => {
    const m = flatMachine();
    stopOn(m, 13);
    setGate(m, 0x81, 0x31000, { dpl: 0 });
    const userCode = 0x21000;
    m.memory.writeBytes(userCode, [0xcd, 0x81]);
    enterUser(m, userCode);
    runToStop(m);
    expect(top(m, 0)).toBe(0x81 * 8 + 2);
    expect(top(m, 1)).toBe(userCode);
  });

  it('HOSTCALL from ring 3 is #UD unless registered fromUser; CLI is #GP at IOPL 0', () => {
    const m = flatMachine();
    stopOn(m, 6);
    m.hostcalls.register(2, 'kernel-only', () => {});
    const userCode = 0x21000;
    m.memory.writeBytes(userCode, [0x0f, 0x3f, 0x02, 0x00]);
    enterUser(m, userCode);
    runToStop(m);
    expect(top(m, 0)).toBe(userCode);

    const g = flatMachine();
    stopOn(g, 13);
    g.memory.writeBytes(userCode, [0xfa]);
    enterUser(g, userCode);
    runToStop(g);
    expect(top(g, 1)).toBe(userCode);
  });
});

describe('hardware task switch', () => {
  function secondTask(m: Machine, code: number): number {
    const tss2 = 0x5000;
    writeDescriptor(m.memory, GDT_BASE, 6, tssDescriptor(tss2));
    const w = (off: number, v: number) => m.memory.write32(tss2 + off, v);
    w(TSS32.EIP, code);
    w(TSS32.EFLAGS, 2);
    w(TSS32.ESP, 0x7000);
    w(TSS32.CS, KCODE);
    for (const o of [TSS32.SS, TSS32.DS, TSS32.ES, TSS32.FS, TSS32.GS]) w(o, KDATA);
    return 0x30;
  }

  it('JMP to a TSS saves the old state, marks busy bits and sets CR0.TS', () => {
    const m = flatMachine();
    const sel = secondTask(m, 0x32000);
    m.memory.writeBytes(0x32000, [0xb8, ...le32(7), ...STOP]);
    loadCode(m, [0xbb, ...le32(0x1234), 0xea, ...le32(0), sel, 0]); // mov ebx; jmp far 0x30:0
    const before = m.counters.cycles;
    runToStop(m);
    expect(m.cpu.trSel).toBe(sel);
    expect(m.cpu.getReg(0)).toBe(7);
    expect(m.cpu.getReg(3)).toBe(0); // task 2's EBX
    expect(m.cpu.getReg(4)).toBe(0x7000);
    expect(m.memory.read32(TSS_BASE + TSS32.EIP)).toBe(CODE + 12);
    expect(m.memory.read32(TSS_BASE + TSS32.EBX)).toBe(0x1234);
    expect((m.memory.read32(GDT_BASE + 5 * 8 + 4) >>> 8) & 0xf).toBe(0x9); // old: available
    expect((m.memory.read32(GDT_BASE + 6 * 8 + 4) >>> 8) & 0xf).toBe(0xb); // new: busy
    expect(m.cpu.cr0 & CR0.TS).toBe(CR0.TS);
    expect(m.counters.cycles - before).toBeGreaterThanOrEqual(85);
  });

  it('CALL to a TSS nests (NT, back link) and IRET returns to the caller', () => {
    const m = flatMachine();
    const sel = secondTask(m, 0x32000);
    m.memory.writeBytes(0x32000, [0xc7, 0x05, ...le32(0x6000), ...le32(7), 0xcf]); // mov [0x6000], 7; iret
    loadCode(m, [0x9a, ...le32(0), sel, 0, 0xbb, ...le32(5), ...STOP]); // call far 0x30:0; mov ebx, 5
    runToStop(m);
    expect(m.memory.read32(0x6000)).toBe(7);
    expect(m.memory.read32(0x5000 + TSS32.LINK)).toBe(TSS_SEL);
    expect(m.cpu.trSel).toBe(TSS_SEL);
    expect(m.cpu.getReg(3)).toBe(5);
    expect(m.cpu.getEflags() & 0x4000).toBe(0);
    expect((m.memory.read32(GDT_BASE + 6 * 8 + 4) >>> 8) & 0xf).toBe(0x9); // task 2 no longer busy
  });
});

describe('decode cache', () => {
  it('sees self-modifying code written by the guest and by a kernel', () => {
    const m = flatMachine();
    // mov byte [L+1], 5 ; L: mov eax, 1 ; STOP
    const L = CODE + 7;
    loadCode(m, [0xc6, 0x05, ...le32(L + 1), 0x05, 0xb8, ...le32(1), ...STOP]);
    runToStop(m);
    expect(m.cpu.getReg(0)).toBe(5);
    // run L again after a kernel (TypeScript) rewrites the immediate
    m.memory.write8(L + 1, 9);
    m.cpu.eip = L;
    runToStop(m);
    expect(m.cpu.getReg(0)).toBe(9);
  });
});

describe('identification and time', () => {
  it('CPUID reports a GenuineIntel P54C', () => {
    const m = flatMachine();
    loadCode(m, [0x31, 0xc0, 0x0f, 0xa2, 0x89, 0xde, 0x89, 0xd7, 0x89, 0xcd, 0xb8, ...le32(1), 0x0f, 0xa2, ...STOP]);
    runToStop(m);
    const s = (v: number) => Buffer.from(le32(v)).toString('latin1');
    expect(s(m.cpu.getReg(6)) + s(m.cpu.getReg(7)) + s(m.cpu.getReg(5))).toBe('GenuineIntel');
    expect(m.cpu.getReg(0)).toBe(CPUID_SIGNATURE);
    expect((m.cpu.getReg(0) >> 8) & 0xf).toBe(5);
    expect((m.cpu.getReg(0) >> 4) & 0xf).toBe(2);
    expect(m.cpu.getReg(2)).toBe(CPUID_FEATURES);
    expect(m.cpu.getReg(2) & (1 << 15)).toBe(0); // no CMOV
    expect(m.cpu.getReg(2) & (1 << 23)).toBe(0); // no MMX
  });

  it('RDTSC advances with the cycle clock', () => {
    const m = flatMachine();
    // rdtsc; mov esi, eax; (10 x imul) ; rdtsc
    loadCode(m, [0x0f, 0x31, 0x89, 0xc6, ...Array(10).fill([0x0f, 0xaf, 0xc9]).flat(), 0x0f, 0x31, ...STOP]);
    runToStop(m);
    const dt = (m.cpu.getReg(0) - m.cpu.getReg(6)) >>> 0;
    expect(dt).toBeGreaterThanOrEqual(100); // ten IMULs at 10 clocks
    expect(dt).toBeLessThan(10_000);
    expect(m.cpu.getReg(0)).toBeLessThanOrEqual(m.counters.cycles);
  });
});

describe('external interrupts', () => {
  it('HLT skips to the PIT/PIC event, the IRQ is delivered after the STI shadow', () => {
    const m = flatMachine();
    // 8259A: ICW1..ICW4, vector base 0x20, all unmasked
    for (const [port, v] of [
      [0x20, 0x11],
      [0x21, 0x20],
      [0x21, 0x04],
      [0x21, 0x01],
      [0x21, 0x00],
    ]) m.io.out8(port, v);
    stopOn(m, 0x20);
    m.events.schedule(50_000, () => m.pic.pulse(0));
    loadCode(m, [0xfb, 0xf4, 0xeb, 0xfe]); // sti; hlt; jmp $
    runToStop(m);
    expect(m.counters.interrupts).toBe(1);
    expect(top(m, 0)).toBe(CODE + 2); // return address after HLT
    expect(m.counters.cycles).toBeGreaterThanOrEqual(50_000);
    expect(m.counters.cycles).toBeLessThan(51_000);
  });

  it('reports deadlock when halted with nothing pending', () => {
    const m = flatMachine();
    loadCode(m, [0xfb, 0xf4]);
    expect(m.run({ cycleBudget: 1e9 }).reason).toBe('deadlock');
  });
});

describe('single-step', () => {
  it('raises #DB after each instruction while TF is set, with EIP at the next instruction', () => {
    const m = flatMachine();
    const seen: number[] = [];
    m.hostcalls.register(3, 'db', (c) => {
      seen.push(m.memory.read32(c.getReg(4)));
      if (seen.length === 3) {
        // clear TF in the saved EFLAGS so the IRET returns with single-stepping off
        m.memory.write32(c.getReg(4) + 8, m.memory.read32(c.getReg(4) + 8) & ~0x100);
      }
    });
    m.memory.writeBytes(0x31000, [0x0f, 0x3f, 0x03, 0x00, 0xcf]); // HOSTCALL 3; IRET
    setGate(m, 1, 0x31000);
    // pushfd; or dword [esp], 0x100; popfd; nop; nop; nop; nop; STOP
    loadCode(m, [0x9c, 0x81, 0x0c, 0x24, ...le32(0x100), 0x9d, 0x90, 0x90, 0x90, 0x90, ...STOP]);
    runToStop(m);
    expect(seen).toEqual([CODE + 10, CODE + 11, CODE + 12]);
  });
});

describe('#SS and #TS', () => {
  it('#SS(0) when a ring-3 push goes below a small expand-up stack segment, delivered on the TSS stack', () => {
    const m = flatMachine();
    stopOn(m, 12);
    // GDT 7: ring-3 data segment, base 0, limit 0xfff (byte granular)
    writeDescriptor(m.memory, GDT_BASE, 7, encodeSegmentDescriptor({ base: 0, limit: 0xfff, type: DESC_TYPE.DATA_RW, dpl: 3, granularity: false }));
    const userCode = 0x21000;
    // mov ax, 0x3b; mov ss, ax; mov esp, 0x2000; push eax
    m.memory.writeBytes(userCode, [0x66, 0xb8, 0x3b, 0x00, 0x8e, 0xd0, 0xbc, ...le32(0x2000), 0x50]);
    enterUser(m, userCode);
    runToStop(m);
    expect(top(m, 0)).toBe(0); // error code
    expect(top(m, 1)).toBe(userCode + 11);
    expect(top(m, 4)).toBe(0x2000); // the faulting ESP, unchanged
    expect(top(m, 5)).toBe(0x3b);
  });

  it('#TS(selector) for a JMP to a TSS whose limit is below 0x67', () => {
    const m = flatMachine();
    stopOn(m, 10);
    writeDescriptor(m.memory, GDT_BASE, 8, tssDescriptor(0x5000, 0x50));
    loadCode(m, [0xea, ...le32(0), 0x40, 0x00]);
    runToStop(m);
    expect(top(m, 0)).toBe(0x40);
    expect(top(m, 1)).toBe(CODE);
    expect(m.cpu.trSel).toBe(TSS_SEL);
  });
});

describe('more system instructions', () => {
  it('far CALL through a ring-3 call gate to ring 0 copies the parameter, RETF imm returns to ring 3', () => {
    const m = flatMachine();
    const frames: number[][] = [];
    m.hostcalls.register(4, 'gate', (c) => frames.push([0, 1, 2, 3, 4].map((i) => m.memory.read32(c.getReg(4) + 4 * i)).concat([c.cpl, c.getReg(4)])));
    const handler = 0x31000;
    m.memory.writeBytes(handler, [0x0f, 0x3f, 0x04, 0x00, 0xca, 0x04, 0x00]); // HOSTCALL 4; RETF 4
    writeDescriptor(m.memory, GDT_BASE, 9, callGate(KCODE, handler, 3, 1));
    const userCode = 0x21000;
    m.memory.writeBytes(userCode, [0x6a, 0x55, 0x9a, ...le32(0), 0x4b, 0x00, ...STOP]); // push 0x55; call far 0x4b:0
    enterUser(m, userCode);
    runToStop(m);
    expect(frames).toHaveLength(1);
    const [eip, cs, param, esp, ss, cpl, kesp] = frames[0];
    expect([eip, cs, param, esp, ss, cpl]).toEqual([userCode + 9, UCODE, 0x55, USTACK - 4, UDATA, 0]);
    expect(kesp).toBe(KSTACK - 20);
    expect(m.cpu.cpl).toBe(3);
    expect(m.cpu.getReg(4)).toBe(USTACK);
  });

  it('INT through a task gate runs the other task, whose IRET returns after the INT', () => {
    const m = flatMachine();
    const tss2 = 0x5000;
    writeDescriptor(m.memory, GDT_BASE, 6, tssDescriptor(tss2));
    m.memory.write32(tss2 + TSS32.EIP, 0x32000);
    m.memory.write32(tss2 + TSS32.EFLAGS, 2);
    m.memory.write32(tss2 + TSS32.ESP, 0x7000);
    m.memory.write32(tss2 + TSS32.CS, KCODE);
    for (const o of [TSS32.SS, TSS32.DS, TSS32.ES, TSS32.FS, TSS32.GS]) m.memory.write32(tss2 + o, KDATA);
    m.memory.writeBytes(0x32000, [0xc7, 0x05, ...le32(0x6000), ...le32(9), 0xcf]);
    setTaskGate(m, 0x50, 0x30);
    loadCode(m, [0xcd, 0x50, 0xcc]); // int 0x50; int3
    stopOn(m, 3);
    runToStop(m);
    expect(m.memory.read32(0x6000)).toBe(9);
    expect(m.cpu.trSel).toBe(TSS_SEL);
    expect(top(m, 0)).toBe(CODE + 3); // INT3 is a trap: EIP after it
  });

  it('INTO traps only when OF is set; OUT to port 0xE9 reaches the console', () => {
    const m = flatMachine();
    stopOn(m, 4);
    // mov al,'A'; out 0xe9,al; xor eax,eax; into; mov eax,0x7fffffff; inc eax; into
    loadCode(m, [0xb0, 0x41, 0xe6, 0xe9, 0x31, 0xc0, 0xce, 0xb8, ...le32(0x7fffffff), 0x40, 0xce]);
    runToStop(m);
    expect(m.console.text('port')).toBe('A');
    expect(top(m, 0)).toBe(CODE + 14); // INTO is a trap: EIP after it
  });

  it('keeps a stale translation until INVLPG, as the P54C TLB does', () => {
    const m = flatMachine({ paging: true });
    m.memory.write32(0x45000, 111);
    m.memory.write32(0x46000, 222);
    m.hostcalls.register(5, 'remap', () => m.memory.write32(PAGE_TABLE + 0x45 * 4, 0x46000 | 7));
    loadCode(m, [
      0xa1, ...le32(0x45000), // mov eax, [0x45000]
      0x0f, 0x3f, 0x05, 0x00, // HOSTCALL 5: the kernel remaps the page without INVLPG
      0x8b, 0x1d, ...le32(0x45000), // mov ebx, [0x45000]
      0x0f, 0x01, 0x3d, ...le32(0x45000), // invlpg [0x45000]
      0x8b, 0x0d, ...le32(0x45000), // mov ecx, [0x45000]
      ...STOP,
    ]);
    runToStop(m);
    expect([m.cpu.getReg(0), m.cpu.getReg(3), m.cpu.getReg(1)]).toEqual([111, 111, 222]);
    expect(m.counters.tlbInvalidations).toBe(1);
  });

  it('SGDT/LIDT in guest code, the x87 through the escape, #NM with CR0.TS', () => {
    const m = flatMachine();
    loadCode(m, [
      0x0f, 0x01, 0x05, ...le32(0x6000), // sgdt [0x6000]
      0xd9, 0xe8, 0xd9, 0xe8, 0xde, 0xc1, // fld1; fld1; faddp
      0xdb, 0x1d, ...le32(0x6010), // fistp dword [0x6010]
      ...STOP,
    ]);
    runToStop(m);
    expect(m.memory.read16(0x6000)).toBe(16 * 8 - 1);
    expect(m.memory.read32(0x6002)).toBe(GDT_BASE);
    expect(m.memory.read32(0x6010)).toBe(2);

    const n = flatMachine();
    stopOn(n, 7);
    n.cpu.setCr0(n.cpu.cr0 | CR0.TS);
    loadCode(n, [0xd9, 0xe8]);
    runToStop(n);
    expect(top(n, 0)).toBe(CODE);
  });
});

describe('segment limits and types', () => {
  it('#GP(0) for a dword that ends past an expand-up limit, and for a write to a read-only segment', () => {
    const m = flatMachine();
    stopOn(m, 13);
    writeDescriptor(m.memory, GDT_BASE, 7, encodeSegmentDescriptor({ base: 0x40000, limit: 0xfff, type: DESC_TYPE.DATA_RW, dpl: 0, granularity: false }));
    m.memory.write32(0x40ffc, 0x5a5a5a5a);
    // mov ax,0x38; mov es,ax; mov eax,es:[0xffc]; mov ebx,es:[0xffd]
    loadCode(m, [0x66, 0xb8, 0x38, 0x00, 0x8e, 0xc0, 0x26, 0xa1, ...le32(0xffc), 0x26, 0x8b, 0x1d, ...le32(0xffd)]);
    runToStop(m);
    expect(m.cpu.getReg(0)).toBe(0x5a5a5a5a);
    expect(top(m, 0)).toBe(0);
    expect(top(m, 1)).toBe(CODE + 12);

    const r = flatMachine();
    stopOn(r, 13);
    writeDescriptor(r.memory, GDT_BASE, 7, encodeSegmentDescriptor({ base: 0, limit: 0xffffffff, type: DESC_TYPE.DATA_RO, dpl: 0 }));
    // mov ax,0x38; mov es,ax; mov eax,es:[0x6000]; mov es:[0x6000],eax
    loadCode(r, [0x66, 0xb8, 0x38, 0x00, 0x8e, 0xc0, 0x26, 0xa1, ...le32(0x6000), 0x26, 0xa3, ...le32(0x6000)]);
    runToStop(r);
    expect(top(r, 0)).toBe(0);
    expect(top(r, 1)).toBe(CODE + 12);
  });
});

describe('prefixes', () => {
  it('0x67 selects 16-bit addressing (BX/BP/SI/DI forms, wrap at 64 KiB), 0x66 16-bit operands', () => {
    const m = flatMachine();
    m.memory.write32(0x0100, 0x11111111);
    m.memory.write32(0x0204, 0x22222222);
    m.memory.write32(0x0008, 0x33333333);
    loadCode(m, [
      0xbb, ...le32(0x12340100), // mov ebx, 0x12340100
      0x67, 0x8b, 0x07, // mov eax, [bx]
      0xbd, ...le32(0x00000200), // mov ebp, 0x200
      0x67, 0x8b, 0x4e, 0x04, // mov ecx, [bp+4]
      0xbe, ...le32(0xfffc), // mov esi, 0xfffc
      0x67, 0x8b, 0x54, 0x0c, // mov edx, [si+12]  (wraps to 0x0008)
      0x66, 0xb8, 0x34, 0x12, // mov ax, 0x1234
      ...STOP,
    ]);
    runToStop(m);
    expect(m.cpu.getReg(0)).toBe(0x11111234);
    expect(m.cpu.getReg(1)).toBe(0x22222222);
    expect(m.cpu.getReg(2)).toBe(0x33333333);
  });
});

describe('system-call round trip cost', () => {
  it('INT 0x80 from ring 3 to an IRET-only stub costs the table clocks (42 + 27) plus the loop', () => {
    const m = flatMachine();
    const stub = 0x31000;
    m.memory.writeBytes(stub, [0xcf]); // iret
    setGate(m, 0x80, stub, { dpl: 3, trap: true });
    const userCode = 0x21000;
    // mov ecx, 1000; L: int 0x80; dec ecx; jnz L; STOP
    m.memory.writeBytes(userCode, [0xb9, ...le32(1000), 0xcd, 0x80, 0x49, 0x75, 0xfb, ...STOP]);
    enterUser(m, userCode);
    // warm up caches, TLBs and the BTB with a first run, then measure a second one
    runToStop(m);
    m.cpu.eip = userCode;
    const c0 = m.counters.cycles;
    runToStop(m);
    const perCall = (m.counters.cycles - c0) / 1000;
    expect(perCall).toBeGreaterThanOrEqual(42 + 27);
    expect(perCall).toBeLessThan(42 + 27 + 15);
  });
});

describe('decoded-block cache', () => {
  it('two hot blocks sharing a cache slot (same low 16 address bits) are decoded once each', () => {
    const m = flatMachine();
    // 0x21000: mov ecx, 100; jmp 0x20000
    m.memory.writeBytes(0x21000, [0xb9, 100, 0, 0, 0, 0xe9, ...le32(0x20000 - 0x2100a)]);
    // 0x20000: jmp 0x30000 — 0x30000: dec ecx; jnz 0x20000; HOSTCALL STOP
    m.memory.writeBytes(0x20000, [0xe9, ...le32(0x30000 - 0x20005)]);
    m.memory.writeBytes(0x30000, [0x49, 0x0f, 0x85, ...le32(0x20000 - 0x30007), ...STOP]);
    m.cpu.eip = 0x21000;
    runToStop(m);
    expect(m.cpu.getReg(1)).toBe(0);
    // the blocks at 0x21000, 0x20000, 0x30000 (and the STOP after the loop): not one decode per pass
    expect(m.cpu.blocksDecoded).toBeLessThanOrEqual(4);
  });
});

