// Flexpages: a naturally aligned region of 2^size bytes (size ≥ 12) at `base`, with a
// write permission. Encoded in one dword as in the L4 reference manual (x86):
//
//   bits 31..12  base / 4096          bits 7..2  size (log2 bytes)
//   bit 1        w (writable)          bits 0, 11..8  zero
//
// size 32 names the whole address space (base 0). An fpage travels in a map/grant
// item: two dwords (snd_base, fpage); bit 0 of snd_base set = grant, clear = map.
// The receiver opens a window (its receive fpage); the sent fpage is placed into it
// at the offset `snd_base mod window size` (the L4 rule for mismatched sizes: the
// smaller of the two regions is transferred, aligned inside the larger).

export interface Fpage {
  base: number;
  /** log2 of the size in bytes, 12..32 */
  log2: number;
  writable: boolean;
}

export const WHOLE_SPACE_LOG2 = 32;

export function encodeFpage(f: Fpage): number {
  checkFpage(f);
  return ((f.log2 === 32 ? 0 : f.base & 0xfffff000) | (f.log2 << 2) | (f.writable ? 2 : 0)) >>> 0;
}

export function decodeFpage(word: number): Fpage {
  const log2 = (word >>> 2) & 0x3f;
  return { base: log2 >= 32 ? 0 : (word & 0xfffff000) >>> 0, log2: Math.min(log2, 32), writable: (word & 2) !== 0 };
}

/** An fpage that names nothing (size < one page): callers treat it as empty. */
export function isEmptyFpage(f: Fpage): boolean {
  return f.log2 < 12;
}

export function fpageBytes(f: Fpage): number {
  return 2 ** f.log2;
}

export function checkFpage(f: Fpage): void {
  if (!(Number.isInteger(f.log2) && f.log2 >= 12 && f.log2 <= 32)) throw new Error(`fpage: size 2^${f.log2} is outside 2^12..2^32`);
  if (f.log2 < 32 && (f.base >>> 0) % 2 ** f.log2 !== 0) throw new Error(`fpage: base 0x${(f.base >>> 0).toString(16)} is not aligned to its size 2^${f.log2}`);
}

export const fpage = (base: number, log2: number, writable = true): number => encodeFpage({ base: base >>> 0, log2, writable });

/**
 * Where a sent fpage lands in the receiver's window: the transferred region is the
 * smaller of the two, placed at the same offset modulo the larger size (L4 reference
 * manual, "fpage mapping"). `sndBase` is the sender's hint (bits above the page size).
 * Returns the sender's and the receiver's first byte and the byte count.
 */
export function placeFpage(sent: Fpage, window: Fpage, sndBase: number): { from: number; to: number; bytes: number } {
  const s = fpageBytes(sent);
  const w = fpageBytes(window);
  if (s <= w) {
    // the whole sent fpage, placed in the window at sndBase's offset (aligned to the sent size)
    const off = (sndBase >>> 0) % w - ((sndBase >>> 0) % w) % s;
    return { from: sent.base, to: window.base + off, bytes: s };
  }
  // the window is smaller: the part of the sent fpage that corresponds to the window
  const off = (sndBase >>> 0) % s - ((sndBase >>> 0) % s) % w;
  return { from: sent.base + off, to: window.base, bytes: w };
}
