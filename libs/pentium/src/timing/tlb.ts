// A P54C TLB: 4-way set associative arrays of page numbers, no address-space tags
// (MOV CR3 empties them) [IPM]. The data TLB has a second array for 4 MiB pages; the
// code TLB caches 4 MiB pages in its 4 KiB array [IPM][EST]. Replacement: tree
// pseudo-LRU, invalid entries first (the i486's documented policy; Intel does not
// document the P5's) — see plru.ts. Only presence is modelled: the CPU translates.
import type { Counters } from './counters';
import type { TlbGeometry } from './p54c-config';
import { isPowerOfTwo } from './l1-cache';
import { PLRU4_TOUCH, plru4Touch, plru4Victim } from './plru';

const INVALID = -1;

class TlbArray {
  private readonly setMask: number;
  private readonly tags: Int32Array;
  private readonly plru: Uint8Array;
  /**
   * wayOf[page] = 1 + the way holding `page`, or 0: the tags indexed the other way
   * round, so that a lookup is one load instead of a scan of the set (host branch
   * mispredictions on the way found cost more than the rest of a TLB hit).
   */
  private readonly wayOf: Uint8Array;

  constructor(
    readonly entries: number,
    readonly ways: number,
    /** page numbers are below 2^pageBits (20 for 4 KiB pages, 10 for 4 MiB) */
    pageBits: number,
  ) {
    if (ways !== 4) throw new Error(`Tlb models 4-way arrays, got ${ways} ways`);
    const sets = entries / ways;
    if (!isPowerOfTwo(sets)) throw new Error(`Tlb: ${entries} entries / ${ways} ways is not a power-of-two set count`);
    this.setMask = sets - 1;
    this.tags = new Int32Array(entries).fill(INVALID);
    this.plru = new Uint8Array(sets);
    this.wayOf = new Uint8Array(1 << pageBits);
  }

  /** Hit → touch and true; miss → false and no state change (the caller then calls lookupInsert). */
  touchIfPresent(page: number): boolean {
    const w = this.wayOf[page];
    if (w === 0) return false;
    const set = page & this.setMask;
    this.plru[set] = PLRU4_TOUCH[(this.plru[set] << 2) | (w - 1)];
    return true;
  }

  /** Hit → touch and true; miss → insert (replacing per PLRU) and false. */
  lookupInsert(page: number): boolean {
    if (this.touchIfPresent(page)) return true;
    const set = page & this.setMask;
    const base = set << 2;
    const t = this.tags;
    let way: number;
    if (t[base] === INVALID) way = 0;
    else if (t[base + 1] === INVALID) way = 1;
    else if (t[base + 2] === INVALID) way = 2;
    else if (t[base + 3] === INVALID) way = 3;
    else way = plru4Victim(this.plru[set]);
    const victim = t[base + way];
    if (victim !== INVALID) this.wayOf[victim] = 0;
    t[base + way] = page;
    this.wayOf[page] = way + 1;
    this.plru[set] = plru4Touch(this.plru[set], way);
    return false;
  }

  contains(page: number): boolean {
    return this.wayOf[page] !== 0;
  }

  invalidate(page: number): void {
    const w = this.wayOf[page];
    if (w === 0) return;
    this.tags[((page & this.setMask) << 2) + w - 1] = INVALID;
    this.wayOf[page] = 0;
  }

  flush(): void {
    const t = this.tags;
    for (let i = 0; i < t.length; i++) if (t[i] !== INVALID) this.wayOf[t[i]] = 0;
    t.fill(INVALID);
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
  /** misses and whole flushes of this TLB (the shared counters also get the misses) */
  misses = 0;
  flushes = 0;

  constructor(
    geometry: TlbGeometry,
    private readonly counters: Counters,
    /** which shared counter gets the misses */
    private readonly kind: 'code' | 'data',
  ) {
    this.small = new TlbArray(geometry.entries, geometry.ways, 20);
    this.large = geometry.largeEntries > 0 ? new TlbArray(geometry.largeEntries, geometry.largeWays, 10) : null;
  }

  /**
   * Look up the page holding `linear` (a 4 MiB page when `large`). Returns true on a
   * hit; on a miss the entry is inserted (the caller walks the page tables) and the
   * miss is counted.
   */
  lookup(linear: number, large = false): boolean {
    if (large && this.large !== null) {
      if (this.large.lookupInsert(linear >>> 22)) return true;
    } else if (this.small.lookupInsert(linear >>> 12)) {
      return true;
    }
    this.misses++;
    if (this.kind === 'code') this.counters.itlbMisses++;
    else this.counters.dtlbMisses++;
    return false;
  }

  /**
   * The hit half of lookup() for a 4 KiB page: on a hit the same state change as
   * lookup() and true; on a miss (or a large page) false and nothing changed, and the
   * caller calls lookup(). The CPU's data-access fast path.
   */
  hit(linear: number, large: boolean): boolean {
    return !(large && this.large !== null) && this.small.touchIfPresent(linear >>> 12);
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
  }

  /** Empty the TLB (MOV CR3, paging mode changes). */
  flush(): void {
    this.small.flush();
    if (this.large !== null) this.large.flush();
    this.flushes++;
  }

  /** Valid entries (4 KiB and 4 MiB arrays together), for tests. */
  validEntries(): number {
    return this.small.validCount() + (this.large !== null ? this.large.validCount() : 0);
  }
}
