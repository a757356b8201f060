// The one narrow interface the CPU takes from a device rather than a concrete class:
// its source of external maskable interrupts (devices/pic.ts's Pic implements it), so
// the CPU can be tested against a stub interrupt controller.

/** Source of external maskable interrupts (the 8259A PIC pair). */
export interface InterruptSource {
  /** an unmasked interrupt request is pending (INTR asserted) */
  hasInterrupt(): boolean;
  /** INTA cycle: returns the vector and marks the request in service */
  acknowledge(): number;
}
