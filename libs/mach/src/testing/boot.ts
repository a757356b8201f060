// Test harness: a fresh machine with the Mach kernel booted, and a mark hook for guests.
import { Machine, attachTestMarks } from '@mklab/pentium';
import { MachKernel, type MachBootOptions } from '../kernel';
import type { KernelMachine } from '@mklab/pentium';

/** HOSTCALL id of the tests' user-level "mark" hook (records the cycle and registers, may stop the run). */
export const TEST_MARK = 0x7f10;

export function bootMach(options: MachBootOptions = {}) {
  const machine = new Machine();
  const km: KernelMachine = machine;
  const kernel = new MachKernel(km, options);
  return { machine, kernel, ...attachTestMarks(machine, TEST_MARK) };
}

/** Little-endian dwords as bytes. */
export const dwords = (...v: number[]): number[] => v.flatMap((x) => [x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff]);
