// Core dumps (fs/binfmt_elf.c elf_core_dump, 2.0): a signal whose default action is
// "core" writes the process's memory to a file named "core" in its working directory,
// and only when that succeeded does the wait status carry the core flag (0x80). With
// 2.0's default RLIMIT_CORE of 0 no core is written, so the flag stays clear unless
// the process raised its limit.
//
// What we write: an ELF32 core header (ET_CORE, EM_386), one PT_LOAD program header per
// readable area with its present pages' bytes (absent pages read as zeros; 2.0 dumps
// them the same way through its own page tables), truncated to the limit. No PT_NOTE
// (2.0 adds prstatus/prpsinfo notes: registers and names, not needed by anything here).

import { KernelError } from '../errno';
import { IoWait } from '../block/io-wait';
import type { LinuxKernel } from '../kernel';
import { PAGE_SIZE } from '../phys-mem';
import { RLIMIT_CORE, Task } from '../task';
import { S_IFREG } from '../fs/ramfs';
import { VM_READ } from '../mm/vm-area';

const EHDR = 52;
const PHDR = 32;

/** Writes ./core for `t`; true when a core file was written (the wait status then has 0x80). */
export function dumpCore(k: LinuxKernel, t: Task): boolean {
  const limit = t.rlim[RLIMIT_CORE][0];
  const mm = t.mm;
  if (!mm || limit < PAGE_SIZE || !t.cwd) return false;
  const areas = mm.areas.filter((a) => a.flags & VM_READ);
  const headerBytes = EHDR + PHDR * areas.length;
  const dataStart = Math.ceil(headerBytes / PAGE_SIZE) * PAGE_SIZE;
  const total = areas.reduce((n, a) => n + (a.end - a.start), dataStart);
  if (total > limit) return false; // 2.0 gives up on a core larger than the limit
  try {
    const { dir, name } = k.fs.lookupParent('core', t.cwd);
    const existing = k.fs.childOrNull(dir, name);
    if (existing && !existing.isReg) return false;
    const inode = existing ?? k.fs.create(dir, name, S_IFREG | 0o600);
    inode.truncate(0);
    const head = new Uint8Array(dataStart);
    const dv = new DataView(head.buffer);
    head.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1], 0); // \x7fELF, 32-bit, little endian, version 1
    dv.setUint16(16, 4, true); // ET_CORE
    dv.setUint16(18, 3, true); // EM_386
    dv.setUint32(20, 1, true);
    dv.setUint32(28, EHDR, true); // e_phoff
    dv.setUint16(40, EHDR, true);
    dv.setUint16(42, PHDR, true);
    dv.setUint16(44, areas.length, true);
    let off = dataStart;
    areas.forEach((a, i) => {
      const p = EHDR + i * PHDR;
      const size = a.end - a.start;
      dv.setUint32(p, 1, true); // PT_LOAD
      dv.setUint32(p + 4, off, true);
      dv.setUint32(p + 8, a.start, true);
      dv.setUint32(p + 16, size, true);
      dv.setUint32(p + 20, size, true);
      dv.setUint32(p + 24, a.flags & 7, true);
      dv.setUint32(p + 28, PAGE_SIZE, true);
      off += size;
    });
    inode.write(0, head);
    off = dataStart;
    for (const a of areas) {
      for (let page = a.start; page < a.end; page += PAGE_SIZE) {
        const phys = mm.presentPhys(page);
        inode.write(off, phys < 0 ? new Uint8Array(PAGE_SIZE) : k.mem.readBytes(phys, PAGE_SIZE));
        off += PAGE_SIZE;
      }
    }
    k.charge('page-copy', (off - dataStart) / PAGE_SIZE);
    return true;
  } catch (e) {
    // no room, no directory, or the disk would have to be waited for (do_exit cannot
    // sleep here): no core, and no flag
    if (e instanceof KernelError || e instanceof IoWait) return false;
    throw e;
  }
}
