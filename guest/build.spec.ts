// The committed guest images must be exactly what the sources build: rebuild everything
// into a temporary directory (a different output path, so nothing may depend on it) and
// compare byte for byte. Needs gcc with -m32 support; skipped (and said so) without it.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const committed = path.join(root, 'guest', 'images');

function gccCanBuildI386(): boolean {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mklab-gcc-probe-'));
  try {
    const src = path.join(dir, 'p.c');
    fs.writeFileSync(src, 'int f(void) { return 1; }\n');
    const r = spawnSync('gcc', ['-m32', '-march=pentium', '-ffreestanding', '-c', src, '-o', path.join(dir, 'p.o')], {
      stdio: 'ignore',
    });
    return !r.error && r.status === 0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) for (const f of filesUnder(path.join(dir, e.name))) out.push(path.join(e.name, f));
    else out.push(e.name);
  }
  return out.sort();
}

const canBuild = gccCanBuildI386();
if (!canBuild) console.warn('guest/build.spec.ts: gcc cannot build i386 objects here; the rebuild check is skipped');

(canBuild ? describe : describe.skip)('guest build', () => {
  let tmp = '';
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mklab-guest-build-'));
    execFileSync('node', [path.join(root, 'guest', 'build.mjs'), '--out', path.join(tmp, 'images'), '--obj', path.join(tmp, 'obj'), '--quiet'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }, 300_000);
  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('rebuilds exactly the committed set of images', () => {
    expect(filesUnder(path.join(tmp, 'images'))).toEqual(filesUnder(committed));
  });

  it('rebuilds every committed image byte for byte', () => {
    const differing = filesUnder(committed).filter((f) => {
      const fresh = path.join(tmp, 'images', f);
      return !fs.existsSync(fresh) || !fs.readFileSync(fresh).equals(fs.readFileSync(path.join(committed, f)));
    });
    expect(differing).toEqual([]);
  });

  it('produces static i386 executables without build id or interpreter', () => {
    const getpid = fs.readFileSync(path.join(tmp, 'images', 'int80', 'getpid'));
    expect(getpid.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(getpid[4]).toBe(1); // ELFCLASS32
    expect(getpid.readUInt16LE(16)).toBe(2); // ET_EXEC
    expect(getpid.readUInt16LE(18)).toBe(3); // EM_386
    const phoff = getpid.readUInt32LE(28);
    const phnum = getpid.readUInt16LE(44);
    const types = Array.from({ length: phnum }, (_, i) => getpid.readUInt32LE(phoff + i * 32));
    expect(types).not.toContain(3); // PT_INTERP
    expect(types).not.toContain(4); // PT_NOTE (a build id would live there)
  });
});
