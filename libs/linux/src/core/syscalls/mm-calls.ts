// Memory system calls: brk, the old mmap (#90, arguments in a struct) of anonymous
// memory and of files (private: copy-on-write; shared: the page cache, written back),
// munmap (of any part of a mapping), mprotect, msync.

import { EACCES, EBADF, EINVAL, ENODEV, ENOMEM } from '../errno';
import { pageAlignUp, PAGE_SIZE } from '../phys-mem';
import { TASK_SIZE } from '../mm/page-table';
import { PROT_EXEC, PROT_READ, PROT_WRITE, VM_SHARED, protToFlags } from '../mm/vm-area';
import { DEV_ZERO } from '../fs/ramfs';
import type { SyscallImpls } from './table';

export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MS_ASYNC = 1;
export const MS_INVALIDATE = 2;
export const MS_SYNC = 4;

export const mmCalls: SyscallImpls = {
  brk(_k, t, r) {
    return t.mm!.setBrk(r.ebx >>> 0);
  },
  mmap(k, t, r) {
    // old_mmap(struct mmap_arg_struct *): addr, len, prot, flags, fd, offset
    const b = k.uaccess.copyFrom(t.mm!, r.ebx, 24);
    const dv = new DataView(b.buffer);
    const addr = dv.getUint32(0, true);
    const len = dv.getUint32(4, true);
    const prot = dv.getUint32(8, true);
    const flags = dv.getUint32(12, true);
    const fd = dv.getInt32(16, true);
    const offset = dv.getUint32(20, true);
    if (offset % PAGE_SIZE) return -EINVAL;
    if (len === 0 || pageAlignUp(len) > TASK_SIZE || pageAlignUp(len) === 0) return -EINVAL;
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) return -EINVAL;
    const type = flags & (MAP_SHARED | MAP_PRIVATE);
    if (type !== MAP_SHARED && type !== MAP_PRIVATE) return -EINVAL;
    const fixed = (flags & MAP_FIXED) !== 0;
    if (flags & MAP_ANONYMOUS) {
      // shared anonymous memory: not in 2.0 (it came with 2.4's shmem)
      if (type === MAP_SHARED) return -EINVAL;
      return t.mm!.map(addr, len, protToFlags(prot), fixed, null, 'anon');
    }
    // 2.0 do_mmap: the file must be open for reading; a shared writable mapping needs it open for writing
    const f = fd >= 0 ? t.files[fd] : undefined;
    if (!f) return -EBADF;
    if (f.inode?.isChr && f.inode.rdev === DEV_ZERO) {
      // mmap_zero (2.0 drivers/char/mem.c): private zero-filled memory; shared is refused
      if (type === MAP_SHARED) return -EINVAL;
      return t.mm!.map(addr, len, protToFlags(prot), fixed, null, 'anon');
    }
    if (!f.inode || !f.inode.isReg) return -ENODEV;
    if (!f.readable) return -EACCES;
    if (type === MAP_SHARED && prot & PROT_WRITE && !f.writable) return -EACCES;
    if (offset + pageAlignUp(len) > 0xffffffff) return -EINVAL;
    const vmFlags = protToFlags(prot) | (type === MAP_SHARED ? VM_SHARED : 0);
    return t.mm!.map(addr, len, vmFlags, fixed, null, type === MAP_SHARED ? 'file-shared' : 'file-private', { inode: f.inode, offset });
  },
  msync(_k, t, r) {
    // sys_msync: page-aligned start, MS_ASYNC | MS_INVALIDATE | MS_SYNC; ENOMEM when part is unmapped
    const start = r.ebx >>> 0;
    const len = pageAlignUp(r.ecx >>> 0);
    const flags = r.edx >>> 0;
    if (start % PAGE_SIZE || flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) return -EINVAL;
    if ((flags & MS_ASYNC) !== 0 && (flags & MS_SYNC) !== 0) return -EINVAL;
    if (start + len > TASK_SIZE || start + len < start) return -ENOMEM;
    if (len === 0) return 0;
    return t.mm!.syncFile(start, start + len, (flags & MS_INVALIDATE) !== 0) ? 0 : -ENOMEM;
  },
  munmap(_k, t, r) {
    const addr = r.ebx >>> 0;
    const len = pageAlignUp(r.ecx >>> 0);
    if (addr % PAGE_SIZE || len === 0 || addr + len > TASK_SIZE) return -EINVAL;
    t.mm!.unmap(addr, addr + len);
    return 0;
  },
  mprotect(_k, t, r) {
    const addr = r.ebx >>> 0;
    const len = pageAlignUp(r.ecx >>> 0);
    if (addr % PAGE_SIZE || addr + len > TASK_SIZE || r.edx & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) return -EINVAL;
    if (len === 0) return 0;
    t.mm!.protect(addr, addr + len, protToFlags(r.edx));
    return 0;
  },
};
