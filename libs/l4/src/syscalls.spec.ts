import { Asm, R } from './testing/asm';
import { bootL4, openWait, TEST_MARK } from './testing/boot';
import { encodeTimeouts, IPC_ERR, NO_PHASE } from './ipc-abi';
import { fpage } from './fpage';
import { interruptId, threadId } from './thread-id';
import type { KernelCpu } from '@mklab/pentium';

const CODE = 0x1000;

describe('interrupts as IPC', () => {
  it('a thread attached to IRQ 5 receives each interrupt as a message from the interrupt’s id, preempting a lower-priority thread', () => {
    const { machine, kernel, marks, runUntilMarks } = bootL4({ timerHz: 0 });
    const a = new Asm(CODE);
    a.label('wait').movImm(R.ESI, interruptId(5)).movImm(R.EAX, NO_PHASE).movImm(R.EBP, 0).movImm(R.ECX, 0).int(0x30).hostcall(TEST_MARK).jmp('wait');
    kernel.bootTask({ task: 4, image: { at: CODE, bytes: a.assemble() }, prio: 200 });
    const spin = new Asm(CODE);
    spin.label('l').inc(R.EAX).jmp('l');
    kernel.bootTask({ task: 5, image: { at: CODE, bytes: spin.assemble() }, prio: 50 });
    const at = [1_000_000, 1_500_000];
    for (const c of at) machine.events.schedule(c, () => machine.pic.pulse(5));
    expect(runUntilMarks(2).reason).toBe('stopped');
    for (let i = 0; i < 2; i++) {
      expect(marks[i].regs[R.ESI]).toBe(interruptId(5));
      expect(marks[i].eax & 0xf0).toBe(IPC_ERR.OK);
      expect(marks[i].cycle - at[i]).toBeGreaterThanOrEqual(0);
      expect(marks[i].cycle - at[i]).toBeLessThan(1000); // taken at once, though a thread was running
    }
    expect(machine.counters.kernel.interruptIpcs).toBe(2);
    expect(kernel.interrupts.ownerOf(5)?.id).toBe(threadId(4, 0));
  });

  it('a second thread cannot attach to an owned interrupt; the kernel clock is not attachable', () => {
    const { kernel, marks, runUntilMarks } = bootL4({ timerHz: 1000 });
    const a = new Asm(CODE);
    a.movImm(R.ESI, interruptId(3)).movImm(R.EAX, NO_PHASE).movImm(R.EBP, 0).movImm(R.ECX, encodeTimeouts({ receive: 0 })).int(0x30).hostcall(TEST_MARK);
    a.movImm(R.ESI, interruptId(0)).movImm(R.EAX, NO_PHASE).int(0x30).hostcall(TEST_MARK);
    a.movImm(R.ESI, threadId(4, 0)).movImm(R.EAX, NO_PHASE).movImm(R.ECX, 0).int(0x30).label('end').jmp('end'); // sleeps for good
    kernel.bootTask({ task: 4, image: { at: CODE, bytes: a.assemble() }, prio: 150 });
    const b = new Asm(CODE);
    b.movImm(R.ESI, interruptId(3)).movImm(R.EAX, NO_PHASE).movImm(R.EBP, 0).movImm(R.ECX, 0).int(0x30).hostcall(TEST_MARK).label('end').jmp('end');
    kernel.bootTask({ task: 5, image: { at: CODE, bytes: b.assemble() }, prio: 100 });
    expect(runUntilMarks(3).reason).toBe('stopped');
    expect(marks.map((m) => m.eax & 0xf0)).toEqual([IPC_ERR.RECV_TIMEOUT, IPC_ERR.NOT_EXISTENT, IPC_ERR.NOT_EXISTENT]); // attach (zero timeout), IRQ 0, the second owner
  });
});

