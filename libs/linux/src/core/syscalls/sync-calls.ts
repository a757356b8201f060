// sync, fsync, fdatasync (fs/buffer.c, 2.0; fdatasync is 2.1's, here the same as
// fsync): the disk file system writes its dirty inodes and buffers and the call
// returns when the drive has them. Files of the in-memory file systems have nothing
// to write.

import { EBADF, EINVAL } from '../errno';
import { Ext2Inode } from '../fs/ext2/ext2fs';
import type { LinuxKernel } from '../kernel';
import type { Blocking, Task } from '../task';
import type { SyscallImpls } from './table';

function fsyncFd(k: LinuxKernel, t: Task, fd: number): number | Blocking {
  const f = fd >= 0 ? t.files[fd] : undefined;
  if (!f) return -EBADF;
  const inode = f.inode;
  if (!inode) return -EINVAL; // pipes and sockets
  if (!(inode instanceof Ext2Inode) || !k.disk) return 0;
  return k.disk.ext2.sync(inode);
}

export const syncCalls: SyscallImpls = {
  sync(k) {
    return k.disk ? k.disk.ext2.sync() : 0;
  },
  fsync(k, t, r) {
    return fsyncFd(k, t, r.ebx);
  },
  fdatasync(k, t, r) {
    return fsyncFd(k, t, r.ebx);
  },
};
