#!/usr/bin/env node
// Experiment for docs/design/jit.md (not a result about the emulator): what one guest
// basic block costs per guest instruction when it is compiled to WebAssembly with the
// timing model inline, next to the same block's cost in the interpreter. The block is
// hand-compiled here with the project's emitter (libs/pentium/src/jit/wasm-emitter.ts);
// it is cpubench's sieve inner loop:
//     L: mov byte [ebx+eax], 0 ; add eax, ecx ; cmp eax, 0xffff ; jle L
// The compiled code does the work a block compiler must keep: the soft-TLB translation
// and permission check, the code-page check (self-modifying code), the DTLB and L1D
// write models with write buffers on a miss, the lazy flags of CMP, the static U/V
// issue of the two pairs, the hierarchy clock, the BTB, the cycle budget. Its state sits
// in the module's memory and globals, as the plan puts the timing state in linear memory.
// Usage: npm run build && node scripts/experiments/jit-budget.mjs
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const { WasmModuleBuilder, I32, I64, OP } = require(path.join(root, 'dist/libs/pentium/src/jit/wasm-emitter.js'));
const { Machine } = require(path.join(root, 'dist/libs/pentium/src/index.js'));

// memory layout (bytes): registers 0..31, lazy flags 32..47, cycles 64, instructions 72,
// L1D tags 4096 (128 sets x 2 ways), L1D LRU 8192, L1D dirty 8448, L1I tags 12288,
// L2 tags 16384 (8192 lines), write-buffer completion times 65536, DTLB tags 69632,
// DTLB PLRU 69888, soft TLB 1 MiB (1 Mi entries), code-page map 6 MiB, guest RAM 8 MiB.
const L1D = 4096, L1D_LRU = 8192, L1D_DIRTY = 8448, L1I = 12288, L2 = 16384, WB = 65536;
const DTLB = 69632, DTLB_PLRU = 69888, SOFT_TLB = 1 << 20, CODE_PAGES = 6 << 20, RAM = 8 << 20;

const m = new WasmModuleBuilder();
m.addMemory(1300, 1300);
m.exportMemory('mem');
const g = {
  dtlbLast: m.addGlobal(I32, true, -1),
  l1dLast: m.addGlobal(I32, true, -1),
  l1dLastDirty: m.addGlobal(I32, true, 0),
  notInCode: m.addGlobal(I32, true, 0),
  now: m.addGlobal(I64, true, 0),
  busFree: m.addGlobal(I64, true, 0),
  wbHead: m.addGlobal(I32, true, 0),
  btbRepEip: m.addGlobal(I32, true, -1),
};

// DTLB miss: 4-way set of 16, PLRU touched (the hit path is the block's last-page compare)
const dtlbMiss = m.addFunction([I32], [], [I32], (c) => {
  c.localGet(0).globalSet(g.dtlbLast);
  c.localGet(0).i32Const(15).op(OP.i32_and).i32Const(4).op(OP.i32_shl).i32Const(DTLB).op(OP.i32_add).localSet(1);
  for (let way = 0; way < 4; way++) {
    c.localGet(1).mem('i32_load', way * 4).localGet(0).op(OP.i32_eq).if();
    c.localGet(0).i32Const(15).op(OP.i32_and).i32Const(DTLB_PLRU).op(OP.i32_add).i32Const(way + 1).mem('i32_store8').op(OP.return);
    c.end();
  }
  c.localGet(1).localGet(0).mem('i32_store');
});

