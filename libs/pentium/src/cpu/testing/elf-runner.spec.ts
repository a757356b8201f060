import { execFileSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { runElf } from './elf-runner';

// Differential tests of the CPU on real `gcc -m32 -march=pentium -O2` output (guest/images):
// the same static binary runs natively on the host and on the emulated P54C under a
// minimal int 0x80 kernel (elf-runner.ts); the outputs must be identical.
const IMAGES = join(__dirname, '../../../../../guest/images/int80');

function native(name: string, args: string[] = []): string {
  return execFileSync(join(IMAGES, name), args, { encoding: 'latin1', maxBuffer: 256 << 20 });
}

function emulated(name: string, args: string[] = []): string {
  const r = runElf(readFileSync(join(IMAGES, name)), { argv: [name, ...args] });
  if (r.fault) throw new Error(`${name}: ${r.fault}\nstdout so far:\n${r.stdout}`);
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

const have = (name: string) => existsSync(join(IMAGES, name));

describe('real gcc -m32 -march=pentium binaries, native vs emulated', () => {
  // test-misc needs uname and fork, which the minimal kernel does not have
  for (const name of ['test-arith', 'test-strings', 'test-sort', 'test-format', 'test-setjmp']) {
    (have(name) ? it : it.skip)(`${name}`, () => {
      expect(emulated(name)).toBe(native(name));
    });
  }

  // instruction tests generated from the instruction table (scripts/gen-instruction-tests.ts)
  for (const group of ['alu', 'bit', 'branch', 'misc', 'move', 'muldiv', 'shift', 'stack', 'string']) {
    const name = `instr-${group}`;
    (have(name) ? it : it.skip)(name, () => {
      expect(emulated(name)).toBe(native(name));
    });
  }

  (have('cpubench') ? it : it.skip)('cpubench, one round', () => {
    expect(emulated('cpubench', ['1'])).toBe(native('cpubench', ['1']));
  });

  (have('test-float') ? it : it.skip)('test-float (integer side; the x87 keeps double range, so the extended-range subnormal line differs)', () => {
    const strip = (s: string) => s.split('\n').filter((l) => !l.startsWith('subnormal ')).join('\n');
    expect(strip(emulated('test-float'))).toBe(strip(native('test-float')));
  });
});
