// Opening an inode: the struct file with the operations of its kind.

import { ENXIO, KernelError } from '../errno';
import { NullFile, OpenFile, RegularFile, TtyFile } from './file';
import { DEV_CONSOLE, DEV_NULL, DEV_TTY, DEV_ZERO, Inode } from './ramfs';

/** Opens `inode` (the caller already took the inode reference). */
export function openInode(inode: Inode, flags: number): OpenFile {
  if (inode.isChr) {
    switch (inode.rdev) {
      case DEV_NULL:
        return new NullFile(flags, inode, false);
      case DEV_ZERO:
        return new NullFile(flags, inode, true);
      case DEV_TTY:
      case DEV_CONSOLE:
        return new TtyFile(flags, inode);
      default:
        inode.fs.release(inode);
        throw new KernelError(ENXIO);
    }
  }
  return new RegularFile(flags, inode);
}
