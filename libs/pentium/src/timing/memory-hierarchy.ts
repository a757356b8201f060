// The memory side of the P54C timing model: L1 code and data caches, the external L2,
// DRAM, the write buffers and the one external bus they share. Every method returns
// the clocks the pipeline stalls; 0 means an L1 hit. Physical addresses throughout.
//
// Bus model: one in-order bus. A line fill starts when the bus is free (after buffered
// writes and earlier write-backs) and stalls the core for the whole burst (a blocking
// cache; early restart on the critical word is not modelled). A write that misses L1
// goes to one of the write buffers and costs nothing unless all are still draining; a
// dirty victim is written back from the replacement buffer after the fill, occupying
// the bus but not stalling the core. `now` is the hierarchy's own clock: it advances by
// the stalls it returns and by `advance(clocks)`, which the pipeline calls with every
// instruction's execution clocks (only differences of `now` matter).
import type { Counters } from './counters';
import type { P54CConfig } from './p54c-config';
import { L1Cache } from './l1-cache';
import { L2Cache } from './l2-cache';
import { HEAP_ARRAYS, type StateArrays } from '../memory/linear-memory';

/** The hierarchy's scalar state (its tables are shared in place), as the Wasm twin's slots hold it. */
export interface HierarchyScalars {
  now: number;
  busFreeAt: number;
  lastFetchLine: number;
  codeFirstPass: boolean;
  lastDNotInCode: boolean;
  wbHead: number;
  l1iLastLine: number;
  l1iLastDirty: boolean;
  l1dLastLine: number;
  l1dLastDirty: boolean;
}

export class MemoryHierarchy {
  readonly l1i: L1Cache;
  readonly l1d: L1Cache;
  readonly l2: L2Cache;
  /** the hierarchy's clock (see the file comment) */
  now = 0;
  /**
   * True while execution runs through a code line that fetch() has just filled and no
   * taken branch has happened since: instructions there issue unpaired, as the P5 has
   * no instruction-boundary marks yet for a freshly loaded line [IPM §24.2.2]. The CPU
   * passes it as Pipeline.issue's `firstFetch`.
   */
  codeFirstPass = false;

  private readonly lineShift: number;
  /** @internal exchanged with the Wasm twin (jit/timing/timing-runtime.ts) */
  lastFetchLine = -1;
  /**
   * l1d.lastLine is known not to be in the code cache (set by a write hit after the
   * snoop, cleared by any code fill or other data line): a write to it needs no snoop.
   */
  /** @internal exchanged with the Wasm twin (jit/timing/timing-runtime.ts) */
  lastDNotInCode = false;
  /** @internal exchanged with the Wasm twin (jit/timing/timing-runtime.ts) */
  busFreeAt = 0;
  /** completion times of the last `writeBuffers` buffered writes, in FIFO order from wbHead */
  private readonly wbDone: Float64Array;
  /** @internal exchanged with the Wasm twin (jit/timing/timing-runtime.ts) */
  wbHead = 0;

  private readonly l2Fill: number;
  private readonly dramFill: number;
  private readonly l2Write: number;
  private readonly dramWrite: number;
  private readonly l2LineWrite: number;
  private readonly dramLineWrite: number;
  private readonly misaligned: number;

  constructor(
    config: Readonly<P54CConfig>,
    private readonly counters: Counters,
    arrays: StateArrays = HEAP_ARRAYS,
  ) {
    if (config.l1i.lineBytes !== config.l1d.lineBytes || config.l1d.lineBytes !== config.l2.lineBytes) {
      throw new Error('MemoryHierarchy: L1 and L2 line sizes must be equal');
    }
    if (config.l1dWriteAllocate) throw new Error('MemoryHierarchy: write-allocate L1 is not modelled (the P54C does not allocate on writes)');
    this.l1i = new L1Cache(config.l1i, arrays);
    this.l1d = new L1Cache(config.l1d, arrays);
    this.l2 = new L2Cache(config.l2, arrays);
    this.lineShift = this.l1d.lineShift;
    this.wbDone = arrays.f64(Math.max(1, config.writeBuffers));
    this.l2Fill = config.l2LineFillClocks;
    this.dramFill = config.dramLineFillClocks;
    this.l2Write = config.l2WriteClocks;
    this.dramWrite = config.dramWriteClocks;
    this.l2LineWrite = config.l2LineWriteClocks;
    this.dramLineWrite = config.dramLineWriteClocks;
    this.misaligned = config.misalignedClocks;
  }

