import { bootMach, TEST_MARK } from './testing/boot';
import { Asm, R } from './testing/asm';

const CODE = 0x08048000;
const DATA = 0x08049000;

describe('lazy FPU switching', () => {
  it('two threads keep their own x87 stacks across preemption; the FPU changes hands only at #NM', () => {
    const { machine, kernel, marks, runUntilMarks } = bootMach({ timerHz: 1000 });
    // each thread: FILD its value, spin long enough to be preempted several times, FISTP it back, mark
    const program = (value: number) => {
      const a = new Asm(CODE);
      a.storeImm(DATA, value).emit(0xdb, 0x05, ...[DATA & 0xff, (DATA >>> 8) & 0xff, (DATA >>> 16) & 0xff, DATA >>> 24]); // fild dword [DATA]
      a.movImm(R.ECX, 3_000_000).label('spin').dec(R.ECX).jnz('spin');
      a.emit(0xdb, 0x1d, ...[(DATA + 4) & 0xff, ((DATA + 4) >>> 8) & 0xff, ((DATA + 4) >>> 16) & 0xff, (DATA + 4) >>> 24]); // fistp dword [DATA+4]
      a.load(R.EAX, DATA + 4).movImm(R.EBX, value).hostcall(TEST_MARK).label('end').jmp('end');
      return a.assemble();
    };
    for (const v of [111, 222]) {
      const task = kernel.createTask();
      task.map.allocate(CODE, 0x2000);
      kernel.writeUser(task, CODE, program(v));
      kernel.createThread(task, CODE, 0);
    }
    expect(runUntilMarks(2, 200_000_000).reason).toBe('stopped');
    // each thread got back the value it loaded (with one shared x87 stack they would swap)
    expect(marks.map((m) => [m.regs[R.EBX], m.eax])).toEqual(expect.arrayContaining([[111, 111], [222, 222]]));
    // they were preempted in their spins: the FPU changed hands more than twice
    expect(machine.counters.kernel.quantumEnds).toBeGreaterThan(1);
    expect(machine.counters.kernel.fpuSwitches).toBeGreaterThan(2);
    expect(machine.counters.kernel['exception.7'] ?? 0).toBe(0);
  });
});
