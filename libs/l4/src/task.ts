// A task: an address space and its threads (L4 v2: up to 16 lthreads here).
import type { AddressSpace } from './address-space';
import type { Thread } from './tcb';

export class Task {
  readonly threads: (Thread | undefined)[] = [];
  constructor(
    readonly number: number,
    readonly space: AddressSpace,
  ) {}

  /** user code and data selectors of this task's threads (small spaces have their own) */
  get cs(): number {
    return this.selectors[0];
  }
  get ds(): number {
    return this.selectors[1];
  }
  selectors: [number, number] = [0, 0];
  /**
   * The task's user-level IDT (L4/x86: a thread's LIDT is emulated by the kernel): user
   * address and limit of a table of 8-byte gates. An exception whose gate is present is
   * reflected into the faulting thread itself (faults.ts); null = every exception goes
   * by IPC to the exception handler.
   */
  userIdt: { base: number; limit: number } | null = null;
}
