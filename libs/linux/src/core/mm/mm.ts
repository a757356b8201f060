// A process's address space (struct mm_struct): the page directory, the vm areas,
// and the memory-management operations on it: the page-fault handler (demand zero,
// demand load from a file, copy-on-write), fork's copy, brk, mmap, munmap, mprotect,
// and teardown. The page tables are i386-format tables in guest physical memory.

import { EFAULT, EINVAL, ENOMEM, KernelError } from '../errno';
import { PAGE_SIZE, PhysMem, pageAlignDown, pageAlignUp } from '../phys-mem';
import type { CorePath } from '../core-paths';
import type { PathTouch } from '../../arch/arch';
import { PageAllocator } from './page-allocator';
import type { FileMap } from './filemap';
import {
  PTE_D,
  PTE_FRAME,
  PTE_P,
  PTE_RW,
  PTE_US,
  TASK_SIZE,
  USER_PDES,
  ensurePte,
  forEachUserPte,
  freeUserPageTables,
  ptePointer,
} from './page-table';
import { FileBacking, MappedFile, VM_EXEC, VM_GROWSDOWN, VM_READ, VM_SHARED, VM_WRITE, VmArea } from './vm-area';

/** The part of `a` from `start` on (an area split at `start`): file offsets move with it. */
function tailOf(a: VmArea, start: number): VmArea {
  const shift = start - a.start;
  return {
    ...a,
    start,
    backing: a.backing ? { ...a.backing, offset: a.backing.offset + shift } : null,
    file: a.file ? { ...a.file, offset: a.file.offset + shift } : null,
  };
}

/** What the memory manager needs from the rest of the kernel. */
export interface MmContext {
  readonly mem: PhysMem;
  readonly pages: PageAllocator;
  /** a page of zeros mapped read-only for read faults on anonymous memory (ZERO_PAGE) */
  readonly zeroPage: number;
  /** the pages of mapped files */
  readonly filemap: FileMap;
  initPageDirectory(pgd: number): void;
  flushUserPage(mm: Mm, linear: number): void;
  flushUserAll(mm: Mm): void;
  charge(path: CorePath, units?: number, touch?: PathTouch): void;
  count(counter: 'pageFaults' | 'cowFaults' | 'zeroFaults' | 'fileFaults'): void;
}

/** First address mmap hands out without a hint (TASK_UNMAPPED_BASE = TASK_SIZE/3 in 2.0). */
export const TASK_UNMAPPED_BASE = 0x40000000;
/** Maximum distance below the stack pointer a user access may grow the stack (2.0: 32 bytes, for pusha/enter). */
export const STACK_GUARD_SLACK = 32;
/** Stack size limit (RLIMIT_STACK default 8 MiB). */
export const STACK_LIMIT = 8 << 20;

export type FaultResult = 'ok' | 'bad-area' | 'oom';

export class Mm {
  /** physical address of the page directory */
  readonly pgd: number;
  areas: VmArea[] = [];
  startCode = 0;
  endCode = 0;
  startData = 0;
  endData = 0;
  startBrk = 0;
  brk = 0;
  startStack = 0;
  argStart = 0;
  argEnd = 0;
  envStart = 0;
  envEnd = 0;
  /** resident user pages (for statistics and leak tests) */
  rss = 0;

  constructor(private readonly ctx: MmContext) {
    this.pgd = ctx.pages.alloc(true);
    ctx.initPageDirectory(this.pgd);
  }

  /** Pages whose reference count mappings hold (the shared zero page is not counted, as 2.0's ZERO_PAGE). */
  private isCounted(phys: number): boolean {
    return phys !== this.ctx.zeroPage && this.ctx.pages.isManaged(phys);
  }

  findArea(addr: number): VmArea | undefined {
    for (const a of this.areas) if (addr < a.end) return addr >= a.start ? a : undefined;
    return undefined;
  }

  /** First area whose end is above addr (find_vma). */
  private findAreaAbove(addr: number): VmArea | undefined {
    for (const a of this.areas) if (addr < a.end) return a;
    return undefined;
  }

