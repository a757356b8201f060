// The inline Wasm PLRU against timing/plru.ts, on every input (8 bit patterns × 4 ways).
import { plru4Touch, plru4Victim } from '../../timing/plru';
import { I32, WasmModuleBuilder } from '../wasm-emitter';
import { emitPlru4Touch, emitPlru4Victim } from './plru-wasm';

describe('the Wasm 4-way tree PLRU', () => {
  it('gives plru4Touch and plru4Victim on every input', async () => {
    const m = new WasmModuleBuilder();
    m.exportFunction('touch', m.addFunction([I32, I32], [I32], [], (c) => emitPlru4Touch(c, (c) => c.localGet(0), (c) => c.localGet(1))));
    m.exportFunction('victim', m.addFunction([I32], [I32], [], (c) => emitPlru4Victim(c, (c) => c.localGet(0))));
    const { instance } = await WebAssembly.instantiate(m.build());
    const { touch, victim } = instance.exports as unknown as { touch(b: number, w: number): number; victim(b: number): number };
    const got: number[] = [];
    const want: number[] = [];
    for (let bits = 0; bits < 8; bits++) {
      got.push(victim(bits));
      want.push(plru4Victim(bits));
      for (let way = 0; way < 4; way++) {
        got.push(touch(bits, way));
        want.push(plru4Touch(bits, way));
      }
    }
    expect(got).toEqual(want);
  });
});
