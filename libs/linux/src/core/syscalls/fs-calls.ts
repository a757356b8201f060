// File system calls on the VFS of the core: open/creat/close/read/write/lseek,
// directories, links, stat, truncate, getcwd, utime. (dup, dup2, pipe, fcntl, ioctl,
// select: fd-calls.ts; sync, fsync, fdatasync: sync-calls.ts.)
//
// On the disk file system a call may find a block missing: the file system throws
// IoWait before it changes anything and the call runs again once the block is in
// (kernel.ts), so every call here does its lookups before its one change.

import { EACCES, EBADF, EEXIST, EINVAL, EISDIR, ENOENT, ENOTDIR, ERANGE, KernelError } from '../errno';
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
    const existing = k.fs.childOrNull(dir, name);
    if (existing) {
      if (flags & O_CREAT && flags & O_EXCL) throw new KernelError(EEXIST);
      inode = existing;
    } else {
      if (!(flags & O_CREAT)) throw new KernelError(ENOENT);
      inode = k.fs.create(dir, name, S_IFREG | (mode & 0o7777 & ~t.umask));
    }
  }
  if (inode.isDir && (flags & O_ACCMODE) !== O_RDONLY) throw new KernelError(EISDIR);
  inode.fs.prepareOpen?.(inode);
  if (flags & O_TRUNC && inode.isReg && (flags & O_ACCMODE) !== O_RDONLY && inode.size > 0) inode.truncate(0);
  inode.refs++;
  inode.fs.opened?.(inode);
  const f = openInode(inode, flags);
  return k.installFd(t, f);
}

function statBytes(k: LinuxKernel, inode: Inode): Uint8Array {
  // struct new_stat of i386 Linux 2.0 (64 bytes)
  const b = new Uint8Array(64);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, inode.fs.dev, true); // st_dev: the disk (hda, 0x0300) or an in-memory fs (0x0100…)
  dv.setUint32(4, inode.ino, true);
  dv.setUint16(8, inode.mode, true);
  dv.setUint16(10, inode.nlink, true);
  dv.setUint16(16, inode.rdev, true);
  dv.setUint32(20, inode.isDir && !inode.onDisk ? 1024 : inode.size, true);
  dv.setUint32(24, inode.onDisk ? 1024 : 4096, true); // st_blksize: ext2's block size on the disk
  dv.setUint32(28, inode.sectors, true);
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
    inode.ctime = k.timeOfDay().sec;
    inode.fs.touch?.(inode);
    return 0;
  },
  fchdir(k, t, r) {
    const d = file(t, r.ebx).inode;
    if (!d || !d.isDir) return -ENOTDIR;
    d.refs++;
    if (t.cwd) k.fs.release(t.cwd);
    t.cwd = d;
    return 0;
  },
  getcwd(k, t, r) {
    // sys_getcwd (2.1.92+; 2.0's libc walked ".." with readdir): the name of each directory in its parent, up to the root
    const buf = r.ebx >>> 0;
    const size = r.ecx >>> 0;
    const p = k.fs.pathOf(cwd(k, t));
    const bytes = new TextEncoder().encode(p + '\0');
    if (bytes.length > size) return -ERANGE;
    k.uaccess.copyTo(t.mm!, buf, bytes);
    return bytes.length;
  },
  utime(k, t, r) {
    // utime(path, struct utimbuf { actime, modtime } or NULL = now)
    const inode = k.fs.lookup(path(k, t, r.ebx), cwd(k, t));
    const now = k.timeOfDay().sec;
    let at = now;
    let mt = now;
    if (r.ecx) {
      at = k.uaccess.read32(t.mm!, r.ecx);
      mt = k.uaccess.read32(t.mm!, r.ecx + 4);
    }
    inode.atime = at;
    inode.mtime = mt;
    inode.ctime = now;
    inode.fs.touch?.(inode);
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
    // records 4-byte aligned; f_pos is the file system's position (ramfs: an entry
    // index, "." and ".." first; ext2: the byte offset of the next entry)
    const f = file(t, r.ebx);
    const dir = f.inode;
    if (!dir || !dir.isDir) return -ENOTDIR;
    const count = r.edx >>> 0;
    // at most as many entries as the smallest records could fill
    const entries = k.fs.list(dir, f.pos, Math.max(1, Math.floor(count / 12)));
    const enc = new TextEncoder();
    const out: number[] = [];
    let pos = f.pos;
    for (const e of entries) {
      const { name, ino } = e;
      const nb = enc.encode(name);
      const reclen = (10 + nb.length + 1 + 3) & ~3;
      if (out.length + reclen > count) {
        if (out.length === 0) return -EINVAL; // buffer too small for one entry
        break;
      }
      const rec = new Uint8Array(reclen);
      const dv = new DataView(rec.buffer);
      dv.setUint32(0, ino, true);
      dv.setUint32(4, e.next, true);
      dv.setUint16(8, reclen, true);
      rec.set(nb, 10);
      out.push(...rec);
      pos = e.next;
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
};

export { ENOENT };
