// The L4 µ-kernel (Liedtke's Pentium implementation) as a TypeScript kernel entered
// through real traps. See ipc.ts for the system-call ABI.
export * from './layout';
export * from './thread-id';
export * from './fpage';
export * from './address-space';
export * from './frame-pool';
export * from './mapping-db';
export type { KernelMachine, KernelCpu, GuestMemory } from './machine-port';
