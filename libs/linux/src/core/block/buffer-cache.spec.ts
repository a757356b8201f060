// The buffer cache sized by free memory (2.0's refill_freelist / try_to_free_buffer):
// a multi-megabyte file that was just written or read is re-read without the disk, the
// cache stops growing at 2 x min_free_pages free and recycles its oldest buffers, and a
// process taking most of memory shrinks the cache instead of failing. ext2 over a disk
// that completes every request at once and counts the blocks it reads.
import { PhysicalMemory } from '@mklab/pentium';
import { BufferCache, BufferHead, BlockDriver } from './buffer-cache';
import { PageAllocator } from '../mm/page-allocator';
import { S_IFREG } from '../fs/ramfs';
import { Ext2Fs, Ext2Inode } from '../fs/ext2/ext2fs';
import { ImageBlocks, MemoryMedium } from '../fs/ext2/image-blocks';
import { mkfs } from '../fs/ext2/mkfs';

const MiB = 1 << 20;
const CHUNK = 64 * 1024; // lmbench's read and write size

class CountingDisk implements BlockDriver {
  cache!: BufferCache;
  blocksRead = 0;
  blocksWritten = 0;
  constructor(
    readonly medium: MemoryMedium,
    readonly mem: PhysicalMemory,
  ) {}
  submit(write: boolean, bhs: BufferHead[]): void {
    for (const bh of bhs) {
      if (write) {
        this.blocksWritten++;
        this.medium.write(bh.block * 1024, this.mem.readBytes(bh.phys, 1024));
      } else {
        this.blocksRead++;
        this.mem.writeBytes(bh.phys, this.medium.read(bh.block * 1024, 1024));
      }
      this.cache.ioDone(bh, write);
    }
  }
}

/** ext2 on a 32 MiB disk in a machine of `memBytes` (the allocator manages all above 1 MiB). */
function setup(memBytes: number, fixedBuffers?: number) {
  const medium = new MemoryMedium(32 * MiB);
  mkfs(new ImageBlocks(medium), [], { blocksCount: 32768, inodesPerGroup: 1024, time: 876009600 });
  const mem = new PhysicalMemory(memBytes);
  const pages = new PageAllocator(mem, MiB, memBytes);
  const disk = new CountingDisk(medium, mem);
  const env = { mem, allocPage: () => pages.alloc(false), pages, count: () => undefined, charge: () => undefined };
  const cache = new BufferCache(env, disk, fixedBuffers);
  disk.cache = cache;
  const fs = new Ext2Fs(cache, { ...env, now: () => 876009600 });
  cache.booting = false;
  return { fs, cache, disk, pages };
}

const BASE = new Uint8Array(CHUNK);
for (let i = 0; i < CHUNK; i++) BASE[i] = Math.imul(i, 2654435761) >>> 24;
/** the file's 64 KiB chunk at `pos`: the base bytes, the first four the chunk's offset */
function pattern(pos: number, n: number): Uint8Array {
  const out = BASE.slice(0, n);
  new DataView(out.buffer).setUint32(0, pos, true);
  return out;
}

/** write() of `bytes` in 64 KiB calls (trim between calls, as the kernel does at each system call) */
function writeFile(s: ReturnType<typeof setup>, name: string, bytes: number): Ext2Inode {
  s.cache.trim();
  const inode = s.fs.create(s.fs.root, name, S_IFREG | 0o644) as Ext2Inode;
  for (let pos = 0; pos < bytes; pos += CHUNK) {
    s.cache.trim();
    s.fs.writeData(inode, pos, pattern(pos, Math.min(CHUNK, bytes - pos)));
  }
  return inode;
}

/** read() of the whole file in 64 KiB calls; returns the disk blocks it read */
function readFile(s: ReturnType<typeof setup>, inode: Ext2Inode): number {
  const before = s.disk.blocksRead;
  for (let pos = 0; pos < inode.size; pos += CHUNK) {
    s.cache.trim();
    const got = s.fs.readData(inode, pos, CHUNK);
    expect(new DataView(got.buffer).getUint32(0, true)).toBe(pos);
    expect(got[CHUNK - 1]).toBe(BASE[CHUNK - 1]);
  }
  return s.disk.blocksRead - before;
}

