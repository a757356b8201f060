// File system calls on the VFS of the core: open/creat/close/read/write/lseek,
// directories, links, stat. (dup, dup2, pipe, fcntl, ioctl, select: fd-calls.ts.)

import { EACCES, EBADF, EEXIST, EINVAL, EISDIR, ENOENT, ENOTDIR, KernelError } from '../errno';
import { O_ACCMODE, O_CREAT, O_EXCL, O_RDONLY, O_TRUNC, O_WRONLY, OpenFile } from '../fs/file';
import { openInode } from '../fs/open';
import { Inode, PATH_MAX, S_IFDIR, S_IFMT, S_IFREG } from '../fs/ramfs';
import type { LinuxKernel } from '../kernel';
import type { Task } from '../task';
import type { SyscallImpls } from './table';

const path = (k: LinuxKernel, t: Task, addr: number): string => k.uaccess.string(t.mm!, addr, PATH_MAX);
const cwd = (k: LinuxKernel, t: Task): Inode => t.cwd ?? k.fs.root;

function file(t: Task, fd: number): OpenFile {
  const f = fd >= 0 ? t.files[fd] : undefined;
  if (!f) throw new KernelError(EBADF);
  return f;
}

function open(k: LinuxKernel, t: Task, p: string, flags: number, mode: number): number {
  let inode: Inode;
  const { dir, name } = k.fs.lookupParent(p, cwd(k, t));
  if (name === '') {
    inode = dir;
    if (flags & O_CREAT && flags & O_EXCL) throw new KernelError(EEXIST);
  } else {
    const existing = dir.entries?.get(name) ?? (name === '.' || name === '..' ? k.fs.child(dir, name) : undefined);
    if (existing) {
      if (flags & O_CREAT && flags & O_EXCL) throw new KernelError(EEXIST);
      inode = existing;
    } else {
      if (!(flags & O_CREAT)) throw new KernelError(ENOENT);
      inode = k.fs.create(dir, name, S_IFREG | (mode & 0o7777 & ~t.umask));
    }
  }
  if (inode.isDir && (flags & O_ACCMODE) !== O_RDONLY) throw new KernelError(EISDIR);
  if (flags & O_TRUNC && inode.isReg && (flags & O_ACCMODE) !== O_RDONLY) inode.truncate(0);
  inode.refs++;
  const f = openInode(inode, flags);
  return k.installFd(t, f);
}

function statBytes(k: LinuxKernel, inode: Inode): Uint8Array {
  // struct new_stat of i386 Linux 2.0 (64 bytes)
  const b = new Uint8Array(64);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, 0x0100, true); // st_dev: the root (ramfs major 1 minor 0 in our numbering)
  dv.setUint32(4, inode.ino, true);
  dv.setUint16(8, inode.mode, true);
  dv.setUint16(10, inode.nlink, true);
  dv.setUint16(16, inode.rdev, true);
  dv.setUint32(20, inode.isDir ? 1024 : inode.size, true);
  dv.setUint32(24, 4096, true); // st_blksize
  dv.setUint32(28, Math.ceil(inode.size / 512), true);
  const now = k.timeOfDay().sec;
  dv.setUint32(32, inode.atime || now, true);
  dv.setUint32(40, inode.mtime || now, true);
  dv.setUint32(48, inode.ctime || now, true);
  return b;
}