// L1D write: code-cache snoop, 2-way hit with LRU and dirty bit, or a miss into a write buffer
const writeLine = m.addFunction([I32], [I32], [I32, I32, I32, I64, I64, I32, I32], (c) => {
  const [line, set, b, way, t, old, stall, slot] = [0, 1, 2, 3, 4, 5, 6, 7];
  c.localGet(line).i32Const(127).op(OP.i32_and).i32Const(3).op(OP.i32_shl).i32Const(L1I).op(OP.i32_add).localSet(b);
  c.localGet(b).mem('i32_load').localGet(line).op(OP.i32_eq).localGet(b).mem('i32_load', 4).localGet(line).op(OP.i32_eq).op(OP.i32_or).if();
  c.localGet(b).i32Const(-1).mem('i32_store').end();
  c.localGet(line).i32Const(127).op(OP.i32_and).localSet(set);
  c.localGet(set).i32Const(3).op(OP.i32_shl).i32Const(L1D).op(OP.i32_add).localSet(b);
  c.i32Const(-1).localSet(way);
  c.localGet(b).mem('i32_load').localGet(line).op(OP.i32_eq).if().i32Const(0).localSet(way).end();
  c.localGet(b).mem('i32_load', 4).localGet(line).op(OP.i32_eq).if().i32Const(1).localSet(way).end();
  c.localGet(way).i32Const(0).op(OP.i32_ge_s).if();
  c.localGet(set).i32Const(L1D_LRU).op(OP.i32_add).localGet(way).i32Const(1).op(OP.i32_xor).mem('i32_store8');
  c.localGet(set).i32Const(1).op(OP.i32_shl).localGet(way).op(OP.i32_add).i32Const(L1D_DIRTY).op(OP.i32_add).i32Const(1).mem('i32_store8');
  c.localGet(line).globalSet(g.l1dLast).i32Const(1).globalSet(g.l1dLastDirty).i32Const(1).globalSet(g.notInCode);
  c.i32Const(0).op(OP.return).end();
  // write miss: the oldest write buffer must be free; the bus takes an L2 or a DRAM write
  c.globalGet(g.wbHead).i32Const(3).op(OP.i32_shl).i32Const(WB).op(OP.i32_add).localSet(slot);
  c.globalGet(g.now).localSet(t);
  c.localGet(slot).mem('i64_load').localSet(old);
  c.localGet(old).localGet(t).op(OP.i64_gt_s).if();
  c.localGet(old).localGet(t).op(OP.i64_sub).op(OP.i32_wrap_i64).localSet(stall).localGet(old).localSet(t).end();
  c.globalGet(g.busFree).localGet(t).globalGet(g.busFree).localGet(t).op(OP.i64_gt_s).op(OP.select);
  c.i64Const(3).i64Const(9);
  c.localGet(line).i32Const(8191).op(OP.i32_and).i32Const(2).op(OP.i32_shl).i32Const(L2).op(OP.i32_add).mem('i32_load').localGet(line).op(OP.i32_eq);
  c.op(OP.select).op(OP.i64_add).globalSet(g.busFree);
  c.localGet(slot).globalGet(g.busFree).mem('i64_store');
  c.globalGet(g.wbHead).i32Const(1).op(OP.i32_add).i32Const(1).op(OP.i32_and).globalSet(g.wbHead);
  c.localGet(t).globalSet(g.now);
  c.localGet(stall);
});

// BTB update (the block's inline check handles a repeat of the last taken branch)
const btb = m.addFunction([I32, I32], [I32], [], (c) => {
  c.localGet(0).globalSet(g.btbRepEip);
  c.i32Const(0).i32Const(3).localGet(1).op(OP.select);
});

// the compiled block: a loop while the branch stays taken and the cycle budget lasts
const block = m.addFunction([I64], [I32], [I32, I32, I32, I32, I32, I32, I32, I32, I64, I64, I32], (c) => {
  const [budget, eax, ebx, ecx, la, e, phys, line, stall, cyc, n, r] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  c.i32Const(0).mem('i32_load').localSet(eax).i32Const(4).mem('i32_load').localSet(ecx).i32Const(12).mem('i32_load').localSet(ebx);
  c.i32Const(0).mem('i64_load', 64).localSet(cyc).i32Const(0).mem('i64_load', 72).localSet(n);
  c.block().loop();
  // mov byte [ebx+eax], 0: translation and write permission, code-page check, DTLB, L1D
  c.localGet(ebx).localGet(eax).op(OP.i32_add).localSet(la);
  c.localGet(la).i32Const(12).op(OP.i32_shr_u).i32Const(2).op(OP.i32_shl).i32Const(SOFT_TLB).op(OP.i32_add).mem('i32_load').localSet(e);
  c.localGet(e).i32Const(3).op(OP.i32_and).i32Const(3).op(OP.i32_ne).brIf(1);
  c.localGet(e).i32Const(-4096).op(OP.i32_and).localGet(la).i32Const(4095).op(OP.i32_and).op(OP.i32_or).localSet(phys);
  c.localGet(phys).i32Const(12).op(OP.i32_shr_u).i32Const(CODE_PAGES).op(OP.i32_add).mem('i32_load8_u').brIf(1);
  c.localGet(la).i32Const(12).op(OP.i32_shr_u).globalGet(g.dtlbLast).op(OP.i32_ne).if();
  c.localGet(la).i32Const(12).op(OP.i32_shr_u).call(dtlbMiss).end();
  c.localGet(phys).i32Const(5).op(OP.i32_shr_u).localSet(line).i32Const(0).localSet(stall);
  c.localGet(line).globalGet(g.l1dLast).op(OP.i32_eq).globalGet(g.l1dLastDirty).globalGet(g.notInCode).op(OP.i32_and).op(OP.i32_and).op(OP.i32_eqz).if();
  c.localGet(line).call(writeLine).localSet(stall).end();
  c.localGet(phys).i32Const(RAM).op(OP.i32_add).i32Const(0).mem('i32_store8');
  // add eax, ecx (its flags are dead: CMP overwrites them)
  c.localGet(eax).localGet(ecx).op(OP.i32_add).localSet(eax);
  // cmp eax, 0xffff: the lazy flags are stored (live at the block's exit)
  c.localGet(eax).i32Const(0xffff).op(OP.i32_sub).localSet(r);
  c.i32Const(0).i32Const(2).mem('i32_store', 32).i32Const(0).localGet(eax).mem('i32_store', 36);
  c.i32Const(0).i32Const(0xffff).mem('i32_store', 40).i32Const(0).localGet(r).mem('i32_store', 44);
  // issue: (mov, add) and (cmp, jle) pair: 2 clocks plus the stall; the hierarchy clock
  c.localGet(cyc).i64Const(2).op(OP.i64_add).localGet(stall).op(OP.i64_extend_i32_u).op(OP.i64_add).localSet(cyc);
  c.globalGet(g.now).i64Const(2).op(OP.i64_add).globalSet(g.now);
  c.localGet(n).i64Const(4).op(OP.i64_add).localSet(n);
  // jle L with the BTB
  c.localGet(eax).i32Const(0xffff).op(OP.i32_le_s).if();
  c.globalGet(g.btbRepEip).i32Const(4096).op(OP.i32_ne).if();
  c.localGet(cyc).i32Const(4096).i32Const(1).call(btb).op(OP.i64_extend_i32_u).op(OP.i64_add).localSet(cyc).end();
  c.localGet(cyc).localGet(budget).op(OP.i64_lt_s).brIf(1); // taken: round the loop (labels: if 0, loop 1, block 2)
  c.else();
  c.i32Const(-1).globalSet(g.btbRepEip);
  c.localGet(cyc).i32Const(4096).i32Const(0).call(btb).op(OP.i64_extend_i32_u).op(OP.i64_add).localSet(cyc);
  c.end();
  c.end().end();
  c.i32Const(0).localGet(eax).mem('i32_store');
  c.i32Const(0).localGet(cyc).mem('i64_store', 64).i32Const(0).localGet(n).mem('i64_store', 72);
  c.i32Const(0);
});
m.exportFunction('block', block);