describe('lthread_ex_regs, task_new, scheduling', () => {
  it('ex_regs creates a thread, and redirects a thread blocked in IPC (its IPC ends cancelled)', () => {
    const { kernel, marks, runUntilMarks } = bootL4({ timerHz: 0 });
    const a = new Asm(CODE);
    a.movImm(R.EAX, 1).movImm(R.ECX, 0x3000).movImm(R.EDX, 0).movImm(R.EBX, 0xffffffff).movImm(R.EDI, 0xffffffff);
    const fixEntry = a.bytes.length - 4 - 5 - 5; // the EDX immediate
    a.int(0x35).hostcall(TEST_MARK); // (a)
    a.movImm(R.ESI, threadId(4, 1)).movImm(R.EAX, NO_PHASE).movImm(R.EBP, 0).movImm(R.ECX, 0).int(0x30).label('afterRecv');
    a.label('stuck').jmp('stuck');
    a.label('resumed').hostcall(TEST_MARK).label('end').jmp('end'); // (d)
    a.label('thread1').hostcall(TEST_MARK); // (b)
    a.movImm(R.EAX, 0).movImm(R.ECX, 0xffffffff).movImm(R.EDX, 0).movImm(R.EBX, 0xffffffff).movImm(R.EDI, 0xffffffff);
    const fixResumed = a.bytes.length - 4 - 5 - 5;
    a.int(0x35).hostcall(TEST_MARK); // (c)
    a.movImm(R.ESI, threadId(4, 0)).movImm(R.EAX, NO_PHASE).movImm(R.EBP, 0).movImm(R.ECX, 0).int(0x30).label('end1').jmp('end1');
    const code = a.assemble();
    const put = (at: number, v: number) => [0, 1, 2, 3].forEach((i) => (code[at + i] = (v >>> (8 * i)) & 0xff));
    put(fixEntry, a.addr('thread1'));
    put(fixResumed, a.addr('resumed'));
    kernel.bootTask({ task: 4, image: { at: CODE, bytes: code }, zeroPages: { at: 0x2000, bytes: 0x1000 } });
    expect(runUntilMarks(4).reason).toBe('stopped');
    expect(marks[0].eax).toBe(0); // (a): the lthread was inactive
    expect(marks[1].regs[4]).toBe(0x3000); // (b): the new thread runs on its stack
    expect(marks[2].regs[R.EDX]).toBe(a.addr('afterRecv')); // (c): old EIP of thread 0, blocked in its receive
    expect(marks[3].eax & 0xf0).toBe(IPC_ERR.RECV_CANCELLED); // (d): thread 0 at its new EIP
    expect(kernel.machine.counters.kernel.exRegs).toBe(2);
  });

  it('task_new creates a task paged by a user pager, and deletes it with its mappings', () => {
    const { kernel, marks, runUntilMarks } = bootL4({ timerHz: 1000 });
    const PAGE = 0x30000;
    let waiting = false;
    const pager = kernel.bootTask({
      task: 6,
      prio: 110,
      zeroPages: { at: PAGE, bytes: 0x1000 },
      userLoop: (cpu: KernelCpu) => {
        if (!waiting) {
          waiting = true;
          return openWait(cpu);
        }
        cpu.setReg(R.EAX, 2);
        cpu.setReg(R.EDX, cpu.getReg(R.EDX) & ~0xfff);
        cpu.setReg(R.EBX, fpage(PAGE, 12, false));
        cpu.setReg(R.EBP, 1);
        cpu.setReg(R.ECX, encodeTimeouts({ send: 0 }));
      },
    });
    const child = new Asm(CODE);
    child.movImm(R.EAX, 0x88).hostcall(TEST_MARK).label('end').jmp('end');
    kernel.writeUser(pager.space, PAGE, child.assemble());
    const a = new Asm(CODE);
    a.movImm(R.ESI, threadId(8, 0)).movImm(R.EDX, CODE).movImm(R.ECX, 0).movImm(R.EBX, threadId(6, 0)).movImm(R.EAX, 0).int(0x36).hostcall(TEST_MARK);
    a.movImm(R.ESI, threadId(4, 0)).movImm(R.EAX, NO_PHASE).movImm(R.EBP, 0).movImm(R.ECX, encodeTimeouts({ receive: 100 })).int(0x30); // let the child run
    a.movImm(R.ESI, threadId(8, 0)).movImm(R.EBX, 0).int(0x36).hostcall(TEST_MARK).label('end').jmp('end');
    kernel.bootTask({ task: 4, image: { at: CODE, bytes: a.assemble() }, prio: 100 });
    expect(runUntilMarks(2).reason).toBe('stopped');
    expect(marks[0].eax).toBe(0);
    expect(marks[1].eax).toBe(0x88); // the child ran its code, paged in by the pager
    expect(kernel.tasks[8]?.space.lookup(CODE)?.writable).toBe(false);
    expect(runUntilMarks(3).reason).toBe('stopped');
    expect(marks[2].eax).toBe(0);
    expect(kernel.tasks[8]).toBeUndefined();
    expect(kernel.mdb.lookup(pager.space, PAGE)?.children.length).toBe(0);
  });

  it('a small-space task deletes the large task whose directory the CPU still holds, and creates another: the CPU leaves the freed directory', () => {
    const { machine, kernel, marks, runUntilMarks } = bootL4({ timerHz: 0, smallSpaces: true });
    const PAGE = 0x30000;
    let waiting = false;
    const pager = kernel.bootTask({
      task: 6,
      prio: 110,
      zeroPages: { at: PAGE, bytes: 0x1000 },
      userLoop: (cpu: KernelCpu) => {
        if (!waiting) {
          waiting = true;
          return openWait(cpu);
        }
        cpu.setReg(R.EAX, 2);
        cpu.setReg(R.EDX, cpu.getReg(R.EDX) & ~0xfff);
        cpu.setReg(R.EBX, fpage(PAGE, 12, false));
        cpu.setReg(R.EBP, 1);
        cpu.setReg(R.ECX, encodeTimeouts({ send: 0 }));
      },
    });
    const child = new Asm(CODE);
    child.movImm(R.EAX, 0x88).hostcall(TEST_MARK).movImm(R.EAX, NO_PHASE).movImm(R.EBP, 1).movImm(R.ECX, 0).int(0x30).label('end').jmp('end');
    kernel.writeUser(pager.space, PAGE, child.assemble());
    const a = new Asm(CODE);
    const create = (task: number) => a.movImm(R.ESI, threadId(task, 0)).movImm(R.EDX, CODE).movImm(R.ECX, 0).movImm(R.EBX, threadId(6, 0)).movImm(R.EAX, 0).int(0x36);
    const sleep = () => a.movImm(R.ESI, threadId(4, 0)).movImm(R.EAX, NO_PHASE).movImm(R.EBP, 0).movImm(R.ECX, encodeTimeouts({ receive: 100 })).int(0x30);
    create(8);
    sleep();
    a.movImm(R.ESI, threadId(8, 0)).movImm(R.EBX, 0).int(0x36).hostcall(TEST_MARK); // delete task 8
    create(9);
    sleep();
    a.movImm(R.EAX, 0x99).hostcall(TEST_MARK).label('end').jmp('end');
    kernel.bootTask({ task: 4, image: { at: CODE, bytes: a.assemble() }, prio: 100, small: 4 << 20 });
    expect(runUntilMarks(1).reason).toBe('stopped'); // the child runs: its directory is loaded
    const dir8 = kernel.tasks[8]!.space.pdir;
    expect(machine.cpu.cr3 & ~0xfff).toBe(dir8);
    expect(runUntilMarks(2).reason).toBe('stopped'); // task 4 (small: no CR3 load) deleted it
    expect(kernel.tasks[8]).toBeUndefined();
    expect(machine.cpu.cr3 & ~0xfff).not.toBe(dir8);
    expect(runUntilMarks(4).reason).toBe('stopped');
    expect(marks.map((m) => m.eax)).toEqual([0x88, 0, 0x88, 0x99]);
    expect(kernel.tasks[9]!.space.pdir).toBe(dir8); // the freed directory was reused for task 9
  });

  it('thread_schedule raises a thread above a running one; a priority above the caller’s own is refused', () => {
    const { kernel, marks, runUntilMarks } = bootL4({ timerHz: 0 });
    const x = new Asm(CODE);
    x.movImm(R.ESI, threadId(5, 0)).movImm(R.EAX, 200).movImm(R.ECX, 0).int(0x34).hostcall(TEST_MARK); // refused: above 150
    x.movImm(R.ESI, threadId(5, 0)).movImm(R.EAX, 140).movImm(R.ECX, 0).int(0x34).hostcall(TEST_MARK);
    x.movImm(R.ESI, threadId(4, 0)).movImm(R.EAX, NO_PHASE).movImm(R.EBP, 0).int(0x30).label('end').jmp('end'); // sleeps
    kernel.bootTask({ task: 4, image: { at: CODE, bytes: x.assemble() }, prio: 150 });
    const low = new Asm(CODE);
    low.movImm(R.EAX, 0x55).hostcall(TEST_MARK).label('end').jmp('end');
    kernel.bootTask({ task: 5, image: { at: CODE, bytes: low.assemble() }, prio: 50 });
    const spin = new Asm(CODE);
    spin.label('l').jmp('l');
    kernel.bootTask({ task: 6, image: { at: CODE, bytes: spin.assemble() }, prio: 100 });
    expect(runUntilMarks(3, 2_000_000).reason).toBe('stopped');
    expect(marks.map((m) => m.eax)).toEqual([0xffffffff, 50, 0x55]); // refused; old priority; task 5 ran ahead of the spinner
    expect(kernel.tasks[5]!.threads[0]!.prio).toBe(140);
  });

  it('time slices rotate threads of equal priority; a higher priority thread runs alone', () => {
    const spinner = (slot: number) => {
      const a = new Asm(CODE);
      a.label('l').inc(R.EAX).store(0x20000 + slot * 4, R.EAX).jmp('l');
      return a.assemble();
    };
    const run = (prios: number[]) => {
      const { machine, kernel } = bootL4({ timerHz: 1000, timesliceTicks: 1 });
      const tasks = prios.map((prio, i) => kernel.bootTask({ task: 4 + i, image: { at: CODE, bytes: spinner(i) }, zeroPages: { at: 0x20000, bytes: 0x1000 }, prio }));
      machine.run({ cycleBudget: 2_000_000 });
      return { counts: tasks.map((t, i) => machine.memory.read32(kernel.userPhys(t.space, 0x20000 + i * 4, false))), k: machine.counters.kernel };
    };
    const equal = run([100, 100]);
    expect(equal.counts[0]).toBeGreaterThan(0);
    expect(equal.counts[1]).toBeGreaterThan(0);
    expect(equal.k.timesliceEnds).toBeGreaterThanOrEqual(10); // 1 ms slices over 15 ms
    const ranked = run([100, 130]);
    expect(ranked.counts[0]).toBe(0);
    expect(ranked.counts[1]).toBeGreaterThan(0);
  });
});

