// The L4 IPC system-call path (what a libc built with the L4 IPC backend does): a
// hand-assembled guest program calls the emulation library's entry directly — no
// int 0x80, no exception — times N getpid calls with RDTSC and prints the total in hex.
import { Machine } from '@mklab/pentium';
import { bootL4Linux } from './boot';
import { assembleEmuLib } from './emulib';

const BASE = 0x08048000;
const HDR = 52 + 32;

/** A minimal static ELF32 i386 executable: one RWX PT_LOAD of `code` at BASE (entry right after the headers). */
function elf(code: number[]): Uint8Array {
  const b = new Uint8Array(HDR + code.length);
  const dv = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  dv.setUint16(16, 2, true);
  dv.setUint16(18, 3, true);
  dv.setUint32(20, 1, true);
  dv.setUint32(24, BASE + HDR, true);
  dv.setUint32(28, 52, true);
  dv.setUint16(40, 52, true);
  dv.setUint16(42, 32, true);
  dv.setUint16(44, 1, true);
  dv.setUint32(52, 1, true);
  dv.setUint32(60, BASE, true);
  dv.setUint32(64, BASE, true);
  dv.setUint32(68, b.length, true);
  dv.setUint32(72, b.length, true);
  dv.setUint32(76, 7, true);
  dv.setUint32(80, 0x1000, true);
  b.set(code, HDR);
  return b;
}

/** getpid × n through the IPC path, twice (the second round is warm); prints the second round's TSC delta as 8 hex digits. */
function ipcGetpidProgram(entry: number, n: number): number[] {
  const c: number[] = [];
  const here = (): number => BASE + HDR + c.length;
  const imm = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  const call = (target: number): void => {
    const next = here() + 5;
    c.push(0xe8, ...imm((target - next) >>> 0));
  };
  // data at the end: 16 hex digits table + 9-byte buffer (addresses patched below)
  c.push(0xbd, ...imm(2)); // mov ebp, 2
  const round = c.length;
  c.push(0x0f, 0x31); // rdtsc
  c.push(0x89, 0xc6); // mov esi, eax
  c.push(0xbf, ...imm(n)); // mov edi, n
  const loop = c.length;
  c.push(0xb8, ...imm(20)); // mov eax, __NR_getpid
  call(entry);
  c.push(0x4f); // dec edi
  c.push(0x75, (loop - (c.length + 2)) & 0xff); // jnz loop
  c.push(0x0f, 0x31); // rdtsc
  c.push(0x29, 0xf0); // sub eax, esi
  c.push(0x4d); // dec ebp
  c.push(0x75, (round - (c.length + 2)) & 0xff); // jnz round
  c.push(0xb9, ...imm(8)); // mov ecx, 8
  const bufAt = c.length + 1;
  c.push(0xbb, 0, 0, 0, 0); // mov ebx, buf + 8
  const hex = c.length;
  c.push(0x89, 0xc2); // mov edx, eax
  c.push(0x83, 0xe2, 0x0f); // and edx, 15
  const tableAt = c.length + 2;
  c.push(0x8a, 0x92, 0, 0, 0, 0); // mov dl, [edx + table]
  c.push(0x4b); // dec ebx
  c.push(0x88, 0x13); // mov [ebx], dl
  c.push(0xc1, 0xe8, 0x04); // shr eax, 4
  c.push(0xe2, (hex - (c.length + 2)) & 0xff); // loop hex
  c.push(0xb8, ...imm(4), 0xbb, ...imm(1)); // mov eax, __NR_write; mov ebx, 1
  const bufAt2 = c.length + 1;
  c.push(0xb9, 0, 0, 0, 0, 0xba, ...imm(9)); // mov ecx, buf; mov edx, 9
  call(entry);
  c.push(0xb8, ...imm(1), 0x31, 0xdb); // mov eax, __NR_exit; xor ebx, ebx
  call(entry);
  c.push(0xf4); // hlt (never reached)
  const table = here();
  c.push(...Array.from('0123456789abcdef', (ch) => ch.charCodeAt(0)));
  const buf = here();
  c.push(0, 0, 0, 0, 0, 0, 0, 0, 10);
  c.splice(bufAt, 4, ...imm(buf + 8));
  c.splice(tableAt, 4, ...imm(table));
  c.splice(bufAt2, 4, ...imm(buf));
  return c;
}

