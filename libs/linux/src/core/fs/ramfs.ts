// The root file system: an in-memory file system with real inodes and
// directories (like Linux's ramfs/tmpfs, but on 2.0 semantics). Directories map
// names to inodes, "." and ".." are real, link counts are kept, unlinking an open
// file keeps its inode until the last reference goes. Later issues move the root
// to a disk-backed file system behind the same Inode operations.

import { EEXIST, EINVAL, EISDIR, ENAMETOOLONG, ENOENT, ENOTDIR, ENOTEMPTY, EPERM, KernelError } from '../errno';
import { walk, walkParent } from './path-walk';

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;

export const NAME_MAX = 255;
export const PATH_MAX = 1024;

/** Character devices (major, minor) the kernel knows (Linux's devices.txt numbers). */
export const DEV_NULL = (1 << 8) | 3;
export const DEV_ZERO = (1 << 8) | 5;
export const DEV_TTY = (5 << 8) | 0;
export const DEV_CONSOLE = (5 << 8) | 1;

/** One entry of a directory listing; `next` is the position to continue from (getdents' f_pos). */
export interface DirListEntry {
  name: string;
  ino: number;
  next: number;
}

/**
 * The operations of a mounted file system on its inodes (the VFS's inode and super
 * operations): the in-memory RamFs and the on-disk Ext2Fs implement them. Directory
 * operations may throw KernelError; the disk file system may also throw IoWait (a block
 * must be read first: the call runs again once it is in, see block/io-wait.ts).
 */
export interface InodeFs {
  /** st_dev of its inodes */
  readonly dev: number;
  child(dir: Inode, name: string): Inode;
  /** up to `max` entries of `dir` from position `pos` ("." and ".." included) */
  list(dir: Inode, pos: number, max: number): DirListEntry[];
  create(dir: Inode, name: string, mode: number, rdev?: number): Inode;
  link(dir: Inode, name: string, target: Inode): void;
  unlink(dir: Inode, name: string): void;
  rmdir(dir: Inode, name: string): void;
  rename(fromDir: Inode, fromName: string, toDir: Inode, toName: string): void;
  /** drops one reference (iput) */
  release(inode: Inode): void;
  /** an open() of the inode is about to succeed (the disk fs reads its block map here; may throw IoWait) */
  prepareOpen?(inode: Inode): void;
  /** the reference of an open() was taken (the disk fs pins the block map it read) */
  opened?(inode: Inode): void;
  /** the inode's attributes changed (mode, times): write it back at the next sync */
  touch?(inode: Inode): void;
}

/** Input for the root file system: path → file contents, or an entry with a mode (S_IFDIR for directories). */
export type FileTree = Record<string, Uint8Array | string | { bytes?: Uint8Array | string; mode: number }>;

export class Inode {
  /** the inode's data lives on a disk: reads and writes may have to wait (IoWait) */
  readonly onDisk: boolean = false;
  nlink = 0;
  /** open files and working directories holding this inode */
  refs = 0;
  size = 0;
  data: Uint8Array = new Uint8Array(0);
  readonly entries: Map<string, Inode> | null;
  parent: Inode | null = null;
  mtime = 0;
  atime = 0;
  ctime = 0;

  constructor(
    readonly fs: InodeFs,
    readonly ino: number,
    public mode: number,
    readonly rdev = 0,
    inMemoryDirectory = true,
  ) {
    this.entries = inMemoryDirectory && (mode & S_IFMT) === S_IFDIR ? new Map() : null;
  }

  /** 512-byte blocks held (st_blocks) */
  get sectors(): number {
    return Math.ceil(this.size / 512);
  }

  get isDir(): boolean {
    return (this.mode & S_IFMT) === S_IFDIR;
  }
  get isReg(): boolean {
    return (this.mode & S_IFMT) === S_IFREG;
  }
  get isChr(): boolean {
    return (this.mode & S_IFMT) === S_IFCHR;
  }

  /** File contents (a view; valid until the next write). */
  contents(): Uint8Array {
    return this.data.subarray(0, this.size);
  }

  read(pos: number, len: number): Uint8Array {
    if (pos >= this.size) return new Uint8Array(0);
    return this.data.slice(pos, Math.min(this.size, pos + len));
  }

  write(pos: number, bytes: Uint8Array): void {
    const end = pos + bytes.length;
    this.reserve(end);
    this.data.set(bytes, pos);
    if (end > this.size) this.size = end;
  }

