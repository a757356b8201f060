// `machine.timing`: the P54C timing model's parts built from one configuration and
// sharing one Counters object. The CPU uses the parts directly on its hot path:
//
//   stall  = timing.hierarchy.fetch(phys, length)            // code fetch
//   hit    = timing.itlb.lookup(linear, large) / timing.dtlb.lookup(linear, large)
//            (miss → the CPU walks the page tables; it charges timing.pageWalk(...))
//   stall += timing.hierarchy.read(phys, size) / write(phys, size)
//   cycles += timing.pipeline.issue(info, stall, timing.hierarchy.codeFirstPass, dataPhys)
//   cycles += timing.pipeline.branch(eip, taken, target, info.branch)
//
// and kernels charge their paths through timing.chargePath(profile, reads, writes).
import { Counters } from './counters';
import { P54C_CONFIG, type P54CConfig } from './p54c-config';
import { MemoryHierarchy } from './memory-hierarchy';
import { Tlb } from './tlb';
import { BranchPredictor } from './btb';
import { Pipeline } from './pipeline';
import { PathCharger, type PathMmu, type PathProfile } from './path-profile';
import { HEAP_ARRAYS, type StateArrays } from '../memory/linear-memory';

export class TimingModel {
  readonly hierarchy: MemoryHierarchy;
  readonly itlb: Tlb;
  readonly dtlb: Tlb;
  readonly predictor: BranchPredictor;
  readonly pipeline: Pipeline;
  private readonly charger: PathCharger;
  private mmu: PathMmu | null = null;

  constructor(
    readonly config: Readonly<P54CConfig> = P54C_CONFIG,
    readonly counters: Counters = new Counters(),
    /** where the tables live: the machine's linear memory (Machine), or the JS heap */
    arrays: StateArrays = HEAP_ARRAYS,
  ) {
    this.hierarchy = new MemoryHierarchy(config, counters, arrays);
    this.itlb = new Tlb(config.itlb, counters, 'code', arrays);
    this.dtlb = new Tlb(config.dtlb, counters, 'data', arrays);
    this.predictor = new BranchPredictor(config, counters, arrays);
    this.pipeline = new Pipeline(config, counters, this.predictor, this.hierarchy);
    this.charger = new PathCharger(counters, this.hierarchy, this.itlb, this.dtlb, this.pipeline, config.l1d.lineBytes);
  }

  /** The Machine installs the CPU's paging unit here so kernel paths walk real page tables. */
  setPathMmu(mmu: PathMmu | null): void {
    this.mmu = mmu;
  }

  /**
   * Charge a kernel path (see path-profile.ts). `reads`/`writes` are linear addresses
   * in the current address space. Returns the clocks; the caller adds them to the clock
   * (this method does not touch counters.cycles).
   */
  chargePath(profile: PathProfile, reads?: ArrayLike<number>, writes?: ArrayLike<number>): number {
    return this.charger.charge(profile, this.mmu, reads, writes);
  }

  /**
   * Clocks of one hardware page walk whose PDE is at `pdePhys` and PTE at `ptePhys`
   * (-1 for a 4 MiB page: no PTE), with `adUpdates` Accessed/Dirty bits set. The entry
   * reads go through the data cache (they can miss and evict as on hardware).
   */
  pageWalk(pdePhys: number, ptePhys: number, adUpdates: number): number {
    const cfg = this.config;
    this.counters.pageWalks++;
    const h = this.hierarchy;
    // the walker's own clocks pass on the hierarchy's clock before each entry read
    let clocks = cfg.pageWalkBaseClocks + cfg.pageWalkEntryClocks;
    h.advance(clocks);
    clocks += h.read(pdePhys, 4);
    if (ptePhys >= 0) {
      h.advance(cfg.pageWalkEntryClocks);
      clocks += cfg.pageWalkEntryClocks + h.read(ptePhys, 4);
    }
    const ad = adUpdates * cfg.pageWalkAdUpdateClocks;
    h.advance(ad);
    return clocks + ad;
  }

  /** MOV CR3 (and paging-mode changes): both TLBs empty. */
  flushTlbs(): void {
    this.itlb.flush();
    this.dtlb.flush();
    this.counters.tlbFlushes++;
  }

  /** INVLPG linear. */
  invlpg(linear: number): void {
    this.itlb.invalidate(linear);
    this.dtlb.invalidate(linear);
    this.counters.tlbInvalidations++;
  }

  /** Clocks that pass without executing (HLT until the next event): the bus drains. */
  idle(clocks: number): void {
    this.hierarchy.advance(clocks);
  }
}