function measure(smallSpaces: boolean, n: number) {
  const machine = new Machine({ memoryBytes: 64 << 20 });
  // the library's entry does not depend on the server id: assemble once to know it
  const entry = assembleEmuLib(0).entry;
  const prog = elf(ipcGetpidProgram(entry, n));
  const sys = bootL4Linux(machine, { rootfs: { '/bin/ipc-getpid': prog }, init: { path: '/bin/ipc-getpid' }, variant: 'ipc', smallSpaces, stdin: 'null' });
  const result = machine.run({ cycleBudget: 200_000_000 });
  const m = /^([0-9a-f]{8})$/m.exec(sys.stdout());
  return { result, sys, machine, total: m ? parseInt(m[1], 16) : NaN };
}

describe('L4Linux, IPC path (libc L4 backend protocol)', () => {
  test('getpid by IPC to the server: no exception, measured by the guest', () => {
    const runs = [200, 400].map((n) => measure(false, n));
    for (const r of runs) {
      expect(r.result).toEqual({ reason: 'stopped', stopReason: 'init-exited' });
      expect(r.sys.initExit()).toEqual({ code: 0, signal: null });
      expect(r.machine.counters.kernel.exceptionIpcs ?? 0).toBe(0);
    }
    // per call, loop overhead cancelled by the difference of two lengths
    const perCall = (runs[1].total - runs[0].total) / 200;
    const small = measure(true, 200);
    const smallPerCall = small.total / 200;
    const k0 = runs[0].machine.counters.kernel;
    const k1 = runs[1].machine.counters.kernel;
    const server = (k1['l4linux.syscallServerCycles'] - k0['l4linux.syscallServerCycles']) / (k1['l4linux.syscallRequests'] - k0['l4linux.syscallRequests']);
    console.log(`L4Linux IPC-path getpid: ${perCall.toFixed(1)} cycles (large spaces; of which ${server.toFixed(1)} in the server's step), ${smallPerCall.toFixed(1)} (server in a small space, incl. loop)`);
    expect(server).toBeGreaterThan(0);
    expect(server).toBeLessThan(perCall);
    // a round trip of two cross-space IPCs plus the Linux work: above native's 223, below the trampoline
    expect(perCall).toBeGreaterThan(223);
    expect(smallPerCall).toBeLessThan(perCall);
  });
});

/** fork; the child spins in user mode; the parent kills it with SIGKILL, waits, and exits with the wait status. */
function killSpinnerProgram(): number[] {
  const c: number[] = [];
  const imm = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  c.push(0xb8, ...imm(2), 0xcd, 0x80); // fork
  c.push(0x85, 0xc0, 0x75, 0x02); // test eax, eax; jnz parent
  c.push(0xeb, 0xfe); // child: jmp $
  c.push(0x89, 0xc3, 0xb8, ...imm(37), 0xb9, ...imm(9), 0xcd, 0x80); // parent: kill(pid, SIGKILL)
  const statusAt = c.length + 11;
  c.push(0xb8, ...imm(114), 0xbb, ...imm(0xffffffff), 0xb9, 0, 0, 0, 0, 0x31, 0xd2, 0x31, 0xf6, 0xcd, 0x80); // wait4(-1, &status, 0, 0)
  const statusAt2 = c.length + 2;
  c.push(0x8b, 0x1d, 0, 0, 0, 0, 0xb8, ...imm(1), 0xcd, 0x80); // exit(status)
  const status = BASE + HDR + c.length;
  c.push(0, 0, 0, 0);
  c.splice(statusAt, 4, ...imm(status));
  c.splice(statusAt2, 4, ...imm(status));
  return c;
}

describe('L4Linux signals to a process running in user mode', () => {
  test('SIGKILL reaches a child spinning in user mode (its signal thread ex_regs it into the signal entry)', () => {
    const machine = new Machine({ memoryBytes: 64 << 20 });
    const sys = bootL4Linux(machine, { rootfs: { '/bin/k': elf(killSpinnerProgram()) }, init: { path: '/bin/k' }, variant: 'trampoline', stdin: 'null' });
    const result = machine.run({ cycleBudget: 100_000_000 });
    expect(result).toEqual({ reason: 'stopped', stopReason: 'init-exited' });
    expect(sys.initExit()).toEqual({ code: 9, signal: null }); // the wait status of a SIGKILLed child: 9
    expect(machine.counters.kernel['l4linux.signalRedirects']).toBeGreaterThan(0);
    // the child's signal thread redirected it (lthread_ex_regs; the handler thread's only for
    // int 0x80s that found the library's code page unmapped and came by exception IPC)
    expect(machine.counters.kernel.exRegs).toBeGreaterThan(machine.counters.kernel.exceptionIpcs ?? 0);
  });
});
