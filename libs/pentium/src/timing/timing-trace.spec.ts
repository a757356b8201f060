import { Machine } from '../machine';
import { CR0, CR4 } from '../cpu/registers';
import { CODE, PAGE_DIR, PAGE_TABLE, STOP, flatMachine, loadCode, runToStop } from '../cpu/test-support';
import { R, UserAsm } from '../testing/user-asm';
import type { PathProfile } from './path-profile';
import { TimingModel } from './timing-model';
import { TIMING_COUNTERS, TimingTrace, TraceOp, diffTimingCounters, diffTimingState, replayInto, replayTrace, timingCounters, type TraceCall } from './timing-trace';

// A ring-0 program on an identity-paged machine that exercises every kind of timing
// call: code and data TLB misses with page walks (4 KiB and 4 MiB pages), cold and
// L2 line fills, write misses through the write buffers, dirty write-backs, AGI and
// bank-conflict stalls, misaligned accesses, Jcc/CALL/RET/indirect branches (some at
// linear addresses ≥ 2^31), an instruction that crosses a page, INVLPG, MOV CR3,
// WBINVD, a kernel path charge, an idle period and a DMA invalidation.

const HIGH = 0xc0000000; // the first 8 MiB again, through PDEs 768–769
const LARGE = 0x80000000; // a 4 MiB page onto physical 0 (PSE)
const A = 0x100000; // 128 KiB written, then read
const D1 = 0x200000; // 8 KiB read, written (dirty), then evicted by D2
const D2 = 0x300000;
const CROSS = 0x22ffe; // a 5-byte instruction across the 0x23000 page boundary
const SUB = 0x24000; // a subroutine, called through its high alias
const PATH_ID = 0x4242;

/** `count` accesses from `base` by `stride`, ESI as the pointer: kind 'r' loads EAX, 'w' stores it. */
function sweep(a: UserAsm, label: string, base: number, count: number, stride: number, kind: 'r' | 'w'): void {
  a.movImm(R.ESI, base).movImm(R.ECX, count).label(label);
  if (kind === 'r') a.loadIndirect(R.EAX, R.ESI);
  else a.emit(0x89, (R.EAX << 3) | R.ESI); // mov [esi], eax
  a.addImm(R.ESI, stride).dec(R.ECX).jnz(label);
}

function program(): { main: number[]; cross: number[]; sub: number[] } {
  const a = new UserAsm(CODE);
  sweep(a, 'wA', A, 4096, 32, 'w');
  sweep(a, 'rA', A, 4096, 32, 'r');
  sweep(a, 'r1', D1, 256, 32, 'r');
  sweep(a, 'w1', D1, 256, 32, 'w');
  sweep(a, 'r2', D2, 256, 32, 'r');
  // pairs with a bank conflict (same bank, other line), a misaligned load, a prefix; repeated so the line is not fresh
  a.movImm(R.ECX, 8).label('pairs');
  a.load(R.EAX, A).load(R.EBX, A + 32).load(R.EDX, A + 2).emit(0x66, 0x89, 0xd8).dec(R.ECX).jnz('pairs'); // … mov ax, bx (a prefix)
  // through the 4 MiB page and the high alias (uint32 addresses in the trace)
  a.load(R.EAX, LARGE + A).store(LARGE + A + 64, R.EAX).load(R.EAX, HIGH + A + 4096);
  a.movImm(R.EAX, HIGH + SUB).emit(0xff, 0xd0); // call eax
  // an instruction across a page (executed outside a block), there and back through jmp eax
  a.movImm(R.EAX, CROSS).emit(0xff, 0xe0).label('back');
  a.emit(0x0f, 0x01, 0x3d, ...u32(A)); // invlpg [A]
  a.load(R.EAX, A);
  a.movImm(R.EAX, PAGE_DIR).emit(0x0f, 0x22, 0xd8); // mov cr3, eax
  a.emit(0x0f, 0x09); // wbinvd
  a.hostcall(PATH_ID).hostcall(PATH_ID);
  a.load(R.EAX, A + 8192).emit(...STOP);
  const main = a.assemble();
  if (CODE + main.length > CROSS) throw new Error('test program overlaps its page-crossing instruction');
  const back = a.addr('back');
  const cross = [0xb8, 0x11, 0x22, 0x33, 0x44, 0xb8, ...u32(back), 0xff, 0xe0]; // mov eax, imm; mov eax, back; jmp eax
  const s = new UserAsm(HIGH + SUB);
  sweep(s, 'hi', HIGH + D1, 64, 64, 'r');
  s.emit(0xc3); // ret
  return { main, cross, sub: s.assemble() };
}