describe('TypeScript threads at user level', () => {
  it('choose their system call per step (here lthread_ex_regs, creating a hand-written thread), and several run in one task', () => {
    const { machine, kernel, marks, runUntilMarks } = bootL4({ timerHz: 0 });
    const results: number[] = [];
    const code = new Asm(CODE);
    code.hostcall(TEST_MARK).movImm(R.ESI, threadId(4, 2)).movImm(R.EAX, 0).movImm(R.EBP, 0).movImm(R.ECX, 0).movImm(R.EDX, 0x4242).int(0x30).label('end').jmp('end'); // a call: it then waits
    let step = 0;
    const task = kernel.bootTask({
      task: 4,
      image: { at: CODE, bytes: code.assemble() },
      prio: 120,
      userLoop: (cpu, ctx) => {
        expect(ctx.threadId).toBe(threadId(4, 0));
        if (step++ === 0) {
          cpu.setReg(R.EAX, 1);
          cpu.setReg(R.ECX, 0x3000);
          cpu.setReg(R.EDX, CODE);
          cpu.setReg(R.EBX, 0xffffffff);
          cpu.setReg(R.EDI, 0xffffffff);
          return ctx.syscall(0x35);
        }
        results.push(cpu.getReg(R.EAX));
        openWait(cpu); // and sleep
        cpu.setReg(R.EBP, 0);
        cpu.setReg(R.ESI, threadId(4, 0));
      },
    });
    // lthread 2: another TypeScript thread of the task, receiving what lthread 1 sends
    let got = -1;
    let started = false;
    kernel.startUserThread(task, 2, (cpu) => {
      if (started) got = cpu.getReg(R.EDX);
      started = true;
      openWait(cpu);
    }, { prio: 110 });
    expect(runUntilMarks(1).reason).toBe('stopped');
    expect(results).toEqual([0]); // ex_regs on an inactive lthread: no old EFLAGS
    machine.run({ cycleBudget: machine.counters.cycles + 100_000 });
    expect(got).toBe(0x4242);
    expect(marks.length).toBe(1);
  });
});
