// An L1 cache of the P54C: 2-way set associative, one LRU bit per set [IPM ch. 18 of
// vol. 1, "on-chip caches"]. Only tags, valid and dirty bits are kept (the data lives in
// PhysicalMemory). Addresses are line numbers (physical address >> log2(lineBytes)).
import type { CacheGeometry } from './p54c-config';
import { HEAP_ARRAYS, type StateArrays } from '../memory/linear-memory';

const INVALID = -1;

export class L1Cache {
  readonly sets: number;
  readonly lineShift: number;
  private readonly setMask: number;
  /** tags[set * 2 + way] = line number, or -1 */
  private readonly tags: Int32Array;
  private readonly dirty: Uint8Array;
  /** lru[set] = the way to replace next (the least recently used one) */
  private readonly lru: Uint8Array;
  /**
   * The line most recently hit or filled: it is the MRU way of its set, so touching
   * it again is a hit that changes no state (exact with LRU). -1 after an invalidation.
   */
  lastLine = INVALID;
  /** whether lastLine is dirty */
  lastDirty = false;

  constructor(geometry: CacheGeometry, arrays: StateArrays = HEAP_ARRAYS) {
    if (geometry.ways !== 2) throw new Error(`L1Cache models 2-way caches, got ${geometry.ways} ways`);
    if (!isPowerOfTwo(geometry.sets) || !isPowerOfTwo(geometry.lineBytes)) {
      throw new Error(`L1Cache: sets (${geometry.sets}) and lineBytes (${geometry.lineBytes}) must be powers of two`);
    }
    this.sets = geometry.sets;
    this.setMask = geometry.sets - 1;
    this.lineShift = Math.log2(geometry.lineBytes);
    this.tags = arrays.i32(geometry.sets * 2).fill(INVALID);
    this.dirty = arrays.u8(geometry.sets * 2);
    this.lru = arrays.u8(geometry.sets);
  }

  /** Is the line present? No state change. */
  /** the tag, dirty and LRU arrays, for the Wasm twin of this model (jit/timing) */
  get arrays(): { readonly tags: Int32Array; readonly dirty: Uint8Array; readonly lru: Uint8Array } {
    return { tags: this.tags, dirty: this.dirty, lru: this.lru };
  }

  contains(line: number): boolean {
    const base = (line & this.setMask) << 1;
    return this.tags[base] === line || this.tags[base + 1] === line;
  }

  /** Read access: a hit makes the line MRU and returns true; a miss changes nothing. */
  access(line: number): boolean {
    const set = line & this.setMask;
    const base = set << 1;
    let way: number;
    if (this.tags[base] === line) way = 0;
    else if (this.tags[base + 1] === line) way = 1;
    else return false;
    this.lru[set] = way ^ 1;
    this.lastLine = line;
    this.lastDirty = this.dirty[base + way] === 1;
    return true;
  }

  /** Write access: a hit makes the line MRU and dirty and returns true; a miss changes nothing. */
  write(line: number): boolean {
    const set = line & this.setMask;
    const base = set << 1;
    let way: number;
    if (this.tags[base] === line) way = 0;
    else if (this.tags[base + 1] === line) way = 1;
    else return false;
    this.lru[set] = way ^ 1;
    this.dirty[base + way] = 1;
    this.lastLine = line;
    this.lastDirty = true;
    return true;
  }

  /**
   * Allocate an absent line in its set's LRU way (clean, MRU). Returns the evicted line
   * number if the victim was dirty (the caller writes it back), else -1.
   */
  fill(line: number): number {
    const set = line & this.setMask;
    const base = set << 1;
    // an invalid way is used first
    let way: number;
    if (this.tags[base] === INVALID) way = 0;
    else if (this.tags[base + 1] === INVALID) way = 1;
    else way = this.lru[set];
    const slot = base + way;
    const victim = this.tags[slot];
    const victimDirty = this.dirty[slot] === 1;
    this.tags[slot] = line;
    this.dirty[slot] = 0;
    this.lru[set] = way ^ 1;
    this.lastLine = line;
    this.lastDirty = false;
    return victimDirty ? victim : INVALID;
  }

  /** Drop a line if present. Returns 1 if it was dirty (its data must be written back), else 0. */
  invalidate(line: number): number {
    const base = (line & this.setMask) << 1;
    let slot: number;
    if (this.tags[base] === line) slot = base;
    else if (this.tags[base + 1] === line) slot = base + 1;
    else return 0;
    const wasDirty = this.dirty[slot];
    this.tags[slot] = INVALID;
    this.dirty[slot] = 0;
    if (this.lastLine === line) this.lastLine = INVALID;
    return wasDirty;
  }

  /** Invalidate everything (INVD/WBINVD, FLUSH#). Returns the number of dirty lines dropped. */
  flush(): number {
    let dirtyLines = 0;
    for (let i = 0; i < this.dirty.length; i++) dirtyLines += this.dirty[i];
    this.tags.fill(INVALID);
    this.dirty.fill(0);
    this.lru.fill(0);
    this.lastLine = INVALID;
    this.lastDirty = false;
    return dirtyLines;
  }

  /** Lines currently dirty (for tests and statistics). */
  dirtyLineCount(): number {
    let n = 0;
    for (let i = 0; i < this.dirty.length; i++) n += this.dirty[i];
    return n;
  }
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}
