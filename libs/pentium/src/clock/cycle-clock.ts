// The machine's cycle clock: core clocks since reset, as a plain number (exact up to
// 2^53 clocks ≈ 2.1 years at 133 MHz). The run loop advances it; devices read it.
export class CycleClock {
  /** the current cycle */
  now = 0;

  constructor(readonly hz: number) {
    if (!(hz > 0)) throw new Error(`CycleClock: frequency must be positive, got ${hz}`);
  }

  /** Cycles → seconds (for reports; never used inside the emulator's decisions). */
  seconds(cycles = this.now): number {
    return cycles / this.hz;
  }
}