  truncate(len: number): void {
    if (len > this.size) {
      this.reserve(len);
      this.data.fill(0, this.size, len);
    } else {
      this.data.fill(0, len, this.size);
    }
    this.size = len;
  }

  private reserve(n: number): void {
    if (n <= this.data.length) return;
    const grown = new Uint8Array(Math.max(n, this.data.length * 2, 256));
    grown.set(this.data.subarray(0, this.size));
    this.data = grown;
  }
}

export class RamFs implements InodeFs {
  private nextIno = 1;
  readonly root: Inode;

  /** st_dev: an unnamed (major 0) device; the first RamFs of a system is 0x0100 as before */
  constructor(readonly dev = 0x0100) {
    this.root = this.newInode(S_IFDIR | 0o755);
    this.root.parent = this.root;
    this.root.nlink = 2;
  }

  newInode(mode: number, rdev = 0): Inode {
    return new Inode(this, this.nextIno++, mode, rdev);
  }

  /** Resolves `path` from `cwd` (absolute paths from the root). Throws KernelError(ENOENT/ENOTDIR/…). */
  lookup(path: string, cwd: Inode = this.root): Inode {
    return walk(path, this.root, cwd, (dir, name) => this.child(dir, name));
  }

  /** Resolves all but the last component; `name` is '' when the path names a directory itself ("/", "a/"). */
  lookupParent(path: string, cwd: Inode = this.root): { dir: Inode; name: string } {
    return walkParent(path, this.root, cwd, (dir, name) => this.child(dir, name));
  }

  child(dir: Inode, name: string): Inode {
    if (!dir.isDir || !dir.entries) throw new KernelError(ENOTDIR);
    if (name.length > NAME_MAX) throw new KernelError(ENAMETOOLONG);
    if (name === '.') return dir;
    if (name === '..') return dir.parent ?? dir;
    const c = dir.entries.get(name);
    if (!c) throw new KernelError(ENOENT);
    return c;
  }

  /** Creates a regular file, device or directory `name` in `dir`. */
  create(dir: Inode, name: string, mode: number, rdev = 0): Inode {
    this.checkName(dir, name);
    const inode = this.newInode(mode, rdev);
    if (inode.isDir) {
      inode.parent = dir;
      inode.nlink = 2;
      dir.nlink++;
    } else {
      inode.nlink = 1;
    }
    dir.entries!.set(name, inode);
    return inode;
  }

  link(dir: Inode, name: string, target: Inode): void {
    if (target.isDir) throw new KernelError(EPERM);
    this.checkName(dir, name);
    dir.entries!.set(name, target);
    target.nlink++;
  }

  unlink(dir: Inode, name: string): void {
    const inode = this.child(dir, name);
    if (name === '.' || name === '..') throw new KernelError(EINVAL);
    if (inode.isDir) throw new KernelError(EISDIR);
    dir.entries!.delete(name);
    inode.nlink--;
    this.maybeRelease(inode);
  }

  rmdir(dir: Inode, name: string): void {
    if (name === '.' || name === '..') throw new KernelError(EINVAL);
    const inode = this.child(dir, name);
    if (!inode.isDir) throw new KernelError(ENOTDIR);
    if (inode.entries!.size > 0) throw new KernelError(ENOTEMPTY);
    if (inode === this.root) throw new KernelError(EPERM);
    dir.entries!.delete(name);
    dir.nlink--;
    inode.nlink = 0;
    this.maybeRelease(inode);
  }

  rename(fromDir: Inode, fromName: string, toDir: Inode, toName: string): void {
    const inode = this.child(fromDir, fromName);
    const existing = toDir.entries?.get(toName);
    if (existing === inode) return;
    if (existing) {
      if (existing.isDir) this.rmdir(toDir, toName);
      else this.unlink(toDir, toName);
    }
    this.checkName(toDir, toName);
    fromDir.entries!.delete(fromName);
    toDir.entries!.set(toName, inode);
    if (inode.isDir) {
      fromDir.nlink--;
      toDir.nlink++;
      inode.parent = toDir;
    }
  }

  list(dir: Inode, pos: number, max: number): DirListEntry[] {
    if (!dir.isDir || !dir.entries) throw new KernelError(ENOTDIR);
    const names: [string, number][] = [['.', dir.ino], ['..', (dir.parent ?? dir).ino], ...[...dir.entries].map(([n, i]) => [n, i.ino] as [string, number])];
    const out: DirListEntry[] = [];
    for (let p = pos; p < names.length && out.length < max; p++) out.push({ name: names[p][0], ino: names[p][1], next: p + 1 });
    return out;
  }

