// The machine code kernels write into their text for trap-entry stubs (contracts.md,
// "Kernel entry: HOSTCALL"): the HOSTCALL encoding, the few real instructions every
// stub ends with, which exceptions push an error code, and an emitter that places
// entry points 16-byte aligned (as Linux's ENTRY() and L4's and Mach's entry code do).

/** Exceptions that push an error code (Intel vol. 3, "Exception and Interrupt Reference"). */
export const ERROR_CODE_VECTORS: ReadonlySet<number> = new Set([8, 10, 11, 12, 13, 14, 17]);

/** HOSTCALL imm16: 0F 3F iw (undefined on a real P54C). */
export const hostcallBytes = (id: number): number[] => [0x0f, 0x3f, id & 0xff, (id >> 8) & 0xff];

export const STUB_IRET = 0xcf;
/** ADD ESP,4: drops the error code before IRET */
export const STUB_ADD_ESP_4: readonly number[] = [0x83, 0xc4, 0x04];
/** PUSH 0: a dummy error code, so every exception frame has the same shape */
export const STUB_PUSH_0: readonly number[] = [0x6a, 0x00];
/** STI; HLT; JMP back to the STI: the idle loop */
export const STUB_IDLE_LOOP: readonly number[] = [0xfb, 0xf4, 0xeb, 0xfc];

/** Places stubs one after another from `start`, each entry point 16-byte aligned. */
export class StubEmitter {
  private at: number;

  constructor(
    start: number,
    private readonly write: (addr: number, bytes: number[]) => void,
    /** the address a stub is entered at, from the address it is written at */
    private readonly linearOf: (addr: number) => number = (a) => a,
  ) {
    this.at = start;
  }

  /** Writes one stub (or the bytes computed from its own entry address) and returns its entry address. */
  emit(bytes: readonly number[] | ((self: number) => number[])): number {
    this.at = (this.at + 15) & ~15;
    const start = this.at;
    const b = typeof bytes === 'function' ? bytes(this.linearOf(start)) : [...bytes];
    this.write(start, b);
    this.at += b.length;
    return this.linearOf(start);
  }

  /** the first address after the last stub (as written, not linear) */
  get end(): number {
    return this.at;
  }
}
