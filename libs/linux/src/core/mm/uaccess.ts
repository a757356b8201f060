// Copying to and from user memory. Native Linux copies through the current page
// tables with exception fixups for faults; L4Linux walks the process page table in
// software. The core does the software walk for all three (the page tables are the
// same i386 format), faulting missing pages in through the fault handler exactly
// where the real kernel's fixup path would, and failing with EFAULT otherwise.

import { EFAULT, ENAMETOOLONG, KernelError } from '../errno';
import { PAGE_SIZE, PhysMem } from '../phys-mem';
import type { Mm } from './mm';
import type { PathTouch } from '../../arch/arch';

export class UserAccess {
  constructor(
    private readonly mem: PhysMem,
    private readonly onCopy: (bytes: number, touch?: PathTouch) => void,
  ) {}

  copyFrom(mm: Mm, addr: number, len: number): Uint8Array {
    if (len < 0 || addr + len > 0x100000000) throw new KernelError(EFAULT);
    const out = new Uint8Array(len);
    const ranges: [number, number][] = [];
    let done = 0;
    while (done < len) {
      const a = (addr + done) >>> 0;
      const chunk = Math.min(len - done, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
      const phys = mm.userPhys(a, false);
      out.set(this.mem.readBytes(phys, chunk), done);
      ranges.push([phys, chunk]);
      done += chunk;
    }
    if (len > 0) this.onCopy(len, { read: ranges });
    return out;
  }

  copyTo(mm: Mm, addr: number, bytes: Uint8Array): void {
    const len = bytes.length;
    if (addr + len > 0x100000000) throw new KernelError(EFAULT);
    const ranges: [number, number][] = [];
    let done = 0;
    while (done < len) {
      const a = (addr + done) >>> 0;
      const chunk = Math.min(len - done, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
      const phys = mm.userPhys(a, true);
      this.mem.writeBytes(phys, bytes.subarray(done, done + chunk));
      ranges.push([phys, chunk]);
      done += chunk;
    }
    if (len > 0) this.onCopy(len, { write: ranges });
  }

  read32(mm: Mm, addr: number): number {
    const b = this.copyFrom(mm, addr, 4);
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }

  write32(mm: Mm, addr: number, v: number): void {
    this.copyTo(mm, addr, new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]));
  }

  /** strncpy_from_user: a NUL-terminated string of at most `max` bytes (ENAMETOOLONG beyond). */
  string(mm: Mm, addr: number, max: number): string {
    let s = '';
    let a = addr >>> 0;
    for (;;) {
      const phys = mm.userPhys(a, false);
      const room = PAGE_SIZE - (a & (PAGE_SIZE - 1));
      for (let i = 0; i < room; i++) {
        const c = this.mem.read8(phys + i);
        if (c === 0) {
          this.onCopy(s.length + 1);
          return s;
        }
        if (s.length >= max) throw new KernelError(ENAMETOOLONG);
        s += String.fromCharCode(c);
      }
      a = (a + room) >>> 0;
    }
  }

  /** A NULL-terminated array of string pointers (argv, envp for execve). */
  stringArray(mm: Mm, addr: number, maxTotal: number): string[] {
    const out: string[] = [];
    if (addr === 0) return out;
    let total = 0;
    for (let i = 0; ; i++) {
      const p = this.read32(mm, addr + i * 4);
      if (p === 0) return out;
      let s: string;
      try {
        s = this.string(mm, p, maxTotal);
      } catch (e) {
        // one string longer than the whole argument space
        if (e instanceof KernelError && e.errno === ENAMETOOLONG) throw new KernelError(7 /* E2BIG */);
        throw e;
      }
      total += s.length + 1;
      if (total > maxTotal) throw new KernelError(7 /* E2BIG */);
      out.push(s);
    }
  }
}