function u32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
}

const kernelPath: PathProfile = {
  name: 'test.kernel-path',
  instructions: 60,
  pairedFraction: 0.3,
  extraClocks: 7.5, // fractional on purpose: the trace must keep it exactly
  code: { start: HIGH + 0x40000, bytes: 200 },
  source: 'a test profile',
};

/** test-support's flat machine, with the trace attached before the set-up (its segment loads already read descriptors through the timing model) */
function pagedFlatMachine(): { m: Machine; trace: TimingTrace } {
  const trace = new TimingTrace();
  const m = flatMachine({ onMachine: (x) => trace.attach(x.timing) });
  const mem = m.memory;
  const cpu = m.cpu;
  // 8 MiB identity-mapped, again at HIGH, and one 4 MiB page at LARGE
  for (let i = 0; i < 2; i++) {
    mem.write32(PAGE_DIR + i * 4, (PAGE_TABLE + i * 0x1000) | 7);
    mem.write32(PAGE_DIR + ((HIGH >>> 22) + i) * 4, (PAGE_TABLE + i * 0x1000) | 7);
  }
  for (let p = 0; p < 2048; p++) mem.write32(PAGE_TABLE + p * 4, (p << 12) | 7);
  mem.write32(PAGE_DIR + (LARGE >>> 22) * 4, 0x87); // physical 0, user, writable, PS
  cpu.setCr4(cpu.cr4 | CR4.PSE);
  cpu.loadCr3(PAGE_DIR);
  cpu.setCr0(cpu.cr0 | CR0.PG);
  return { m, trace };
}

/** Runs the program on a fresh machine, recorded from power-on. */
function recordedRun(): { m: Machine; trace: TimingTrace } {
  const { m, trace } = pagedFlatMachine();
  const mem = m.memory;
  const { main, cross, sub } = program();
  loadCode(m, main);
  mem.writeBytes(CROSS, cross);
  mem.writeBytes(SUB, sub);
  m.hostcalls.register(PATH_ID, 'test.path', () => {
    m.chargePath(kernelPath, [HIGH + 0x50000, HIGH + A], [HIGH + 0x60000, HIGH + 0x60004]);
    // what the run loop and a DMA device do, between instructions
    m.timing.idle(100);
    m.timing.hierarchy.invalidateRange(D1, 4096);
  });
  runToStop(m);
  trace.detach();
  return { m, trace };
}

