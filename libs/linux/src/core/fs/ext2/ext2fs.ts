// The kernel's ext2 (Linux 2.0 fs/ext2, the parts a 1 KiB-block, revision 0 file
// system needs): the superblock, group descriptors and bitmaps read at mount and kept
// in pinned buffers; inodes read from the inode table into an in-core inode cache and
// written back by sync/fsync; block maps with direct, single and double indirect
// blocks; directories as ext2 entries in data blocks, scanned through the buffer cache;
// block and inode allocation near a goal (the previous block, the parent's group).
//
// Every operation reads what it needs first (a missing block: IoWait, and the call
// runs again once the block is in) and changes things only after that, so an
// operation is never left half done. An open file's indirect blocks stay pinned in
// the cache, so closing an unlinked file can free its blocks without reading.
//
// Mapped files: the core's page cache (mm/filemap.ts) reads and writes file pages
// through readData/writeData (block/disk-root.ts's FilePages); both may throw IoWait.

import { EEXIST, EFBIG, EINVAL, EISDIR, ENAMETOOLONG, ENOENT, ENOSPC, ENOTDIR, ENOTEMPTY, EPERM, KernelError } from '../../errno';
import { IoWait } from '../../block/io-wait';
import { BUFFER_SIZE, BufferCache, BufferHead } from '../../block/buffer-cache';
import type { PhysMem } from '../../phys-mem';
import type { Blocking } from '../../task';
import { DirListEntry, Inode, InodeFs, NAME_MAX } from '../ramfs';
import {
  ADDR_PER_BLOCK,
  BLOCKS_PER_GROUP,
  BLOCK_SIZE,
  DIND,
  DiskInode,
  EXT2_MAGIC,
  FIRST_INO,
  GroupDesc,
  IND,
  INODE_SIZE,
  MAX_FILE_BLOCKS,
  N_DIRECT,
  ROOT_INO,
  S_IFCHR,
  S_IFDIR,
  S_IFMT,
  SuperBlock,
  decodeGroupDesc,
  decodeInode,
  decodeSuper,
  dirRecLen,
  emptyDiskInode,
  encodeGroupDesc,
  encodeInode,
  encodeSuper,
  geometry,
  Geometry,
  groupBlocks,
  groupFirstBlock,
} from './layout';

export type Ext2Path = 'fs.lookup' | 'fs.bmap' | 'fs.alloc' | 'fs.copy' | 'fs.inode';

export interface Ext2Env {
  mem: PhysMem;
  /** seconds since the Epoch (time stamps) */
  now(): number;
  allocPage(): number;
  /** `touch`: physical ranges the path reads or writes (through the data caches) */
  charge(path: Ext2Path, units?: number, touch?: { read?: [number, number][]; write?: [number, number][] }): void;
  count(name: string, n?: number): void;
}

/** How far sequential reads start reading ahead (blocks): 2.0's read-ahead window tops out around 16 KiB for buffer reads (approx.) */
const READ_AHEAD_BLOCKS = 16;

export class Ext2Inode extends Inode {
  override readonly onDisk = true;
  block: number[];
  iblocks: number;
  dtime: number;
  /** indirect buffers pinned while the inode is open */
  readonly mapPins = new Set<BufferHead>();
  /** blocks this inode dirtied since its last fsync (data and indirect) */
  readonly dirtyBlocks = new Set<number>();
  /** last block read (sequential read-ahead) */
  lastRead = -2;

  constructor(
    readonly ext2: Ext2Fs,
    ino: number,
    di: DiskInode,
  ) {
    super(ext2, ino, di.mode, (di.mode & S_IFMT) === S_IFCHR ? di.block[0] : 0, false);
    this.nlink = di.linksCount;
    this.size = di.size;
    this.atime = di.atime;
    this.mtime = di.mtime;
    this.ctime = di.ctime;
    this.block = di.block.slice();
    this.iblocks = di.blocks;
    this.dtime = di.dtime;
  }

  override get sectors(): number {
    return this.iblocks;
  }
  override contents(): Uint8Array {
    return this.ext2.contents(this);
  }
  override read(pos: number, len: number): Uint8Array {
    return this.ext2.readData(this, pos, len);
  }
  override write(pos: number, bytes: Uint8Array): void {
    this.ext2.writeData(this, pos, bytes);
  }
  override truncate(len: number): void {
    this.ext2.truncate(this, len);
  }

  toDisk(): DiskInode {
    return { ...emptyDiskInode(), mode: this.mode, size: this.size, atime: this.atime, ctime: this.ctime, mtime: this.mtime, dtime: this.dtime, linksCount: this.nlink, blocks: this.iblocks, block: this.block.slice() };
  }
}

interface DirSlot {
  /** logical block of the directory, its physical block, the entry's offset and rec_len */
  l: number;
  phys: number;
  offset: number;
  recLen: number;
  ino: number;
  name: string;
  /** offset of the entry before it in the same block (-1: first) */
  prev: number;
}

export class Ext2Fs implements InodeFs {
  readonly dev = 0x0300; // /dev/hda (major 3, minor 0): the whole disk
  readonly geo: Geometry;
  private sb!: SuperBlock;
  private readonly gds: GroupDesc[] = [];
  private sbBh!: BufferHead;
  private readonly gdtBhs: BufferHead[] = [];
  private readonly bbBhs: BufferHead[] = [];
  private readonly ibBhs: BufferHead[] = [];
  private readonly icache = new Map<number, Ext2Inode>();
  /** in-core inodes to write back (by number: a reused number replaces a freed inode) */
  private readonly dirtyInodes = new Map<number, Ext2Inode>();
  readonly root: Ext2Inode;

