// The P54C integer pipelines, in the manner of 86Box's codegen_timing_pentium.c.
//
// Modelled:
//  - U/V pairing: one decision over two table rows (pairing.ts); a pair runs in
//    lockstep and takes the longer of the two base clock counts [IPM §24.2];
//  - FXCH pairing: FXCH in V behind an FX-class x87 instruction costs nothing;
//  - no pairing on the first execution from a freshly filled code line (the CPU passes
//    MemoryHierarchy.codeFirstPass as `firstFetch`) [IPM];
//  - prefixes other than 0F: +1 clock each, and a prefixed instruction only issues in U;
//  - address-generation interlock: +1 when an address register was written by the
//    previous issue group (U alone or U+V), whatever that group's length [IPM][86BOX];
//  - data-cache bank conflict: V +1 when U and V touch the same 4-byte bank of the 8
//    (physical address bits 2–4 equal) [IPM][AGNER];
//  - memory stalls (cache/TLB misses, misalignment: memory-hierarchy.ts) add to the
//    instruction's clocks; in a pair both pipes wait for either pipe's stall;
//  - branches: a 256-entry 4-way BTB with 2-bit counters, not-taken on a BTB miss,
//    mispredictions 4 (U) / 5 (V) clocks for Jcc and 3 for unconditional near
//    transfers, RET and indirect jumps predicted through the BTB (btb.ts);
//  - serialization (far transfers, traps, interrupts, kernel path profiles, HOSTCALL):
//    the next instruction issues in U with no AGI history.
// Protocol per instruction: hierarchy.fetch → execute (data accesses through the TLBs
// and hierarchy; a branch calls pipeline.branch) → pipeline.issue, which decides the
// pipe and adds the branch's misprediction penalty for that pipe.
// Assumptions where the sources are silent ([EST] in p54c-config.ts and the files):
//  - TLB and BTB replacement is the i486's tree pseudo-LRU; the BTB set index is the
//    low 6 bits of the branch address; the code TLB holds 4 MiB pages as 4 KiB entries;
//  - a hardware page walk costs 2 clocks + 1 per entry read + the reads' cache stalls;
//  - the BTB survives MOV CR3.
// Not modelled:
//  - FPU pipelining: overlap of FP latency with independent FP or integer work (an x87
//    row charges its full clocks; fpu/x87-timing.ts keeps the throughput for a later
//    dependency model);
//  - the prefetcher: sequential code lines are not fetched ahead, so a straight-line
//    miss stalls its whole fill; split-line fetch penalties;
//  - early restart on the critical word of a line fill; hit-under-miss;
//  - the "first pass" no-pairing rule per byte: a fresh line counts as decoded after the
//    first taken branch or after execution leaves it;
//  - stalls on partial-register or flag merges (the P5 has none worth modelling),
//    the shift/rotate-by-CL and other "issue in U only after N clocks" subtleties beyond
//    the row's pair class and clocks;
//  - the one-clock decode stall of a Jcc whose target is not yet in the prefetch
//    buffers, and any BTB lookup by the address of the previous instruction pair;
//  - memory type ranges (everything is write-back cacheable; no PCD/PWT, no UC video),
//    MESI states (a uniprocessor with lines in E/M), write-buffer merging;
//  - L2 dirty lines (L2 is treated as write-through for timing), DRAM page hits and
//    refresh, chipset posted-write buffering beyond the fixed single-write cost;
//  - within one instruction (REP string ops) time does not advance between iterations
//    unless the CPU calls hierarchy.advance, so buffered writes drain against the
//    stalls only (at most about one clock per iteration too many).
import type { Counters } from './counters';
import type { P54CConfig } from './p54c-config';
import type { MemoryHierarchy } from './memory-hierarchy';
import { BranchPredictor, Pipe } from './btb';
import { BranchKind, type TimingInfo } from './timing-info';
import { opensPair, pairable } from './pairing';

/** The pipelines' state between two issues, as the Wasm twin's slots hold it. */
export interface PipelineState {
  openU: TimingInfo | null;
  openUDataPhys: number;
  openUAgi: boolean;
  groupWrites: number;
  prevGroupWrites: number;
  lastPipe: Pipe;
  pendingBranch: boolean;
  branchEip: number;
  branchTaken: boolean;
  branchTarget: number;
  branchKind: BranchKind;
}