describe('TimingTrace', () => {
  const { m, trace } = recordedRun();
  const live = trace.liveCounters();

  test('the program exercises every counter the replay is checked on', () => {
    const idle = TIMING_COUNTERS.filter((k) => live[k] === 0);
    expect(idle).toEqual([]);
    // every op kind but the direct single-TLB ones (the CPU goes through TimingModel for those)
    const ops = new Set<TraceOp>();
    for (const c of trace.decode()) ops.add(c.op);
    const missing = [...Array(23).keys()].slice(1).filter((op) => !ops.has(op) && ![TraceOp.ItlbFlush, TraceOp.DtlbFlush, TraceOp.ItlbInvalidate, TraceOp.DtlbInvalidate].includes(op));
    expect(missing).toEqual([]);
  });

  test('the live deltas are the machine counters (the attach point was a fresh model)', () => {
    expect(diffTimingCounters(live, timingCounters(m.counters))).toEqual([]);
  });

  test('a replay through a fresh model reproduces every timing counter, the clocks and the whole state', () => {
    const r = replayTrace(trace);
    expect(diffTimingCounters(live, timingCounters(r.counters))).toEqual([]);
    expect(r.clocks).toBe(trace.liveClocks);
    // and the model ends in the same state: caches, TLBs, BTB, write buffers, pipeline
    expect(diffTimingState(r.model, m.timing)).toEqual([]);
  });

  test('the state comparison sees a difference the counters do not', () => {
    const r = replayTrace(trace);
    r.model.dtlb.lookup(0x12345000); // a miss: one more entry, one more counted miss
    r.model.hierarchy.advance(1);
    const diff = diffTimingState(r.model, m.timing);
    expect(diff.some((d) => d.startsWith('timing.hierarchy.now:'))).toBe(true);
    expect(diff.some((d) => d.startsWith('timing.dtlb.small.tags['))).toBe(true);
  });

  test('the generic step and the fast path replay alike (every call through the generic one)', () => {
    const model = new TimingModel();
    const clocks = replayInto(trace, model, false);
    expect(diffTimingCounters(live, timingCounters(model.counters))).toEqual([]);
    expect(clocks).toBe(trace.liveClocks);
  });

  test('detach restores the instance methods: later calls are not recorded', () => {
    const calls = trace.calls;
    m.timing.hierarchy.read(A, 4);
    m.timing.pipeline.serialize();
    expect(trace.calls).toBe(calls);
    expect(Object.prototype.hasOwnProperty.call(m.timing.hierarchy, 'read')).toBe(false);
  });

  test('the decoded calls re-encode to a trace that replays identically', () => {
    const copy = trace.map((c) => c);
    expect(copy.words).toBe(trace.words);
    const r = replayTrace(copy);
    expect(diffTimingCounters(live, timingCounters(r.counters))).toEqual([]);
  });

  test('as plain data (for a worker or a file) it replays identically, and a cut trace is refused', () => {
    const data = trace.toData();
    const back = TimingTrace.fromData(structuredClone(data));
    const r = replayTrace(back);
    expect(diffTimingCounters(back.liveCounters(), timingCounters(r.counters))).toEqual([]);
    expect(back.liveCounters()).toEqual(live);
    expect(r.clocks).toBe(trace.liveClocks);
    expect(() => TimingTrace.fromData({ ...data, words: data.words.slice(0, data.words.length - 1) })).toThrow(/cut short|calls in the words/);
  });

  test('large addresses and fractional clocks survive the encoding', () => {
    const calls = [...trace.decode()];
    expect(calls.some((c) => c.op === TraceOp.Branch && c.args[0] >= HIGH)).toBe(true);
    // the CPU passes linear data addresses as int32: they stay negative
    expect(calls.some((c) => c.op === TraceOp.DtlbLookup && c.args[0] < 0 && c.args[0] >>> 0 >= LARGE && (c.flags & 1) === 1)).toBe(true);
    const path = calls.find((c) => c.op === TraceOp.Path) as TraceCall;
    expect(path.args).toEqual([60, 18, 1, 60 - 18 + 7.5]);
  });

  test('a perturbed replay differs: one data address changed', () => {
    // reads of A: the sweep's first, then one per pass of the pairs loop. The third pass
    // hits the line the second just read; sent to a line nobody touches, it misses.
    let seen = 0;
    const t = trace.map((c) => (c.op === TraceOp.Read && c.args[0] === A && ++seen === 4 ? { ...c, args: [0x700000, c.args[1]] } : c));
    expect(seen).toBeGreaterThan(4);
    const r = replayTrace(t);
    expect(r.counters.l1dMisses).toBe(live.l1dMisses + 1);
    expect(diffTimingCounters(live, timingCounters(r.counters))).not.toEqual([]);
  });

  test('a perturbed replay differs: one branch dropped', () => {
    const firstBranch = [...trace.decode()].findIndex((c) => c.op === TraceOp.Branch);
    const r = replayTrace(trace.map((c, i) => (i === firstBranch ? null : c)));
    expect(r.counters.branches).toBe(live.branches - 1);
    expect(diffTimingCounters(live, timingCounters(r.counters))).not.toEqual([]);
  });

  test('attach refuses a model that has already run, and a second trace on one model', () => {
    expect(() => new TimingTrace().attach(m.timing)).toThrow(/already run/);
    const fresh = new Machine();
    const t = new TimingTrace().attach(fresh.timing);
    expect(() => new TimingTrace().attach(fresh.timing)).toThrow(/already has a trace/);
    t.detach();
  });
});