export const fsCalls: SyscallImpls = {
  read(k, t, r) {
    const f = file(t, r.ebx);
    if (!f.readable) return -EBADF;
    const buf = r.ecx >>> 0;
    const len = r.edx >>> 0;
    if (len > 0x7fffffff) return -EINVAL;
    let off = 0;
    return f.read(k, len, (b) => {
      k.uaccess.copyTo(t.mm!, buf + off, b);
      off += b.length;
    });
  },
  write(k, t, r) {
    const fd = r.ebx;
    const f = file(t, fd);
    if (!f.writable) return -EBADF;
    const buf = r.ecx >>> 0;
    const len = r.edx >>> 0;
    if (len > 0x7fffffff) return -EINVAL;
    let off = 0;
    return f.write(
      k,
      len,
      (n) => {
        const b = k.uaccess.copyFrom(t.mm!, buf + off, n);
        off += n;
        return b;
      },
      fd,
    );
  },
  open(k, t, r) {
    return open(k, t, path(k, t, r.ebx), r.ecx, r.edx);
  },
  creat(k, t, r) {
    return open(k, t, path(k, t, r.ebx), O_CREAT | O_WRONLY | O_TRUNC, r.ecx);
  },
  close(k, t, r) {
    k.closeFd(t, r.ebx);
    return 0;
  },
  lseek(_k, t, r) {
    return file(t, r.ebx).lseek(r.ecx | 0, r.edx);
  },
  llseek(k, t, r) {
    // _llseek(fd, offset_high, offset_low, loff_t *result, whence)
    if (r.ecx !== 0 && r.ecx !== 0xffffffff) return -EINVAL;
    const pos = file(t, r.ebx).lseek(r.edx | 0, r.edi);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, pos, true);
    k.uaccess.copyTo(t.mm!, r.esi, b);
    return 0;
  },
  unlink(k, t, r) {
    const { dir, name } = k.fs.lookupParent(path(k, t, r.ebx), cwd(k, t));
    if (name === '') return -EISDIR;
    k.fs.unlink(dir, name);
    return 0;
  },
  link(k, t, r) {
    const target = k.fs.lookup(path(k, t, r.ebx), cwd(k, t));
    const { dir, name } = k.fs.lookupParent(path(k, t, r.ecx), cwd(k, t));
    if (name === '') return -EEXIST;
    k.fs.link(dir, name, target);
    return 0;
  },
  rename(k, t, r) {
    const from = k.fs.lookupParent(path(k, t, r.ebx), cwd(k, t));
    const to = k.fs.lookupParent(path(k, t, r.ecx), cwd(k, t));
    if (from.name === '' || to.name === '') return -EINVAL;
    k.fs.rename(from.dir, from.name, to.dir, to.name);
    return 0;
  },
  mkdir(k, t, r) {
    const { dir, name } = k.fs.lookupParent(path(k, t, r.ebx), cwd(k, t));
    if (name === '') return -EEXIST;
    k.fs.create(dir, name, S_IFDIR | (r.ecx & 0o7777 & ~t.umask));
    return 0;
  },
  rmdir(k, t, r) {
    const { dir, name } = k.fs.lookupParent(path(k, t, r.ebx), cwd(k, t));
    if (name === '') return -EINVAL;
    k.fs.rmdir(dir, name);
    return 0;
  },
  chdir(k, t, r) {
    const d = k.fs.lookup(path(k, t, r.ebx), cwd(k, t));
    if (!d.isDir) return -ENOTDIR;
    d.refs++;
    if (t.cwd) k.fs.release(t.cwd);
    t.cwd = d;
    return 0;
  },
  chmod(k, t, r) {
    const inode = k.fs.lookup(path(k, t, r.ebx), cwd(k, t));
    inode.mode = (inode.mode & S_IFMT) | (r.ecx & 0o7777);
    return 0;
  },
  access(k, t, r) {
    const inode = k.fs.lookup(path(k, t, r.ebx), cwd(k, t));
    // we run as root: only execute needs an x bit somewhere (on regular files)
    if (r.ecx & 1 && inode.isReg && (inode.mode & 0o111) === 0) return -EACCES;
    return 0;
  },
  stat(k, t, r) {
    k.uaccess.copyTo(t.mm!, r.ecx, statBytes(k, k.fs.lookup(path(k, t, r.ebx), cwd(k, t))));
    return 0;
  },
  lstat(k, t, r) {
    k.uaccess.copyTo(t.mm!, r.ecx, statBytes(k, k.fs.lookup(path(k, t, r.ebx), cwd(k, t))));
    return 0;
  },
  fstat(k, t, r) {
    const f = file(t, r.ebx);
    if (!f.inode) {
      // a pipe: S_IFIFO
      const b = new Uint8Array(64);
      new DataView(b.buffer).setUint16(8, 0o010600, true);
      k.uaccess.copyTo(t.mm!, r.ecx, b);
      return 0;
    }
    k.uaccess.copyTo(t.mm!, r.ecx, statBytes(k, f.inode));
    return 0;
  },
  truncate(k, t, r) {
    const inode = k.fs.lookup(path(k, t, r.ebx), cwd(k, t));
    if (inode.isDir) return -EISDIR;
    if (!inode.isReg) return -EINVAL;
    inode.truncate(r.ecx >>> 0);
    return 0;
  },
  ftruncate(_k, t, r) {
    const f = file(t, r.ebx);
    if (!f.inode || !f.inode.isReg || !f.writable) return -EINVAL;
    f.inode.truncate(r.ecx >>> 0);
    return 0;
  },
  getdents(k, t, r) {
    // struct dirent of 2.0: d_ino (4), d_off (4), d_reclen (2), d_name (NUL-terminated),
    // records 4-byte aligned; f_pos counts entries ("." and ".." first)
    const f = file(t, r.ebx);
    const dir = f.inode;
    if (!dir || !dir.isDir || !dir.entries) return -ENOTDIR;
    const names: [string, number][] = [['.', dir.ino], ['..', (dir.parent ?? dir).ino], ...[...dir.entries].map(([n, i]) => [n, i.ino] as [string, number])];
    const count = r.edx >>> 0;
    const enc = new TextEncoder();
    const out: number[] = [];
    let pos = f.pos;
    while (pos < names.length) {
      const [name, ino] = names[pos];
      const nb = enc.encode(name);
      const reclen = (10 + nb.length + 1 + 3) & ~3;
      if (out.length + reclen > count) {
        if (out.length === 0) return -EINVAL; // buffer too small for one entry
        break;
      }
      const rec = new Uint8Array(reclen);
      const dv = new DataView(rec.buffer);
      dv.setUint32(0, ino, true);
      dv.setUint32(4, pos + 1, true);
      dv.setUint16(8, reclen, true);
      rec.set(nb, 10);
      out.push(...rec);
      pos++;
    }
    k.uaccess.copyTo(t.mm!, r.ecx, Uint8Array.from(out));
    f.pos = pos;
    return out.length;
  },
  umask(_k, t, r) {
    const old = t.umask;
    t.umask = r.ebx & 0o777;
    return old;
  },
  sync: () => 0,
};

export { ENOENT };
