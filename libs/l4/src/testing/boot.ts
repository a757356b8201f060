// Test harness: a fresh machine with the L4 kernel booted, and a stop hook for guests.
import { Machine, attachTestMarks } from '@mklab/pentium';
import { L4Kernel, type L4BootOptions } from '../kernel';
import type { KernelMachine } from '@mklab/pentium';

/** HOSTCALL id of the tests' user-level "mark" hook (records the cycle, may stop the run). */
export const TEST_MARK = 0x7f00;

export function bootL4(options: L4BootOptions = {}) {
  const machine = new Machine();
  const km: KernelMachine = machine;
  const kernel = new L4Kernel(km, options);
  return { machine, kernel, ...attachTestMarks(machine, TEST_MARK) };
}

/** Register values a user-level TypeScript thread sets for an open wait (no send phase). */
export function openWait(cpu: { setReg(r: number, v: number): void }): void {
  cpu.setReg(0, 0xffffffff); // EAX: no send
  cpu.setReg(5, 1); // EBP: open receive, registers only
  cpu.setReg(1, 0); // ECX: never
}
