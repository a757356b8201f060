// For the twins' differential tests: one twin built into its own module on a linear
// memory, validated and instantiated, its functions exported by their names; random
// instruction rows for the pipeline tests.
import type { LinearMemory } from '../../memory/linear-memory';
import { BranchKind, type TimingInfo } from '../../timing/timing-info';
import type { Prng } from '../../util/prng';
import { WasmModuleBuilder } from '../wasm-emitter';

export async function instantiateTwin<T>(lin: LinearMemory, emit: (m: WasmModuleBuilder) => Record<string, number>): Promise<T> {
  const m = new WasmModuleBuilder();
  const pages = lin.buffer.byteLength / 65536;
  m.importMemory('env', 'mem', pages, pages);
  for (const [name, idx] of Object.entries(emit(m))) m.exportFunction(name, idx);
  const bin = m.build();
  if (!WebAssembly.validate(bin)) throw new Error('twin-testing: the emitted module does not validate');
  const { instance } = await WebAssembly.instantiate(bin, { env: { mem: lin.memory } });
  return instance.exports as unknown as T;
}

/** a random instruction row for the pipeline tests: every pair class and branch kind, a few registers, prefixes and clocks */
export function randomTimingRow(rng: Prng): TimingInfo {
  const pick = <T>(xs: readonly T[]): T => xs[rng.nextInt(xs.length)];
  const regs = (): number => (rng.nextInt(3) === 0 ? 0 : 1 << rng.nextInt(8)) | (rng.nextInt(4) === 0 ? 1 << rng.nextInt(8) : 0);
  const branch = pick([BranchKind.None, BranchKind.None, BranchKind.None, BranchKind.Jcc, BranchKind.Jmp, BranchKind.Call, BranchKind.Ret, BranchKind.Indirect]);
  return {
    pair: pick([0, 1, 1, 1, 2, 3, 4, 5]),
    clocks: pick([1, 1, 1, 2, 3, 4, 11, 39]),
    regsRead: regs(),
    regsWritten: regs(),
    addrRegs: regs(),
    readsFlags: rng.nextInt(3) === 0,
    writesFlags: rng.nextInt(2) === 0,
    dispAndImm: rng.nextInt(8) === 0,
    prefixes: pick([0, 0, 0, 0, 1, 2]),
    memRead: false,
    memWrite: false,
    branch,
    length: 1,
  };
}
