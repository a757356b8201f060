// End-to-end tests of kernel behaviour with hand-made ELF images and the guest images:
// ENOSYS accounting, ENOEXEC and friends from execve, boot errors, memory accounting
// after fork/COW, and the idle loop when every task waits.
import { Machine } from '@mklab/pentium';
import { bootLinux } from '../src';
import { tinyElf } from './tiny-elf';
import { image, runProgram } from './e2e-helpers';

const BASE = 0x08048000 + 84; // tinyElf puts the code right after the headers

const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const movEax = (v: number): number[] => [0xb8, ...le32(v)];
const movEbx = (v: number): number[] => [0xbb, ...le32(v)];
const INT80 = [0xcd, 0x80];
/** exit(-eax): mov ebx,eax; neg ebx; mov eax,1; int 0x80 */
const EXIT_NEG_EAX = [0x89, 0xc3, 0xf7, 0xdb, ...movEax(1), ...INT80];
/** exit(eax) */
const EXIT_EAX = [0x89, 0xc3, ...movEax(1), ...INT80];

function execProgram(path: string): number[] {
  const code = [...movEbx(0), 0x31, 0xc9, 0x31, 0xd2, ...movEax(11), ...INT80, ...EXIT_NEG_EAX];
  const pathAddr = BASE + code.length;
  code.splice(0, 5, ...movEbx(pathAddr));
  return [...code, ...new TextEncoder().encode(path), 0];
}