  /** Mounts the file system (at boot: the buffer cache reads synchronously). */
  constructor(
    readonly cache: BufferCache,
    private readonly env: Ext2Env,
  ) {
    this.sbBh = this.pin(cache.bread(1));
    this.sb = decodeSuper(cache.read(this.sbBh));
    if (this.sb.magic !== EXT2_MAGIC) throw new Error(`ext2: no file system on the disk (magic 0x${this.sb.magic.toString(16)})`);
    if (this.sb.logBlockSize !== 0 || this.sb.firstDataBlock !== 1 || this.sb.blocksPerGroup !== BLOCKS_PER_GROUP || this.sb.revLevel !== 0) {
      throw new Error('ext2: only revision 0 with 1 KiB blocks and 8192 blocks per group is supported');
    }
    this.geo = geometry(this.sb.blocksCount, this.sb.inodesPerGroup);
    for (let k = 0; k < this.geo.gdtBlocks; k++) this.gdtBhs.push(this.pin(cache.bread(2 + k)));
    for (let g = 0; g < this.geo.groups; g++) {
      const bh = this.gdtBhs[Math.floor((g * 32) / BLOCK_SIZE)];
      this.gds.push(decodeGroupDesc(cache.read(bh), (g * 32) % BLOCK_SIZE));
    }
    for (const gd of this.gds) {
      this.bbBhs.push(this.pin(cache.bread(gd.blockBitmap)));
      this.ibBhs.push(this.pin(cache.bread(gd.inodeBitmap)));
    }
    this.root = this.iget(ROOT_INO);
    this.root.refs++;
  }

  private pin(bh: BufferHead): BufferHead {
    bh.pins++;
    return bh;
  }

  // ------------------------------------------------------------------ inodes

  iget(ino: number): Ext2Inode {
    if (ino < 1 || ino > this.geo.inodesCount) throw new KernelError(EINVAL, `bad inode number ${ino}`);
    const cached = this.icache.get(ino);
    if (cached) return cached;
    const { block, offset } = this.inodeLoc(ino);
    const bh = this.cache.bread(block);
    this.env.charge('fs.inode');
    const inode = new Ext2Inode(this, ino, decodeInode(this.env.mem.readBytes(bh.phys + offset, INODE_SIZE), 0));
    this.icache.set(ino, inode);
    return inode;
  }

  private inodeLoc(ino: number): { block: number; offset: number } {
    const g = Math.floor((ino - 1) / this.geo.inodesPerGroup);
    const index = (ino - 1) % this.geo.inodesPerGroup;
    return { block: this.gds[g].inodeTable + Math.floor(index / (BLOCK_SIZE / INODE_SIZE)), offset: (index % (BLOCK_SIZE / INODE_SIZE)) * INODE_SIZE };
  }

  markInodeDirty(inode: Ext2Inode): void {
    this.dirtyInodes.set(inode.ino, inode);
  }

  /** Writes dirty in-core inodes into their inode-table buffers (reads the blocks first: IoWait). Only `which` when given. */
  writeInodes(which?: Ext2Inode[]): void {
    const list = which ? which.filter((i) => this.dirtyInodes.get(i.ino) === i) : [...this.dirtyInodes.values()];
    if (list.length === 0) return;
    this.cache.ensure([...new Set(list.map((i) => this.inodeLoc(i.ino).block))]);
    for (const inode of list) {
      const { block, offset } = this.inodeLoc(inode.ino);
      const bh = this.cache.getblk(block);
      const b = new Uint8Array(INODE_SIZE);
      encodeInode(inode.toDisk(), b, 0);
      this.cache.write(bh, offset, b);
      this.env.charge('fs.inode');
      this.dirtyInodes.delete(inode.ino);
    }
  }

  /** The dirty inodes whose inode-table block is in the cache go into it; for the others the read starts (the update daemon's pass). */
  writeInodesCached(): void {
    if (this.dirtyInodes.size === 0) return;
    const ready: Ext2Inode[] = [];
    for (const inode of this.dirtyInodes.values()) {
      const bh = this.cache.peek(this.inodeLoc(inode.ino).block);
      if (bh && bh.uptodate && !bh.locked) ready.push(inode);
    }
    try {
      this.writeInodes(ready);
      this.writeInodes(); // starts the reads the rest need
    } catch (e) {
      if (!(e instanceof IoWait)) throw e;
    }
  }

  // ------------------------------------------------------------------ super block, descriptors, bitmaps

  private writeSuper(): void {
    const b = this.cache.read(this.sbBh);
    encodeSuper({ ...this.sb, wtime: this.env.now() }, b, 0);
    this.cache.write(this.sbBh, 0, b);
  }

  private writeGroup(g: number): void {
    const bh = this.gdtBhs[Math.floor((g * 32) / BLOCK_SIZE)];
    const b = new Uint8Array(32);
    encodeGroupDesc(this.gds[g], b, 0);
    this.cache.write(bh, (g * 32) % BLOCK_SIZE, b);
  }

  private testBit(bh: BufferHead, i: number): boolean {
    return ((this.env.mem.read8(bh.phys + (i >> 3)) >> (i & 7)) & 1) !== 0;
  }

  private setBit(bh: BufferHead, i: number, on: boolean): void {
    const a = bh.phys + (i >> 3);
    const v = this.env.mem.read8(a);
    this.env.mem.write8(a, on ? v | (1 << (i & 7)) : v & ~(1 << (i & 7)));
    this.cache.markDirty(bh);
  }

  /** ext2_new_block: the first free block at or after `goal` (wrapping), else ENOSPC. */
  private allocBlock(goal: number): number {
    this.env.charge('fs.alloc');
    if (this.sb.freeBlocksCount === 0) throw new KernelError(ENOSPC);
    const total = this.geo.blocksCount;
    let b = goal >= 1 && goal < total ? goal : 1;
    for (let n = 0; n < total; n++, b = b + 1 >= total ? 1 : b + 1) {
      const g = Math.floor((b - 1) / BLOCKS_PER_GROUP);
      if (this.gds[g].freeBlocks === 0) {
        // skip the rest of a full group
        const next = groupFirstBlock(g) + groupBlocks(this.geo, g);
        n += next - b - 1;
        b = next - 1 >= total - 1 ? 0 : next - 1;
        continue;
      }
      const i = b - groupFirstBlock(g);
      if (!this.testBit(this.bbBhs[g], i)) {
        this.setBit(this.bbBhs[g], i, true);
        this.gds[g].freeBlocks--;
        this.sb.freeBlocksCount--;
        this.writeGroup(g);
        this.writeSuper();
        return b;
      }
    }
    throw new KernelError(ENOSPC);
  }

