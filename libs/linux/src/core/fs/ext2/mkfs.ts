// mkfs: builds an ext2 (rev 0, 1 KiB blocks) file system on a disk from a list of
// directories and files, as mke2fs followed by copying the files in would. Files get
// contiguous data blocks (their indirect block in front of block 12, as ext2's
// allocator places it); directories list "." and ".." and then their entries by name.
// Deterministic: the same input gives the same image, byte for byte.

import {
  ADDR_PER_BLOCK,
  BLOCKS_PER_GROUP,
  BLOCK_SIZE,
  BlockWriter,
  DiskInode,
  EXT2_MAGIC,
  FIRST_INO,
  Geometry,
  IND,
  DIND,
  INODE_SIZE,
  LOST_FOUND_INO,
  MAX_FILE_BLOCKS,
  N_DIRECT,
  ROOT_INO,
  S_IFDIR,
  S_IFMT,
  S_IFREG,
  dirRecLen,
  emptyDiskInode,
  encodeGroupDesc,
  encodeInode,
  encodeSuper,
  geometry,
  groupBlocks,
  groupFirstBlock,
  groupLayout,
  inodeLocation,
  writeDirEntry,
} from './layout';

export interface MkfsEntry {
  /** absolute path */
  path: string;
  /** S_IFDIR or S_IFREG with permission bits */
  mode: number;
  bytes?: Uint8Array;
}

export interface MkfsOptions {
  blocksCount: number;
  inodesPerGroup: number;
  /** the time stamps of every inode and of the superblock (seconds since the Epoch) */
  time: number;
}

/** The default shape: 64 MiB (65536 blocks in 8 groups), 2048 inodes per group. */
export const DEFAULT_MKFS: Omit<MkfsOptions, 'time'> = { blocksCount: 65536, inodesPerGroup: 2048 };

interface Node {
  ino: number;
  mode: number;
  bytes: Uint8Array;
  children: Map<string, Node> | null;
  parent: Node | null;
  links: number;
}

