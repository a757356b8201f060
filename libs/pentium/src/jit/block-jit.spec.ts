// Compiled blocks in the run loop (Machine({ jit: true })) against the interpreter: the
// same guest code, run to its HLT on both, must leave every counter, register and flag
// identical, with most instructions run compiled (so the comparison is not vacuous).
import { Machine } from '../machine';

/** ring 0, flat segments, paging off: code at 0x1000, run to HLT */
function run(code: number[], jit: boolean): { m: Machine; reason: string } {
  const m = new Machine({ memoryBytes: 8 << 20, jit });
  m.memory.writeBytes(0x1000, code);
  m.cpu.eip = 0x1000;
  const r = m.run({ cycleBudget: 1e9 });
  return { m, reason: r.reason };
}

function compare(code: number[]): { compiled: number; total: number } {
  const a = run(code, false);
  const b = run(code, true);
  expect(b.reason).toBe(a.reason);
  expect(b.m.counters.snapshot()).toEqual(a.m.counters.snapshot());
  expect([...b.m.cpu.r32]).toEqual([...a.m.cpu.r32]);
  expect(b.m.cpu.getEflags()).toBe(a.m.cpu.getEflags());
  expect(b.m.cpu.eip).toBe(a.m.cpu.eip);
  const stats = (b.m.cpu.jit as unknown as { stats: { instructions: number } }).stats;
  return { compiled: stats.instructions, total: b.m.counters.instructions };
}

describe('compiled blocks in the run loop', () => {
  it('run a sieve with every counter as the interpreter leaves it', () => {
    // mov esi,2 / outer: lea eax,[esi+esi] / mov ecx,esi / mov ebx,0x100000
    // inner: mov byte [ebx+eax],0 / add eax,ecx / cmp eax,0xffff / jle inner
    // inc esi / cmp esi,0x4000 / jl outer / hlt
    const sieve = [
      0xbe, 2, 0, 0, 0, 0x8d, 0x04, 0x36, 0x89, 0xf1, 0xbb, 0, 0, 0x10, 0, 0xc6, 0x04, 0x03, 0x00, 0x01, 0xc8, 0x3d, 0xff, 0xff, 0, 0, 0x7e, 0xf3, 0x46,
      0x81, 0xfe, 0, 0x40, 0, 0, 0x7c, 0xe0, 0xf4,
    ];
    const { compiled, total } = compare(sieve);
    expect(compiled / total).toBeGreaterThan(0.9);
  });

  it('leave to the interpreter mid-block on DTLB misses, and on stores into the code page', () => {
    // loads on 96 pages (8 per page) and stores to a new page every iteration (the DTLB
    // holds 64): a miss stops the compiled code before the load (index 0) or before the
    // store (index 3, mid-block, after EAX and EDX were written); two loads in one pair
    // meet the bank-conflict rule
    //   mov edi,4 / outer: mov ecx,768 / mov ebx,0x200000 / mov esi,0x400000
    //   loop: mov eax,[ebx] / mov edx,[ebx+0x20] / add eax,ecx / mov [esi],eax
    //         add esi,0x1000 / add ebx,0x200 / dec ecx / jnz loop / dec edi / jnz outer
    //   mov dword [0x1800],0x12345678 (a store into the code page) / hlt
    const code = [
      0xbf, 4, 0, 0, 0, // mov edi,4
      0xb9, 0x00, 0x03, 0, 0, // outer: mov ecx,768
      0xbb, 0, 0, 0x20, 0, // mov ebx,0x200000
      0xbe, 0, 0, 0x40, 0, // mov esi,0x400000
      0x8b, 0x03, // loop: mov eax,[ebx]
      0x8b, 0x53, 0x20, // mov edx,[ebx+0x20]
      0x01, 0xc8, // add eax,ecx
      0x89, 0x06, // mov [esi],eax
      0x81, 0xc6, 0x00, 0x10, 0, 0, // add esi,0x1000
      0x81, 0xc3, 0x00, 0x02, 0, 0, // add ebx,0x200
      0x49, // dec ecx
      0x75, 0xe8, // jnz loop
      0x4f, // dec edi
      0x75, 0xd6, // jnz outer
      0xc7, 0x05, 0x00, 0x18, 0, 0, 0x78, 0x56, 0x34, 0x12, // mov dword [0x1800],0x12345678
      0xf4, // hlt
    ];
    const { compiled, total } = compare(code);
    // every iteration leaves at its store: the interpreter runs the rest of the block
    expect(compiled / total).toBeGreaterThan(0.25);
    const b = run(code, true);
    expect(b.m.counters.dtlbMisses).toBeGreaterThan(2500);
    expect(b.m.counters.bankConflicts).toBeGreaterThan(1000);
    expect(b.m.memory.read32(0x1800)).toBe(0x12345678);
  });
});
