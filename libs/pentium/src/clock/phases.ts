// Phase accounting: every simulated cycle belongs to exactly one named phase of the
// system's work (user code, kernel entry, the kernel's work, IPC with the call, …).
// Kernels and arch layers switch the current phase at their own transitions (a trap
// they handle, an IPC they start, a request their server picks up, the return to user
// mode); the machine keeps one cumulative cycle count per phase; a guest program reads
// them itself with the pseudo performance counters below and so measures a per-phase
// breakdown of what it timed. contracts.md "Phase accounting" is the description.
//
// Cost: nothing per instruction or per block. A switch is a few arithmetic operations in
// a kernel's TypeScript (at most a handful per system call); the CPU stores one number
// per trap (`Cpu.trapCycle`) and calls `Cpu.onUserReturn` on an IRET to CPL 3 only while
// a kernel has asked for a switch there.
//
// Exactness: the phases partition the cycle counter. At any instant the phase counts
// add up to the cycles since reset, so deltas of one latched snapshot (RDPMC
// PHASE_PMC_LATCH) add up exactly to the TSC delta of the same snapshots.

/** The phase ids: THE list (kernels, the guest's getpid.c table and libs/lab read names from here). */
export const PHASES = [
  { id: 0, name: 'none', description: 'not attributed: before any kernel marked a phase, or on a system whose kernels do not mark phases' },
  { id: 1, name: 'user', description: "the program's own code in user mode (its libc included)" },
  { id: 2, name: 'entry', description: "kernel entry: the trap's hardware delivery (INT, exception, IRQ) and the kernel's entry path up to the handler" },
  { id: 3, name: 'kernel', description: "the operating system's work on the request: the system call in a kernel, or in a user-level server (L4Linux's Linux server)" },
  { id: 4, name: 'exit', description: 'kernel exit: from the end of the handler to the first user instruction (the IRET included)' },
  { id: 5, name: 'irq', description: 'hardware interrupt handling (the trap, the handler, until the kernel marks another phase)' },
  { id: 6, name: 'idle', description: 'the kernel idles (HLT)' },
  { id: 7, name: 'emu_enter', description: "L4Linux: the emulation library in the process, from its entry to the INT of its IPC" },
  { id: 8, name: 'ipc_call', description: 'IPC with the call: from the trap of a call (send + closed receive) until the server starts on the request' },
  { id: 9, name: 'ipc_reply', description: 'IPC with the reply: from the server finishing the request until the client runs again' },
  { id: 10, name: 'emu_leave', description: 'L4Linux: the emulation library after the reply, until it returns to the program' },
  { id: 11, name: 'reflect', description: 'an exception reflected by a µ-kernel to a user-level handler (L4Linux trampoline: #GP → handler thread → ex_regs), until the next mark' },
] as const;

export type PhaseName = (typeof PHASES)[number]['name'];

/** Phase ids by name (PHASE.IPC_CALL === 8). */
export const PHASE = {
  NONE: 0,
  USER: 1,
  ENTRY: 2,
  KERNEL: 3,
  EXIT: 4,
  IRQ: 5,
  IDLE: 6,
  EMU_ENTER: 7,
  IPC_CALL: 8,
  IPC_REPLY: 9,
  EMU_LEAVE: 10,
  REFLECT: 11,
} as const;

export type PhaseId = (typeof PHASE)[keyof typeof PHASE];

export const PHASE_COUNT = PHASES.length;

/**
 * RDPMC (0F 33) with ECX = PHASE_PMC_BASE + id returns, in EDX:EAX, the cycles of phase
 * `id` as of the last latch; ECX = PHASE_PMC_LATCH latches every phase count at this
 * instant and returns the TSC of that instant. Readable at every CPL (no CR4.PCE gate):
 * an emulator instrument, documented in contracts.md. Any other ECX raises #GP(0), as
 * RDPMC does on real processors for an unsupported counter (0x4D4B = "MK"; bit 30 set:
 * on Intel processors that is the fixed-counter range, where these indices do not exist).
 */
export const PHASE_PMC_BASE = 0x4d4b0000;
export const PHASE_PMC_LATCH = 0x4d4bffff;

/**
 * User-level phase marks: `HOSTCALL PHASE_MARK_HOSTCALL + id` (0F 3F iw, 0 cycles)
 * switches to phase `id`. For code a kernel itself places in user mode (L4Linux's
 * emulation library: where control enters and leaves it is invisible to any kernel);
 * registered by that kernel with registerUserPhaseMarks, honoured only at the addresses
 * it allows (elsewhere the mark does nothing).
 */
export const PHASE_MARK_HOSTCALL = 0xfe00;

/** The bytes of a user-level phase mark (HOSTCALL PHASE_MARK_HOSTCALL + phase). */
export function phaseMarkBytes(phase: number): number[] {
  checkPhase(phase);
  const id = PHASE_MARK_HOSTCALL + phase;
  return [0x0f, 0x3f, id & 0xff, id >>> 8];
}

