// fsck for our ext2 images: reads the disk through a BlockReader and reports every
// inconsistency it finds (it repairs nothing). The passes of e2fsck, in short:
//   1. superblock and group descriptors (magic, geometry, metadata inside its group)
//   2. every inode in use: block pointers in range, no block claimed twice (data,
//      indirect or metadata), i_blocks = the blocks held, size within the mapped blocks
//   3. the directory tree from the root: well-formed blocks, "." and "..", entries
//      pointing at inodes in use; link counts = the references found; unreachable inodes
//   4. bitmaps against what pass 2 found in use; free counts in descriptors and superblock

import {
  ADDR_PER_BLOCK,
  BLOCKS_PER_GROUP,
  BLOCK_SIZE,
  BlockReader,
  DIND,
  DiskInode,
  EXT2_MAGIC,
  FIRST_INO,
  IND,
  N_DIRECT,
  ROOT_INO,
  S_IFDIR,
  S_IFMT,
  TIND,
  decodeGroupDesc,
  decodeInode,
  decodeSuper,
  geometry,
  groupBlocks,
  groupFirstBlock,
  groupLayout,
  parseDirBlock,
} from './layout';

export interface FsckReport {
  ok: boolean;
  problems: string[];
  /** what the check found: inodes in use, directories, blocks in use */
  stats: { inodes: number; dirs: number; blocks: number };
}

