// The external L2 cache of a 430FX board: 256 KiB, direct mapped, 32-byte lines,
// unified (code and data) [FX]. Only tags are kept. Allocation happens on line fills
// (read misses of either L1); single writes that miss L1 update L2 when it holds the
// line and otherwise go to DRAM without allocating [FX][EST].
import type { CacheGeometry } from './p54c-config';
import { isPowerOfTwo } from './l1-cache';
import { HEAP_ARRAYS, type StateArrays } from '../memory/linear-memory';

const INVALID = -1;

export class L2Cache {
  readonly sets: number;
  private readonly setMask: number;
  /** tags[set] = line number, or -1 */
  private readonly tags: Int32Array;

  constructor(geometry: CacheGeometry, arrays: StateArrays = HEAP_ARRAYS) {
    if (geometry.ways !== 1) throw new Error(`L2Cache models a direct-mapped cache, got ${geometry.ways} ways`);
    if (!isPowerOfTwo(geometry.sets)) throw new Error(`L2Cache: sets (${geometry.sets}) must be a power of two`);
    this.sets = geometry.sets;
    this.setMask = geometry.sets - 1;
    this.tags = arrays.i32(geometry.sets).fill(INVALID);
  }

  /** the tag array, for the Wasm twin of this model (jit/timing) */
  get tagArray(): Int32Array {
    return this.tags;
  }

  /** Is the line present? (Direct mapped: a lookup has no replacement state to update.) */
  contains(line: number): boolean {
    return this.tags[line & this.setMask] === line;
  }

  /** Allocate the line, replacing whatever its set held. */
  fill(line: number): void {
    this.tags[line & this.setMask] = line;
  }

  invalidate(line: number): void {
    const set = line & this.setMask;
    if (this.tags[set] === line) this.tags[set] = INVALID;
  }

  flush(): void {
    this.tags.fill(INVALID);
  }
}