  private freeBlock(b: number): void {
    if (b < 1 || b >= this.geo.blocksCount) throw new Error(`ext2: freeing block ${b} out of range`);
    const g = Math.floor((b - 1) / BLOCKS_PER_GROUP);
    const i = b - groupFirstBlock(g);
    if (!this.testBit(this.bbBhs[g], i)) throw new Error(`ext2: freeing free block ${b}`);
    this.setBit(this.bbBhs[g], i, false);
    this.gds[g].freeBlocks++;
    this.sb.freeBlocksCount++;
    this.writeGroup(g);
    this.writeSuper();
    this.cache.forget(b);
  }

  /** ext2_new_inode: directories go to the group with the most free inodes, files to their parent's group first. */
  private allocInode(parent: Ext2Inode, dir: boolean): number {
    this.env.charge('fs.alloc');
    if (this.sb.freeInodesCount === 0) throw new KernelError(ENOSPC);
    const groups = this.geo.groups;
    const order: number[] = [];
    if (dir) {
      const byFree = [...this.gds.keys()].sort((a, b) => this.gds[b].freeInodes - this.gds[a].freeInodes || a - b);
      order.push(...byFree);
    } else {
      const pg = Math.floor((parent.ino - 1) / this.geo.inodesPerGroup);
      for (let k = 0; k < groups; k++) order.push((pg + k) % groups);
    }
    for (const g of order) {
      if (this.gds[g].freeInodes === 0) continue;
      for (let i = 0; i < this.geo.inodesPerGroup; i++) {
        const ino = g * this.geo.inodesPerGroup + i + 1;
        if (ino < FIRST_INO) continue;
        if (this.testBit(this.ibBhs[g], i)) continue;
        return ino;
      }
    }
    throw new KernelError(ENOSPC);
  }

  private commitInode(ino: number, dir: boolean): void {
    const g = Math.floor((ino - 1) / this.geo.inodesPerGroup);
    this.setBit(this.ibBhs[g], (ino - 1) % this.geo.inodesPerGroup, true);
    this.gds[g].freeInodes--;
    if (dir) this.gds[g].usedDirs++;
    this.sb.freeInodesCount--;
    this.writeGroup(g);
    this.writeSuper();
  }

  private freeInode(inode: Ext2Inode): void {
    const ino = inode.ino;
    const g = Math.floor((ino - 1) / this.geo.inodesPerGroup);
    this.setBit(this.ibBhs[g], (ino - 1) % this.geo.inodesPerGroup, false);
    this.gds[g].freeInodes++;
    if (inode.isDir) this.gds[g].usedDirs--;
    this.sb.freeInodesCount++;
    this.writeGroup(g);
    this.writeSuper();
  }

  // ------------------------------------------------------------------ block maps

  private read32(bh: BufferHead, i: number): number {
    return this.env.mem.read32(bh.phys + i * 4) >>> 0;
  }

  private write32(bh: BufferHead, i: number, v: number): void {
    this.env.mem.write32(bh.phys + i * 4, v >>> 0);
    this.cache.markDirty(bh);
  }

  /** ext2_bmap: the physical block of logical block `l` (0: a hole). May read indirect blocks (IoWait). */
  bmap(inode: Ext2Inode, l: number): number {
    this.env.charge('fs.bmap');
    if (l < N_DIRECT) return inode.block[l];
    l -= N_DIRECT;
    if (l < ADDR_PER_BLOCK) {
      if (!inode.block[IND]) return 0;
      return this.read32(this.cache.bread(inode.block[IND]), l);
    }
    l -= ADDR_PER_BLOCK;
    if (l >= ADDR_PER_BLOCK * ADDR_PER_BLOCK) throw new KernelError(EFBIG);
    if (!inode.block[DIND]) return 0;
    const child = this.read32(this.cache.bread(inode.block[DIND]), Math.floor(l / ADDR_PER_BLOCK));
    if (!child) return 0;
    return this.read32(this.cache.bread(child), l % ADDR_PER_BLOCK);
  }

  /** Reads (and pins while the inode is open) every indirect block of the inode: two rounds of IoWait at most. */
  loadMap(inode: Ext2Inode): void {
    const first: number[] = [];
    if (inode.block[IND]) first.push(inode.block[IND]);
    if (inode.block[DIND]) first.push(inode.block[DIND]);
    if (first.length === 0) return;
    this.cache.ensure(first);
    const children: number[] = [];
    if (inode.block[DIND]) {
      const d = this.cache.getblk(inode.block[DIND]);
      for (let i = 0; i < ADDR_PER_BLOCK; i++) {
        const c = this.read32(d, i);
        if (c) children.push(c);
      }
    }
    const bhs = [...this.cache.ensure(first), ...this.cache.ensure(children)];
    if (inode.refs > 0) for (const bh of bhs) this.pinMap(inode, bh);
  }

  private pinMap(inode: Ext2Inode, bh: BufferHead): void {
    if (inode.mapPins.has(bh)) return;
    bh.pins++;
    inode.mapPins.add(bh);
  }

  private unpinMap(inode: Ext2Inode): void {
    for (const bh of inode.mapPins) bh.pins--;
    inode.mapPins.clear();
  }