  insertArea(area: VmArea): void {
    if (area.start >= area.end || area.start % PAGE_SIZE || area.end % PAGE_SIZE || area.end > TASK_SIZE) {
      throw new Error(`Mm.insertArea: bad area 0x${area.start.toString(16)}-0x${area.end.toString(16)}`);
    }
    for (const a of this.areas) {
      if (a.start < area.end && area.start < a.end) throw new Error(`Mm.insertArea: overlap at 0x${area.start.toString(16)}`);
    }
    this.areas.push(area);
    this.areas.sort((x, y) => x.start - y.start);
  }

  /**
   * The page-fault handler (do_page_fault + handle_mm_fault): `write` for a write
   * access, `present` when the page was present (a protection fault), `user` for an
   * access from user mode with `esp` the user stack pointer.
   */
  handleFault(addr: number, write: boolean, present: boolean, user: boolean, esp: number): FaultResult {
    addr >>>= 0;
    this.ctx.count('pageFaults');
    this.ctx.charge('page-fault');
    if (addr >= TASK_SIZE) return 'bad-area';
    let area = this.findAreaAbove(addr);
    if (!area) return 'bad-area';
    if (addr < area.start) {
      if (!(area.flags & VM_GROWSDOWN)) return 'bad-area';
      if (user && addr + STACK_GUARD_SLACK < esp) return 'bad-area';
      const newStart = pageAlignDown(addr);
      if (area.end - newStart > STACK_LIMIT) return 'bad-area';
      const below = this.areas[this.areas.indexOf(area) - 1];
      if (below && below.end > newStart) return 'bad-area';
      area.start = newStart;
      area = this.findArea(addr)!;
    }
    if (write) {
      if (!(area.flags & VM_WRITE)) return 'bad-area';
    } else if (!(area.flags & (VM_READ | VM_EXEC))) {
      return 'bad-area';
    }
    try {
      const ptr = ensurePte(this.ctx.mem, this.ctx.pages, this.pgd, addr);
      const pte = this.ctx.mem.read32(ptr);
      if (!(pte & PTE_P)) {
        this.noPage(area, addr, write, ptr);
      } else if (write && !(pte & PTE_RW)) {
        this.wpPage(area, addr, ptr, pte);
      } else if (!(pte & PTE_US)) {
        // PROT_NONE left the page present for the kernel only; the area allows access again
        this.ctx.mem.write32(ptr, (pte | PTE_US) >>> 0);
        this.ctx.flushUserPage(this, pageAlignDown(addr));
      } else {
        // spurious (another path already fixed it up, or only the TLB was stale)
        this.ctx.flushUserPage(this, pageAlignDown(addr));
      }
    } catch (e) {
      if (e instanceof KernelError && e.errno === ENOMEM) return 'oom';
      throw e;
    }
    void present;
    return 'ok';
  }

  /** do_no_page: demand zero (anonymous) or demand load (file-backed private). */
  private noPage(area: VmArea, addr: number, write: boolean, ptr: number): void {
    const { mem, pages } = this.ctx;
    const page = pageAlignDown(addr);
    const writable = (area.flags & VM_WRITE) !== 0;
    if (area.file) {
      this.filePage(area, page, write, ptr);
      return;
    }
    if (!area.backing || page >= area.backing.end) {
      if (!write) {
        // 2.0's do_anonymous_page: a read maps the shared zero page read-only
        this.ctx.count('zeroFaults');
        mem.write32(ptr, (this.ctx.zeroPage | PTE_P | PTE_US) >>> 0);
        this.ctx.flushUserPage(this, page);
        return;
      }
      const phys = pages.alloc(true);
      this.ctx.charge('page-clear', 1, { write: [[phys, PAGE_SIZE]] });
      this.rss++;
      mem.write32(ptr, (phys | PTE_P | PTE_US | (writable ? PTE_RW : 0)) >>> 0);
      this.ctx.flushUserPage(this, page);
      return;
    }
    this.ctx.count('fileFaults');
    const phys = pages.alloc(false);
    this.fillFromFile(phys, page, area.backing, area.start);
    this.ctx.charge('page-copy', 1, { write: [[phys, PAGE_SIZE]] });
    this.rss++;
    mem.write32(ptr, (phys | PTE_P | PTE_US | (writable ? PTE_RW : 0)) >>> 0);
    this.ctx.flushUserPage(this, page);
  }

