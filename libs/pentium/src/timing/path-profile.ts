// Kernel paths are charged by running a path profile on the same timing model as
// user code: its issue slots, its code lines through the code TLB and the code cache,
// and the kernel data it touches through the data TLB and the data cache. Cache and TLB
// state therefore carries across user and kernel exactly as it does for instructions.
import type { Counters } from './counters';
import type { MemoryHierarchy } from './memory-hierarchy';
import type { Pipeline } from './pipeline';
import type { Tlb } from './tlb';

export interface PathProfile {
  /** e.g. 'linux.native.syscall-entry' */
  name: string;
  /** dynamic instructions executed */
  instructions: number;
  /** share of them issued in the V pipe (0..1) */
  pairedFraction: number;
  /** clocks beyond 1 per issue slot (segment loads, pushes of the frame, …) */
  extraClocks: number;
  /** linear range of the path's code (I-cache + ITLB) */
  code: { start: number; bytes: number };
  /** where these numbers come from */
  source: string;
}

/**
 * The current address space as the kernel path sees it; the Machine implements it with
 * the CPU's paging unit. Used for the path's code and data addresses.
 */
export interface PathMmu {
  /** CR0.PG: when false, linear = physical and there are no TLB lookups. */
  readonly paging: boolean;
  /**
   * Physical address of `linear`, without timing side effects, or -1 when it is not
   * mapped. Sets `largePage`.
   */
  translate(linear: number): number;
  /** whether the last translate() went through a 4 MiB page */
  readonly largePage: boolean;
  /**
   * The hardware page walk after a TLB miss for `linear`: read the PDE (and PTE)
   * through the memory hierarchy, set the Accessed (and, for a write, Dirty) bits in
   * guest memory. Returns its clocks (TimingModel.pageWalk computes them).
   */
  walk(linear: number, write: boolean): number;
}

const DATA_ACCESS_BYTES = 4; // kernel objects are touched a dword at a time

export class PathCharger {
  constructor(
    private readonly counters: Counters,
    private readonly hierarchy: MemoryHierarchy,
    private readonly itlb: Tlb,
    private readonly dtlb: Tlb,
    private readonly pipeline: Pipeline,
    private readonly lineBytes: number,
  ) {}

  /**
   * Charge `profile` with the kernel data addresses `reads` and `writes` (linear, in
   * the current address space). Returns the clocks to add to the clock; counts the
   * instructions, pairs and every cache/TLB event.
   */
  charge(profile: PathProfile, mmu: PathMmu | null, reads?: ArrayLike<number>, writes?: ArrayLike<number>): number {
    checkProfile(profile);
    const c = this.counters;
    const paired = Math.round(profile.instructions * profile.pairedFraction);
    const issueClocks = profile.instructions - paired + profile.extraClocks;
    c.instructions += profile.instructions;
    c.pairs += paired;
    c.pathCharges++;
    this.pipeline.serialize();
    this.hierarchy.advance(issueClocks);

    let stall = 0;
    const { start, bytes } = profile.code;
    if (bytes > 0) {
      const lb = this.lineBytes;
      const paging = mmu !== null && mmu.paging;
      let page = -1;
      let pageBase = 0; // physical address of the current page's linear base
      for (let lin = start - (start % lb); lin < start + bytes; lin += lb) {
        const linear = lin >>> 0;
        let phys: number;
        if (!paging || mmu === null) phys = linear;
        else {
          if (linear >>> 12 !== page) {
            page = linear >>> 12;
            const p = translateOrThrow(mmu, linear, profile);
            pageBase = p - (linear & 0xfff);
            if (!this.itlb.lookup(linear, mmu.largePage)) stall += mmu.walk(linear, false);
          }
          phys = pageBase + (linear & 0xfff);
        }
        stall += this.hierarchy.fetch(phys, 1);
      }
      this.hierarchy.noteTakenBranch();
    }
    if (reads !== undefined) for (let i = 0; i < reads.length; i++) stall += this.data(reads[i] >>> 0, false, mmu, profile);
    if (writes !== undefined) for (let i = 0; i < writes.length; i++) stall += this.data(writes[i] >>> 0, true, mmu, profile);
    return issueClocks + stall;
  }

  private data(linear: number, write: boolean, mmu: PathMmu | null, profile: PathProfile): number {
    let stall = 0;
    let phys = linear;
    if (mmu !== null && mmu.paging) {
      phys = translateOrThrow(mmu, linear, profile);
      if (!this.dtlb.lookup(linear, mmu.largePage)) stall += mmu.walk(linear, write);
    }
    return stall + (write ? this.hierarchy.write(phys, DATA_ACCESS_BYTES) : this.hierarchy.read(phys, DATA_ACCESS_BYTES));
  }
}

function translateOrThrow(mmu: PathMmu, linear: number, profile: PathProfile): number {
  const phys = mmu.translate(linear);
  if (phys < 0) {
    throw new Error(`path profile ${profile.name}: linear address 0x${linear.toString(16)} is not mapped in the current address space`);
  }
  return phys;
}

function checkProfile(p: PathProfile): void {
  if (!(Number.isInteger(p.instructions) && p.instructions >= 0)) throw new Error(`path profile ${p.name}: instructions must be a non-negative integer, got ${p.instructions}`);
  if (!(p.pairedFraction >= 0 && p.pairedFraction <= 0.5)) {
    // at most every second instruction can issue in V
    throw new Error(`path profile ${p.name}: pairedFraction must be within [0, 0.5], got ${p.pairedFraction}`);
  }
  if (!(Number.isFinite(p.extraClocks) && p.extraClocks >= 0)) throw new Error(`path profile ${p.name}: extraClocks must be ≥ 0, got ${p.extraClocks}`);
  if (!(Number.isInteger(p.code.bytes) && p.code.bytes >= 0)) throw new Error(`path profile ${p.name}: code.bytes must be a non-negative integer, got ${p.code.bytes}`);
}

/** The clocks of a path with an ideal memory system (no misses), for cost tables and tests. */
export function pathIssueClocks(profile: PathProfile): number {
  return profile.instructions - Math.round(profile.instructions * profile.pairedFraction) + profile.extraClocks;
}