export class Pipeline {
  /** the pipe of the last issued instruction (for the branch penalty) */
  lastPipe: Pipe = Pipe.U;
  /** the instruction in U that may still take a V partner, or null */
  /** @internal exchanged with the Wasm twin (jit/timing/timing-runtime.ts) */
  openU: TimingInfo | null = null;
  /** @internal exchanged with the Wasm twin (jit/timing/timing-runtime.ts) */
  openUDataPhys = -1;
  /** @internal exchanged with the Wasm twin (jit/timing/timing-runtime.ts) */
  openUAgi = false;
  /** registers written by the issue group in progress (U, or U+V) */
  /** @internal exchanged with the Wasm twin (jit/timing/timing-runtime.ts) */
  groupWrites = 0;
  /** registers written by the previous issue group (AGI source) */
  /** @internal exchanged with the Wasm twin (jit/timing/timing-runtime.ts) */
  prevGroupWrites = 0;
  /** a branch recorded by branch() for the instruction about to issue */
  /** @internal exchanged with the Wasm twin (jit/timing/timing-runtime.ts) */
  pendingBranch = false;
  /** @internal exchanged with the Wasm twin (jit/timing/timing-runtime.ts) */
  branchEip = 0;
  /** @internal exchanged with the Wasm twin (jit/timing/timing-runtime.ts) */
  branchTaken = false;
  /** @internal exchanged with the Wasm twin (jit/timing/timing-runtime.ts) */
  branchTarget = 0;
  /** @internal exchanged with the Wasm twin (jit/timing/timing-runtime.ts) */
  branchKind: BranchKind = BranchKind.None;

  private readonly agiClocks: number;
  private readonly prefixClocks: number;
  private readonly bankConflictClocks: number;
  private readonly bankMask: number;

  constructor(
    config: Readonly<P54CConfig>,
    private readonly counters: Counters,
    readonly predictor: BranchPredictor,
    private readonly hierarchy: MemoryHierarchy,
  ) {
    this.agiClocks = config.agiClocks;
    this.prefixClocks = config.prefixClocks;
    this.bankConflictClocks = config.bankConflictClocks;
    // bank = (phys / bankBytes) mod banks: bits 2–4 for 8 banks of 4 bytes
    this.bankMask = (config.l1dBanks - 1) * config.l1dBankBytes;
  }

  /**
   * Issue one executed instruction. `memStall`: the clocks its fetch and data accesses
   * stalled (sum of MemoryHierarchy / page-walk results); `firstFetch`: it came from a
   * freshly filled code line; `dataPhys`: the physical address of its (first) data
   * access, or -1, for the bank-conflict rule. Returns the clocks it adds to the clock,
   * including the misprediction penalty of a branch recorded by branch(). Counts
   * instructions, pairs, AGI stalls and prefix clocks.
   */
  issue(info: TimingInfo, memStall: number, firstFetch: boolean, dataPhys = -1): number {
    const u = this.openU;
    let clocks = u !== null && !firstFetch && pairable(u, info) ? this.issueV(u, info, dataPhys) : this.issueU(info, firstFetch, dataPhys);
    if (this.pendingBranch) clocks += this.resolveBranch(this.lastPipe);
    this.counters.instructions++;
    this.hierarchy.now += clocks;
    return clocks + memStall;
  }

  /**
   * issue() for an instruction of a decoded block whose pairing with the block's
   * previous instruction `prev` was decided once at decode: `pairsPrev` must equal
   * pairable(prev, info) (a pure function of the two rows). When the open U
   * instruction is `prev` (the common case inside a block) that decision is reused;
   * otherwise it is taken here. Same result and state as issue().
   */
  issueAfter(info: TimingInfo, memStall: number, firstFetch: boolean, dataPhys: number, prev: TimingInfo | null, pairsPrev: boolean): number {
    const u = this.openU;
    let clocks =
      u !== null && !firstFetch && (u === prev ? pairsPrev : pairable(u, info)) ? this.issueV(u, info, dataPhys) : this.issueU(info, firstFetch, dataPhys);
    if (this.pendingBranch) clocks += this.resolveBranch(this.lastPipe);
    this.counters.instructions++;
    this.hierarchy.now += clocks;
    return clocks + memStall;
  }