  /**
   * do_no_page for a mapped file (filemap_nopage): the page-cache page itself, shared
   * for MAP_SHARED (writable when the area is), read-only for MAP_PRIVATE; a write to a
   * private mapping gets its own copy at once (2.0 copies in filemap_nopage then).
   */
  private filePage(area: VmArea, page: number, write: boolean, ptr: number): void {
    const { mem, pages, filemap } = this.ctx;
    const f = area.file!;
    const index = (f.offset + (page - area.start)) / PAGE_SIZE;
    const cached = filemap.page(f.inode, index); // may wait for the disk (nothing changed yet)
    this.ctx.count('fileFaults');
    const shared = (area.flags & VM_SHARED) !== 0;
    let phys: number;
    let rw = false;
    if (shared || !write) {
      pages.get(cached);
      phys = cached;
      rw = shared && write;
      if (shared && (area.flags & VM_WRITE) !== 0) rw = true;
    } else {
      phys = pages.alloc(false);
      mem.writeBytes(phys, mem.readBytes(cached, PAGE_SIZE));
      this.ctx.charge('page-copy', 1, { read: [[cached, PAGE_SIZE]], write: [[phys, PAGE_SIZE]] });
      rw = true;
    }
    this.rss++;
    mem.write32(ptr, (phys | PTE_P | PTE_US | (rw ? PTE_RW | PTE_D : 0)) >>> 0);
    this.ctx.flushUserPage(this, page);
  }

  private fillFromFile(phys: number, page: number, b: FileBacking, areaStart: number): void {
    const { mem } = this.ctx;
    const fileBytesHere = Math.max(0, Math.min(PAGE_SIZE, b.end - page));
    const off = b.offset + (page - areaStart);
    const avail = Math.max(0, Math.min(fileBytesHere, b.data.length - off));
    if (avail > 0) mem.writeBytes(phys, b.data.subarray(off, off + avail));
    if (avail < PAGE_SIZE) mem.fill(phys + avail, PAGE_SIZE - avail, 0);
  }

  /** do_wp_page: copy-on-write break (or just make writable when we hold the only reference). */
  private wpPage(area: VmArea, addr: number, ptr: number, pte: number): void {
    const { mem, pages } = this.ctx;
    const page = pageAlignDown(addr);
    const old = (pte & PTE_FRAME) >>> 0;
    this.ctx.count('cowFaults');
    // a shared mapping writes into the page it shares; a private page we alone hold is ours
    if ((area.flags & VM_SHARED) !== 0 || (this.isCounted(old) && pages.refCount(old) === 1)) {
      mem.write32(ptr, (pte | PTE_RW | PTE_D) >>> 0);
      this.ctx.flushUserPage(this, page);
      return;
    }
    const phys = pages.alloc(false);
    if (old === this.ctx.zeroPage) {
      mem.fill(phys, PAGE_SIZE, 0);
      this.ctx.charge('page-clear', 1, { write: [[phys, PAGE_SIZE]] });
      this.rss++;
    } else {
      mem.writeBytes(phys, mem.readBytes(old, PAGE_SIZE));
      this.ctx.charge('page-copy', 1, { read: [[old, PAGE_SIZE]], write: [[phys, PAGE_SIZE]] });
      if (this.isCounted(old)) pages.put(old);
    }
    mem.write32(ptr, (phys | (pte & 0xfff) | PTE_RW) >>> 0);
    this.ctx.flushUserPage(this, page);
  }

