// Memory system calls: brk, the old mmap (#90, arguments in a struct), munmap, mprotect.

import { EBADF, EINVAL, ENODEV } from '../errno';
import { pageAlignUp, PAGE_SIZE } from '../phys-mem';
import { TASK_SIZE } from '../mm/page-table';
import { PROT_EXEC, PROT_READ, PROT_WRITE, protToFlags } from '../mm/vm-area';
import type { SyscallImpls } from './table';

export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;

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
    if (len === 0 || pageAlignUp(len) > TASK_SIZE) return -EINVAL;
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) return -EINVAL;
    const type = flags & (MAP_SHARED | MAP_PRIVATE);
    if (type !== MAP_SHARED && type !== MAP_PRIVATE) return -EINVAL;
    let backing = null;
    if (!(flags & MAP_ANONYMOUS)) {
      const f = t.files[fd];
      if (!f) return -EBADF;
      if (!f.inode || !f.inode.isReg) return -ENODEV;
      if (type === MAP_SHARED) return -EINVAL; // shared file mappings need the page cache of a later issue
      const data = f.inode.contents().slice();
      backing = { data, offset, end: 0 };
    } else if (type === MAP_SHARED) {
      return -EINVAL; // shared anonymous memory: not in 2.0 either (it came with 2.4's shmem)
    }
    const start = t.mm!.map(addr, len, protToFlags(prot), (flags & MAP_FIXED) !== 0, backing ? { ...backing, offset: backing.offset } : null, backing ? 'file' : 'anon');
    if (backing) {
      const area = t.mm!.findArea(start)!;
      area.backing = { data: backing.data, offset, end: start + Math.max(0, backing.data.length - offset) };
    }
    return start;
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
    if (addr % PAGE_SIZE || addr + len > TASK_SIZE) return -EINVAL;
    if (len === 0) return 0;
    t.mm!.protect(addr, addr + len, protToFlags(r.edx));
    return 0;
  },
};