  /** the write buffers' completion times, for the Wasm twin of this model (jit/timing) */
  get writeBufferTimes(): Float64Array {
    return this.wbDone;
  }

  /** a snapshot of the scalar state (the twin's hand-over reads the fields themselves; tests compare snapshots) */
  scalars(): HierarchyScalars {
    const { now, busFreeAt, lastFetchLine, codeFirstPass, lastDNotInCode, wbHead, l1i, l1d } = this;
    return { now, busFreeAt, lastFetchLine, codeFirstPass, lastDNotInCode, wbHead, l1iLastLine: l1i.lastLine, l1iLastDirty: l1i.lastDirty, l1dLastLine: l1d.lastLine, l1dLastDirty: l1d.lastDirty };
  }

  /** Let `clocks` of execution pass (drains write buffers, frees the bus). */
  advance(clocks: number): void {
    this.now += clocks;
  }

  /**
   * Instruction fetch of `length` bytes at `phys` through the code cache. Returns the
   * stall (0 on hits). Same line as the previous fetch ⇒ a hit with no state change.
   */
  fetch(phys: number, length: number): number {
    const shift = this.lineShift;
    const line = phys >>> shift;
    const last = (phys + length - 1) >>> shift;
    if (line === this.lastFetchLine && last === line) return 0;
    let stall = this.fetchCodeLine(line);
    if (last !== line) stall += this.fetchCodeLine(last);
    return stall;
  }

  /** A taken branch: code at the target has been decoded before if it is in the same line. */
  noteTakenBranch(): void {
    this.codeFirstPass = false;
  }

  /** Fetch of the code line holding `phys` (contracts.md's name; fetch() handles instructions spanning lines). */
  fetchLine(phys: number): number {
    return this.fetch(phys, 1);
  }

  private fetchCodeLine(line: number): number {
    if (line === this.lastFetchLine) return 0;
    this.lastFetchLine = line;
    if (this.l1i.access(line)) {
      this.codeFirstPass = false;
      return 0;
    }
    this.counters.l1iMisses++;
    const stall = this.lineFill(line);
    this.l1i.fill(line);
    this.codeFirstPass = true;
    // the write fast path skips the code-cache snoop: it may now be needed
    this.lastDNotInCode = false;
    return stall;
  }

  /** Data read of `size` bytes (1, 2, 4, 6, 8, 10) at `phys`. Returns the stall. */
  read(phys: number, size: number): number {
    const shift = this.lineShift;
    const line = phys >>> shift;
    const last = (phys + size - 1) >>> shift;
    let stall = misaligned(phys, size) ? this.misalignedAccess() : 0;
    if (line === this.l1d.lastLine && last === line) return stall;
    stall += this.readLine(line);
    if (last !== line) stall += this.readLine(last);
    return stall;
  }

  /** Data write of `size` bytes at `phys`. Returns the stall. */
  write(phys: number, size: number): number {
    const shift = this.lineShift;
    const line = phys >>> shift;
    const last = (phys + size - 1) >>> shift;
    let stall = misaligned(phys, size) ? this.misalignedAccess() : 0;
    if (line === this.l1d.lastLine && this.l1d.lastDirty && this.lastDNotInCode && last === line) return stall;
    stall += this.writeLine(line);
    if (last !== line) stall += this.writeLine(last);
    return stall;
  }

  private misalignedAccess(): number {
    this.counters.misalignedAccesses++;
    return this.misaligned;
  }

