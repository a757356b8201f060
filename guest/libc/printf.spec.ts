// The guest printf engine (guest/libc/src/printf.c) against glibc's snprintf: the engine
// is compiled for this host (it is portable C apart from a DIVL), and a host program
// formats ~180 000 value/format pairs (special doubles, random bit patterns, decimal
// fractions, integers of every length) with both. Exact double formatting matters:
// the guest's output is compared across native and emulated runs, and must be right.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const libc = path.resolve(__dirname);

function hostGccWorks(): boolean {
  const r = spawnSync('gcc', ['--version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

(hostGccWorks() ? describe : describe.skip)('guest printf engine', () => {
  it('formats exactly as glibc does', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mklab-printf-'));
    try {
      const guestFlags = ['-O2', '-nostdinc', `-I${libc}/include`, `-I${libc}/src`, '-DLIBC_BACKEND_INT80', '-fno-builtin', '-fno-stack-protector', '-w'];
      execFileSync('gcc', [...guestFlags, '-c', path.join(libc, 'src', 'printf.c'), '-o', path.join(dir, 'printf.o')]);
      execFileSync('gcc', [...guestFlags, '-c', path.join(libc, 'test', 'printf-shim.c'), '-o', path.join(dir, 'shim.o')]);
      execFileSync('gcc', ['-O2', '-w', path.join(libc, 'test', 'printf-oracle.c'), path.join(dir, 'printf.o'), path.join(dir, 'shim.o'), '-o', path.join(dir, 'oracle')]);
      const r = spawnSync(path.join(dir, 'oracle'), [], { encoding: 'utf8', timeout: 120_000 });
      const last = r.stdout.trim().split('\n').pop() ?? '';
      expect(last).toMatch(/^0\/\d+ mismatches$/);
      expect(Number(last.split('/')[1].split(' ')[0])).toBeGreaterThan(100_000);
      expect(r.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
