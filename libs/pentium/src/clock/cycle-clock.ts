// The machine's cycle clock: core clocks since reset, as a plain number (exact up to
// 2^53 clocks ≈ 2.1 years at 133 MHz). The run loop advances it; devices read it.
// Given a `source` (the Counters object, whose `cycles` the CPU advances on every
// instruction), the clock is that counter: a device read from a kernel's TypeScript in
// the middle of a slice then sees the exact current cycle, with nothing to keep in sync.
export class CycleClock {
  private own = 0;

  constructor(
    readonly hz: number,
    private readonly source: { cycles: number } | null = null,
  ) {
    if (!(hz > 0)) throw new Error(`CycleClock: frequency must be positive, got ${hz}`);
  }

  /** the current cycle */
  get now(): number {
    return this.source !== null ? this.source.cycles : this.own;
  }

  set now(cycle: number) {
    if (this.source !== null) this.source.cycles = cycle;
    else this.own = cycle;
  }

  /** Cycles → seconds (for reports; never used inside the emulator's decisions). */
  seconds(cycles = this.now): number {
    return cycles / this.hz;
  }
}
