// What every timing twin needs: the byte offset of a model's table in the linear memory,
// and loads and stores of absolute addresses (its scalar slots), as emitted code.
import type { LinearMemory } from '../../memory/linear-memory';
import { OP, type CodeWriter } from '../wasm-emitter';

/** the byte offset of `table` in `lin`; an error when the model keeps it elsewhere (on the JS heap) */
export function tableOffset(lin: LinearMemory, table: ArrayBufferView, who: string): number {
  if (table.buffer !== lin.buffer) throw new Error(`${who}: the model's tables are not in this linear memory`);
  return table.byteOffset;
}

/** pushes the i32 at `addr` */
export const geti = (c: CodeWriter, addr: number): CodeWriter => c.i32Const(0).mem('i32_load', addr);
/** pushes the f64 at `addr` */
export const getf = (c: CodeWriter, addr: number): CodeWriter => c.i32Const(0).mem('f64_load', addr);
/** stores the i32 that `value` pushes at `addr` */
export function seti(c: CodeWriter, addr: number, value: (c: CodeWriter) => void): void {
  c.i32Const(0);
  value(c);
  c.mem('i32_store', addr);
}
/** stores the f64 that `value` pushes at `addr` */
export function setf(c: CodeWriter, addr: number, value: (c: CodeWriter) => void): void {
  c.i32Const(0);
  value(c);
  c.mem('f64_store', addr);
}
/** adds the f64 that `value` pushes to the f64 at `addr` */
export function addf(c: CodeWriter, addr: number, value: (c: CodeWriter) => void): void {
  setf(c, addr, (c) => {
    getf(c, addr);
    value(c);
    c.op(OP.f64_add);
  });
}
/** counts one at the f64 counter at `addr` */
export const count = (c: CodeWriter, addr: number): void => addf(c, addr, (c) => c.f64Const(1));
