// The emulated PC: 64 MiB of memory, the P54C CPU with its timing model, the x87,
// the 8259A PICs, the 8254 PIT, the console, the I/O bus, the cycle clock with its
// event queue, the HOSTCALL registry, and the run loop.
//
// Run loop: the CPU runs in slices that end at the next device event (so events fire
// at their cycle, give or take one basic block), at the budget, or after SLICE_CYCLES
// (when the AbortSignal and onProgress are looked at). HLT skips the clock to the next
// event. The run is a pure function of its inputs: slicing never changes the state the
// guest sees.

import { PhysicalMemory } from './memory/physical-memory';
import { Cpu, type HostcallHandler } from './cpu/cpu';
import { Counters } from './timing/counters';
import { P54C_CONFIG, type P54CConfig } from './timing/p54c-config';
import { TimingModel } from './timing/timing-model';
import { CycleClock } from './clock/cycle-clock';
import { EventQueue } from './clock/event-queue';
import { PhaseClock } from './clock/phases';
import { IoBus } from './devices/io-bus';
import { Pic } from './devices/pic';
import { Pit } from './devices/pit';
import { Console, DEBUG_PORT } from './devices/console';
import { X87 } from './fpu/x87';
import { IdeDisk, IDE_BASE, IDE_CONTROL } from './devices/ide';
import type { IdeDiskConfig } from './devices/ide-config';
import type { DiskImage } from './devices/disk-image';
import { BlockJit } from './jit/block-jit';

export interface MachineOptions {
  /** installed memory in bytes (default 64 MiB) */
  memoryBytes?: number;
  /** the timing configuration (default P54C_CONFIG) */
  timing?: Readonly<P54CConfig>;
  /** an IDE disk on the primary channel (IRQ 14): its configuration (devices/ide-config.ts) and, optionally, the media to put in */
  disk?: { config: Readonly<IdeDiskConfig>; image?: DiskImage };
  /**
   * The CPU's state at start: 'boot-loader' (default: protected mode, flat ring-0
   * segments, as a boot loader leaves it) or 'power-on' (real mode at F000:FFF0 as after
   * RESET; there is no ROM, so the caller places code and points CS:EIP at it).
   */
  resetState?: 'boot-loader' | 'power-on';
  /**
   * Run hot blocks as compiled WebAssembly (jit/block-jit.ts; docs/design/jit.md), with
   * the same results and counters as the interpreter. Off by default: a prototype that
   * compiles few instruction forms yet.
   */
  jit?: boolean;
}

export type RunReason = 'stopped' | 'budget' | 'aborted' | 'deadlock' | 'triple-fault';

export interface RunOptions {
  /** the run ends when the cycle clock reaches this value (cycles since reset, not a delta); default: no limit */
  cycleBudget?: number;
  signal?: AbortSignal;
  onProgress?: (p: { cycles: number; instructions: number }) => void;
  /** cycles between onProgress calls (default 10 million) */
  progressEvery?: number;
}

export interface RunResult {
  reason: RunReason;
  stopReason?: string;
}

export interface HostcallRegistration {
  id: number;
  name: string;
  handler: HostcallHandler;
  fromUser: boolean;
}

/** The HOSTCALL registry (contracts.md "Kernel entry: HOSTCALL"). */
export class Hostcalls {
  constructor(private readonly cpu: Cpu) {}

  register(id: number, name: string, handler: HostcallHandler, opts?: { fromUser?: boolean }): void {
    if (!Number.isInteger(id) || id < 0 || id > 0xffff) throw new Error(`hostcalls.register(${name}): id must be 0..65535, got ${id}`);
    const existing = this.cpu.hostcalls.get(id);
    if (existing) throw new Error(`hostcalls.register(${name}): id ${id} already registered as ${existing.name}`);
    this.cpu.hostcalls.set(id, { id, name, handler, fromUser: opts?.fromUser ?? false });
  }

  unregister(id: number): void {
    this.cpu.hostcalls.delete(id);
  }

  get(id: number): HostcallRegistration | undefined {
    return this.cpu.hostcalls.get(id);
  }

  list(): HostcallRegistration[] {
    return [...this.cpu.hostcalls.values()].sort((a, b) => a.id - b.id);
  }
}

/** Cycles per slice between looks at the AbortSignal (host responsiveness only). */
const SLICE_CYCLES = 2_000_000;

export class Machine {
  readonly config: Readonly<P54CConfig>;
  readonly memory: PhysicalMemory;
  readonly counters: Counters;
  readonly timing: TimingModel;
  readonly clock: CycleClock;
  readonly events: EventQueue;
  readonly io: IoBus;
  readonly pic: Pic;
  readonly pit: Pit;
  readonly console: Console;
  readonly fpu: X87;
  readonly cpu: Cpu;
  readonly hostcalls: Hostcalls;
  /** the IDE disk, when the configuration has one */
  readonly ide: IdeDisk | null;
  /** per-phase cycle accounting that kernels mark and guests read with RDPMC (clock/phases.ts) */
  readonly phases: PhaseClock;
  private stopReason: string | null = null;