  /** The indirect buffers on the path to logical block `l` that exist (read them: IoWait). */
  private preparePath(inode: Ext2Inode, l: number): void {
    if (l < N_DIRECT) return;
    if (l - N_DIRECT < ADDR_PER_BLOCK) {
      if (inode.block[IND]) this.cache.bread(inode.block[IND]);
      return;
    }
    if (!inode.block[DIND]) return;
    const d = this.cache.bread(inode.block[DIND]);
    const child = this.read32(d, Math.floor((l - N_DIRECT - ADDR_PER_BLOCK) / ADDR_PER_BLOCK));
    if (child) this.cache.bread(child);
  }

  /** A new indirect block: zeroed, counted in i_blocks, pinned when the file is open. */
  private newIndirect(inode: Ext2Inode, goal: number): BufferHead {
    const b = this.allocBlock(goal);
    const bh = this.cache.getblk(b);
    this.cache.zero(bh);
    inode.iblocks += BLOCK_SIZE / 512;
    inode.dirtyBlocks.add(b);
    if (inode.refs > 0) this.pinMap(inode, bh);
    return bh;
  }

  /** Maps logical block `l` to a new block (the path's indirect blocks must be in the cache: preparePath). */
  private mapNew(inode: Ext2Inode, l: number, goal: number): number {
    if (l >= MAX_FILE_BLOCKS) throw new KernelError(EFBIG);
    if (l < N_DIRECT) {
      const b = this.allocBlock(goal);
      inode.block[l] = b;
      inode.iblocks += BLOCK_SIZE / 512;
      return b;
    }
    let k = l - N_DIRECT;
    let parent: BufferHead;
    if (k < ADDR_PER_BLOCK) {
      if (!inode.block[IND]) inode.block[IND] = this.newIndirect(inode, goal).block;
      parent = this.cache.getblk(inode.block[IND]);
    } else {
      k -= ADDR_PER_BLOCK;
      if (!inode.block[DIND]) inode.block[DIND] = this.newIndirect(inode, goal).block;
      const d = this.cache.getblk(inode.block[DIND]);
      const slot = Math.floor(k / ADDR_PER_BLOCK);
      let child = this.read32(d, slot);
      if (!child) {
        child = this.newIndirect(inode, goal).block;
        this.write32(d, slot, child);
        inode.dirtyBlocks.add(d.block);
      }
      parent = this.cache.getblk(child);
      k %= ADDR_PER_BLOCK;
    }
    const b = this.allocBlock(goal);
    this.write32(parent, k, b);
    inode.dirtyBlocks.add(parent.block);
    inode.iblocks += BLOCK_SIZE / 512;
    return b;
  }

  private goalFor(inode: Ext2Inode, l: number): number {
    for (let p = l - 1; p >= 0 && p >= l - 4; p--) {
      const b = p < N_DIRECT ? inode.block[p] : 0;
      if (b) return b + (l - p);
    }
    if (l > 0) {
      const prev = this.bmapCached(inode, l - 1);
      if (prev > 0) return prev + 1;
    }
    const g = Math.floor((inode.ino - 1) / this.geo.inodesPerGroup);
    return groupFirstBlock(g);
  }

  /** bmap without I/O: -1 when an indirect block on the path is not in the cache. */
  private bmapCached(inode: Ext2Inode, l: number): number {
    try {
      return this.bmap(inode, l);
    } catch (e) {
      if (e instanceof IoWait) return -1;
      throw e;
    }
  }

  // ------------------------------------------------------------------ file data

  /** Up to `len` bytes at `pos` (one read call's chunk). IoWait before anything is delivered. */
  readData(inode: Ext2Inode, pos: number, len: number): Uint8Array {
    if (pos >= inode.size || len <= 0) return new Uint8Array(0);
    const end = Math.min(inode.size, pos + len);
    const first = Math.floor(pos / BLOCK_SIZE);
    const last = Math.floor((end - 1) / BLOCK_SIZE);
    const phys: number[] = [];
    for (let l = first; l <= last; l++) phys.push(this.bmap(inode, l));
    // sequential reading: start the next blocks too (they arrive while this chunk is copied)
    if (first === inode.lastRead + 1 || first === 0) this.readAhead(inode, last + 1);
    this.cache.ensure(phys.filter((b) => b !== 0));
    inode.lastRead = last;
    const out = new Uint8Array(end - pos);
    const source: [number, number][] = [];
    for (let l = first; l <= last; l++) {
      const b = phys[l - first];
      const from = Math.max(pos, l * BLOCK_SIZE);
      const to = Math.min(end, (l + 1) * BLOCK_SIZE);
      if (b === 0) continue; // a hole reads as zeros
      const bh = this.cache.getblk(b);
      out.set(this.env.mem.readBytes(bh.phys + (from - l * BLOCK_SIZE), to - from), from - pos);
      source.push([bh.phys + (from - l * BLOCK_SIZE), to - from]);
    }
    // the copy to user space reads these buffer lines (its clocks are the system call's copy; here only the source side's cache traffic)
    if (source.length) this.env.charge('fs.copy', 0, { read: source });
    return out;
  }

  private readAhead(inode: Ext2Inode, from: number): void {
    const lastBlock = Math.floor((inode.size - 1) / BLOCK_SIZE);
    const want: BufferHead[] = [];
    for (let l = from; l <= lastBlock && l < from + READ_AHEAD_BLOCKS; l++) {
      const b = this.bmapCached(inode, l);
      if (b <= 0) break;
      const bh = this.cache.getblk(b);
      if (!bh.uptodate && !bh.locked) want.push(bh);
    }
    if (want.length === 0) return;
    try {
      this.cache.ensure(want.map((b) => b.block));
    } catch (e) {
      if (!(e instanceof IoWait)) throw e; // started, nobody waits for it here
    }
  }

