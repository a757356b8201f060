// Mapped files (mm/filemap.c, 2.0): the pages of a file that are mapped into address
// spaces live in guest physical pages, one per (inode, page index) — the page cache as
// mmap sees it. A read fault maps the cache page itself (read-only for private
// mappings, so a write copies it: copy-on-write); a shared mapping writes into the cache
// page, and the page goes back to the file on msync, munmap and exit (filemap_sync).
//
// Where file bytes come from and go back to is one small interface, FilePages: the
// file system implements it (its page/buffer cache); until it does, `inodePages` uses
// the inode's own read/write. LinuxKernel.filePages is the one place to re-point it.
//
// Coherence with read()/write(): the file code calls beforeFileRead (shared-mapped
// bytes reach the file first) and afterFileWrite (cached pages take the new bytes), so
// a read() sees what a shared mapping wrote and a mapping sees what write() wrote, as
// on Linux, where both go through the same page cache.

import { PAGE_SIZE, PhysMem } from '../phys-mem';
import type { Inode } from '../fs/ramfs';
import type { PageAllocator } from './page-allocator';
import { IoWait } from '../block/io-wait';

/** The file side of mapped pages: bytes of a page of a file, and writing them back.
 *  readPage may throw the file system's IoWait (the page fault sleeps and is retried). */
export interface FilePages {
  /** The file's bytes [index*PAGE_SIZE, +PAGE_SIZE), shorter (or empty) at the end of the file. */
  readPage(inode: Inode, index: number): Uint8Array;
  /** Writes a mapped page back; never beyond the file's size (a mapping does not extend its file). */
  writePage(inode: Inode, index: number, bytes: Uint8Array): void;
  /** The file's size in bytes. */
  size(inode: Inode): number;
}

/** FilePages over the inode's own read/write (the in-memory root file system). */
export const inodePages: FilePages = {
  readPage: (inode, index) => inode.read(index * PAGE_SIZE, PAGE_SIZE),
  writePage(inode, index, bytes) {
    const pos = index * PAGE_SIZE;
    const n = Math.min(bytes.length, inode.size - pos);
    if (n > 0) inode.write(pos, bytes.subarray(0, n));
  },
  size: (inode) => inode.size,
};

export interface FileMapCosts {
  /** a page read in from the file or written back to it */
  pageIn(phys: number): void;
  pageOut(phys: number): void;
}

export class FileMap {
  private readonly cache = new Map<Inode, Map<number, number>>();
  /** shared mappings per inode: only those need write-back before a read() */
  private readonly sharedMaps = new Map<Inode, number>();
  /** pages whose write-back had to wait for the disk (from munmap or exit, which cannot sleep): retried later */
  private readonly pendingWrites = new Map<Inode, Set<number>>();

  constructor(
    private readonly mem: PhysMem,
    private readonly pages: PageAllocator,
    public source: FilePages,
    private readonly costs: FileMapCosts,
  ) {}

  /** The cache page of (inode, index), read in on first use. The cache holds one reference; a mapping takes its own. */
  page(inode: Inode, index: number): number {
    let m = this.cache.get(inode);
    if (!m) {
      m = new Map();
      this.cache.set(inode, m);
    }
    const have = m.get(index);
    if (have !== undefined) return have;
    // the file's bytes first: a file system that must wait for the disk throws (IoWait)
    // here, before anything changed, and the fault is taken again after the read
    const bytes = this.source.readPage(inode, index);
    const phys = this.pages.alloc(false);
    this.mem.writeBytes(phys, bytes);
    if (bytes.length < PAGE_SIZE) this.mem.fill(phys + bytes.length, PAGE_SIZE - bytes.length, 0);
    this.costs.pageIn(phys);
    m.set(index, phys);
    return phys;
  }

  /** True when `phys` is the cache page of (inode, index). */
  isCachePage(inode: Inode, index: number, phys: number): boolean {
    return this.cache.get(inode)?.get(index) === phys;
  }

