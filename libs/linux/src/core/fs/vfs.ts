// The VFS name space: path lookup (namei) across mounted file systems, and the
// directory operations dispatched to the file system of the directory they act on.
// The root is one file system (the in-memory RamFs, or the disk's ext2); others are
// mounted on its directories (/dev and /tmp are RamFs on a disk root). Crossing a
// mount point goes to the mounted root; ".." of a mounted root goes to the parent of
// the directory it covers. Links and renames across file systems fail with EXDEV.

import { EBUSY, ENAMETOOLONG, ENOENT, ENOTDIR, EXDEV, KernelError } from '../errno';
import { walk, walkParent } from './path-walk';
import { DirListEntry, Inode, NAME_MAX } from './ramfs';


export class Vfs {
  /** covered directory → the root mounted on it */
  private readonly mounts = new Map<Inode, Inode>();
  /** mounted root → the directory it covers */
  private readonly coveredBy = new Map<Inode, Inode>();

  constructor(readonly root: Inode) {}

  /** Mounts the file system whose root is `fsRoot` on the directory `on`. */
  mount(on: Inode, fsRoot: Inode): void {
    if (!on.isDir) throw new Error('mount: not a directory');
    if (this.mounts.has(on)) throw new Error('mount: already a mount point');
    this.mounts.set(on, fsRoot);
    this.coveredBy.set(fsRoot, on);
    on.refs++;
  }

  /** Resolves `path` from `cwd` (absolute paths from the root). Throws KernelError(ENOENT/ENOTDIR/…). */
  lookup(path: string, cwd: Inode = this.root): Inode {
    return walk(path, this.root, cwd, (dir, name) => this.child(dir, name));
  }

  /** Resolves all but the last component; `name` is '' when the path names a directory itself ("/", "a/"). */
  lookupParent(path: string, cwd: Inode = this.root): { dir: Inode; name: string } {
    return walkParent(path, this.root, cwd, (dir, name) => this.child(dir, name));
  }

  /** One step of the walk, across mount points. */
  child(dir: Inode, name: string): Inode {
    if (!dir.isDir) throw new KernelError(ENOTDIR);
    if (name.length > NAME_MAX) throw new KernelError(ENAMETOOLONG);
    if (name === '..') {
      const covered = this.coveredBy.get(dir);
      if (covered) return this.child(covered, '..');
    }
    const c = dir.fs.child(dir, name);
    return this.mounts.get(c) ?? c;
  }

  /** The inode `name` names in `dir`, or null when there is none (other errors are thrown). */
  childOrNull(dir: Inode, name: string): Inode | null {
    try {
      return this.child(dir, name);
    } catch (e) {
      if (e instanceof KernelError && e.errno === ENOENT) return null;
      throw e;
    }
  }

  list(dir: Inode, pos: number, max: number): DirListEntry[] {
    const entries = dir.fs.list(dir, pos, max);
    const covered = this.coveredBy.get(dir);
    if (!covered) return entries;
    // ".." of a mounted root is the parent of the covered directory
    const up = this.child(covered, '..');
    return entries.map((e) => (e.name === '..' ? { ...e, ino: up.ino } : e));
  }

  /** The absolute path of a directory: each directory's name in its parent, up to the root (getcwd). */
  pathOf(dir: Inode): string {
    const parts: string[] = [];
    for (let d = dir, guard = 0; d !== this.root && guard < 256; guard++) {
      const parent = this.child(d, '..');
      if (parent === d) break;
      const here = this.coveredBy.get(d) ?? d;
      const e = this.list(parent, 0, 1 << 30).find((x) => x.ino === here.ino && x.name !== '.' && x.name !== '..' && this.child(parent, x.name) === d);
      if (!e) throw new KernelError(ENOENT, 'getcwd: the directory was removed');
      parts.unshift(e.name);
      d = parent;
    }
    return '/' + parts.join('/');
  }

  create(dir: Inode, name: string, mode: number, rdev = 0): Inode {
    return dir.fs.create(dir, name, mode, rdev);
  }

  link(dir: Inode, name: string, target: Inode): void {
    if (dir.fs !== target.fs) throw new KernelError(EXDEV);
    dir.fs.link(dir, name, target);
  }

  unlink(dir: Inode, name: string): void {
    dir.fs.unlink(dir, name);
  }

  rmdir(dir: Inode, name: string): void {
    const target = this.childOrNull(dir, name);
    if (target && (this.mounts.has(target) || this.coveredBy.has(target) || target === this.root)) throw new KernelError(EBUSY);
    dir.fs.rmdir(dir, name);
  }

  rename(fromDir: Inode, fromName: string, toDir: Inode, toName: string): void {
    if (fromDir.fs !== toDir.fs) throw new KernelError(EXDEV);
    const moving = this.childOrNull(fromDir, fromName);
    if (moving && (this.mounts.has(moving) || this.coveredBy.has(moving))) throw new KernelError(EBUSY);
    fromDir.fs.rename(fromDir, fromName, toDir, toName);
  }

  release(inode: Inode): void {
    inode.fs.release(inode);
  }
}