  /** fork's copy (dup_mmap + copy_page_range): private writable pages become COW in both. */
  fork(): Mm {
    const { mem, pages } = this.ctx;
    const child = new Mm(this.ctx);
    child.areas = this.areas.map((a) => ({ ...a, backing: a.backing ? { ...a.backing } : null, file: a.file ? { ...a.file } : null }));
    for (const a of child.areas) if (a.file) this.ctx.filemap.hold(a.file.inode, (a.flags & VM_SHARED) !== 0);
    child.startCode = this.startCode;
    child.endCode = this.endCode;
    child.startData = this.startData;
    child.endData = this.endData;
    child.startBrk = this.startBrk;
    child.brk = this.brk;
    child.startStack = this.startStack;
    child.argStart = this.argStart;
    child.argEnd = this.argEnd;
    child.envStart = this.envStart;
    child.envEnd = this.envEnd;
    let copied = 0;
    try {
      for (const area of this.areas) {
        const cow = (area.flags & (VM_SHARED | VM_WRITE)) === VM_WRITE;
        forEachUserPte(mem, this.pgd, area.start, area.end, (linear, ptr, pte) => {
          // the child's page table first: running out of memory here leaves nothing half-done
          const childPtr = ensurePte(mem, pages, child.pgd, linear);
          const phys = (pte & PTE_FRAME) >>> 0;
          if (this.isCounted(phys)) {
            pages.get(phys);
            child.rss++;
          }
          let out = pte;
          if (cow && pte & PTE_RW) {
            out = (pte & ~PTE_RW) >>> 0;
            mem.write32(ptr, out);
          }
          mem.write32(childPtr, out);
          copied++;
        });
      }
    } catch (e) {
      child.release();
      this.ctx.flushUserAll(this);
      throw e;
    }
    this.ctx.charge('fork.copy-pte', copied);
    this.ctx.flushUserAll(this);
    return child;
  }

  /** Unmaps [start, end) from the page tables (zap_page_range), releasing the pages. */
  zap(start: number, end: number): number {
    const { mem, pages } = this.ctx;
    let n = 0;
    forEachUserPte(mem, this.pgd, start, end, (_linear, ptr, pte) => {
      const phys = (pte & PTE_FRAME) >>> 0;
      if (this.isCounted(phys)) {
        pages.put(phys);
        this.rss--;
      }
      mem.write32(ptr, 0);
      n++;
    });
    if (n > 0) this.ctx.charge('mm.zap-pte', n);
    return n;
  }

  /** Removes [start, end) from the address space (do_munmap): areas split or shrink. */
  unmap(start: number, end: number): void {
    if (start % PAGE_SIZE || start >= end || end > TASK_SIZE) throw new KernelError(EINVAL);
    this.syncFile(start, end);
    const out: VmArea[] = [];
    const gone: VmArea[] = [];
    for (const a of this.areas) {
      if (a.end <= start || a.start >= end) {
        out.push(a);
        continue;
      }
      const pieces: VmArea[] = [];
      if (a.start < start) pieces.push({ ...a, end: start });
      if (a.end > end) pieces.push(tailOf(a, end));
      out.push(...pieces);
      // the area's hold on its file: one per remaining piece
      if (a.file) {
        const shared = (a.flags & VM_SHARED) !== 0;
        for (let i = 1; i < pieces.length; i++) this.ctx.filemap.hold(a.file.inode, shared);
        if (pieces.length === 0) gone.push(a);
      }
    }
    this.areas = out;
    this.zap(start, end);
    this.ctx.flushUserAll(this);
    for (const a of gone) this.ctx.filemap.drop(a.file!.inode, (a.flags & VM_SHARED) !== 0);
  }

  /**
   * filemap_sync over [start, end): the dirty pages of shared file mappings present here
   * go back to their file (msync, munmap, exit). A page is dirty when its PTE is writable
   * or has the dirty bit (set by the CPU, or by us when write access was taken away).
   * `invalidate` (MS_INVALIDATE) also unmaps them, so the next access faults them in
   * again from the page cache. Returns false when part of the range is not mapped
   * (msync's ENOMEM).
   */
  syncFile(start: number, end: number, invalidate = false): boolean {
    let covered = true;
    for (let a = start; a < end; ) {
      const area = this.findArea(a);
      if (!area) {
        covered = false;
        const above = this.findAreaAbove(a);
        if (!above) break;
        a = above.start;
        continue;
      }
      a = area.end;
    }
    for (const area of this.areas) {
      if (!area.file || !(area.flags & VM_SHARED) || area.end <= start || area.start >= end) continue;
      const f = area.file;
      let zapped = false;
      forEachUserPte(this.ctx.mem, this.pgd, Math.max(start, area.start), Math.min(end, area.end), (linear, ptr, pte) => {
        const index = (f.offset + (linear - area.start)) / PAGE_SIZE;
        const phys = (pte & PTE_FRAME) >>> 0;
        if (!this.ctx.filemap.isCachePage(f.inode, index, phys)) return;
        if (pte & (PTE_RW | PTE_D)) {
          this.ctx.filemap.writeBack(f.inode, index);
          if (pte & PTE_D) this.ctx.mem.write32(ptr, (pte & ~PTE_D) >>> 0); // pte_mkclean (still dirty-able while writable)
        }
        if (invalidate) {
          this.ctx.mem.write32(ptr, 0);
          this.ctx.pages.put(phys);
          this.rss--;
          zapped = true;
        }
      });
      if (zapped) this.ctx.flushUserAll(this);
    }
    return covered;
  }

