import { Asm, R } from './testing/asm';
import { bootL4, openWait, TEST_MARK } from './testing/boot';
import { encodeTimeouts, IPC_ERR } from './ipc-abi';
import { fpage } from './fpage';
import { threadId } from './thread-id';
import type { KernelCpu } from '@mklab/pentium';

const CODE = 0x1000;
const SEND_ZERO = encodeTimeouts({ send: 0 });

describe('page faults and exceptions as IPC', () => {
  it('a page fault becomes an IPC to the thread’s user-level pager; its map reply installs the page and the faulting load completes', () => {
    const { machine, kernel, marks, runUntilMarks } = bootL4({ timerHz: 0 });
    const PAGER_PAGE = 0x30000;
    const faults: { addr: number; eip: number; from: number }[] = [];
    // the pager: a TypeScript thread at user level (task 6) that answers every fault with its own page
    let waiting = false;
    const pagerStep = (cpu: KernelCpu) => {
      if (!waiting) {
        waiting = true;
        return openWait(cpu);
      }
      faults.push({ addr: cpu.getReg(R.EDX), eip: cpu.getReg(R.EBX), from: cpu.getReg(R.ESI) });
      cpu.setReg(R.EAX, 2); // map message
      cpu.setReg(R.EDX, cpu.getReg(R.EDX) & ~0xfff); // snd_base: lands at the fault address
      cpu.setReg(R.EBX, fpage(PAGER_PAGE, 12, true));
      cpu.setReg(R.EBP, 1);
      cpu.setReg(R.ECX, SEND_ZERO);
    };
    const pagerTask = kernel.bootTask({ task: 6, userLoop: pagerStep, zeroPages: { at: PAGER_PAGE, bytes: 0x1000 }, prio: 110 });
    kernel.writeUser(pagerTask.space, PAGER_PAGE + 0x24, [0x78, 0x56, 0x34, 0x12]);
    const a = new Asm(CODE);
    a.load(R.EAX, 0x400024).label('after').hostcall(TEST_MARK);
    a.movImm(R.EBX, 0xabcd).store(0x400028, R.EBX).hostcall(TEST_MARK).label('end').jmp('end');
    const code = a.assemble();
    const client = kernel.bootTask({ task: 4, image: { at: CODE, bytes: code }, pager: threadId(6, 0) });
    expect(runUntilMarks(2).reason).toBe('stopped');
    expect(marks[0].eax).toBe(0x12345678); // the load, restarted after the mapping, read the pager's page
    expect(faults).toEqual([{ addr: 0x400024, eip: CODE, from: threadId(4, 0) }]); // read fault: bit 1 clear
    expect(machine.counters.kernel.pageFaultIpcs).toBe(1);
    // the mapping is shared: the client's store is visible in the pager's page
    expect(machine.memory.read32(kernel.userPhys(pagerTask.space, PAGER_PAGE + 0x28, false))).toBe(0xabcd);
    expect(kernel.mdb.lookup(client.space, 0x400000)?.parent === kernel.mdb.lookup(pagerTask.space, PAGER_PAGE)).toBe(true);
  });

  it('sigma0 pages a task idempotently: physical page = fault address, first task to ask owns it, others are refused', () => {
    const { machine, kernel, marks, runUntilMarks } = bootL4({ timerHz: 1000 });
    const PHYS = 0x00c00000;
    machine.memory.write32(PHYS + 0x10, 0xcafe);
    const a = new Asm(CODE);
    a.load(R.EAX, PHYS + 0x10).hostcall(TEST_MARK).label('end').jmp('end');
    const t = kernel.bootTask({ task: 4, image: { at: CODE, bytes: a.assemble() } }); // pager: sigma0
    expect(runUntilMarks(1).reason).toBe('stopped');
    expect(marks[0].eax).toBe(0xcafe);
    expect(t.space.lookup(PHYS)).toEqual({ frame: PHYS, writable: true });
    expect(kernel.sigma0.ownerOf(PHYS)).toBe(4);
    expect(machine.counters.kernel.sigma0Pages).toBe(1);
    expect(machine.counters.kernel.pageFaultIpcs).toBe(1);
    // another task asking for the same page is refused (its fault repeats); nor can it be handed out at boot
    const b = new Asm(CODE);
    b.load(R.EAX, PHYS + 0x10).hostcall(TEST_MARK).label('end').jmp('end');
    const other = kernel.bootTask({ task: 5, image: { at: CODE, bytes: b.assemble() }, prio: 110 }); // above the spinning task 4
    machine.run({ cycleBudget: machine.counters.cycles + 400_000 }); // the next clock tick lets it run
    expect(machine.counters.kernel.sigma0Refusals).toBeGreaterThan(1);
    expect(other.space.lookup(PHYS)).toBeNull();
    expect(marks.length).toBe(1);
    expect(() => kernel.sigma0.mapTo(other, PHYS, 0x100000, 0x1000)).toThrow(/belongs to task 4/);
    kernel.sigma0.mapTo(other, PHYS + 0x1000, 0x100000, 0x2000);
    expect(other.space.lookup(0x101000)).toEqual({ frame: PHYS + 0x2000, writable: true });
  });

  it('cost of a page fault served by sigma0 (fault, IPC to sigma0, its map reply, restart), measured on 64 fresh pages', () => {
    const { machine, kernel, marks, runUntilMarks } = bootL4({ timerHz: 0 });
    const a = new Asm(CODE);
    a.movImm(R.EBX, 0x01000000).movImm(R.EDI, 64).hostcall(TEST_MARK);
    a.label('l').loadIndirect(R.EAX, R.EBX).addImm(R.EBX, 0x1000).dec(R.EDI).jnz('l').hostcall(TEST_MARK).label('end').jmp('end');
    kernel.bootTask({ task: 4, image: { at: CODE, bytes: a.assemble() } });
    expect(runUntilMarks(2).reason).toBe('stopped');
    expect(machine.counters.kernel.pageFaultIpcs).toBe(64);
    const perFault = (marks[1].cycle - marks[0].cycle) / 64;
    // two IPCs (fault → sigma0, map reply), two address-space switches with their TLB refills, sigma0's work, the mapping
    expect(perFault).toBeGreaterThan(2 * 121);
    console.log(`L4 page fault served by sigma0: ${perFault.toFixed(0)} cycles per fault`);
  });

  it('an exception is reflected to the thread’s exception handler by IPC; the reply sets the new EIP', () => {
    const { machine, kernel, marks, runUntilMarks } = bootL4({ timerHz: 0 });
    const seen: number[][] = [];
    let waiting = false;
    kernel.bootTask({
      task: 7,
      prio: 110,
      userLoop: (cpu) => {
        if (!waiting) {
          waiting = true;
          return openWait(cpu);
        }
        seen.push([cpu.getReg(R.EDX), cpu.getReg(R.EBX), cpu.getReg(R.EDI), cpu.getReg(R.ESI)]);
        cpu.setReg(R.EAX, 0);
        cpu.setReg(R.EDX, cpu.getReg(R.EDI) + 2); // new EIP: skip the 2-byte faulting instruction
        cpu.setReg(R.EBX, 0xffffffff); // ESP unchanged
        cpu.setReg(R.EBP, 1);
        cpu.setReg(R.ECX, SEND_ZERO);
      },
    });
    const a = new Asm(CODE);
    a.movImm(R.EAX, 0x77).label('ud').ud2().hostcall(TEST_MARK);
    a.label('int80').int(0x80).hostcall(TEST_MARK).label('end').jmp('end');
    const code = a.assemble();
    kernel.bootTask({ task: 4, image: { at: CODE, bytes: code }, exceptionHandler: threadId(7, 0) });
    expect(runUntilMarks(2).reason).toBe('stopped');
    expect(seen[0]).toEqual([6, 0, a.addr('ud'), threadId(4, 0)]); // #UD, no error code, its EIP
    // int 0x80 has no gate for user mode: #GP with the IDT error code (vector 0x80 · 8 + 2), the trampoline's case
    expect(seen[1]).toEqual([13, 0x80 * 8 + 2, a.addr('int80'), threadId(4, 0)]);
    expect(marks[0].eax).toBe(0x77); // registers survive the reflection
    expect(machine.counters.kernel.exceptionIpcs).toBe(2);
  });

  it('user-level IDT: LIDT is emulated, and a #GP with a present gate is reflected into the thread itself (no IPC)', () => {
    const { machine, kernel, marks, runUntilMarks } = bootL4({ timerHz: 0 });
    const DATA = 0x3000;
    const a = new Asm(CODE);
    // lidt [DATA] (0F 01 /3, mod 00 rm 101: disp32), then int 0x80 (#GP 0x402) and a #UD (no gate: IPC)
    a.emit(0x0f, 0x01, 0x1d, DATA & 0xff, (DATA >> 8) & 0xff, 0, 0).label('afterLidt').hostcall(TEST_MARK);
    a.movImm(R.EAX, 0x55).label('int80').int(0x80).label('back').hostcall(TEST_MARK).label('end').jmp('end');
    // the #GP handler: [esp] = error code, [esp+4] = EIP, [esp+8] = CS, [esp+12] = EFLAGS
    a.label('handler').hostcall(TEST_MARK);
    a.emit(0x83, 0xc4, 0x04); // add esp, 4           drop the error code
    a.emit(0x83, 0x04, 0x24, 0x02); // add dword [esp], 2   skip the INT
    a.emit(0xcf); // iret (same privilege)
    const code = a.assemble();
    const handler = a.addr('handler');
    // the table at DATA + 8: gate 13 only (limit covers 0..13), its operand at DATA
    const idt = DATA + 8;
    const table = new Array(14 * 8).fill(0);
    table.splice(13 * 8, 8, handler & 0xff, (handler >> 8) & 0xff, 0x23, 0, 0, 0xef, (handler >> 16) & 0xff, handler >>> 24);
    const operand = [(14 * 8 - 1) & 0xff, 0, idt & 0xff, (idt >> 8) & 0xff, 0, 0, 0, 0];
    const t = kernel.bootTask({ task: 4, image: { at: CODE, bytes: code }, zeroPages: { at: DATA, bytes: 0x1000 }, stack: DATA + 0xff0 });
    kernel.writeUser(t.space, DATA, [...operand, ...table]);
    expect(runUntilMarks(3).reason).toBe('stopped');
    expect(t.userIdt).toEqual({ base: idt, limit: 14 * 8 - 1 });
    expect(marks[0].regs[R.EAX]).toBe(0); // LIDT stepped over
    // in the handler: the frame the hardware would push at the same privilege level
    const esp = marks[1].regs[R.ESP];
    const read = (v: number) => machine.memory.read32(kernel.userPhys(t.space, v, false));
    // (read after the run: the handler has since added 2 to the pushed EIP, the INT's own)
    expect([read(esp), read(esp + 4) - 2, read(esp + 8) & 0xffff]).toEqual([0x402, a.addr('int80'), t.cs]);
    expect(esp).toBe(DATA + 0xff0 - 16);
    expect(marks[1].eax).toBe(0x55); // registers preserved
    expect(marks.length).toBe(3);
    expect(machine.counters.kernel.exceptionReflections).toBe(1);
    expect(machine.counters.kernel.exceptionIpcs ?? 0).toBe(0);
    expect(marks[2].regs[R.ESP]).toBe(DATA + 0xff0); // back after the INT, stack balanced
  });

  it('a fault with no pager stops the run with a clear reason', () => {
    const { kernel, machine } = bootL4({ timerHz: 0 });
    const a = new Asm(CODE);
    a.load(R.EAX, 0x500000).label('end').jmp('end');
    kernel.bootTask({ task: 4, image: { at: CODE, bytes: a.assemble() }, pager: threadId(9, 0) });
    const r = machine.run({ cycleBudget: 10_000_000 });
    expect(r.reason).toBe('stopped');
    expect(r.stopReason).toMatch(/thread 4\.0 faulted at 0x500000 .*no pager/);
    void IPC_ERR;
  });
});

