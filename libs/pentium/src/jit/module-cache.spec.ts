import { compiledModule } from './module-cache';
import { I32, WasmModuleBuilder } from './wasm-emitter';

function moduleReturning(k: number): Uint8Array {
  const m = new WasmModuleBuilder();
  m.exportFunction('f', m.addFunction([], [I32], [], (c) => c.i32Const(k)));
  return m.build();
}

describe('compiled modules by their bytes', () => {
  it('compiles equal bytes once and different bytes apart', () => {
    const a = compiledModule(moduleReturning(7));
    expect(compiledModule(moduleReturning(7))).toBe(a);
    const b = compiledModule(moduleReturning(8));
    expect(b).not.toBe(a);
    const run = (mod: WebAssembly.Module): number => (new WebAssembly.Instance(mod).exports.f as () => number)();
    expect([run(a), run(b)]).toEqual([7, 8]);
  });
});