  /** The whole file (exec): every block read in one batch. */
  contents(inode: Ext2Inode): Uint8Array {
    if (inode.size === 0) return new Uint8Array(0);
    this.loadMap(inode);
    const n = Math.ceil(inode.size / BLOCK_SIZE);
    const phys: number[] = [];
    for (let l = 0; l < n; l++) phys.push(this.bmap(inode, l));
    this.cache.ensure(phys.filter((b) => b !== 0));
    const out = new Uint8Array(inode.size);
    for (let l = 0; l < n; l++) {
      if (!phys[l]) continue;
      const bh = this.cache.getblk(phys[l]);
      const len = Math.min(BLOCK_SIZE, inode.size - l * BLOCK_SIZE);
      out.set(this.env.mem.readBytes(bh.phys, len), l * BLOCK_SIZE);
    }
    this.env.charge('fs.copy', inode.size);
    return out;
  }

  /** Writes `bytes` at `pos` (one write call's chunk): reads first (IoWait), then allocates and copies. */
  writeData(inode: Ext2Inode, pos: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const end = pos + bytes.length;
    const first = Math.floor(pos / BLOCK_SIZE);
    const last = Math.floor((end - 1) / BLOCK_SIZE);
    if (last >= MAX_FILE_BLOCKS) throw new KernelError(EFBIG);
    // read phase: the map's indirect blocks, and blocks partly overwritten that hold data
    const phys: number[] = [];
    for (let l = first; l <= last; l++) {
      this.preparePath(inode, l);
      phys.push(this.bmap(inode, l));
    }
    const needRead: number[] = [];
    for (let l = first; l <= last; l++) {
      const b = phys[l - first];
      const from = Math.max(pos, l * BLOCK_SIZE);
      const to = Math.min(end, (l + 1) * BLOCK_SIZE);
      const whole = from === l * BLOCK_SIZE && to === (l + 1) * BLOCK_SIZE;
      if (b && !whole) needRead.push(b);
    }
    this.cache.ensure(needRead);
    // commit
    for (let l = first; l <= last; l++) {
      let b = phys[l - first];
      const from = Math.max(pos, l * BLOCK_SIZE);
      const to = Math.min(end, (l + 1) * BLOCK_SIZE);
      let bh: BufferHead;
      if (!b) {
        b = this.mapNew(inode, l, this.goalFor(inode, l));
        bh = this.cache.getblk(b);
        this.cache.zero(bh);
      } else bh = this.cache.getblk(b);
      this.cache.write(bh, from - l * BLOCK_SIZE, bytes.subarray(from - pos, to - pos));
      inode.dirtyBlocks.add(b);
    }
    // (the copy itself is the system call's copy from user space, charged there: memcpy_fromfs into the buffer)
    if (end > inode.size) inode.size = end;
    inode.mtime = inode.ctime = this.env.now();
    this.markInodeDirty(inode);
  }

  /** Truncates to `len` bytes (frees the blocks past it; growing leaves a hole). */
  truncate(inode: Ext2Inode, len: number): void {
    if (!inode.isReg) throw new KernelError(EINVAL);
    if (len >= MAX_FILE_BLOCKS * BLOCK_SIZE) throw new KernelError(EFBIG);
    this.loadMap(inode);
    const keep = Math.ceil(len / BLOCK_SIZE);
    // the tail of a kept partial block must read as zeros if the file grows again
    const tailBlock = len % BLOCK_SIZE !== 0 && len < inode.size ? this.bmap(inode, keep - 1) : 0;
    if (tailBlock) this.cache.ensure([tailBlock]);
    // commit
    if (tailBlock) {
      const bh = this.cache.getblk(tailBlock);
      this.cache.write(bh, len % BLOCK_SIZE, new Uint8Array(BLOCK_SIZE - (len % BLOCK_SIZE)));
      inode.dirtyBlocks.add(tailBlock);
    }
    this.freeFrom(inode, keep);
    inode.size = len;
    inode.mtime = inode.ctime = this.env.now();
    this.markInodeDirty(inode);
  }

  /** Frees every data block from logical block `keep` on, and indirect blocks left empty (the map is loaded). */
  private freeFrom(inode: Ext2Inode, keep: number): void {
    const drop = (b: number): void => {
      this.freeBlock(b);
      inode.iblocks -= BLOCK_SIZE / 512;
      inode.dirtyBlocks.delete(b);
    };
    const dropIndirect = (bh: BufferHead): void => {
      if (inode.mapPins.delete(bh)) bh.pins--;
      drop(bh.block);
    };
    for (let l = Math.max(keep, 0); l < N_DIRECT; l++) {
      if (inode.block[l]) {
        drop(inode.block[l]);
        inode.block[l] = 0;
      }
    }
    if (inode.block[IND]) {
      const bh = this.cache.getblk(inode.block[IND]);
      const from = Math.max(0, keep - N_DIRECT);
      for (let i = from; i < ADDR_PER_BLOCK; i++) {
        const b = this.read32(bh, i);
        if (b) {
          drop(b);
          this.write32(bh, i, 0);
        }
      }
      if (from === 0) {
        dropIndirect(bh);
        inode.block[IND] = 0;
      } else inode.dirtyBlocks.add(bh.block);
    }
    if (inode.block[DIND]) {
      const d = this.cache.getblk(inode.block[DIND]);
      const base = N_DIRECT + ADDR_PER_BLOCK;
      for (let s = 0; s < ADDR_PER_BLOCK; s++) {
        const child = this.read32(d, s);
        if (!child) continue;
        const cbh = this.cache.getblk(child);
        const from = Math.max(0, keep - base - s * ADDR_PER_BLOCK);
        if (from >= ADDR_PER_BLOCK) continue;
        for (let i = from; i < ADDR_PER_BLOCK; i++) {
          const b = this.read32(cbh, i);
          if (b) {
            drop(b);
            this.write32(cbh, i, 0);
          }
        }
        if (from === 0) {
          dropIndirect(cbh);
          this.write32(d, s, 0);
        } else inode.dirtyBlocks.add(child);
      }
      if (keep <= base) {
        dropIndirect(d);
        inode.block[DIND] = 0;
      } else inode.dirtyBlocks.add(d.block);
    }
  }

