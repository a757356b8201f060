// For the twins' differential tests: one twin built into its own module on a linear
// memory, validated and instantiated, its functions exported by their names.
import type { LinearMemory } from '../../memory/linear-memory';
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