  /** Finds a free range of `len` bytes (get_unmapped_area): first fit from TASK_UNMAPPED_BASE, or the hint if free. */
  unmappedArea(hint: number, len: number): number {
    const free = (s: number): boolean => s + len <= TASK_SIZE && !this.areas.some((a) => a.start < s + len && s < a.end);
    if (hint && hint % PAGE_SIZE === 0 && hint >= PAGE_SIZE && free(hint)) return hint;
    let addr = TASK_UNMAPPED_BASE;
    for (const a of this.areas) {
      if (a.end <= addr) continue;
      if (addr + len <= a.start) return addr;
      addr = Math.max(addr, a.end);
    }
    if (addr + len <= TASK_SIZE) return addr;
    throw new KernelError(ENOMEM);
  }

  /** Maps an anonymous (or file-backed private) range; returns its start (do_mmap). */
  map(addr: number, len: number, flags: number, fixed: boolean, backing: FileBacking | null, name: string, file: MappedFile | null = null): number {
    len = pageAlignUp(len);
    if (len === 0 || len > TASK_SIZE) throw new KernelError(EINVAL);
    if (fixed) {
      if (addr % PAGE_SIZE || addr + len > TASK_SIZE || addr + len < addr) throw new KernelError(EINVAL);
      this.unmap(addr, addr + len);
    } else {
      addr = this.unmappedArea(addr, len);
    }
    if (backing) backing = { ...backing };
    this.insertArea({ start: addr, end: addr + len, flags, backing, name, file: file ? { ...file } : null });
    if (file) this.ctx.filemap.hold(file.inode, (flags & VM_SHARED) !== 0);
    return addr;
  }

  /** sys_brk's work: returns the new break (the old one when the request cannot be met). */
  setBrk(requested: number): number {
    if (requested < this.endCode) return this.brk;
    const newEnd = pageAlignUp(requested);
    const oldEnd = pageAlignUp(this.brk);
    if (newEnd === oldEnd) {
      this.brk = requested;
      return this.brk;
    }
    if (requested <= this.brk) {
      this.brk = requested;
      this.unmapHeap(newEnd, oldEnd);
      return this.brk;
    }
    // refuse to grow into another mapping (leave one guard page, as find_vma_intersection(…, newbrk+PAGE_SIZE))
    if (this.areas.some((a) => a.start < newEnd + PAGE_SIZE && oldEnd < a.end && a.name !== 'heap')) return this.brk;
    const heap = this.areas.find((a) => a.name === 'heap' && a.end === oldEnd);
    if (heap) heap.end = newEnd;
    else this.insertArea({ start: oldEnd, end: newEnd, flags: VM_READ | VM_WRITE | VM_EXEC, backing: null, name: 'heap' });
    this.brk = requested;
    return this.brk;
  }

  private unmapHeap(start: number, end: number): void {
    if (start < end) this.unmap(start, end);
  }