/** Registers the user-level marks of `phases`, honoured where `allowed(eip)` (EIP after the mark). */
export function registerUserPhaseMarks(
  machine: {
    readonly hostcalls: { register(id: number, name: string, handler: () => void, opts?: { fromUser?: boolean }): void };
    readonly cpu: { readonly eip: number };
    readonly phases: PhaseMarks;
  },
  owner: string,
  phases: readonly number[],
  allowed: (eip: number) => boolean,
): void {
  for (const p of phases) {
    checkPhase(p);
    machine.hostcalls.register(
      PHASE_MARK_HOSTCALL + p,
      `${owner}.phase.${PHASES[p].name}`,
      () => {
        if (allowed(machine.cpu.eip)) machine.phases.enter(p);
      },
      { fromUser: true },
    );
  }
}

/** The narrow interface kernels mark phases through (KernelMachine.phases). */
export interface PhaseMarks {
  /** the current phase */
  readonly current: number;
  /** Switch to `phase` now. */
  enter(phase: number): void;
  /** Switch to `phase` from the start of the trap that entered the kernel (the INT/exception/IRQ delivery included). */
  enterSinceTrap(phase: number): void;
  /** Switch to `phase` when the CPU next completes an IRET to CPL 3 (after that IRET's clocks). */
  enterOnUserReturn(phase: number): void;
}

/** What PhaseClock needs from the CPU: the cycle counter, the trap record and the user-return hook. */
export interface PhaseCpu {
  trapCycle: number;
  onUserReturn: (() => void) | null;
  requestStop(): void;
}

export class PhaseClock implements PhaseMarks {
  private readonly acc = new Float64Array(PHASE_COUNT);
  private readonly latched = new Float64Array(PHASE_COUNT);
  private cur = 0;
  /** cycle of the last switch */
  private since = 0;
  /** phase to enter at the next return to user mode, -1 none */
  private armed = -1;
  /** an IRET to CPL 3 happened with a switch armed: applied by settle() */
  private returned = false;
  private readonly fire = (): void => {
    this.returned = true;
    this.cpu.onUserReturn = null;
    // end the CPU's slice after this IRET (its clocks charged) so that settle() runs at
    // the first user instruction: the CPU checks for a stop between blocks anyway
    this.cpu.requestStop();
  };

  constructor(
    private readonly counters: { cycles: number },
    private readonly cpu: PhaseCpu,
  ) {}

  get current(): number {
    return this.cur;
  }

  /** True when settle() has a switch to apply (the run loop calls it). */
  get pending(): boolean {
    return this.returned;
  }

  enter(phase: number): void {
    this.switchAt(phase, this.counters.cycles);
  }

  enterSinceTrap(phase: number): void {
    this.switchAt(phase, this.cpu.trapCycle);
  }

  enterOnUserReturn(phase: number): void {
    checkPhase(phase);
    this.armed = phase;
    this.returned = false;
    this.cpu.onUserReturn = this.fire;
  }

  /** Applies an armed switch whose IRET has completed (Machine.run calls this when `pending`). */
  settle(): void {
    if (!this.returned) return;
    this.returned = false;
    const p = this.armed;
    this.armed = -1;
    this.switchAt(p, this.counters.cycles);
  }

  /** Cycles spent in `phase` up to now. */
  read(phase: number): number {
    checkPhase(phase);
    this.settle();
    return this.acc[phase] + (phase === this.cur ? this.counters.cycles - this.since : 0);
  }

  /** Every phase's cycles up to now (a copy). */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of PHASES) out[p.name] = this.read(p.id);
    return out;
  }

  /** Latches every phase count at this instant (RDPMC PHASE_PMC_LATCH). */
  latch(): void {
    for (let p = 0; p < PHASE_COUNT; p++) this.latched[p] = this.read(p);
  }

  /** The latched count of `phase` (RDPMC PHASE_PMC_BASE + phase). */
  readLatched(phase: number): number {
    return this.latched[phase];
  }

  /**
   * The RDPMC semantics (see PHASE_PMC_BASE): the 64-bit value for counter `ecx`, or -1
   * for a counter that does not exist (the CPU raises #GP(0)). `tsc` is the TSC now.
   */
  pmc(ecx: number, tsc: number): number {
    if (ecx === PHASE_PMC_LATCH) {
      this.latch();
      return tsc;
    }
    const p = ecx - PHASE_PMC_BASE;
    if (p >= 0 && p < PHASE_COUNT) return this.latched[p];
    return -1;
  }

  private switchAt(phase: number, at: number): void {
    checkPhase(phase);
    this.settle();
    const now = this.counters.cycles;
    // a retroactive switch never reaches back past the previous switch (or into the future)
    const t = at < this.since ? this.since : at > now ? now : at;
    this.acc[this.cur] += t - this.since;
    this.since = t;
    this.cur = phase;
  }
}

function checkPhase(phase: number): void {
  if (!(Number.isInteger(phase) && phase >= 0 && phase < PHASE_COUNT)) throw new Error(`phases: no phase ${phase} (0..${PHASE_COUNT - 1}, clock/phases.ts)`);
}

/** The name of a phase id. */
export function phaseName(id: number): PhaseName {
  checkPhase(id);
  return PHASES[id].name;
}
