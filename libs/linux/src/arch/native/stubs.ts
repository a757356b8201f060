// The kernel's entry stubs, written into kernel text at boot: real instructions plus
// the emulator's HOSTCALL (0F 3F iw), which runs the TypeScript handler. What real
// Linux does around them (SAVE_ALL, the call through sys_call_table, ret_from_sys_call,
// RESTORE_ALL) is charged by the path profiles in costs.ts.

import { ERROR_CODE_VECTORS, STUB_ADD_ESP_4 as ADD_ESP_4, STUB_IDLE_LOOP, STUB_IRET as IRET, StubEmitter, hostcallBytes as hostcall } from '@mklab/pentium';
import { KERNEL_TEXT } from './layout';

/** Hostcall ids of native Linux (0x0100–0x01FF). */
export const HC = {
  SYSCALL: 0x100,
  RESUME: 0x101,
  PAGE_FAULT: 0x102,
  DEVICE_NOT_AVAILABLE: 0x103,
  TIMER: 0x104,
  IRQ: 0x110, // + irq number (spurious / unused lines)
  TRAP: 0x140, // + exception vector
} as const;

export interface StubAddresses {
  systemCall: number;
  resume: number;
  pageFault: number;
  deviceNotAvailable: number;
  timer: number;
  idle: number;
  /** per exception vector 0..31 */
  traps: number[];
  /** per IRQ 0..15 (IRQ 0 = timer) */
  irqs: number[];
  end: number;
}


/** Assembles the stubs at KERNEL_TEXT; returns their addresses (kernel offsets = physical). */
export function assembleStubs(write: (addr: number, bytes: number[]) => void): StubAddresses {
  // entry points 16-byte aligned, as ENTRY() in linkage.h aligns them
  const stubs = new StubEmitter(KERNEL_TEXT, write);
  const emit = stubs.emit.bind(stubs);
  const systemCall = emit([...hostcall(HC.SYSCALL), IRET]);
  const resume = emit([...hostcall(HC.RESUME), IRET]);
  const pageFault = emit([...hostcall(HC.PAGE_FAULT), ...ADD_ESP_4, IRET]);
  const deviceNotAvailable = emit([...hostcall(HC.DEVICE_NOT_AVAILABLE), IRET]);
  const timer = emit([...hostcall(HC.TIMER), IRET]);
  // sti; hlt; jmp idle  (2.0's sys_idle: hlt until an interrupt, then schedule)
  const idle = emit(STUB_IDLE_LOOP);
  const traps: number[] = [];
  for (let v = 0; v < 32; v++) {
    if (v === 14) traps.push(pageFault);
    else if (v === 7) traps.push(deviceNotAvailable);
    else traps.push(emit(ERROR_CODE_VECTORS.has(v) ? [...hostcall(HC.TRAP + v), ...ADD_ESP_4, IRET] : [...hostcall(HC.TRAP + v), IRET]));
  }
  const irqs: number[] = [timer];
  for (let i = 1; i < 16; i++) irqs.push(emit([...hostcall(HC.IRQ + i), IRET]));
  return { systemCall, resume, pageFault, deviceNotAvailable, timer, idle, traps, irqs, end: stubs.end };
}
