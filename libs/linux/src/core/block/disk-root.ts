// The disk under the root file system: the IDE driver, the buffer cache over it, and
// the ext2 file system mounted from it, with the disk interrupt and the block bottom
// half. The kernel makes one when it boots from a disk (KernelOptions.disk).

import { BufferCache } from './buffer-cache';
import type { BufferEnv } from './buffer-cache';
import { IDE_IRQ, IdeDriver, PortIo } from './ide-driver';
import { Ext2Fs, Ext2Inode } from '../fs/ext2/ext2fs';
import type { FilePages } from '../mm/filemap';
import { inodePages } from '../mm/filemap';
import type { Inode } from '../fs/ramfs';
import type { PhysMem } from '../phys-mem';
import { PAGE_SIZE } from '../phys-mem';
import type { CorePath } from '../core-paths';
import type { PathTouch } from '../../arch/arch';
import type { WaitQueue } from '../wait-queue';

export interface DiskOptions {
  /** the machine's I/O ports (the driver programs the drive through them) */
  io: PortIo;
  /** before the first process runs: sectors straight from the medium (the boot loader's reads) */
  bootRead(sector: number, count: number): Uint8Array;
  /** a fixed buffer-cache size in 1 KiB buffers; by default (as 2.0) it is sized by free memory */
  cacheBuffers?: number;
}

/** What the disk needs of the kernel. */
export interface DiskKernel {
  readonly mem: PhysMem;
  allocPage(): number;
  /** the page allocator: the buffer cache grows into free memory and shrinks under pressure */
  readonly pages?: BufferEnv['pages'];
  charge(path: CorePath, units?: number, touch?: PathTouch): void;
  count(name: string, n?: number): void;
  wakeUp(q: WaitQueue): void;
  panic(why: string): void;
  /** seconds since the Epoch */
  now(): number;
  /** timer ticks since boot */
  jiffies(): number;
}

/**
 * The update daemon's rhythm (Linux 2.0's bdflush parameters as `update` uses them,
 * recalled: every 5 s, buffers dirty for 30 s are written): in ticks of HZ = 100.
 */
export const FLUSH_INTERVAL_TICKS = 5 * 100;
export const FLUSH_AGE_TICKS = 30 * 100;

/** The fixed size when the kernel does not hand over its page allocator (4 MiB). */
export const FALLBACK_CACHE_BUFFERS = 4096;

export class DiskRoot {
  readonly driver: IdeDriver;
  readonly cache: BufferCache;
  readonly ext2: Ext2Fs;
  readonly irq = IDE_IRQ;
  private bhPending = false;

  constructor(k: DiskKernel, opts: DiskOptions) {
    this.driver = new IdeDriver({
      io: opts.io,
      mem: k.mem,
      charge: (p, u) => k.charge(p, u),
      count: (n, c) => k.count(n, c),
      wakeUp: (q) => k.wakeUp(q),
      markBh: () => {
        this.bhPending = true;
      },
      startSector: 0,
      bootRead: opts.bootRead,
      panic: (w) => k.panic(w),
    });
    this.cache = new BufferCache(
      { mem: k.mem, allocPage: () => k.allocPage(), pages: k.pages, count: (n, c) => k.count(n, c), charge: (p, u) => k.charge(p, u), jiffies: () => k.jiffies() },
      this.driver,
      opts.cacheBuffers ?? (k.pages ? undefined : FALLBACK_CACHE_BUFFERS),
    );
    this.driver.attach(this.cache);
    this.ext2 = new Ext2Fs(this.cache, { mem: k.mem, now: () => k.now(), allocPage: () => k.allocPage(), charge: (p, u, t) => k.charge(p, u, t), count: (n, c) => k.count(n, c) });
  }

  get booting(): boolean {
    return this.cache.booting;
  }

  /** The first process runs: from now on reads go through the drive and its interrupt. */
  bootDone(): void {
    this.cache.booting = false;
  }

  /** The disk's interrupt line (top half). */
  onInterrupt(): void {
    this.driver.onInterrupt();
  }

  /** Without an attached interrupt line: look at the drive (from the timer tick). */
  poll(): void {
    if (!this.driver.irqAttached) this.driver.poll();
  }

  /**
   * The timer tick: every FLUSH_INTERVAL_TICKS, the dirty inodes into their blocks (those
   * whose inode-table block is cached; the others' reads start) and the buffers dirty for
   * FLUSH_AGE_TICKS to the disk. Nothing to do, nothing happens (no disk activity).
   */
  tick(jiffies: number): void {
    if (jiffies % FLUSH_INTERVAL_TICKS !== 0) return;
    this.ext2.writeInodesCached();
    this.cache.flushOlderThan(jiffies - FLUSH_AGE_TICKS);
  }

  /** do_bottom_half for the block device: complete finished requests (unlock buffers, wake waiters). */
  runBottomHalves(): void {
    if (!this.bhPending) return;
    this.bhPending = false;
    this.driver.bottomHalf();
  }

  /** The page-cache seam (core/mm/filemap.ts): file pages of disk inodes through ext2, others from the inode. May throw IoWait. */
  readonly filePages: FilePages = {
    readPage: (inode: Inode, index: number) => {
      if (!(inode instanceof Ext2Inode)) return inodePages.readPage(inode, index);
      const start = index * PAGE_SIZE;
      if (start >= inode.size) return new Uint8Array(0);
      return this.ext2.readData(inode, start, Math.min(PAGE_SIZE, inode.size - start));
    },
    writePage: (inode: Inode, index: number, bytes: Uint8Array) => {
      if (!(inode instanceof Ext2Inode)) return inodePages.writePage(inode, index, bytes);
      const pos = index * PAGE_SIZE;
      const n = Math.min(bytes.length, inode.size - pos);
      if (n > 0) this.ext2.writeData(inode, pos, bytes.subarray(0, n));
    },
    size: (inode: Inode) => inode.size,
  };
}
