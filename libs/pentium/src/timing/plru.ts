// Tree pseudo-LRU for a 4-way set: 3 bits per set, the replacement the i486 manual
// documents for its 4-way TLB and cache (Intel, "i486 Microprocessor Programmer's
// Reference Manual", §7.x "Cache replacement"). bit0 chooses the half (0 = replace in
// ways 0–1), bit1 the way in 0–1, bit2 the way in 2–3. Touching a way points the bits
// away from it, so touching the same way twice changes nothing.

/** The bits after an access to `way` (0–3). */
export function plru4Touch(bits: number, way: number): number {
  if (way < 2) return (bits & 0b100) | 0b001 | (way === 0 ? 0b010 : 0);
  return (bits & 0b010) | (way === 2 ? 0b100 : 0);
}

/** The way the bits say to replace. */
export function plru4Victim(bits: number): number {
  if ((bits & 0b001) === 0) return (bits & 0b010) === 0 ? 0 : 1;
  return (bits & 0b100) === 0 ? 2 : 3;
}