export function mkfs(disk: BlockWriter, entries: MkfsEntry[], opts: MkfsOptions): { geometry: Geometry; inodesUsed: number; blocksUsed: number } {
  const geo = geometry(opts.blocksCount, opts.inodesPerGroup);
  const layouts = Array.from({ length: geo.groups }, (_, g) => groupLayout(geo, g));
  const blockUsed = new Uint8Array(geo.blocksCount);
  // metadata of every group, and block 0 (boot block, outside the groups)
  blockUsed[0] = 1;
  for (let g = 0; g < geo.groups; g++) for (let b = groupFirstBlock(g); b < layouts[g].firstData; b++) blockUsed[b] = 1;

  // the tree
  let nextIno = FIRST_INO + 1; // 11 is lost+found
  const mkNode = (ino: number, mode: number, parent: Node | null): Node => ({ ino, mode, bytes: new Uint8Array(0), children: (mode & S_IFMT) === S_IFDIR ? new Map() : null, parent, links: 0 });
  const root = mkNode(ROOT_INO, S_IFDIR | 0o755, null);
  root.parent = root;
  const lostFound = mkNode(LOST_FOUND_INO, S_IFDIR | 0o700, root);
  root.children!.set('lost+found', lostFound);
  const dirOf = (path: string, mode?: number): Node => {
    let d = root;
    for (const part of path.split('/').filter((p) => p.length > 0)) {
      let c = d.children!.get(part);
      if (!c) {
        c = mkNode(nextIno++, S_IFDIR | 0o755, d);
        d.children!.set(part, c);
      } else if (!c.children) throw new Error(`mkfs: ${path}: ${part} is not a directory`);
      d = c;
    }
    if (mode !== undefined) d.mode = mode;
    return d;
  };
  for (const e of [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (!e.path.startsWith('/')) throw new Error(`mkfs: path must be absolute: ${JSON.stringify(e.path)}`);
    if ((e.mode & S_IFMT) === S_IFDIR) {
      dirOf(e.path, e.mode);
      continue;
    }
    if ((e.mode & S_IFMT) !== S_IFREG) throw new Error(`mkfs: ${e.path}: only regular files and directories`);
    const slash = e.path.lastIndexOf('/');
    const dir = dirOf(e.path.slice(0, slash));
    const name = e.path.slice(slash + 1);
    if (!name || name.length > 255) throw new Error(`mkfs: ${e.path}: bad file name`);
    if (dir.children!.has(name)) throw new Error(`mkfs: ${e.path} given twice`);
    const n = mkNode(nextIno++, e.mode, dir);
    n.bytes = e.bytes ?? new Uint8Array(0);
    dir.children!.set(name, n);
  }
  if (nextIno - 1 > geo.inodesCount) throw new Error(`mkfs: ${nextIno - 1} inodes do not fit in ${geo.inodesCount}`);

  // directory contents and link counts
  const all: Node[] = [];
  const walk = (d: Node): void => {
    all.push(d);
    if (!d.children) return;
    d.links += 2; // its "." and its entry in the parent (the root: "." and "..")
    for (const [, c] of [...d.children].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (c.children) d.links++; // the child's ".."
      else c.links++;
      walk(c);
    }
  };
  walk(root);
  for (const d of all) if (d.children) d.bytes = dirBytes(d);

  // data blocks: contiguous from the first free block
  let cursor = 0;
  const alloc = (): number => {
    while (cursor < geo.blocksCount && blockUsed[cursor]) cursor++;
    if (cursor >= geo.blocksCount) throw new Error('mkfs: the file system is full');
    blockUsed[cursor] = 1;
    return cursor;
  };
  const inodes = new Map<number, DiskInode>();
  for (const n of [...all].sort((a, b) => a.ino - b.ino)) {
    const di = emptyDiskInode();
    di.mode = n.mode;
    di.size = n.bytes.length;
    di.atime = di.ctime = di.mtime = opts.time;
    di.linksCount = n.links;
    const nblocks = Math.ceil(n.bytes.length / BLOCK_SIZE);
    if (nblocks > MAX_FILE_BLOCKS) throw new Error(`mkfs: a file of ${n.bytes.length} bytes is too large`);
    let meta = 0;
    let ind: Uint32Array | null = null;
    let indBlock = 0;
    let dind: Uint32Array | null = null;
    let dindBlock = 0;
    let dindChild: Uint32Array | null = null;
    let dindChildBlock = 0;
    const flushDindChild = (): void => {
      if (dindChild) disk.writeBlock(dindChildBlock, new Uint8Array(dindChild.buffer));
    };
    for (let l = 0; l < nblocks; l++) {
      let b: number;
      if (l < N_DIRECT) {
        b = alloc();
        di.block[l] = b;
      } else if (l < N_DIRECT + ADDR_PER_BLOCK) {
        if (!ind) {
          indBlock = alloc();
          meta++;
          ind = new Uint32Array(ADDR_PER_BLOCK);
          di.block[IND] = indBlock;
        }
        b = alloc();
        ind[l - N_DIRECT] = b;
      } else {
        const k = l - N_DIRECT - ADDR_PER_BLOCK;
        if (!dind) {
          dindBlock = alloc();
          meta++;
          dind = new Uint32Array(ADDR_PER_BLOCK);
          di.block[DIND] = dindBlock;
        }
        if (k % ADDR_PER_BLOCK === 0) {
          flushDindChild();
          dindChildBlock = alloc();
          meta++;
          dindChild = new Uint32Array(ADDR_PER_BLOCK);
          dind[k / ADDR_PER_BLOCK] = dindChildBlock;
        }
        b = alloc();
        dindChild![k % ADDR_PER_BLOCK] = b;
      }
      const chunk = new Uint8Array(BLOCK_SIZE);
      chunk.set(n.bytes.subarray(l * BLOCK_SIZE, Math.min(n.bytes.length, (l + 1) * BLOCK_SIZE)));
      disk.writeBlock(b, chunk);
    }
    if (ind) disk.writeBlock(indBlock, new Uint8Array(ind.buffer));
    flushDindChild();
    if (dind) disk.writeBlock(dindBlock, new Uint8Array(dind.buffer));
    di.blocks = (nblocks + meta) * (BLOCK_SIZE / 512);
    inodes.set(n.ino, di);
  }
  // the reserved inodes 1..10 are in use (zeroed); 11 and up as allocated
  const inodesUsed = nextIno - 1;

  // inode tables, bitmaps, descriptors, superblocks
  const freeBlocksOf: number[] = [];
  const freeInodesOf: number[] = [];
  const dirsOf: number[] = new Array(geo.groups).fill(0);
  for (const n of all) if (n.children) dirsOf[Math.floor((n.ino - 1) / geo.inodesPerGroup)]++;
  for (let g = 0; g < geo.groups; g++) {
    const L = layouts[g];
    const first = groupFirstBlock(g);
    const count = groupBlocks(geo, g);
    const bb = new Uint8Array(BLOCK_SIZE);
    let free = 0;
    for (let i = 0; i < BLOCKS_PER_GROUP; i++) {
      if (i >= count || blockUsed[first + i]) bb[i >> 3] |= 1 << (i & 7);
      else free++;
    }
    freeBlocksOf.push(free);
    disk.writeBlock(L.blockBitmap, bb);
    const ib = new Uint8Array(BLOCK_SIZE);
    let freeI = 0;
    for (let i = 0; i < BLOCK_SIZE * 8; i++) {
      const ino = g * geo.inodesPerGroup + i + 1;
      if (i >= geo.inodesPerGroup || ino <= inodesUsed) ib[i >> 3] |= 1 << (i & 7);
      else freeI++;
    }
    freeInodesOf.push(freeI);
    disk.writeBlock(L.inodeBitmap, ib);
    for (let k = 0; k < geo.itableBlocks; k++) {
      const blk = new Uint8Array(BLOCK_SIZE);
      for (let j = 0; j < BLOCK_SIZE / INODE_SIZE; j++) {
        const ino = g * geo.inodesPerGroup + k * (BLOCK_SIZE / INODE_SIZE) + j + 1;
        const di = inodes.get(ino);
        if (di) encodeInode(di, blk, j * INODE_SIZE);
      }
      disk.writeBlock(L.inodeTable + k, blk);
    }
  }
  void inodeLocation;
  const gdt = new Uint8Array(geo.gdtBlocks * BLOCK_SIZE);
  for (let g = 0; g < geo.groups; g++) {
    const L = layouts[g];
    encodeGroupDesc({ blockBitmap: L.blockBitmap, inodeBitmap: L.inodeBitmap, inodeTable: L.inodeTable, freeBlocks: freeBlocksOf[g], freeInodes: freeInodesOf[g], usedDirs: dirsOf[g] }, gdt, g * 32);
  }
  const sbBlock = new Uint8Array(BLOCK_SIZE);
  const freeBlocks = freeBlocksOf.reduce((a, b) => a + b, 0);
  const freeInodes = freeInodesOf.reduce((a, b) => a + b, 0);
  encodeSuper(
    {
      inodesCount: geo.inodesCount,
      blocksCount: geo.blocksCount,
      rBlocksCount: 0,
      freeBlocksCount: freeBlocks,
      freeInodesCount: freeInodes,
      firstDataBlock: 1,
      logBlockSize: 0,
      blocksPerGroup: BLOCKS_PER_GROUP,
      inodesPerGroup: geo.inodesPerGroup,
      mtime: 0,
      wtime: opts.time,
      mntCount: 0,
      maxMntCount: -1,
      magic: EXT2_MAGIC,
      state: 1, // EXT2_VALID_FS
      errors: 1, // continue
      lastCheck: opts.time,
      revLevel: 0,
    },
    sbBlock,
  );
  for (let g = 0; g < geo.groups; g++) {
    const first = groupFirstBlock(g);
    disk.writeBlock(first, sbBlock);
    for (let k = 0; k < geo.gdtBlocks; k++) disk.writeBlock(first + 1 + k, gdt.subarray(k * BLOCK_SIZE, (k + 1) * BLOCK_SIZE));
  }
  return { geometry: geo, inodesUsed, blocksUsed: geo.blocksCount - 1 - freeBlocks };
}

/** A directory's blocks: ".", "..", then the entries by name; each block's last entry runs to its end. */
function dirBytes(d: Node): Uint8Array {
  const items: [string, number][] = [['.', d.ino], ['..', d.parent!.ino], ...[...d.children!].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([n, c]) => [n, c.ino] as [string, number])];
  const blocks: Uint8Array[] = [];
  let cur = new Uint8Array(BLOCK_SIZE);
  let off = 0;
  let last = -1;
  for (const [name, ino] of items) {
    const need = dirRecLen(name.length);
    if (off + need > BLOCK_SIZE) {
      // stretch the previous entry to the end of the block
      cur[last + 4] = (BLOCK_SIZE - last) & 0xff;
      cur[last + 5] = (BLOCK_SIZE - last) >> 8;
      blocks.push(cur);
      cur = new Uint8Array(BLOCK_SIZE);
      off = 0;
    }
    writeDirEntry(cur, off, ino, need, name);
    last = off;
    off += need;
  }
  cur[last + 4] = (BLOCK_SIZE - last) & 0xff;
  cur[last + 5] = (BLOCK_SIZE - last) >> 8;
  blocks.push(cur);
  const out = new Uint8Array(blocks.length * BLOCK_SIZE);
  blocks.forEach((b, i) => out.set(b, i * BLOCK_SIZE));
  return out;
}