describe('the buffer cache sized by free memory', () => {
  it('re-reads a just-written 8 MiB file without the disk (64 MiB machine)', () => {
    const s = setup(64 * MiB);
    const f = writeFile(s, 'data', 8 * MiB);
    expect(readFile(s, f)).toBe(0);
    expect(readFile(s, f)).toBe(0);
    expect(s.cache.pages).toBeGreaterThanOrEqual((8 * MiB) / 4096);
  });

  it('re-reads a just-read 8 MiB file without the disk', () => {
    const s = setup(64 * MiB);
    const f = writeFile(s, 'data', 8 * MiB);
    s.cache.writeBack();
    // the file's buffers leave (as after a reboot): the first read goes to the disk
    s.cache.trim();
    expect(s.cache.shrink(1 << 20)).toBeGreaterThan(2000);
    expect(readFile(s, f)).toBeGreaterThanOrEqual(8192);
    expect(readFile(s, f)).toBe(0);
  });

  it('the old fixed 4 MiB cache (4096 buffers) reads an 8 MiB file from the disk on every pass', () => {
    const s = setup(64 * MiB, 4096);
    const f = writeFile(s, 'data', 8 * MiB);
    s.cache.writeBack();
    readFile(s, f);
    expect(readFile(s, f)).toBeGreaterThanOrEqual(8192); // LRU over a sequential scan twice the cache: every block misses
  });

  it('stops growing at 2 x min_free_pages free and recycles its least recently used buffers', () => {
    const s = setup(16 * MiB);
    expect(s.pages.minFreePages).toBe(48); // 2.0: at least 48
    const f = writeFile(s, 'big', 20 * MiB); // more than the machine has
    s.cache.writeBack();
    expect(s.pages.freePages).toBeGreaterThanOrEqual(2 * s.pages.minFreePages - 1);
    expect(s.pages.freePages).toBeLessThanOrEqual(2 * s.pages.minFreePages + 1);
    // the file is still readable and correct (its start came back from the disk)
    expect(readFile(s, f)).toBeGreaterThan(0);
  });

  it('a process taking most of memory shrinks the cache instead of failing', () => {
    const s = setup(64 * MiB);
    const f = writeFile(s, 'data', 8 * MiB);
    s.cache.writeBack(); // clean
    readFile(s, f);
    const held = s.cache.pages;
    expect(held).toBeGreaterThanOrEqual(2048);
    s.cache.trim(); // a new system call: the cache's buffers are idle
    const user: number[] = [];
    const want = s.pages.totalPages - 64; // all but 256 KiB
    for (let i = 0; i < want; i++) user.push(s.pages.alloc(false));
    expect(s.cache.pages).toBeLessThan(held / 4);
    // the free pages are back above min_free_pages (the reclaim fills up to free_pages_high)
    expect(s.pages.freePages).toBeGreaterThan(0);
    // the file is intact: what was dropped comes back from the disk
    expect(readFile(s, f)).toBeGreaterThan(0);
    for (const p of user) s.pages.put(p);
  });

  it('dirty buffers in the way are written back between system calls, then given up', () => {
    const s = setup(64 * MiB);
    writeFile(s, 'data', 8 * MiB); // dirty: no sync
    expect(s.cache.dirty).toBeGreaterThan(8000);
    const user: number[] = [];
    const want = s.pages.totalPages - 64;
    for (let i = 0; i < want; i++) {
      if (i % 16 === 0) s.cache.trim(); // a system call every 16 pages (a process touching its memory)
      user.push(s.pages.alloc(false));
    }
    expect(s.disk.blocksWritten).toBeGreaterThan(6000);
    expect(s.cache.pages).toBeLessThan(600);
    for (const p of user) s.pages.put(p);
  });

  it('never takes a buffer the current operation used, even under pressure', () => {
    const s = setup(16 * MiB);
    s.cache.trim();
    const mine = [];
    for (let b = 5000; b < 5008; b++) {
      const bh = s.cache.getblk(b);
      s.cache.zero(bh);
      mine.push(bh);
    }
    s.cache.writeBack(mine); // clean: only their use protects them
    const user: number[] = [];
    while (s.pages.freePages > 0) user.push(s.pages.alloc(false));
    for (const bh of mine) expect(s.cache.peek(bh.block)).toBe(bh); // still the operation's
    s.cache.trim(); // the operation is over
    user.push(s.pages.alloc(false)); // nothing free: the reclaim takes the cache's idle pages
    expect(mine.filter((bh) => s.cache.peek(bh.block) === undefined).length).toBeGreaterThanOrEqual(4);
    for (const p of user) s.pages.put(p);
  });
});