  /** `info` joins `u` in the V pipe: the pair finishes when the longer one does. Returns its clocks beyond U's. */
  private issueV(u: TimingInfo, info: TimingInfo, dataPhys: number): number {
    this.openU = null;
    this.lastPipe = Pipe.V;
    this.groupWrites |= info.regsWritten;
    this.counters.pairs++;
    let clocks = info.clocks > u.clocks ? info.clocks - u.clocks : 0;
    if ((info.addrRegs & this.prevGroupWrites) !== 0 && !this.openUAgi) clocks += this.agi();
    if (dataPhys >= 0 && this.openUDataPhys >= 0 && ((dataPhys ^ this.openUDataPhys) & this.bankMask) === 0) clocks += this.bankConflict();
    return clocks;
  }

  /** `info` issues in the U pipe (alone, or as the first of a pair). */
  private issueU(info: TimingInfo, firstFetch: boolean, dataPhys: number): number {
    const prev = this.groupWrites;
    this.prevGroupWrites = prev;
    this.groupWrites = info.regsWritten;
    this.lastPipe = Pipe.U;
    this.openU = !firstFetch && opensPair(info) ? info : null;
    this.openUDataPhys = dataPhys;
    let clocks = info.clocks;
    if (info.prefixes !== 0) clocks += this.prefixes(info.prefixes);
    const agi = (info.addrRegs & prev) !== 0;
    this.openUAgi = agi;
    if (agi) clocks += this.agi();
    return clocks;
  }

  private agi(): number {
    this.counters.agiStalls++;
    return this.agiClocks;
  }

  private bankConflict(): number {
    this.counters.bankConflicts++;
    return this.bankConflictClocks;
  }

  private prefixes(n: number): number {
    const p = n * this.prefixClocks;
    this.counters.prefixClocks += p;
    return p;
  }

  /**
   * The instruction being executed is a near branch that resolved `taken` to
   * `target`. Call it while executing the instruction, before its issue(): the branch's
   * pipe is only known at issue, so the BTB update and any misprediction penalty are
   * applied by that issue() and included in its result; this returns 0. Far transfers
   * (BranchKind.Far) are not predicted: they serialize the pipes.
   */
  branch(eip: number, taken: boolean, target: number, kind: BranchKind): number {
    if (kind === BranchKind.Far) {
      this.serialize();
      return 0;
    }
    if (kind === BranchKind.None) return 0;
    this.pendingBranch = true;
    this.branchEip = eip;
    this.branchTaken = taken;
    this.branchTarget = target;
    this.branchKind = kind;
    return 0;
  }

  /** BTB update and penalty of the branch recorded by branch(), issued in `pipe`. */
  private resolveBranch(pipe: Pipe): number {
    this.pendingBranch = false;
    if (this.branchTaken) this.hierarchy.noteTakenBranch();
    const penalty = this.predictor.branch(this.branchEip, this.branchTaken, this.branchTarget, this.branchKind, pipe);
    // a misprediction flushes the pipes: nothing pairs across it
    if (penalty !== 0) this.openU = null;
    return penalty;
  }

  /** a snapshot of the state between two issues (the twin's hand-over reads the fields themselves; tests compare snapshots) */
  state(): PipelineState {
    const { openU, openUDataPhys, openUAgi, groupWrites, prevGroupWrites, lastPipe, pendingBranch, branchEip, branchTaken, branchTarget, branchKind } = this;
    return { openU, openUDataPhys, openUAgi, groupWrites, prevGroupWrites, lastPipe, pendingBranch, branchEip, branchTaken, branchTarget, branchKind };
  }

  /** Drain the pipes: the next instruction issues in U, with no AGI history. */
  serialize(): void {
    this.openU = null;
    this.openUDataPhys = -1;
    this.openUAgi = false;
    this.groupWrites = 0;
    this.prevGroupWrites = 0;
    this.lastPipe = Pipe.U;
    this.pendingBranch = false;
  }
}