  private readLine(line: number): number {
    this.lastDNotInCode = false;
    if (this.l1d.access(line)) return 0;
    this.counters.l1dMisses++;
    const stall = this.lineFill(line);
    const victim = this.l1d.fill(line);
    if (victim >= 0) this.writeBack(victim);
    return stall;
  }

  private writeLine(line: number): number {
    // the code cache snoops writes: self-modifying code invalidates the code line [IPM]
    if (this.l1i.contains(line)) {
      this.l1i.invalidate(line);
      if (this.lastFetchLine === line) this.lastFetchLine = -1;
    }
    if (this.l1d.write(line)) {
      this.lastDNotInCode = true;
      return 0;
    }
    // write miss: no allocation; the write goes to a write buffer [IPM]
    this.counters.l1dWriteMisses++;
    let cost: number;
    if (this.l2.contains(line)) cost = this.l2Write;
    else {
      cost = this.dramWrite;
      this.counters.dramAccesses++;
    }
    const slot = this.wbHead;
    let t = this.now;
    let stall = 0;
    const oldest = this.wbDone[slot];
    if (oldest > t) {
      stall = oldest - t;
      t = oldest;
      this.counters.writeBufferStalls += stall;
    }
    const start = this.busFreeAt > t ? this.busFreeAt : t;
    this.busFreeAt = start + cost;
    this.wbDone[slot] = start + cost;
    this.wbHead = slot + 1 === this.wbDone.length ? 0 : slot + 1;
    this.now = t;
    return stall;
  }

  /** A line fill from L2 or DRAM into an L1 (the caller allocates it). Returns the stall. */
  private lineFill(line: number): number {
    const t = this.now;
    const busWait = this.busFreeAt > t ? this.busFreeAt - t : 0;
    let fill: number;
    if (this.l2.contains(line)) fill = this.l2Fill;
    else {
      fill = this.dramFill;
      this.counters.l2Misses++;
      this.counters.dramAccesses++;
      this.l2.fill(line);
    }
    if (busWait > 0) this.counters.writeBufferStalls += busWait;
    const stall = busWait + fill;
    this.busFreeAt = t + stall;
    this.now = t + stall;
    return stall;
  }

  /** A dirty L1 victim leaves through the replacement write-back buffer: bus time, no stall. */
  private writeBack(line: number): void {
    this.counters.l1dWritebacks++;
    let cost: number;
    if (this.l2.contains(line)) cost = this.l2LineWrite;
    else {
      cost = this.dramLineWrite;
      this.counters.dramAccesses++;
    }
    this.busFreeAt = (this.busFreeAt > this.now ? this.busFreeAt : this.now) + cost;
  }

  /** A bus master (DMA) wrote physical memory: drop the lines from every cache. */
  invalidateRange(phys: number, bytes: number): void {
    if (bytes <= 0) return;
    const first = phys >>> this.lineShift;
    const last = (phys + bytes - 1) >>> this.lineShift;
    for (let line = first; line <= last; line++) {
      this.l1i.invalidate(line);
      this.l1d.invalidate(line);
      this.l2.invalidate(line);
    }
    this.lastFetchLine = -1;
  }

  /** WBINVD (writeBack) or INVD: empty both L1s and, through the FLUSH special cycle, L2. */
  flushAll(writeBack: boolean): void {
    const dirty = this.l1d.flush();
    if (writeBack) this.counters.l1dWritebacks += dirty;
    this.l1i.flush();
    this.l2.flush();
    this.lastFetchLine = -1;
    this.codeFirstPass = false;
  }
}

/**
 * The P5's misaligned-access rule [AGNER "Pentium: misaligned data"; IPM]: an access of
 * up to 4 bytes is misaligned when it crosses a 4-byte boundary (a word at offset 1 is
 * not, one at offset 3 is); 8- and 10-byte (x87) operands when not 8-byte aligned.
 */
export function misaligned(phys: number, size: number): boolean {
  if (size <= 4) return (phys & 3) + size > 4;
  return (phys & 7) !== 0;
}