  /**
   * filemap_sync of one page: the cache page's bytes go back to the file. When the file
   * system must first wait for the disk (IoWait), the page is remembered and written by
   * the next flushPending (the cache page keeps the bytes meanwhile): munmap and exit
   * cannot sleep here.
   */
  writeBack(inode: Inode, index: number): void {
    const phys = this.cache.get(inode)?.get(index);
    if (phys === undefined) return;
    if (index * PAGE_SIZE >= this.source.size(inode)) return;
    try {
      this.source.writePage(inode, index, this.mem.readBytes(phys, PAGE_SIZE));
    } catch (e) {
      if (!(e instanceof IoWait)) throw e;
      let s = this.pendingWrites.get(inode);
      if (!s) this.pendingWrites.set(inode, (s = new Set()));
      s.add(index);
      return;
    }
    this.pendingWrites.get(inode)?.delete(index);
    this.costs.pageOut(phys);
  }

  /** Writes the pages whose write-back waited (from a context that may wait: it may throw IoWait). */
  flushPending(inode?: Inode): void {
    for (const [i, s] of [...this.pendingWrites]) {
      if (inode && i !== inode) continue;
      for (const index of [...s]) {
        const phys = this.cache.get(i)?.get(index);
        if (phys !== undefined && index * PAGE_SIZE < this.source.size(i)) {
          this.source.writePage(i, index, this.mem.readBytes(phys, PAGE_SIZE)); // IoWait: the caller waits and retries
          this.costs.pageOut(phys);
        }
        s.delete(index);
      }
      if (s.size === 0) this.pendingWrites.delete(i);
    }
  }

  /** A mapping of `inode` came (or went): the inode is held while mapped (2.0: vm_inode). */
  hold(inode: Inode, shared: boolean): void {
    inode.refs++;
    if (shared) this.sharedMaps.set(inode, (this.sharedMaps.get(inode) ?? 0) + 1);
  }

  drop(inode: Inode, shared: boolean): void {
    if (shared) {
      const n = (this.sharedMaps.get(inode) ?? 1) - 1;
      if (n > 0) this.sharedMaps.set(inode, n);
      else this.sharedMaps.delete(inode);
    }
    inode.fs.release(inode);
    if (inode.refs <= 0 && inode.nlink === 0) this.forget(inode);
  }

  /** Before read() of a file: bytes written through shared mappings reach the file. */
  beforeFileRead(inode: Inode): void {
    if (this.pendingWrites.has(inode)) this.flushPending(inode);
    if (!this.sharedMaps.has(inode)) return;
    const m = this.cache.get(inode);
    if (m) for (const index of m.keys()) this.writeBack(inode, index);
  }

  /**
   * After write() of [pos, pos+len): cached pages take the bytes just written (read back
   * from the file: exactly the written range, whose blocks the write just brought into
   * the buffer cache). Should the file system still want to wait, the page leaves the
   * cache (mappings keep what they have; the next fault reads it anew).
   */
  afterFileWrite(inode: Inode, pos: number, len: number): void {
    const m = this.cache.get(inode);
    if (!m || len <= 0) return;
    const first = Math.floor(pos / PAGE_SIZE);
    const last = Math.floor((pos + len - 1) / PAGE_SIZE);
    for (const [index, phys] of [...m]) {
      if (index < first || index > last) continue;
      const from = Math.max(pos, index * PAGE_SIZE);
      const to = Math.min(pos + len, (index + 1) * PAGE_SIZE);
      try {
        this.mem.writeBytes(phys + (from - index * PAGE_SIZE), inode.read(from, to - from));
      } catch (e) {
        if (!(e instanceof IoWait)) throw e;
        m.delete(index);
        this.pages.put(phys);
      }
    }
  }

  /** Drops the cache of a file that is gone (no links, no users); pages still mapped keep their own references. */
  forget(inode: Inode): void {
    this.pendingWrites.delete(inode);
    const m = this.cache.get(inode);
    if (!m) return;
    for (const phys of m.values()) this.pages.put(phys);
    this.cache.delete(inode);
  }

  /** Cache pages held (for tests and statistics). */
  get cachedPages(): number {
    let n = 0;
    for (const m of this.cache.values()) n += m.size;
    return n;
  }
}