export function fsck(disk: BlockReader, maxProblems = 200): FsckReport {
  const problems: string[] = [];
  const report = (p: string): void => {
    if (problems.length < maxProblems) problems.push(p);
  };
  const done = (stats = { inodes: 0, dirs: 0, blocks: 0 }): FsckReport => ({ ok: problems.length === 0, problems, stats });

  const sb = decodeSuper(disk.readBlock(1));
  if (sb.magic !== EXT2_MAGIC) {
    report(`superblock: bad magic 0x${sb.magic.toString(16)}`);
    return done();
  }
  if (sb.logBlockSize !== 0 || sb.firstDataBlock !== 1 || sb.blocksPerGroup !== BLOCKS_PER_GROUP) {
    report(`superblock: unsupported shape (log block size ${sb.logBlockSize}, first data block ${sb.firstDataBlock}, ${sb.blocksPerGroup} blocks per group)`);
    return done();
  }
  let geo;
  try {
    geo = geometry(sb.blocksCount, sb.inodesPerGroup);
  } catch (e) {
    report(`superblock: ${(e as Error).message}`);
    return done();
  }
  if (sb.inodesCount !== geo.inodesCount) report(`superblock: inodes count ${sb.inodesCount}, the geometry gives ${geo.inodesCount}`);

  const gdtRaw = new Uint8Array(geo.gdtBlocks * BLOCK_SIZE);
  for (let k = 0; k < geo.gdtBlocks; k++) gdtRaw.set(disk.readBlock(2 + k), k * BLOCK_SIZE);
  const gds = Array.from({ length: geo.groups }, (_, g) => decodeGroupDesc(gdtRaw, g * 32));
  const claimed = new Uint8Array(geo.blocksCount); // 1 = metadata, 2 = inode data
  claimed[0] = 1;
  for (let g = 0; g < geo.groups; g++) {
    const gd = gds[g];
    const L = groupLayout(geo, g);
    const first = groupFirstBlock(g);
    const end = first + groupBlocks(geo, g);
    for (const [what, b, n] of [['block bitmap', gd.blockBitmap, 1], ['inode bitmap', gd.inodeBitmap, 1], ['inode table', gd.inodeTable, geo.itableBlocks]] as const) {
      if (b < first || b + n > end) report(`group ${g}: ${what} at block ${b} lies outside the group [${first}, ${end})`);
    }
    for (let b = first; b < L.firstData && b < geo.blocksCount; b++) claimed[b] = 1;
    for (let b = gd.inodeTable; b < gd.inodeTable + geo.itableBlocks && b < geo.blocksCount; b++) claimed[b] = 1;
    if (gd.blockBitmap < geo.blocksCount) claimed[gd.blockBitmap] = 1;
    if (gd.inodeBitmap < geo.blocksCount) claimed[gd.inodeBitmap] = 1;
  }

  // pass 2: inodes
  const inodes = new Map<number, DiskInode>();
  const itableCache = new Map<number, Uint8Array>();
  const readInode = (ino: number): DiskInode => {
    const g = Math.floor((ino - 1) / geo.inodesPerGroup);
    const idx = (ino - 1) % geo.inodesPerGroup;
    const blk = gds[g].inodeTable + Math.floor(idx / 8);
    let b = itableCache.get(blk);
    if (!b) {
      b = disk.readBlock(blk);
      itableCache.set(blk, b);
    }
    return decodeInode(b, (idx % 8) * 128);
  };
  const inUse = (di: DiskInode): boolean => di.linksCount > 0 || (di.mode !== 0 && di.dtime === 0);
  const dataBlocks = new Map<number, number[]>(); // dirs: their data blocks in order
  let blocksInUse = 0;
  const claim = (ino: number, b: number, what: string): boolean => {
    if (b === 0) return false;
    if (b < 1 || b >= geo.blocksCount) {
      report(`inode ${ino}: ${what} block ${b} out of range`);
      return false;
    }
    if (claimed[b]) {
      report(`inode ${ino}: ${what} block ${b} is also ${claimed[b] === 1 ? 'file system metadata' : 'claimed by another inode'}`);
      return false;
    }
    claimed[b] = 2;
    blocksInUse++;
    return true;
  };
  for (let ino = FIRST_INO; ino <= geo.inodesCount; ino++) {
    const di = readInode(ino);
    if (!inUse(di)) continue;
    inodes.set(ino, di);
  }
  const root = readInode(ROOT_INO);
  if ((root.mode & S_IFMT) !== S_IFDIR) report(`root inode ${ROOT_INO} is not a directory (mode 0${root.mode.toString(8)})`);
  inodes.set(ROOT_INO, root);
  for (const [ino, di] of inodes) {
    const type = di.mode & S_IFMT;
    let held = 0;
    const list: number[] = [];
    let maxLogical = -1;
    const hasData = type === S_IFDIR || type === 0o100000;
    if (!hasData) continue; // devices keep their number in i_block[0]
    for (let l = 0; l < N_DIRECT; l++) {
      if (di.block[l]) {
        if (claim(ino, di.block[l], 'data')) held++;
        list[l] = di.block[l];
        maxLogical = l;
      }
    }
    const walkInd = (b: number, depth: number, base: number, span: number): void => {
      if (!claim(ino, b, depth === 1 ? 'indirect' : 'double indirect')) return;
      held++;
      const blk = disk.readBlock(b);
      const dv = new DataView(blk.buffer, blk.byteOffset, BLOCK_SIZE);
      for (let i = 0; i < ADDR_PER_BLOCK; i++) {
        const c = dv.getUint32(i * 4, true);
        if (!c) continue;
        if (depth === 1) {
          if (claim(ino, c, 'data')) held++;
          list[base + i] = c;
          maxLogical = Math.max(maxLogical, base + i);
        } else walkInd(c, depth - 1, base + i * span, span / ADDR_PER_BLOCK);
      }
    };
    if (di.block[IND]) walkInd(di.block[IND], 1, N_DIRECT, 1);
    if (di.block[DIND]) walkInd(di.block[DIND], 2, N_DIRECT + ADDR_PER_BLOCK, ADDR_PER_BLOCK);
    if (di.block[TIND]) report(`inode ${ino}: triple indirect block in use (not supported)`);
    if (di.blocks !== held * 2) report(`inode ${ino}: i_blocks is ${di.blocks}, should be ${held * 2}`);
    if (maxLogical >= 0 && di.size <= maxLogical * BLOCK_SIZE) report(`inode ${ino}: size ${di.size} but block ${maxLogical} is mapped`);
    if (type === S_IFDIR) {
      if (di.size % BLOCK_SIZE !== 0 || di.size === 0) report(`directory inode ${ino}: size ${di.size} is not a positive multiple of the block size`);
      dataBlocks.set(ino, list);
    }
  }

  // pass 3: the tree
  const refs = new Map<number, number>();
  const reached = new Set<number>([ROOT_INO]);
  const queue: [number, number][] = [[ROOT_INO, ROOT_INO]]; // dir, its parent
  let dirs = 0;
  while (queue.length) {
    const [dir, parent] = queue.shift()!;
    dirs++;
    const di = inodes.get(dir)!;
    const blocks = dataBlocks.get(dir) ?? [];
    const nb = Math.ceil(di.size / BLOCK_SIZE);
    let index = 0;
    for (let l = 0; l < nb; l++) {
      const b = blocks[l];
      if (!b) {
        report(`directory ${dir}: hole at block ${l}`);
        continue;
      }
      let ents;
      try {
        ents = parseDirBlock(disk.readBlock(b));
      } catch (e) {
        report(`directory ${dir}, block ${b}: ${(e as Error).message}`);
        continue;
      }
      for (const e of ents) {
        if (e.ino === 0) continue;
        const pos = index++;
        if (pos === 0 && e.name !== '.') report(`directory ${dir}: first entry is '${e.name}', not '.'`);
        if (pos === 1 && e.name !== '..') report(`directory ${dir}: second entry is '${e.name}', not '..'`);
        if (e.name === '.' && e.ino !== dir) report(`directory ${dir}: '.' points at ${e.ino}`);
        if (e.name === '..' && e.ino !== parent) report(`directory ${dir}: '..' points at ${e.ino}, its parent is ${parent}`);
        if (e.ino > geo.inodesCount) {
          report(`directory ${dir}: entry '${e.name}' points at inode ${e.ino} beyond ${geo.inodesCount}`);
          continue;
        }
        const target = inodes.get(e.ino);
        if (!target) {
          report(`directory ${dir}: entry '${e.name}' points at unused inode ${e.ino}`);
          continue;
        }
        refs.set(e.ino, (refs.get(e.ino) ?? 0) + 1);
        if (e.name === '.' || e.name === '..') continue;
        if ((target.mode & S_IFMT) === S_IFDIR) {
          if (reached.has(e.ino)) {
            report(`directory ${e.ino} ('${e.name}' in ${dir}) is reachable twice`);
            continue;
          }
          reached.add(e.ino);
          queue.push([e.ino, dir]);
        } else reached.add(e.ino);
      }
    }
    if (index < 2) report(`directory ${dir}: missing '.' or '..'`);
  }
  for (const [ino, di] of inodes) {
    if (!reached.has(ino)) {
      report(`inode ${ino} (mode 0${di.mode.toString(8)}, ${di.linksCount} links) is in use but not in any directory`);
      continue;
    }
    const n = refs.get(ino) ?? 0;
    if (n !== di.linksCount) report(`inode ${ino}: link count ${di.linksCount}, ${n} references found`);
  }

  // pass 4: bitmaps and counts
  const dirsIn = new Array(geo.groups).fill(0);
  for (const [ino, di] of inodes) if ((di.mode & S_IFMT) === S_IFDIR) dirsIn[Math.floor((ino - 1) / geo.inodesPerGroup)]++;
  for (let g = 0; g < geo.groups; g++) if (gds[g].usedDirs !== dirsIn[g]) report(`group ${g}: used directories count ${gds[g].usedDirs}, ${dirsIn[g]} found`);
  let freeBlocksTotal = 0;
  let freeInodesTotal = 0;
  for (let g = 0; g < geo.groups; g++) {
    const gd = gds[g];
    const first = groupFirstBlock(g);
    const count = groupBlocks(geo, g);
    const bb = disk.readBlock(gd.blockBitmap);
    let free = 0;
    let diffs = 0;
    for (let i = 0; i < BLOCKS_PER_GROUP; i++) {
      const bit = (bb[i >> 3] >> (i & 7)) & 1;
      if (i >= count) {
        if (!bit && diffs++ < 3) report(`group ${g}: padding bit ${i} of the block bitmap is clear`);
        continue;
      }
      const used = claimed[first + i] !== 0;
      if (!bit) free++;
      if (used && !bit && diffs++ < 5) report(`block ${first + i}: in use but free in the bitmap`);
      if (!used && bit && diffs++ < 5) report(`block ${first + i}: marked in the bitmap but not in use`);
    }
    if (diffs > 5) report(`group ${g}: ${diffs} block bitmap differences in all`);
    if (gd.freeBlocks !== free) report(`group ${g}: free blocks count ${gd.freeBlocks}, the bitmap has ${free}`);
    freeBlocksTotal += free;
    const ib = disk.readBlock(gd.inodeBitmap);
    let freeI = 0;
    let idiffs = 0;
    for (let i = 0; i < geo.inodesPerGroup; i++) {
      const ino = g * geo.inodesPerGroup + i + 1;
      const bit = (ib[i >> 3] >> (i & 7)) & 1;
      const used = ino < FIRST_INO || inodes.has(ino);
      if (!bit) freeI++;
      if (used && !bit && idiffs++ < 5) report(`inode ${ino}: in use but free in the bitmap`);
      if (!used && bit && idiffs++ < 5) report(`inode ${ino}: marked in the bitmap but not in use`);
    }
    if (idiffs > 5) report(`group ${g}: ${idiffs} inode bitmap differences in all`);
    if (gd.freeInodes !== freeI) report(`group ${g}: free inodes count ${gd.freeInodes}, the bitmap has ${freeI}`);
    freeInodesTotal += freeI;
  }
  if (sb.freeBlocksCount !== freeBlocksTotal) report(`superblock: free blocks count ${sb.freeBlocksCount}, the bitmaps have ${freeBlocksTotal}`);
  if (sb.freeInodesCount !== freeInodesTotal) report(`superblock: free inodes count ${sb.freeInodesCount}, the bitmaps have ${freeInodesTotal}`);
  return done({ inodes: inodes.size, dirs, blocks: blocksInUse });
}
