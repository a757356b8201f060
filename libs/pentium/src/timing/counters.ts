// The machine's event counters: one object of plain numeric fields, incremented in
// place by the CPU, the timing model and the devices (no maps on the hot path), plus
// `kernel` for the counters a kernel defines (syscalls, contextSwitches, ipcs, …).

export class Counters {
  /** core clocks elapsed (kept by the run loop) */
  cycles = 0;
  /** instructions retired, kernel path profiles included */
  instructions = 0;
  /** instructions issued in the V pipe (paired with the preceding U instruction) */
  pairs = 0;
  /** instruction-cache misses (line fills) */
  l1iMisses = 0;
  /** data-cache read misses (line fills) */
  l1dMisses = 0;
  /** data-cache write misses (no allocation: the write goes to the write buffer) */
  l1dWriteMisses = 0;
  /** dirty data-cache lines written back on eviction or flush */
  l1dWritebacks = 0;
  /** L2 misses on line fills (code or data) */
  l2Misses = 0;
  /** DRAM transactions: line fills, single writes and line write-backs that missed L2 */
  dramAccesses = 0;
  /** clocks the core waited for a full write buffer or for the bus */
  writeBufferStalls = 0;
  itlbMisses = 0;
  dtlbMisses = 0;
  /** whole-TLB flushes (MOV CR3, CR0/CR4 paging changes) */
  tlbFlushes = 0;
  /** single-entry invalidations (INVLPG) */
  tlbInvalidations = 0;
  /** hardware page walks (one per TLB miss) */
  pageWalks = 0;
  /** near branches seen by the BTB */
  branches = 0;
  mispredictions = 0;
  /** exceptions and software interrupts delivered through the IDT */
  traps = 0;
  /** hardware interrupts delivered */
  interrupts = 0;
  /** address-generation interlock stalls (each one clock) */
  agiStalls = 0;
  /** clocks spent decoding prefixes */
  prefixClocks = 0;
  /** misaligned data accesses */
  misalignedAccesses = 0;
  /** U/V data-cache bank conflicts */
  bankConflicts = 0;
  /** kernel path profiles charged */
  pathCharges = 0;
  /** I/O port accesses to ports no device claims */
  unknownPortAccesses = 0;
  /** counters a kernel defines */
  kernel: Record<string, number> = {};

  /** Add n to the kernel-defined counter `name`. */
  bump(name: string, n = 1): void {
    this.kernel[name] = (this.kernel[name] ?? 0) + n;
  }

  /** A flat copy: every numeric field, and each kernel counter as `kernel.<name>`. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const key of Object.keys(this) as (keyof this & string)[]) {
      const v = this[key];
      if (typeof v === 'number') out[key] = v;
    }
    for (const name of Object.keys(this.kernel).sort()) out[`kernel.${name}`] = this.kernel[name];
    return out;
  }

  /** Zero every counter (kernel counters are removed). */
  reset(): void {
    for (const key of Object.keys(this) as (keyof this & string)[]) {
      if (typeof this[key] === 'number') (this as Record<string, unknown>)[key] = 0;
    }
    this.kernel = {};
  }
}
