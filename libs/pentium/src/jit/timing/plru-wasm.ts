// The 4-way tree pseudo-LRU of timing/plru.ts as inline WebAssembly, shared by the Wasm
// twins of the TLBs (tlb-wasm.ts) and the BTB (btb-wasm.ts). Both are branch-free: each
// computes the two halves' answers and picks one with `select`.
import { CodeWriter, OP } from '../wasm-emitter';

/** an emitter that pushes one i32 (a local, a load, a constant) */
export type Push = (c: CodeWriter) => void;

/**
 * Pushes plru4Touch(bits, way):
 *   way < 2: (bits & 0b100) | 0b001 | (way === 0 ? 0b010 : 0)
 *   else:    (bits & 0b010) | (way === 2 ? 0b100 : 0)
 */
export function emitPlru4Touch(c: CodeWriter, bits: Push, way: Push): void {
  bits(c);
  c.i32Const(0b100).op(OP.i32_and).i32Const(0b001).op(OP.i32_or);
  way(c);
  c.op(OP.i32_eqz).i32Const(1).op(OP.i32_shl).op(OP.i32_or);
  bits(c);
  c.i32Const(0b010).op(OP.i32_and);
  way(c);
  c.i32Const(2).op(OP.i32_eq).i32Const(2).op(OP.i32_shl).op(OP.i32_or);
  way(c);
  c.i32Const(2).op(OP.i32_lt_u).op(OP.select);
}

/**
 * Pushes plru4Victim(bits):
 *   bit0 clear: bit1 ? 1 : 0
 *   bit0 set:   bit2 ? 3 : 2
 */
export function emitPlru4Victim(c: CodeWriter, bits: Push): void {
  bits(c);
  c.i32Const(2).op(OP.i32_shr_u).i32Const(1).op(OP.i32_and).i32Const(2).op(OP.i32_or);
  bits(c);
  c.i32Const(1).op(OP.i32_shr_u).i32Const(1).op(OP.i32_and);
  bits(c);
  c.i32Const(1).op(OP.i32_and).op(OP.select);
}