describe('lazy FPU switching', () => {
  it('each thread keeps its own x87 state: a switch sets CR0.TS, the next FPU instruction traps (#NM) and the kernel swaps the state', () => {
    const { machine, kernel, runUntilMarks } = bootL4({ timerHz: 0 });
    const DATA = 0x3000;
    const A = threadId(4, 0);
    const B = threadId(5, 0);
    const fstp = (at: number) => [0xd9, 0x1d, at & 0xff, (at >> 8) & 0xff, 0, 0]; // fstp dword [at]
    const a = new Asm(CODE);
    a.emit(0xdb, 0xe3, 0xd9, 0xe8); // fninit; fld1
    a.movImm(R.EAX, 0).movImm(R.ESI, B).movImm(R.EBP, 0).movImm(R.ECX, 0).int(0x30); // call B
    a.emit(...fstp(DATA)).hostcall(TEST_MARK).label('end').jmp('end');
    const b = new Asm(CODE);
    b.movImm(R.EAX, 0xffffffff).movImm(R.EBP, 0).movImm(R.ESI, A).movImm(R.ECX, 0).int(0x30); // wait for A
    b.emit(0xdb, 0xe3, 0xd9, 0xee); // fninit; fldz
    b.movImm(R.EAX, 0).movImm(R.ESI, A).movImm(R.EBP, 0xffffffff).int(0x30); // reply (send only)
    b.emit(...fstp(DATA)).hostcall(TEST_MARK);
    b.movImm(R.EAX, 0xffffffff).movImm(R.EBP, 0).movImm(R.ESI, A).int(0x30).label('end').jmp('end'); // sleep
    const tb = kernel.bootTask({ task: 5, image: { at: CODE, bytes: b.assemble() }, zeroPages: { at: DATA, bytes: 0x1000 }, prio: 110 });
    const ta = kernel.bootTask({ task: 4, image: { at: CODE, bytes: a.assemble() }, zeroPages: { at: DATA, bytes: 0x1000 }, prio: 100 });
    kernel.writeUser(ta.space, DATA, [0xff, 0xff, 0xff, 0xff]);
    kernel.writeUser(tb.space, DATA, [0xff, 0xff, 0xff, 0xff]);
    expect(runUntilMarks(2).reason).toBe('stopped');
    const read = (t: typeof ta) => machine.memory.read32(kernel.userPhys(t.space, DATA, false)) >>> 0;
    expect(read(tb)).toBe(0x00000000); // B's own 0.0
    expect(read(ta)).toBe(0x3f800000); // A's 1.0 survived B's use of the FPU
    expect(machine.counters.kernel.fpuSwitches).toBe(3); // A's first use, B's, A's again
  });
});