describe('native Linux kernel, end to end', () => {
  test('an unimplemented system call returns -ENOSYS to the guest and is counted by number', () => {
    const code = [...movEax(222), ...INT80, ...movEax(250), ...INT80, ...movEax(222), ...INT80, ...EXIT_NEG_EAX];
    const { machine, linux } = runProgram({ path: '/init' }, { '/init': tinyElf(code) }, 50_000_000);
    expect(linux.initExit()).toEqual({ code: 38, signal: null }); // ENOSYS
    expect(machine.counters.kernel.enosys).toBe(3);
    expect(machine.counters.snapshot()).toMatchObject({ 'kernel.enosys.222': 2, 'kernel.enosys.250': 1 });
    expect([...linux.enosys()]).toEqual([
      [222, 2],
      [250, 1],
    ]);
  });

  test('getpid of the first process is 1; the exit status comes back through wait status encoding', () => {
    const code = [...movEax(20), ...INT80, ...EXIT_EAX];
    const { linux } = runProgram({ path: '/init' }, { '/init': tinyElf(code) }, 50_000_000);
    expect(linux.initExit()).toEqual({ code: 1, signal: null });
  });

  test.each([
    ['a broken ELF', '/bin/broken', 8], // ENOEXEC
    ['a missing file', '/bin/none', 2], // ENOENT
    ['a file without x bits', '/etc/data', 13], // EACCES
    ['a directory', '/bin', 21], // EISDIR
    ['a path through a file', '/etc/data/x', 20], // ENOTDIR
  ])('execve of %s fails with the right errno and the caller keeps running', (_what, path, errno) => {
    const broken = tinyElf([0x90]);
    broken[18] = 62; // e_machine x86-64
    const { linux } = runProgram({ path: '/init' }, { '/init': tinyElf(execProgram(path)), '/bin/broken': broken, '/etc/data': 'not a program' }, 50_000_000);
    expect(linux.initExit()).toEqual({ code: errno, signal: null });
  });

  test('booting a broken init is a clear error, not a host crash', () => {
    const m = new Machine({ memoryBytes: 64 << 20 });
    expect(() => bootLinux(m, { arch: 'native', rootfs: { '/init': new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 9]) }, init: { path: '/init' } })).toThrow(/cannot execute init \/init: ENOEXEC: file shorter than an ELF header \(errno 8\)/);
    const m2 = new Machine({ memoryBytes: 64 << 20 });
    expect(() => bootLinux(m2, { arch: 'native', rootfs: {}, init: { path: '/sbin/init' } })).toThrow(/errno 2/);
  });

  test('a user fault on a wild address kills with SIGSEGV (core-dump status)', () => {
    // mov eax,[0x10]
    const { linux, machine } = runProgram({ path: '/init' }, { '/init': tinyElf([0xa1, ...le32(0x10)]) }, 50_000_000);
    expect(linux.initExit()).toEqual({ code: null, signal: 11 });
    expect(machine.counters.kernel.signalsDelivered).toBe(1);
  });

  test('privileged instructions in user mode (#GP) and ud2 (#UD) become SIGSEGV and SIGILL', () => {
    expect(runProgram({ path: '/init' }, { '/init': tinyElf([0xfa]) }, 50_000_000).linux.initExit()).toEqual({ code: null, signal: 11 }); // cli
    expect(runProgram({ path: '/init' }, { '/init': tinyElf([0x0f, 0x0b]) }, 50_000_000).linux.initExit()).toEqual({ code: null, signal: 4 }); // ud2
    expect(runProgram({ path: '/init' }, { '/init': tinyElf([0x31, 0xc9, 0xf7, 0xf1]) }, 50_000_000).linux.initExit()).toEqual({ code: null, signal: 8 }); // div ecx=0
  });

  test('fork with COW: every child page is released after the children are reaped, and COW faults happened', () => {
    const { machine, linux } = runProgram({ path: '/bin/test-fork', argv: ['test-fork'] }, { '/bin/test-fork': image('test-fork') }, 3_000_000_000);
    expect(linux.initExit()).toEqual({ code: 0, signal: null });
    const k = linux.kernel;
    expect(machine.counters.kernel.forks).toBeGreaterThanOrEqual(10);
    expect(machine.counters.kernel.cowFaults).toBeGreaterThan(0);
    expect(machine.counters.kernel.contextSwitches).toBeGreaterThan(machine.counters.kernel.forks);
    // left allocated: the zero page, the idle task's and init's task-struct and kernel-stack pages
    expect(k.pages.totalPages - k.pages.freePages).toBe(5);
    expect([...k.tasks.keys()].sort()).toEqual([0, 1]);
  });

  test('when every task waits, the idle task halts and the clock jumps to the next timer tick', () => {
    // nanosleep({0, 50 ms}) then exit(0)
    const ts = 0x08048000 + 84 + 40;
    const code = [...movEbx(ts), 0x31, 0xc9, ...movEax(162), ...INT80, ...EXIT_NEG_EAX];
    while (code.length < 40) code.push(0x90);
    code.push(...le32(0), ...le32(50_000_000));
    const { machine, linux } = runProgram({ path: '/init' }, { '/init': tinyElf(code) }, 200_000_000);
    expect(linux.initExit()).toEqual({ code: 0, signal: null });
    // 2.0 rounds 50 ms up to 5 ticks + 1: about 6 ticks of 1/100 s at 133 MHz
    expect(machine.counters.cycles).toBeGreaterThan(5 * 1_330_000);
    expect(machine.counters.cycles).toBeLessThan(8 * 1_330_000);
    // the machine mostly halted: far fewer instructions than cycles
    expect(machine.counters.instructions).toBeLessThan(machine.counters.cycles / 100);
  });
  test('two CPU-bound processes share the CPU by timer preemption (hardware task switches), then the parent reaps the child', () => {
    const N = 500_000; // DIV r32 is 41 clocks: ~22M cycles each, longer than the 10-tick (13.3M-cycle) slices after fork
    const code = [
      ...movEax(2), ...INT80, // fork
      0x89, 0xc6, // mov esi,eax
      0xb9, ...le32(N), // mov ecx,N
      ...movEbx(1),
      0x31, 0xd2, 0xf7, 0xf3, 0x49, 0x75, 0xf9, // loop: xor edx,edx; div ebx; dec ecx; jnz loop
      0x85, 0xf6, // test esi,esi
      0x75, 0x0c, // jnz parent
      ...movEbx(5), ...movEax(1), ...INT80, // child: exit(5)
      0x83, 0xec, 0x04, // parent: sub esp,4
      ...movEbx(0xffffffff), 0x89, 0xe1, 0x31, 0xd2, ...movEax(7), ...INT80, // waitpid(-1, esp, 0)
      0x8b, 0x1c, 0x24, 0xc1, 0xeb, 0x08, 0x83, 0xc3, 0x0a, // ebx = (status >> 8) + 10
      ...movEax(1), ...INT80,
    ];
    const { machine, linux } = runProgram({ path: '/init' }, { '/init': tinyElf(code) }, 200_000_000);
    expect(linux.initExit()).toEqual({ code: 15, signal: null });
    const k = machine.counters.kernel;
    // the parent keeps the CPU until its 10 ticks are used, then they alternate
    expect(k.timerTicks).toBeGreaterThanOrEqual(30);
    expect(k.contextSwitches).toBeGreaterThanOrEqual(3);
    expect(machine.counters.cycles).toBeGreaterThan(2 * N * 41);
  });

  test('console input: a read of fd 0 blocks until bytes are typed; with stdin /dev/null it returns EOF', () => {
    // n = read(0, esp-64, 16); write(1, esp-64, n); exit(n)
    const code = [
      0x31, 0xdb, 0x8d, 0x4c, 0x24, 0xc0, ...[0xba, 16, 0, 0, 0], ...movEax(3), ...INT80, // read(0, esp-64, 16)
      0x89, 0xc2, ...movEbx(1), 0x8d, 0x4c, 0x24, 0xc0, ...movEax(4), ...INT80, // write(1, esp-64, n)
      0x89, 0xd3, ...movEax(1), ...INT80, // exit(n)
    ];
    const m = new Machine({ memoryBytes: 64 << 20 });
    const linux = bootLinux(m, { arch: 'native', rootfs: { '/init': tinyElf(code) }, init: { path: '/init' } });
    expect(m.run({ cycleBudget: 20_000_000 }).reason).toBe('budget'); // blocked in read, the CPU idles
    expect(linux.initExit()).toBeNull();
    linux.consoleInput('hello\n');
    expect(m.run({ cycleBudget: 40_000_000 })).toEqual({ reason: 'stopped', stopReason: 'init-exited' });
    expect(linux.stdout()).toBe('hello\n');
    expect(linux.initExit()).toEqual({ code: 6, signal: null });

    const m2 = new Machine({ memoryBytes: 64 << 20 });
    const l2 = bootLinux(m2, { arch: 'native', rootfs: { '/init': tinyElf(code) }, init: { path: '/init' }, stdin: 'null' });
    expect(m2.run({ cycleBudget: 20_000_000 })).toEqual({ reason: 'stopped', stopReason: 'init-exited' });
    expect(l2.initExit()).toEqual({ code: 0, signal: null });
  });

  test('touching more anonymous memory than the machine has ends in SIGKILL (2.0: out of memory kills), and frees it all', () => {
    const movMem = (disp: number, v: number): number[] => [0xc7, 0x44, 0x24, disp, ...le32(v)];
    const code = [
      0x83, 0xec, 0x18, // sub esp,24: the old mmap's argument struct
      ...movMem(0, 0), ...movMem(4, 128 << 20), ...movMem(8, 3), ...movMem(12, 0x22), ...movMem(16, 0xffffffff), ...movMem(20, 0),
      0x89, 0xe3, ...movEax(90), ...INT80, // mmap(&args): 128 MiB, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS
      0xb9, ...le32(32768), // ecx = pages
      0x89, 0x08, 0x05, ...le32(4096), 0x49, 0x75, 0xf6, // L: mov [eax],ecx; add eax,4096; dec ecx; jnz L
      0x31, 0xdb, ...movEax(1), ...INT80,
    ];
    const { linux, machine } = runProgram({ path: '/init' }, { '/init': tinyElf(code) }, 400_000_000);
    expect(linux.initExit()).toEqual({ code: null, signal: 9 });
    expect(machine.counters.kernel.pageFaults).toBeGreaterThan(15000);
    const k = linux.kernel;
    expect(k.pages.totalPages - k.pages.freePages).toBe(5); // zero page, idle's and init's task pages
  });

  test('determinism: the same program twice gives bit-identical counters and output', () => {
    const run = () => {
      const { machine, linux } = runProgram({ path: '/bin/test-signals', argv: ['test-signals'] }, { '/bin/test-signals': image('test-signals') }, 3_000_000_000);
      return { counters: machine.counters.snapshot(), out: linux.stdout() };
    };
    const a = run();
    const b = run();
    expect(a.counters.cycles).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });
});