const { instance } = await WebAssembly.instantiate(m.build());
const buf = instance.exports.mem.buffer;
const i32 = new Int32Array(buf);
const i64 = new BigInt64Array(buf);
for (let p = 0; p < 16384; p++) i32[SOFT_TLB / 4 + p] = (p << 12) | 3; // identity map, present + writable
i32.fill(-1, L1D / 4, L1D / 4 + 256);
i32.fill(-1, L1I / 4, L1I / 4 + 256);
i32.fill(-1, DTLB / 4, DTLB / 4 + 64);
// one sieve pass: the block entered once per stride, from JS, as the run loop would
function sieve() {
  for (let i = 2; i < 65536; i++) {
    i32[0] = i + i;
    i32[1] = i;
    i32[3] = 0x100000;
    instance.exports.block(1n << 60n);
  }
}
// the same guest code, outer loop included, in the interpreter with the full timing model
//   mov esi,2 / outer: lea eax,[esi+esi] / mov ecx,esi / mov ebx,0x100000
//   inner: mov byte [ebx+eax],0 / add eax,ecx / cmp eax,0xffff / jle inner
//   inc esi / cmp esi,0x10000 / jl outer / hlt
const guest = [
  0xbe, 2, 0, 0, 0, // mov esi, 2
  0x8d, 0x04, 0x36, // outer: lea eax, [esi+esi]
  0x89, 0xf1, // mov ecx, esi
  0xbb, 0x00, 0x00, 0x10, 0x00, // mov ebx, 0x100000
  0xc6, 0x04, 0x03, 0x00, // inner: mov byte [ebx+eax], 0
  0x01, 0xc8, // add eax, ecx
  0x3d, 0xff, 0xff, 0x00, 0x00, // cmp eax, 0xffff
  0x7e, 0xf3, // jle inner
  0x46, // inc esi
  0x81, 0xfe, 0x00, 0x00, 0x01, 0x00, // cmp esi, 0x10000
  0x7c, 0xe0, // jl outer
  0xf4, // hlt
];
function interpreted() {
  const machine = new Machine();
  machine.memory.writeBytes(0x1000, guest);
  machine.cpu.eip = 0x1000;
  const t0 = process.hrtime.bigint();
  const r = machine.run({ cycleBudget: 1e12 });
  const ns = Number(process.hrtime.bigint() - t0);
  if (r.reason !== 'deadlock') throw new Error(`jit-budget: the interpreted loop ended with ${r.reason}`);
  return { ns: ns / machine.counters.instructions, insns: machine.counters.instructions, cycles: machine.counters.cycles };
}

// alternate the two, keeping the fastest pass of each (the machines are shared and noisy)
let best = Infinity;
let bestInterp = Infinity;
let insns = 0;
let interp = null;
for (let k = 0; k < 6; k++) {
  const n0 = i64[9];
  const t0 = process.hrtime.bigint();
  sieve();
  const ns = Number(process.hrtime.bigint() - t0);
  insns = Number(i64[9] - n0);
  best = Math.min(best, ns / insns);
  interp = interpreted();
  bestInterp = Math.min(bestInterp, interp.ns);
}
console.log(`interpreter, full timing model: ${bestInterp.toFixed(1)} ns per guest instruction (${(1e3 / bestInterp).toFixed(1)} MIPS; ${interp.insns} instructions, ${interp.cycles} cycles)`);
console.log(`compiled block, timing inline:  ${best.toFixed(2)} ns per guest instruction (${(1e3 / best).toFixed(0)} MIPS; ${insns} instructions per pass)`);
console.log(`ratio, same run: ${(bestInterp / best).toFixed(1)}x`);