  // ------------------------------------------------------------------ directories

  private asExt2(i: Inode): Ext2Inode {
    if (!(i instanceof Ext2Inode) || i.ext2 !== this) throw new Error('ext2: an inode of another file system');
    return i;
  }

  /** Every entry slot of a directory, in on-disk order (reads all its blocks: IoWait). */
  private scan(dir: Ext2Inode): DirSlot[] {
    if (!dir.isDir) throw new KernelError(ENOTDIR);
    const n = Math.ceil(dir.size / BLOCK_SIZE);
    const phys: number[] = [];
    for (let l = 0; l < n; l++) phys.push(this.bmap(dir, l));
    this.cache.ensure(phys.filter((b) => b !== 0));
    const out: DirSlot[] = [];
    for (let l = 0; l < n; l++) {
      if (!phys[l]) continue;
      const bh = this.cache.getblk(phys[l]);
      const blk = this.env.mem.readBytes(bh.phys, BLOCK_SIZE);
      const dv = new DataView(blk.buffer, blk.byteOffset, BLOCK_SIZE);
      let off = 0;
      let prev = -1;
      while (off < BLOCK_SIZE) {
        const ino = dv.getUint32(off, true);
        const recLen = dv.getUint16(off + 4, true);
        const nameLen = dv.getUint16(off + 6, true);
        if (recLen < 8 || off + recLen > BLOCK_SIZE || nameLen + 8 > recLen) throw new KernelError(5 /* EIO */, `ext2: corrupt directory ${dir.ino} block ${phys[l]}`);
        const name = ino ? String.fromCharCode(...blk.subarray(off + 8, off + 8 + nameLen)) : '';
        out.push({ l, phys: phys[l], offset: off, recLen, ino, name, prev });
        prev = off;
        off += recLen;
      }
    }
    return out;
  }

  /** scan() charging the entries a search looks at: up to the match (ext2_find_entry stops there), or all. */
  private scanFor(dir: Ext2Inode, name: string | null): { slots: DirSlot[]; match: DirSlot | undefined } {
    const slots = this.scan(dir);
    const i = name === null ? -1 : slots.findIndex((s) => s.ino !== 0 && s.name === name);
    this.env.charge('fs.lookup', i >= 0 ? i + 1 : slots.length);
    return { slots, match: i >= 0 ? slots[i] : undefined };
  }

  child(d: Inode, name: string): Inode {
    const dir = this.asExt2(d);
    if (!dir.isDir) throw new KernelError(ENOTDIR);
    if (name.length > NAME_MAX) throw new KernelError(ENAMETOOLONG);
    if (dir.nlink === 0 && name !== '..' && name !== '.') throw new KernelError(ENOENT);
    const slot = this.scanFor(dir, name).match;
    if (!slot) throw new KernelError(ENOENT);
    return slot.ino === dir.ino ? dir : this.iget(slot.ino);
  }

  list(d: Inode, pos: number, max: number): DirListEntry[] {
    const dir = this.asExt2(d);
    const out: DirListEntry[] = [];
    for (const s of this.scanFor(dir, null).slots) {
      const at = s.l * BLOCK_SIZE + s.offset;
      if (at < pos || s.ino === 0) continue;
      if (out.length >= max) break;
      out.push({ name: s.name, ino: s.ino, next: at + s.recLen });
    }
    return out;
  }

  /** Finds room for an entry of `name` (read phase): a slot to split or reuse, or a new block to add. */
  private findRoom(dir: Ext2Inode, slots: DirSlot[], name: string): DirSlot | null {
    const need = dirRecLen(name.length);
    for (const s of slots) {
      if (s.ino === 0 && s.recLen >= need) return s;
      if (s.ino !== 0 && s.recLen - dirRecLen(s.name.length) >= need) return s;
    }
    // a new block: its map path must be in the cache
    this.preparePath(dir, Math.ceil(dir.size / BLOCK_SIZE));
    return null;
  }

  /** Writes the entry into the room found (commit phase). */
  private addEntry(dir: Ext2Inode, room: DirSlot | null, name: string, ino: number): void {
    const put = (bh: BufferHead, off: number, recLen: number): void => {
      const b = new Uint8Array(dirRecLen(name.length));
      const dv = new DataView(b.buffer);
      dv.setUint32(0, ino, true);
      dv.setUint16(4, recLen, true);
      dv.setUint16(6, name.length, true);
      for (let i = 0; i < name.length; i++) b[8 + i] = name.charCodeAt(i) & 0xff;
      this.cache.write(bh, off, b);
      dir.dirtyBlocks.add(bh.block);
    };
    if (room === null) {
      const l = Math.ceil(dir.size / BLOCK_SIZE);
      const b = this.mapNew(dir, l, this.goalFor(dir, l));
      const bh = this.cache.getblk(b);
      this.cache.zero(bh);
      put(bh, 0, BLOCK_SIZE);
      dir.size += BLOCK_SIZE;
    } else {
      const bh = this.cache.getblk(room.phys);
      if (room.ino === 0) put(bh, room.offset, room.recLen);
      else {
        const used = dirRecLen(room.name.length);
        this.env.mem.write16(bh.phys + room.offset + 4, used);
        put(bh, room.offset + used, room.recLen - used);
      }
    }
    dir.mtime = dir.ctime = this.env.now();
    this.markInodeDirty(dir);
  }

  private removeEntry(dir: Ext2Inode, s: DirSlot): void {
    const bh = this.cache.getblk(s.phys);
    if (s.prev < 0) this.env.mem.write32(bh.phys + s.offset, 0);
    else this.env.mem.write16(bh.phys + s.prev + 4, s.offset + s.recLen - s.prev);
    this.cache.markDirty(bh);
    dir.dirtyBlocks.add(bh.block);
    dir.mtime = dir.ctime = this.env.now();
    this.markInodeDirty(dir);
  }

