// The narrow interfaces the CPU needs from the parts other engineers own (timing
// model, devices, x87). The concrete classes in timing/, devices/ and fpu/ satisfy
// them structurally; the CPU depends on nothing else from them.

import type { BranchKind, TimingInfo } from '../timing/timing-info';
import type { Cpu } from './cpu';

/** U/V pipe issue model and branch prediction (timing/pipeline.ts). */
export interface PipelinePort {
  /** clocks to add for issuing `info` (0 when it pairs into the V pipe with the previous one) */
  issue(info: TimingInfo, memStallCycles: number, firstFetchOfLine: boolean): number;
  /** clocks to add for the branch at `eip` (BTB lookup, misprediction penalty) */
  branch(eip: number, taken: boolean, target: number, kind: BranchKind): number;
  /** a serializing event (exception, interrupt, far transfer) empties the pipes */
  flush?(): void;
}

/** L1 I/D caches, L2 and memory (timing/memory-hierarchy.ts). Each returns stall clocks. */
export interface HierarchyPort {
  fetchLine(phys: number): number;
  read(phys: number, size: number): number;
  write(phys: number, size: number): number;
}

/** One of the P54C TLBs (timing/tlb.ts): true on a hit; a miss fills the entry. */
export interface TlbPort {
  lookup(linear: number, isLargePage?: boolean): boolean;
  flush(): void;
  invalidate(linear: number): void;
}

/** Counters the CPU increments (timing/counters.ts holds the full set). */
export interface CpuCounters {
  cycles: number;
  instructions: number;
  traps: number;
  interrupts: number;
  tlbFlushes: number;
  itlbMisses: number;
  dtlbMisses: number;
}

export interface IoPort {
  in(port: number, size: 1 | 2 | 4): number;
  out(port: number, size: 1 | 2 | 4, value: number): void;
}

/** Source of external maskable interrupts (the 8259A PIC pair). */
export interface InterruptSource {
  /** an unmasked interrupt request is pending */
  hasInterrupt(): boolean;
  /** INTA cycle: returns the vector and marks the request in service */
  acknowledge(): number;
}

/** The x87 unit (fpu/x87.ts). */
export interface FpuPort {
  execute(cpu: Cpu, opcode: number, modrm: number, linearAddr: number): void;
  /** clocks of the form (the x87 engineer's timing row); optional until provided */
  clocks?(opcode: number, modrm: number): number;
  reset?(): void;
}
