// @mklab/pentium: the emulated 133 MHz Pentium (P54C) PC.
export * from './memory/physical-memory';
export * from './cpu/registers';
export * from './cpu/descriptors';
export { Cpu, GuestFault, TripleFault, MOV_CR3_CLOCKS, type HostcallHandler, type HostcallEntry, type CpuOptions } from './cpu/cpu';
export { INSTRUCTION_TABLE, type InsnRow, type TimingSpec } from './cpu/instruction-table';
export { decodeInsn } from './cpu/decoder';
export { Insn } from './cpu/decoder-types';
export { CPUID_SIGNATURE, CPUID_FEATURES } from './cpu/ops/system';
export { TASK_SWITCH_CLOCKS } from './cpu/task-switch';
export { INT_SAME_PL_CLOCKS, INT_STACK_SWITCH_EXTRA_CLOCKS, IRET_SAME_PL_CLOCKS, IRET_OUTER_PL_EXTRA_CLOCKS } from './cpu/exceptions';
export * from './timing';
export * from './devices';
export * from './clock/event-queue';
export { X87 } from './fpu/x87';
export type { FpuHost } from './fpu/fpu-host';
export * from './machine';
export * from './util/prng';
export * from './kernel-port';
