// The kernel's entry stubs, written into kernel text at boot: real instructions plus
// the emulator's HOSTCALL (0F 3F iw) that runs the TypeScript handler (contracts.md).
// Exception stubs push a 0 where the CPU pushes no error code, so every fault stub
// resumes by "ADD ESP,4; IRET"; trap and IRQ stubs resume by "IRET".
import { ERROR_CODE_VECTORS, STUB_ADD_ESP_4 as ADD_ESP_4, STUB_IDLE_LOOP, STUB_IRET as IRET, STUB_PUSH_0 as PUSH_0, StubEmitter, hostcallBytes } from '@mklab/pentium';
import { IRQ_VECTOR_BASE, KERNEL_CS, KERNEL_TEXT, MACH_TRAP_VECTOR } from './layout';

/** HOSTCALL ids of the Mach kernel (0x0500–0x05FF). */
export const HC = {
  MACH_TRAP: 0x500,
  UNIX_SYSCALL: 0x501,
  PAGE_FAULT: 0x502,
  BOOT: 0x503,
  EXCEPTION: 0x520, // + vector 0..31
  IRQ: 0x540, // + irq 0..15
  /** user-level TypeScript threads (fromUser), one id each */
  USER_FIRST: 0x580,
  USER_LAST: 0x5ff,
} as const;

export interface StubAddresses {
  machTrap: number;
  unixSyscall: number;
  resumeNew: number;
  pageFault: number;
  exceptions: number[];
  irqs: number[];
  idle: number;
  boot: number;
  end: number;
}


export function assembleStubs(write: (phys: number, bytes: number[]) => void, linearOf: (phys: number) => number): StubAddresses {
  const stubs = new StubEmitter(KERNEL_TEXT, write, linearOf);
  const emit = stubs.emit.bind(stubs);
  const machTrap = emit([...hostcallBytes(HC.MACH_TRAP), IRET]);
  const unixSyscall = emit([...hostcallBytes(HC.UNIX_SYSCALL), IRET]);
  const resumeNew = emit([IRET]);
  const pageFault = emit([...hostcallBytes(HC.PAGE_FAULT), ...ADD_ESP_4, IRET]);
  const exceptions: number[] = [];
  for (let v = 0; v < 32; v++) {
    if (v === 14) exceptions.push(pageFault);
    else exceptions.push(emit([...(ERROR_CODE_VECTORS.has(v) ? [] : PUSH_0), ...hostcallBytes(HC.EXCEPTION + v), ...ADD_ESP_4, IRET]));
  }
  const irqs: number[] = [];
  for (let i = 0; i < 16; i++) irqs.push(emit([...hostcallBytes(HC.IRQ + i), IRET]));
  const idle = emit(STUB_IDLE_LOOP);
  const boot = emit((self) => {
    const next = self + 7;
    return [0xea, next & 0xff, (next >>> 8) & 0xff, (next >>> 16) & 0xff, next >>> 24, KERNEL_CS & 0xff, KERNEL_CS >> 8, ...hostcallBytes(HC.BOOT)];
  });
  return { machTrap, unixSyscall, resumeNew, pageFault, exceptions, irqs, idle, boot, end: stubs.end };
}

export const irqVector = (irq: number): number => IRQ_VECTOR_BASE + irq;

/**
 * The user-level loop of a thread written in TypeScript (test servers, pagers,
 * exception handlers; later the MkLinux server's threads):
 *   loop: HOSTCALL id ; INT 0x81 ; JMP loop
 * The step reads the last trap's result (EAX) and sets up the next trap.
 */
export function userLoopBytes(hostcallId: number): number[] {
  return [...hostcallBytes(hostcallId), 0xcd, MACH_TRAP_VECTOR, 0xeb, 0xf8];
}
export const USER_LOOP_BYTES = 8;