  private checkName(dir: Ext2Inode, slots: DirSlot[], name: string): void {
    if (name.length === 0 || name === '.' || name === '..') throw new KernelError(EEXIST);
    if (name.length > NAME_MAX) throw new KernelError(ENAMETOOLONG);
    if (name.includes('/')) throw new KernelError(EINVAL);
    if (dir.nlink === 0) throw new KernelError(ENOENT);
    if (slots.some((s) => s.ino !== 0 && s.name === name)) throw new KernelError(EEXIST);
  }

  create(d: Inode, name: string, mode: number, rdev = 0): Inode {
    const dir = this.asExt2(d);
    const slots = this.scanFor(dir, null).slots;
    this.checkName(dir, slots, name);
    const isDir = (mode & S_IFMT) === S_IFDIR;
    const room = this.findRoom(dir, slots, name);
    const ino = this.allocInode(dir, isDir);
    this.cache.bread(this.inodeLoc(ino).block); // for the write-back
    if (isDir && dir.nlink >= 32000) throw new KernelError(31 /* EMLINK */);
    // commit
    this.commitInode(ino, isDir);
    const now = this.env.now();
    const di = emptyDiskInode();
    di.mode = mode;
    di.atime = di.ctime = di.mtime = now;
    di.linksCount = isDir ? 2 : 1;
    if ((mode & S_IFMT) === S_IFCHR) di.block[0] = rdev;
    const inode = new Ext2Inode(this, ino, di);
    this.icache.set(ino, inode);
    if (isDir) {
      const b = this.allocBlock(this.groupStart(ino));
      inode.block[0] = b;
      inode.iblocks = BLOCK_SIZE / 512;
      inode.size = BLOCK_SIZE;
      const bh = this.cache.getblk(b);
      this.cache.zero(bh);
      const blk = new Uint8Array(BLOCK_SIZE);
      const dv = new DataView(blk.buffer);
      dv.setUint32(0, ino, true);
      dv.setUint16(4, 12, true);
      dv.setUint16(6, 1, true);
      blk[8] = 0x2e;
      dv.setUint32(12, dir.ino, true);
      dv.setUint16(16, BLOCK_SIZE - 12, true);
      dv.setUint16(18, 2, true);
      blk[20] = 0x2e;
      blk[21] = 0x2e;
      this.cache.write(bh, 0, blk);
      inode.dirtyBlocks.add(b);
      dir.nlink++;
    }
    this.markInodeDirty(inode);
    this.addEntry(dir, room, name, ino);
    return inode;
  }

  private groupStart(ino: number): number {
    return groupFirstBlock(Math.floor((ino - 1) / this.geo.inodesPerGroup));
  }

  link(d: Inode, name: string, t: Inode): void {
    const dir = this.asExt2(d);
    const target = this.asExt2(t);
    if (target.isDir) throw new KernelError(EPERM);
    const slots = this.scanFor(dir, null).slots;
    this.checkName(dir, slots, name);
    if (target.nlink >= 32000) throw new KernelError(31 /* EMLINK */);
    const room = this.findRoom(dir, slots, name);
    this.addEntry(dir, room, name, target.ino);
    target.nlink++;
    target.ctime = this.env.now();
    this.markInodeDirty(target);
  }

  /** Read phase of removing `name`: its slot and inode, with what freeing it would need. */
  private prepareRemoval(dir: Ext2Inode, name: string): { slot: DirSlot; inode: Ext2Inode } {
    if (name === '.' || name === '..') throw new KernelError(EINVAL);
    const slot = this.scanFor(dir, name).match;
    if (!slot) throw new KernelError(ENOENT);
    const inode = this.iget(slot.ino);
    this.loadMap(inode); // freeing it needs its indirect blocks
    return { slot, inode };
  }

  unlink(d: Inode, name: string): void {
    const dir = this.asExt2(d);
    const { slot, inode } = this.prepareRemoval(dir, name);
    if (inode.isDir) throw new KernelError(EISDIR);
    this.removeEntry(dir, slot);
    inode.nlink--;
    inode.ctime = this.env.now();
    this.markInodeDirty(inode);
    this.maybeFree(inode);
  }

  rmdir(d: Inode, name: string): void {
    const dir = this.asExt2(d);
    const { slot, inode } = this.prepareRemoval(dir, name);
    if (!inode.isDir) throw new KernelError(ENOTDIR);
    if (inode === this.root) throw new KernelError(EPERM);
    const inside = this.scan(inode).filter((s) => s.ino !== 0 && s.name !== '.' && s.name !== '..');
    if (inside.length > 0) throw new KernelError(ENOTEMPTY);
    this.removeEntry(dir, slot);
    dir.nlink--;
    this.markInodeDirty(dir);
    inode.nlink = 0;
    this.markInodeDirty(inode);
    this.maybeFree(inode);
  }

