// L4Linux end to end: unmodified int 0x80 guest images run under the Linux server on L4.
import * as fs from 'fs';
import * as path from 'path';
import { Machine } from '@mklab/pentium';
import { bootL4Linux } from './boot';

const IMAGES = path.join(__dirname, '../../../../../guest/images/int80');
const image = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(IMAGES, name)));

function run(name: string, argv: string[], opts: { smallSpaces?: boolean; budget?: number } = {}) {
  const machine = new Machine({ memoryBytes: 64 << 20 });
  const sys = bootL4Linux(machine, { rootfs: { [`/bin/${name}`]: image(name) }, init: { path: `/bin/${name}`, argv }, variant: 'trampoline', smallSpaces: opts.smallSpaces, stdin: 'null' });
  const result = machine.run({ cycleBudget: opts.budget ?? 400_000_000 });
  return { machine, sys, result };
}

describe('L4Linux (trampoline)', () => {
  test('getpid runs to completion and measures itself', () => {
    const { sys, result, machine } = run('getpid', ['getpid', '200', '2']);
    console.log(sys.stdout(), sys.stderr(), sys.kernelLog(), result, JSON.stringify(machine.counters.kernel));
    expect(result).toEqual({ reason: 'stopped', stopReason: 'init-exited' });
    expect(sys.initExit()).toEqual({ code: 0, signal: null });
  });
});
