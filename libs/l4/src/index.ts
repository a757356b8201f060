// The L4 µ-kernel (Liedtke's Pentium implementation) as a TypeScript kernel entered
// through real traps. See ipc.ts for the system-call ABI.
export * from './layout';
export * from './thread-id';
export * from './fpage';
export * from './address-space';
export * from './frame-pool';
export * from './mapping-db';
export type { KernelMachine, KernelCpu, GuestMemory } from '@mklab/pentium';
export * from './ipc-abi';
export * from './stubs';
export * from './costs';
export { L4Kernel, type L4BootOptions, type BootTaskSpec, type UserThreadContext, type UserThreadStep } from './kernel';
export { Thread, ThreadState } from './tcb';
export { Task } from './task';
export { Scheduler } from './scheduler';
export { Sigma0, ANY_PAGE } from './sigma0';