  rename(fd: Inode, fromName: string, td: Inode, toName: string): void {
    const fromDir = this.asExt2(fd);
    const toDir = this.asExt2(td);
    if (fromName === '.' || fromName === '..') throw new KernelError(EINVAL);
    // read phase
    const fromSlots = this.scanFor(fromDir, null).slots;
    const src = fromSlots.find((s) => s.ino !== 0 && s.name === fromName);
    if (!src) throw new KernelError(ENOENT);
    const inode = this.iget(src.ino);
    if (toName === '.' || toName === '..' || toName.length === 0) throw new KernelError(EEXIST);
    if (toName.length > NAME_MAX) throw new KernelError(ENAMETOOLONG);
    if (toDir.nlink === 0) throw new KernelError(ENOENT);
    const toSlots = toDir === fromDir ? fromSlots : this.scan(toDir);
    const dst = toSlots.find((s) => s.ino !== 0 && s.name === toName);
    const existing = dst ? this.iget(dst.ino) : null;
    if (existing === inode) return;
    if (inode.isDir) {
      // not into itself or below it
      for (let p: Ext2Inode = toDir; ; ) {
        if (p === inode) throw new KernelError(EINVAL);
        if (p === this.root) break;
        const up = this.scan(p).find((s) => s.name === '..');
        if (!up || up.ino === p.ino) break;
        p = this.iget(up.ino);
      }
    }
    if (existing) {
      if (existing.isDir !== inode.isDir) throw new KernelError(existing.isDir ? EISDIR : ENOTDIR);
      if (existing.isDir && this.scan(existing).some((s) => s.ino !== 0 && s.name !== '.' && s.name !== '..')) throw new KernelError(ENOTEMPTY);
      this.loadMap(existing);
    }
    const dotdot = inode.isDir && fromDir !== toDir ? this.scan(inode).find((s) => s.name === '..') : undefined;
    const room = existing ? null : this.findRoom(toDir, toSlots, toName);
    // commit: the new name first, then the old one goes (a crash between leaves an extra link, never a lost file)
    if (existing) {
      const bh = this.cache.getblk(dst!.phys);
      this.env.mem.write32(bh.phys + dst!.offset, inode.ino);
      this.cache.markDirty(bh);
      toDir.dirtyBlocks.add(bh.block);
      existing.nlink = existing.isDir ? 0 : existing.nlink - 1;
      if (existing.isDir) toDir.nlink--;
      existing.ctime = this.env.now();
      this.markInodeDirty(existing);
      this.markInodeDirty(toDir);
    } else this.addEntry(toDir, room, toName, inode.ino);
    // the old slot may have moved if the new entry split it (same directory): find it again in memory
    const again = this.scanCached(fromDir).find((s) => s.ino === inode.ino && s.name === fromName);
    if (again) this.removeEntry(fromDir, again);
    if (dotdot) {
      const bh = this.cache.getblk(dotdot.phys);
      this.env.mem.write32(bh.phys + dotdot.offset, toDir.ino);
      this.cache.markDirty(bh);
      inode.dirtyBlocks.add(bh.block);
      fromDir.nlink--;
      toDir.nlink++;
      this.markInodeDirty(fromDir);
      this.markInodeDirty(toDir);
    }
    inode.ctime = this.env.now();
    this.markInodeDirty(inode);
    if (existing) this.maybeFree(existing);
  }

  /** scan() when every block is known to be in the cache (commit phase). */
  private scanCached(dir: Ext2Inode): DirSlot[] {
    try {
      return this.scan(dir);
    } catch (e) {
      if (e instanceof IoWait) throw new Error('ext2: a directory block left the cache during an update');
      throw e;
    }
  }

  release(i: Inode): void {
    const inode = this.asExt2(i);
    inode.refs--;
    if (inode.refs > 0) return;
    this.unpinMap(inode);
    this.maybeFree(inode);
  }

  prepareOpen(i: Inode): void {
    const inode = this.asExt2(i);
    if (inode.isReg) this.loadMap(inode);
  }

  touch(i: Inode): void {
    this.markInodeDirty(this.asExt2(i));
  }

  /** Pins the map of a newly opened inode (prepareOpen read it; the reference is taken). */
  opened(i: Inode): void {
    const inode = this.asExt2(i);
    if (!inode.isReg) return;
    for (const b of [inode.block[IND], inode.block[DIND]]) if (b) this.pinMap(inode, this.cache.getblk(b));
    if (inode.block[DIND]) {
      const d = this.cache.getblk(inode.block[DIND]);
      for (let k = 0; k < ADDR_PER_BLOCK; k++) {
        const c = this.read32(d, k);
        if (c) this.pinMap(inode, this.cache.getblk(c));
      }
    }
  }

  /** iput of an unlinked inode: frees its blocks and the inode (its map is in the cache: pinned or just loaded). */
  private maybeFree(inode: Ext2Inode): void {
    if (inode.nlink > 0 || inode.refs > 0) return;
    if (inode.isReg || inode.isDir) this.freeFrom(inode, 0);
    inode.size = 0;
    inode.dtime = this.env.now();
    this.freeInode(inode);
    this.markInodeDirty(inode);
    this.icache.delete(inode.ino);
  }

  // ------------------------------------------------------------------ sync

  /**
   * sync(2)/fsync(2): the dirty inodes into their blocks, then the buffers to the disk;
   * waits until every write is done. `inode` given: that inode's blocks and the
   * allocation metadata only (fsync).
   */
  *sync(inode?: Ext2Inode): Blocking {
    for (;;) {
      try {
        this.writeInodes(inode ? [inode] : undefined);
        break;
      } catch (e) {
        if (!(e instanceof IoWait)) throw e;
        yield e.queue;
      }
    }
    let inflight: BufferHead[];
    if (inode) {
      const blocks = new Set(inode.dirtyBlocks);
      blocks.add(this.inodeLoc(inode.ino).block);
      for (const bh of [this.sbBh, ...this.gdtBhs, ...this.bbBhs, ...this.ibBhs]) blocks.add(bh.block);
      inflight = this.cache.writeBack(this.cache.dirtyOf(blocks));
      inode.dirtyBlocks.clear();
      // and whatever of it is already on its way
      for (const b of blocks) {
        const bh = this.cache.peek(b);
        if (bh && bh.locked && !inflight.includes(bh)) inflight.push(bh);
      }
    } else {
      for (const i of this.icache.values()) i.dirtyBlocks.clear();
      this.cache.writeBack();
      inflight = this.cache.locked();
    }
    for (const bh of inflight) while (bh.locked) yield bh.wait;
    return 0;
  }

  /** Everything is on the disk (no dirty inode, buffer or write in flight). */
  get clean(): boolean {
    return this.dirtyInodes.size === 0 && this.cache.dirty === 0 && this.cache.locked().length === 0;
  }

  get freeBlocks(): number {
    return this.sb.freeBlocksCount;
  }

  /** The in-core block size (for st_blksize). */
  readonly blockSize = BUFFER_SIZE;
}
