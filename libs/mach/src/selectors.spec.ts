import { bootMach, TEST_MARK } from './testing/boot';
import { Asm, R } from './testing/asm';
import { MachKernel } from './kernel';
import { Machine } from '@mklab/pentium';

const CODE = 0x08048000;

describe('user segment selectors', () => {
  it('a personality asks for its ABI’s selectors (MkLinux: Linux’s 0x23 / 0x2b); user code sees them in every segment register', () => {
    const { kernel, marks, runUntilMarks } = bootMach({ timerHz: 0, userSelectors: { cs: 0x23, ds: 0x2b } });
    const a = new Asm(CODE);
    // mov eax,cs ; mov ecx,ds ; mov edx,ss ; mov ebx,fs ; mov esi,gs
    a.emit(0x8c, 0xc8).emit(0x8c, 0xd9).emit(0x8c, 0xd2).emit(0x8c, 0xe3).emit(0x8c, 0xee).hostcall(TEST_MARK).label('e').jmp('e');
    const task = kernel.createTask();
    task.map.allocate(CODE, 0x1000);
    kernel.writeUser(task, CODE, a.assemble());
    kernel.createThread(task, CODE, 0);
    expect(runUntilMarks(1).reason).toBe('stopped');
    const r = marks[0].regs;
    expect([r[R.EAX] & 0xffff, r[R.ECX] & 0xffff, r[R.EDX] & 0xffff, r[R.EBX] & 0xffff, r[R.ESI] & 0xffff]).toEqual([0x23, 0x2b, 0x2b, 0x2b, 0x2b]);
  });

  it('refuses selectors outside the user slots, without RPL 3, or equal', () => {
    expect(() => new MachKernel(new Machine(), { userSelectors: { cs: 0x30 | 3, ds: 0x2b } })).toThrow(/GDT slot 3–5 with RPL 3/);
    expect(() => new MachKernel(new Machine(), { userSelectors: { cs: 0x20, ds: 0x2b } })).toThrow(/RPL 3/);
    expect(() => new MachKernel(new Machine(), { userSelectors: { cs: 0x23, ds: 0x23 } })).toThrow(/must differ/);
  });
});
