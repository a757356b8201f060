import { EEXIST, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, KernelError } from '../errno';
import { DEV_NULL, RamFs, S_IFDIR, S_IFREG } from './ramfs';

const errno = (f: () => unknown): number | null => {
  try {
    f();
    return null;
  } catch (e) {
    if (e instanceof KernelError) return e.errno;
    throw e;
  }
};

describe('the in-memory root file system', () => {
  test('fromTree builds directories, files with their modes, and /dev', () => {
    const fs = RamFs.fromTree({ '/bin/init': new Uint8Array([1, 2, 3]), '/etc/motd': 'hello\n', '/home/guest': { mode: S_IFDIR | 0o700 } });
    const init = fs.lookup('/bin/init');
    expect(init.isReg).toBe(true);
    expect(init.mode).toBe(S_IFREG | 0o755);
    expect([...init.contents()]).toEqual([1, 2, 3]);
    expect(fs.lookup('/etc/motd').mode).toBe(S_IFREG | 0o644);
    expect(new TextDecoder().decode(fs.lookup('/etc/motd').contents())).toBe('hello\n');
    expect(fs.lookup('/home/guest').mode).toBe(S_IFDIR | 0o700);
    expect(fs.lookup('/dev/null').rdev).toBe(DEV_NULL);
    expect(fs.lookup('/tmp').isDir).toBe(true);
    expect(() => RamFs.fromTree({ 'relative/path': 'x' })).toThrow(/absolute/);
  });

  test('lookup: ".", "..", repeated slashes, relative to a cwd; errors', () => {
    const fs = RamFs.fromTree({ '/a/b/c': 'x' });
    const b = fs.lookup('/a/b');
    expect(fs.lookup('c', b).isReg).toBe(true);
    expect(fs.lookup('../b/./c', b)).toBe(fs.lookup('//a///b/c'));
    expect(fs.lookup('/..')).toBe(fs.root);
    expect(errno(() => fs.lookup('/a/nope'))).toBe(ENOENT);
    expect(errno(() => fs.lookup('/a/b/c/d'))).toBe(ENOTDIR);
    expect(errno(() => fs.lookup('/a/b/c/'))).toBe(ENOTDIR);
    expect(errno(() => fs.lookup(''))).toBe(ENOENT);
  });

  test('create, link, unlink with link counts; an open unlinked file keeps its data', () => {
    const fs = RamFs.fromTree({});
    const tmp = fs.lookup('/tmp');
    const f = fs.create(tmp, 'f', S_IFREG | 0o644);
    f.write(0, new Uint8Array([9, 9]));
    expect(errno(() => fs.create(tmp, 'f', S_IFREG | 0o644))).toBe(EEXIST);
    fs.link(tmp, 'g', f);
    expect(f.nlink).toBe(2);
    f.refs++; // an open file
    fs.unlink(tmp, 'f');
    fs.unlink(tmp, 'g');
    expect(f.nlink).toBe(0);
    expect(errno(() => fs.lookup('/tmp/g'))).toBe(ENOENT);
    expect(f.size).toBe(2);
    fs.release(f);
    expect(f.size).toBe(0);
  });

  test('directories: mkdir/rmdir keep nlink, refuse non-empty, unlink refuses dirs; rename moves', () => {
    const fs = RamFs.fromTree({});
    const root = fs.root;
    const n0 = root.nlink;
    const d = fs.create(root, 'd', S_IFDIR | 0o755);
    expect(root.nlink).toBe(n0 + 1);
    expect(d.nlink).toBe(2);
    fs.create(d, 'x', S_IFREG | 0o644);
    expect(errno(() => fs.rmdir(root, 'd'))).toBe(ENOTEMPTY);
    expect(errno(() => fs.unlink(root, 'd'))).toBe(EISDIR);
    fs.rename(d, 'x', root, 'y');
    expect(fs.lookup('/y').isReg).toBe(true);
    fs.rmdir(root, 'd');
    expect(root.nlink).toBe(n0);
    expect(errno(() => fs.lookup('/d'))).toBe(ENOENT);
  });

  test('file data: sparse writes zero-fill, truncate shrinks and grows', () => {
    const fs = RamFs.fromTree({});
    const f = fs.create(fs.root, 'f', S_IFREG | 0o644);
    f.write(5, new Uint8Array([1]));
    expect([...f.contents()]).toEqual([0, 0, 0, 0, 0, 1]);
    f.truncate(2);
    f.truncate(4);
    expect([...f.contents()]).toEqual([0, 0, 0, 0]);
    expect([...f.read(1, 100)]).toEqual([0, 0, 0]);
    expect(f.read(10, 1).length).toBe(0);
  });
});
