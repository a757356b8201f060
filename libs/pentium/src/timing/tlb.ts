// A P54C TLB: 4-way set associative arrays of page numbers, no address-space tags
// (MOV CR3 empties them) [IPM]. The data TLB has a second array for 4 MiB pages; the
// code TLB caches 4 MiB pages in its 4 KiB array [IPM][EST]. Replacement: tree
// pseudo-LRU, invalid entries first (the i486's documented policy; Intel does not
// document the P5's) — see plru.ts. Only presence is modelled: the CPU translates.
import type { Counters } from './counters';
import type { TlbGeometry } from './p54c-config';
import { isPowerOfTwo } from './l1-cache';
import { plru4Touch, plru4Victim } from './plru';
import { HEAP_ARRAYS, type StateArrays } from '../memory/linear-memory';

const INVALID = -1;

/** one array's tables, for the Wasm twin of this model (jit/timing/tlb-wasm.ts) */
export interface TlbTables {
  /** page numbers, 4 ways per set, -1 for an empty entry */
  readonly tags: Int32Array;
  /** the sets' PLRU bits */
  readonly plru: Uint8Array;
}

class TlbArray {
  private readonly setMask: number;
  private readonly tags: Int32Array;
  private readonly plru: Uint8Array;

  constructor(
    readonly entries: number,
    readonly ways: number,
    arrays: StateArrays,
  ) {
    if (ways !== 4) throw new Error(`Tlb models 4-way arrays, got ${ways} ways`);
    const sets = entries / ways;
    if (!isPowerOfTwo(sets)) throw new Error(`Tlb: ${entries} entries / ${ways} ways is not a power-of-two set count`);
    this.setMask = sets - 1;
    this.tags = arrays.i32(entries).fill(INVALID);
    this.plru = arrays.u8(sets);
  }

  /** the tag and PLRU arrays, for the Wasm twin of this model (jit/timing) */
  get arrays(): TlbTables {
    return { tags: this.tags, plru: this.plru };
  }

  /** Hit → touch and true; miss → insert (replacing per PLRU) and false. */
  lookupInsert(page: number): boolean {
    const set = page & this.setMask;
    const base = set << 2;
    const t = this.tags;
    let way: number;
    if (t[base] === page) way = 0;
    else if (t[base + 1] === page) way = 1;
    else if (t[base + 2] === page) way = 2;
    else if (t[base + 3] === page) way = 3;
    else {
      if (t[base] === INVALID) way = 0;
      else if (t[base + 1] === INVALID) way = 1;
      else if (t[base + 2] === INVALID) way = 2;
      else if (t[base + 3] === INVALID) way = 3;
      else way = plru4Victim(this.plru[set]);
      t[base + way] = page;
      this.plru[set] = plru4Touch(this.plru[set], way);
      return false;
    }
    this.plru[set] = plru4Touch(this.plru[set], way);
    return true;
  }

  contains(page: number): boolean {
    const base = (page & this.setMask) << 2;
    const t = this.tags;
    return t[base] === page || t[base + 1] === page || t[base + 2] === page || t[base + 3] === page;
  }

  invalidate(page: number): void {
    const base = (page & this.setMask) << 2;
    for (let i = 0; i < 4; i++) if (this.tags[base + i] === page) this.tags[base + i] = INVALID;
  }

  flush(): void {
    this.tags.fill(INVALID);
    this.plru.fill(0);
  }

  validCount(): number {
    let n = 0;
    for (let i = 0; i < this.tags.length; i++) if (this.tags[i] !== INVALID) n++;
    return n;
  }
}

export class Tlb {
  private readonly small: TlbArray;
  private readonly large: TlbArray | null;
  /** the page number of the last lookup (always present and MRU: a repeat is a state-free hit) */
  /** @internal exchanged with the Wasm twin (jit/timing/timing-runtime.ts) */
  lastPage = INVALID;
  /** @internal exchanged with the Wasm twin (jit/timing/timing-runtime.ts) */
  lastLargePage = INVALID;
  /** misses and whole flushes of this TLB (the shared counters also get the misses) */
  misses = 0;
  flushes = 0;

  constructor(
    geometry: TlbGeometry,
    private readonly counters: Counters,
    /** which shared counter gets the misses */
    readonly kind: 'code' | 'data',
    arrays: StateArrays = HEAP_ARRAYS,
  ) {
    this.small = new TlbArray(geometry.entries, geometry.ways, arrays);
    this.large = geometry.largeEntries > 0 ? new TlbArray(geometry.largeEntries, geometry.largeWays, arrays) : null;
  }

  /** the 4 KiB and 4 MiB arrays' tables (no 4 MiB array: null), for the Wasm twin of this model (jit/timing) */
  get arrays(): { readonly small: TlbTables; readonly large: TlbTables | null } {
    return { small: this.small.arrays, large: this.large !== null ? this.large.arrays : null };
  }

  /**
   * Look up the page holding `linear` (a 4 MiB page when `large`). Returns true on a
   * hit; on a miss the entry is inserted (the caller walks the page tables) and the
   * miss is counted.
   */
  lookup(linear: number, large = false): boolean {
    if (large && this.large !== null) {
      const page = linear >>> 22;
      if (page === this.lastLargePage) return true;
      this.lastLargePage = page;
      if (this.large.lookupInsert(page)) return true;
    } else {
      const page = linear >>> 12;
      if (page === this.lastPage) return true;
      this.lastPage = page;
      if (this.small.lookupInsert(page)) return true;
    }
    this.misses++;
    if (this.kind === 'code') this.counters.itlbMisses++;
    else this.counters.dtlbMisses++;
    return false;
  }

  /** a snapshot of the last-page filters (tests compare it with the Wasm twin's) */
  scalars(): { lastPage: number; lastLargePage: number } {
    return { lastPage: this.lastPage, lastLargePage: this.lastLargePage };
  }

  /** Is the page holding `linear` cached? No state change. */
  contains(linear: number, large = false): boolean {
    if (large && this.large !== null) return this.large.contains(linear >>> 22);
    return this.small.contains(linear >>> 12);
  }

  /** INVLPG: drop the entry for the page holding `linear` (4 KiB and 4 MiB arrays). */
  invalidate(linear: number): void {
    this.small.invalidate(linear >>> 12);
    if (this.large !== null) this.large.invalidate(linear >>> 22);
    this.lastPage = INVALID;
    this.lastLargePage = INVALID;
  }

  /** Empty the TLB (MOV CR3, paging mode changes). */
  flush(): void {
    this.small.flush();
    if (this.large !== null) this.large.flush();
    this.lastPage = INVALID;
    this.lastLargePage = INVALID;
    this.flushes++;
  }

  /** Valid entries (4 KiB and 4 MiB arrays together), for tests. */
  validEntries(): number {
    return this.small.validCount() + (this.large !== null ? this.large.validCount() : 0);
  }
}