  constructor(opts: MachineOptions = {}) {
    this.config = opts.timing ?? P54C_CONFIG;
    this.memory = new PhysicalMemory(opts.memoryBytes ?? 64 << 20);
    this.counters = new Counters();
    this.timing = new TimingModel(this.config, this.counters, this.memory.linear);
    this.clock = new CycleClock(this.config.coreClockHz);
    this.events = new EventQueue();
    this.io = new IoBus(this.counters);
    this.pic = new Pic();
    this.pit = new Pit(this.config, this.clock, this.events, this.pic);
    this.console = new Console();
    this.io.register(0x20, 2, this.pic);
    this.io.register(0xa0, 2, this.pic);
    this.io.register(0x40, 4, this.pit);
    this.io.register(DEBUG_PORT, 1, this.console);
    this.ide = opts.disk ? new IdeDisk(opts.disk.config, this.config.coreClockHz, () => this.counters.cycles, this.events, this.pic, opts.disk.image) : null;
    if (this.ide) {
      this.io.register(IDE_BASE, 8, this.ide);
      this.io.register(IDE_CONTROL, 1, this.ide);
    }
    this.fpu = new X87();
    this.cpu = new Cpu({ memory: this.memory, counters: this.counters, timing: this.timing, io: this.io, pic: this.pic, fpu: this.fpu, resetState: opts.resetState });
    if (opts.jit) this.cpu.jit = new BlockJit(this.cpu, this.timing);
    // devices read the clock during port I/O: keep it exact there
    this.cpu.onIo = () => {
      this.clock.now = this.counters.cycles;
    };
    const cpu = this.cpu;
    this.timing.setPathMmu({
      get paging() {
        return cpu.paging;
      },
      translate: (linear: number) => cpu.translate(linear),
      get largePage() {
        return cpu.largePage;
      },
      walk: (linear: number, write: boolean) => cpu.walkForPath(linear, write),
    });
    this.hostcalls = new Hostcalls(this.cpu);
    this.phases = new PhaseClock(this.counters, this.cpu);
    this.cpu.readPmc = (ecx: number) => this.phases.pmc(ecx, cpu.tsc());
  }

  /** End the run after the current instruction (from a hostcall or an event). */
  stop(reason: string): void {
    this.stopReason = reason;
    this.cpu.requestStop();
  }

  /** Charge a kernel path profile and advance the clock by its cycles (convenience for kernels). */
  chargePath(...args: Parameters<TimingModel['chargePath']>): number {
    const c = this.timing.chargePath(...args);
    this.counters.cycles += c;
    return c;
  }

  run(opts: RunOptions = {}): RunResult {
    const cpu = this.cpu;
    const counters = this.counters;
    const events = this.events;
    const end = opts.cycleBudget ?? Infinity;
    const progressEvery = opts.progressEvery ?? 10_000_000;
    let nextProgress = counters.cycles + progressEvery;
    this.stopReason = null;
    cpu.stopRequested = false;
    const result = (reason: RunReason, stopReason?: string): RunResult => {
      this.clock.now = counters.cycles;
      return stopReason !== undefined ? { reason, stopReason } : { reason };
    };
    for (;;) {
      if (cpu.shutdown !== null) return result('triple-fault', cpu.shutdown);
      if (this.phases.pending) {
        // the CPU stopped after an IRET to user mode on which a kernel armed a phase switch
        this.phases.settle();
        if (this.stopReason === null) cpu.stopRequested = false;
      }
      if (cpu.stopRequested) return result('stopped', this.stopReason ?? 'stop requested');
      if (counters.cycles >= end) return result('budget');
      if (opts.signal?.aborted) return result('aborted');
      this.clock.now = counters.cycles;
      events.runDue(counters.cycles);
      if (cpu.stopRequested) continue;
      if (opts.onProgress && counters.cycles >= nextProgress) {
        opts.onProgress({ cycles: counters.cycles, instructions: counters.instructions });
        nextProgress = counters.cycles + progressEvery;
      }
      const nextEvent = events.nextEventCycle;
      if (cpu.halted && !((cpu.flags & 0x200) !== 0 && this.pic.hasInterrupt())) {
        if (nextEvent === Infinity || (cpu.flags & 0x200) === 0) return result('deadlock');
        // HLT: the clock skips to the next event (or the budget)
        const to = Math.min(nextEvent, end);
        if (to > counters.cycles) {
          this.timing.idle(to - counters.cycles);
          counters.cycles = to;
        }
        continue;
      }
      const sliceEnd = Math.min(end, nextEvent, counters.cycles + SLICE_CYCLES);
      cpu.runUntil(sliceEnd);
    }
  }
}
