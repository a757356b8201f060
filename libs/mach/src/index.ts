// The Mach 3 µ-kernel (OSF flavour) as a TypeScript kernel entered through real traps.
export * from './layout';
export * from './message';
export * from './costs';
export * from './stubs';
export { MachKernel, TRAP, le32, type MachBootOptions, type UserThreadContext, type UserThreadStep } from './kernel';
export { Task } from './task';
export { Thread, ThreadState } from './thread';
export { Port, QLIMIT_DEFAULT } from './port';
export { IpcSpace } from './ipc-space';
export { VmMap, VmError, VM_PROT_READ, VM_PROT_WRITE, VM_PROT_DEFAULT } from './vm-map';
export { VmObject } from './vm-object';
export { setPager, supplyPhysicalPage, flushPages, abortPageWait } from './pager';
export { destroyPort } from './mach-msg';
export { replyState, requestState, raiseException, threadGetState, threadSetState } from './exceptions';
export { kernelMessage } from './mach-msg';
export type { KMsg } from './kmsg';
