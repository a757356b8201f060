// The kernel's entry stubs, written into kernel text at boot: real instructions plus
// the emulator's HOSTCALL (0F 3F iw), which runs the TypeScript handler (contracts.md).
// Every entry leaves an error-code slot on the kernel stack above the frame for the
// fault stubs (vectors without one push a 0), so a thread blocked in any fault stub
// resumes by "ADD ESP,4; IRET"; the system-call and IRQ stubs resume by "IRET".
import { ERROR_CODE_VECTORS, STUB_ADD_ESP_4 as ADD_ESP_4, STUB_IDLE_LOOP, STUB_IRET as IRET, STUB_PUSH_0 as PUSH_0, StubEmitter, hostcallBytes } from '@mklab/pentium';
import { IRQ_VECTOR_BASE, KERNEL_CS, KERNEL_TEXT, SYSCALL_VECTOR } from './layout';

/** HOSTCALL ids of the L4 kernel (0x0400–0x04FF). */
export const HC = {
  IPC: 0x400,
  ID_NEAREST: 0x401,
  FPAGE_UNMAP: 0x402,
  THREAD_SWITCH: 0x403,
  THREAD_SCHEDULE: 0x404,
  LTHREAD_EX_REGS: 0x405,
  TASK_NEW: 0x406,
  PAGE_FAULT: 0x410,
  BOOT: 0x411,
  EXCEPTION: 0x420, // + vector 0..31
  IRQ: 0x440, // + irq 0..15
  /** user-level TypeScript threads (fromUser), one id each */
  USER_FIRST: 0x480,
  USER_LAST: 0x4ff,
} as const;

export interface StubAddresses {
  /** by system-call vector 0x30..0x36 */
  syscalls: Map<number, number>;
  /** IRET alone: where a thread that never ran is resumed (its frame is at the top of its stack) */
  resumeNew: number;
  pageFault: number;
  /** by exception vector 0..31 */
  exceptions: number[];
  /** by IRQ 0..15 */
  irqs: number[];
  idle: number;
  boot: number;
  end: number;
}


/** The hostcall-id → resume offset: the handler returns to the instruction after its HOSTCALL. */
export function assembleStubs(write: (phys: number, bytes: number[]) => void, linearOf: (phys: number) => number): StubAddresses {
  const stubs = new StubEmitter(KERNEL_TEXT, write, linearOf);
  const emit = stubs.emit.bind(stubs);
  const syscalls = new Map<number, number>();
  const ids: [number, number][] = [
    [SYSCALL_VECTOR.IPC, HC.IPC],
    [SYSCALL_VECTOR.ID_NEAREST, HC.ID_NEAREST],
    [SYSCALL_VECTOR.FPAGE_UNMAP, HC.FPAGE_UNMAP],
    [SYSCALL_VECTOR.THREAD_SWITCH, HC.THREAD_SWITCH],
    [SYSCALL_VECTOR.THREAD_SCHEDULE, HC.THREAD_SCHEDULE],
    [SYSCALL_VECTOR.LTHREAD_EX_REGS, HC.LTHREAD_EX_REGS],
    [SYSCALL_VECTOR.TASK_NEW, HC.TASK_NEW],
  ];
  for (const [vector, id] of ids) syscalls.set(vector, emit([...hostcallBytes(id), IRET]));
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
  // jmp far KERNEL_CS:next ; next: HOSTCALL BOOT (the handler enters the first thread)
  const boot = emit((self) => {
    const next = self + 7;
    return [0xea, next & 0xff, (next >>> 8) & 0xff, (next >>> 16) & 0xff, next >>> 24, KERNEL_CS & 0xff, KERNEL_CS >> 8, ...hostcallBytes(HC.BOOT)];
  });
  return { syscalls, resumeNew, pageFault, exceptions, irqs, idle, boot, end: stubs.end };
}

/** Where the IRQ stubs are in the IDT. */
export const irqVector = (irq: number): number => IRQ_VECTOR_BASE + irq;

/**
 * The user-level loop of a thread written in TypeScript (sigma0, test pagers, the
 * L4Linux server's threads):
 *
 *   loop: HOSTCALL id ; INT 0x30 ; JMP loop ; INT 0x31 ; JMP loop ; … ; INT 0x36 ; JMP loop
 *
 * The handler runs at CPL 3 (registered fromUser), reads the result of the last system
 * call from the registers and sets the registers of the next; by default the loop
 * continues into INT 0x30 (IPC), and the handler may point EIP at another vector's
 * INT (userLoopSyscallOffset) for ex_regs, task_new, fpage_unmap, ….
 */
export function userLoopBytes(hostcallId: number): number[] {
  const out = hostcallBytes(hostcallId);
  for (let v = SYSCALL_VECTOR.IPC; v <= SYSCALL_VECTOR.TASK_NEW; v++) {
    const next = out.length + 4;
    out.push(0xcd, v, 0xeb, (-next) & 0xff);
  }
  return out;
}

/** Bytes of one user loop. */
export const USER_LOOP_BYTES = 4 + 4 * (SYSCALL_VECTOR.TASK_NEW - SYSCALL_VECTOR.IPC + 1);

/** Offset of the INT for `vector` (0x30–0x36) inside a user loop. */
export function userLoopSyscallOffset(vector: number): number {
  if (!(Number.isInteger(vector) && vector >= SYSCALL_VECTOR.IPC && vector <= SYSCALL_VECTOR.TASK_NEW)) {
    throw new Error(`user loop: 0x${vector.toString(16)} is not an L4 system-call vector (0x30–0x36)`);
  }
  return 4 + 4 * (vector - SYSCALL_VECTOR.IPC);
}