  /** mprotect: changes the flags of [start, end) and write-protects PTEs that lose VM_WRITE. */
  protect(start: number, end: number, flags: number): void {
    if (start % PAGE_SIZE) throw new KernelError(EINVAL);
    end = pageAlignUp(end);
    // every page of the range must be mapped
    for (let a = start; a < end; ) {
      const area = this.findArea(a);
      if (!area) throw new KernelError(ENOMEM);
      a = area.end;
    }
    const out: VmArea[] = [];
    for (const a of this.areas) {
      if (a.end <= start || a.start >= end) {
        out.push(a);
        continue;
      }
      const s = Math.max(a.start, start);
      const e = Math.min(a.end, end);
      const pieces: VmArea[] = [];
      if (a.start < s) pieces.push({ ...a, end: s });
      pieces.push({ ...tailOf(a, s), end: e, flags: (a.flags & ~(VM_READ | VM_WRITE | VM_EXEC)) | flags });
      if (a.end > e) pieces.push(tailOf(a, e));
      if (a.file) for (let i = 1; i < pieces.length; i++) this.ctx.filemap.hold(a.file.inode, (a.flags & VM_SHARED) !== 0);
      out.push(...pieces);
    }
    this.areas = out;
    // 2.0 change_protection: the PTEs take the new protection at once. No access at
    // all (PROT_NONE) keeps the page present for the kernel but not for user mode; a
    // page that loses write access is write-protected; gaining rights waits for the
    // fault (a private page may still need its copy).
    const access = (flags & (VM_READ | VM_WRITE | VM_EXEC)) !== 0;
    forEachUserPte(this.ctx.mem, this.pgd, start, end, (_l, ptr, pte) => {
      let next = access ? pte | PTE_US : pte & ~PTE_US;
      // losing write access: the page may have been written (pte_mkdirty keeps that for msync)
      if (!(flags & VM_WRITE) && pte & PTE_RW) next = (next & ~PTE_RW) | PTE_D;
      if (next !== pte) this.ctx.mem.write32(ptr, next >>> 0);
    });
    this.ctx.flushUserAll(this);
  }

  /** Releases every user page and page table (exit_mmap); the page directory goes last. */
  release(): void {
    this.dropFiles();
    this.zap(0, TASK_SIZE);
    freeUserPageTables(this.ctx.mem, this.ctx.pages, this.pgd);
    this.areas = [];
    this.ctx.pages.put(this.pgd);
  }

  /** Drops every user mapping but keeps the page directory (exec's exit_mmap before the new image). */
  clear(): void {
    this.dropFiles();
    this.zap(0, TASK_SIZE);
    freeUserPageTables(this.ctx.mem, this.ctx.pages, this.pgd);
    this.areas = [];
    this.ctx.flushUserAll(this);
  }

  /** exit_mmap's part for mapped files: shared pages go back to their files, the files are let go. */
  private dropFiles(): void {
    this.syncFile(0, TASK_SIZE);
    for (const a of this.areas) if (a.file) this.ctx.filemap.drop(a.file.inode, (a.flags & VM_SHARED) !== 0);
    for (const a of this.areas) a.file = null;
  }

  /** Physical page mapped at `page` (present, whatever its protection), or -1. */
  presentPhys(page: number): number {
    const ptr = ptePointer(this.ctx.mem, this.pgd, page);
    const pte = ptr < 0 ? 0 : this.ctx.mem.read32(ptr);
    return pte & PTE_P ? (pte & PTE_FRAME) >>> 0 : -1;
  }

  /** Physical address for a user access, faulting the page in as the exception fixup path would; throws EFAULT. */
  userPhys(addr: number, write: boolean): number {
    addr >>>= 0;
    if (addr >= TASK_SIZE) throw new KernelError(EFAULT);
    for (let attempt = 0; attempt < 2; attempt++) {
      const ptr = ptePointer(this.ctx.mem, this.pgd, addr);
      const pte = ptr < 0 ? 0 : this.ctx.mem.read32(ptr);
      if (pte & PTE_P && pte & PTE_US && (!write || pte & PTE_RW)) return (((pte & PTE_FRAME) >>> 0) + (addr & 0xfff)) >>> 0;
      const r = this.handleFault(addr, write, (pte & PTE_P) !== 0, false, 0);
      if (r !== 'ok') throw new KernelError(r === 'oom' ? ENOMEM : EFAULT);
    }
    throw new KernelError(EFAULT);
  }
}

export const USER_PDE_COUNT = USER_PDES;
