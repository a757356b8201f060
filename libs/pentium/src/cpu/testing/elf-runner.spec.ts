import { execFileSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { runElf } from './elf-runner';

const IMAGES = join(__dirname, '../../../../../guest/images/int80');

function native(name: string, args: string[] = []): string {
  return execFileSync(join(IMAGES, name), args, { encoding: 'latin1' });
}

describe('real gcc -m32 -march=pentium binaries', () => {
  for (const name of ['test-arith', 'test-strings', 'test-sort', 'test-format', 'test-misc', 'test-setjmp', 'test-float']) {
    const path = join(IMAGES, name);
    (existsSync(path) ? it : it.skip)(`${name} prints what it prints natively`, () => {
      const r = runElf(readFileSync(path), { argv: [name] });
      if (r.fault) throw new Error(`${name}: ${r.fault}\nstdout so far:\n${r.stdout}`);
      expect(r.stdout).toBe(native(name));
      expect(r.exitCode).toBe(0);
    });
  }
});