  /** Drops one open reference (iput). */
  release(inode: Inode): void {
    inode.refs--;
    this.maybeRelease(inode);
  }

  private maybeRelease(inode: Inode): void {
    if (inode.nlink === 0 && inode.refs <= 0) {
      inode.data = new Uint8Array(0);
      inode.size = 0;
    }
  }

  private checkName(dir: Inode, name: string): void {
    if (!dir.isDir || !dir.entries) throw new KernelError(ENOTDIR);
    if (name.length === 0 || name === '.' || name === '..') throw new KernelError(EEXIST);
    if (name.length > NAME_MAX) throw new KernelError(ENAMETOOLONG);
    if (name.includes('/')) throw new KernelError(EINVAL);
    if (dir.nlink === 0) throw new KernelError(ENOENT);
    if (dir.entries.has(name)) throw new KernelError(EEXIST);
  }

  /** Creates every missing directory of an absolute path (mkdir -p). */
  mkdirs(path: string): Inode {
    let dir = this.root;
    for (const part of path.split('/').filter((p) => p.length > 0)) {
      const c = dir.entries!.get(part);
      if (c) {
        if (!c.isDir) throw new Error(`RamFs: ${path}: ${part} is not a directory`);
        dir = c;
      } else {
        dir = this.create(dir, part, S_IFDIR | 0o755);
      }
    }
    return dir;
  }

  /** Builds a root file system from a FileTree (plus /dev with null, zero, tty, console and /tmp). */
  static fromTree(tree: FileTree): RamFs {
    const fs = new RamFs();
    fs.addDevices(fs.mkdirs('/dev'));
    fs.mkdirs('/tmp').mode = S_IFDIR | 0o1777;
    for (const e of treeEntries(tree)) fs.addEntry(e.path, e.mode, e.bytes);
    return fs;
  }

  /** The character devices every system has: null, zero, tty, console. */
  addDevices(dev: Inode): void {
    this.create(dev, 'null', S_IFCHR | 0o666, DEV_NULL);
    this.create(dev, 'zero', S_IFCHR | 0o666, DEV_ZERO);
    this.create(dev, 'tty', S_IFCHR | 0o666, DEV_TTY);
    this.create(dev, 'console', S_IFCHR | 0o600, DEV_CONSOLE);
  }

  /** Adds a directory or a regular file at an absolute path (creating its parents). */
  addEntry(path: string, mode: number, bytes: Uint8Array): void {
    if ((mode & S_IFMT) === S_IFDIR) {
      this.mkdirs(path).mode = mode;
      return;
    }
    const slash = path.lastIndexOf('/');
    const dir = this.mkdirs(path.slice(0, slash));
    const name = path.slice(slash + 1);
    if (name.length === 0) throw new Error(`FileTree: ${path}: no file name`);
    if (dir.entries!.has(name)) throw new Error(`FileTree: ${path} given twice`);
    this.create(dir, name, mode).write(0, bytes);
  }
}

/** A FileTree's entries, checked and sorted by path: directories and regular files with their modes and bytes. */
export function treeEntries(tree: FileTree): { path: string; mode: number; bytes: Uint8Array }[] {
  const out: { path: string; mode: number; bytes: Uint8Array }[] = [];
  for (const path of Object.keys(tree).sort()) {
    if (!path.startsWith('/')) throw new Error(`FileTree: path must be absolute: ${JSON.stringify(path)}`);
    const entry = tree[path];
    let bytes: Uint8Array | string | undefined;
    let mode: number;
    if (entry instanceof Uint8Array) {
      bytes = entry;
      mode = S_IFREG | 0o755;
    } else if (typeof entry === 'string') {
      bytes = entry;
      mode = S_IFREG | 0o644;
    } else if (entry && typeof entry === 'object' && typeof entry.mode === 'number') {
      bytes = entry.bytes;
      mode = entry.mode & S_IFMT ? entry.mode : S_IFREG | entry.mode;
    } else {
      throw new Error(`FileTree: bad entry for ${path}`);
    }
    if ((mode & S_IFMT) !== S_IFDIR && (mode & S_IFMT) !== S_IFREG) throw new Error(`FileTree: ${path}: only regular files and directories can be given`);
    out.push({ path, mode, bytes: typeof bytes === 'string' ? new TextEncoder().encode(bytes) : (bytes ?? new Uint8Array(0)) });
  }
  return out;
}
