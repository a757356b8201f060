// The on-disk format: ext2 revision 0 with 1 KiB blocks, byte for byte as Linux 2.0
// reads it (include/linux/ext2_fs.h), so the host's e2fsck can check our images too.
//
//   block 0          boot block (unused)
//   block 1          superblock (byte 1024)
//   per group g of BLOCKS_PER_GROUP blocks from block 1: a superblock copy, the group
//   descriptor table copy, the block bitmap, the inode bitmap, the inode table, data
//   inode 2 = the root directory; inodes 1..10 are reserved (rev 0); 11 = lost+found
//   directories: entries {inode u32, rec_len u16, name_len u16, name} chained to the
//   end of each block; i_block[0..11] direct, [12] single, [13] double, [14] triple indirect

export const BLOCK_SIZE = 1024;
export const SECTORS_PER_BLOCK = BLOCK_SIZE / 512;
export const EXT2_MAGIC = 0xef53;
export const BLOCKS_PER_GROUP = 8192; // one bitmap block's bits
export const INODE_SIZE = 128;
export const INODES_PER_BLOCK = BLOCK_SIZE / INODE_SIZE;
export const ROOT_INO = 2;
export const FIRST_INO = 11; // rev 0: inodes below are reserved
export const LOST_FOUND_INO = 11;
export const N_DIRECT = 12;
export const IND = 12;
export const DIND = 13;
export const TIND = 14;
export const ADDR_PER_BLOCK = BLOCK_SIZE / 4;
/** Largest file the map can describe with direct + single + double indirect blocks (we do not use triple). */
export const MAX_FILE_BLOCKS = N_DIRECT + ADDR_PER_BLOCK + ADDR_PER_BLOCK * ADDR_PER_BLOCK;

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFCHR = 0o020000;

/** The shape of a file system: blocks, groups, inodes. */
export interface Geometry {
  blocksCount: number;
  inodesPerGroup: number;
  groups: number;
  inodesCount: number;
  /** blocks of the group descriptor table */
  gdtBlocks: number;
  /** blocks of one group's inode table */
  itableBlocks: number;
}

export function geometry(blocksCount: number, inodesPerGroup: number): Geometry {
  if (!(Number.isInteger(blocksCount) && blocksCount >= 1024)) throw new Error(`ext2: blocks count must be an integer ≥ 1024, got ${blocksCount}`);
  if (!(Number.isInteger(inodesPerGroup) && inodesPerGroup > 0 && inodesPerGroup % INODES_PER_BLOCK === 0 && inodesPerGroup <= BLOCKS_PER_GROUP)) {
    throw new Error(`ext2: inodes per group must be a multiple of ${INODES_PER_BLOCK} up to ${BLOCKS_PER_GROUP}, got ${inodesPerGroup}`);
  }
  const groups = Math.ceil((blocksCount - 1) / BLOCKS_PER_GROUP);
  const gdtBlocks = Math.ceil((groups * 32) / BLOCK_SIZE);
  const itableBlocks = inodesPerGroup / INODES_PER_BLOCK;
  const last = blocksCount - 1 - (groups - 1) * BLOCKS_PER_GROUP;
  if (last < 1 + gdtBlocks + 2 + itableBlocks + 1) throw new Error(`ext2: the last group (${last} blocks) cannot hold its metadata`);
  return { blocksCount, inodesPerGroup, groups, inodesCount: groups * inodesPerGroup, gdtBlocks, itableBlocks };
}

export const groupFirstBlock = (g: number): number => 1 + g * BLOCKS_PER_GROUP;
export function groupBlocks(geo: Geometry, g: number): number {
  return Math.min(BLOCKS_PER_GROUP, geo.blocksCount - groupFirstBlock(g));
}
/** Where a group's metadata lies (rev 0: every group has the superblock + GDT copies). */
export function groupLayout(geo: Geometry, g: number): { blockBitmap: number; inodeBitmap: number; inodeTable: number; firstData: number } {
  const first = groupFirstBlock(g);
  const blockBitmap = first + 1 + geo.gdtBlocks;
  return { blockBitmap, inodeBitmap: blockBitmap + 1, inodeTable: blockBitmap + 2, firstData: blockBitmap + 2 + geo.itableBlocks };
}
/** Block and byte offset of inode `ino` (1-based) given its group's inode table. */
export function inodeLocation(geo: Geometry, ino: number, inodeTableOf: (g: number) => number): { block: number; offset: number } {
  const g = Math.floor((ino - 1) / geo.inodesPerGroup);
  const index = (ino - 1) % geo.inodesPerGroup;
  return { block: inodeTableOf(g) + Math.floor(index / INODES_PER_BLOCK), offset: (index % INODES_PER_BLOCK) * INODE_SIZE };
}

export interface SuperBlock {
  inodesCount: number;
  blocksCount: number;
  rBlocksCount: number;
  freeBlocksCount: number;
  freeInodesCount: number;
  firstDataBlock: number;
  logBlockSize: number;
  blocksPerGroup: number;
  inodesPerGroup: number;
  mtime: number;
  wtime: number;
  mntCount: number;
  maxMntCount: number;
  magic: number;
  state: number;
  errors: number;
  lastCheck: number;
  revLevel: number;
}

export function encodeSuper(sb: SuperBlock, out: Uint8Array, at = 0): void {
  const dv = new DataView(out.buffer, out.byteOffset + at, BLOCK_SIZE);
  dv.setUint32(0, sb.inodesCount, true);
  dv.setUint32(4, sb.blocksCount, true);
  dv.setUint32(8, sb.rBlocksCount, true);
  dv.setUint32(12, sb.freeBlocksCount, true);
  dv.setUint32(16, sb.freeInodesCount, true);
  dv.setUint32(20, sb.firstDataBlock, true);
  dv.setUint32(24, sb.logBlockSize, true);
  dv.setUint32(28, sb.logBlockSize, true); // s_log_frag_size: fragments = blocks
  dv.setUint32(32, sb.blocksPerGroup, true);
  dv.setUint32(36, sb.blocksPerGroup, true); // s_frags_per_group
  dv.setUint32(40, sb.inodesPerGroup, true);
  dv.setUint32(44, sb.mtime, true);
  dv.setUint32(48, sb.wtime, true);
  dv.setUint16(52, sb.mntCount, true);
  dv.setInt16(54, sb.maxMntCount, true);
  dv.setUint16(56, sb.magic, true);
  dv.setUint16(58, sb.state, true);
  dv.setUint16(60, sb.errors, true);
  dv.setUint16(62, 0, true); // s_minor_rev_level
  dv.setUint32(64, sb.lastCheck, true);
  dv.setUint32(68, 0, true); // s_checkinterval
  dv.setUint32(72, 0, true); // s_creator_os: Linux
  dv.setUint32(76, sb.revLevel, true);
}

export function decodeSuper(b: Uint8Array, at = 0): SuperBlock {
  const dv = new DataView(b.buffer, b.byteOffset + at, BLOCK_SIZE);
  return {
    inodesCount: dv.getUint32(0, true),
    blocksCount: dv.getUint32(4, true),
    rBlocksCount: dv.getUint32(8, true),
    freeBlocksCount: dv.getUint32(12, true),
    freeInodesCount: dv.getUint32(16, true),
    firstDataBlock: dv.getUint32(20, true),
    logBlockSize: dv.getUint32(24, true),
    blocksPerGroup: dv.getUint32(32, true),
    inodesPerGroup: dv.getUint32(40, true),
    mtime: dv.getUint32(44, true),
    wtime: dv.getUint32(48, true),
    mntCount: dv.getUint16(52, true),
    maxMntCount: dv.getInt16(54, true),
    magic: dv.getUint16(56, true),
    state: dv.getUint16(58, true),
    errors: dv.getUint16(60, true),
    lastCheck: dv.getUint32(64, true),
    revLevel: dv.getUint32(76, true),
  };
}

export interface GroupDesc {
  blockBitmap: number;
  inodeBitmap: number;
  inodeTable: number;
  freeBlocks: number;
  freeInodes: number;
  usedDirs: number;
}

export function encodeGroupDesc(gd: GroupDesc, out: Uint8Array, at: number): void {
  const dv = new DataView(out.buffer, out.byteOffset + at, 32);
  dv.setUint32(0, gd.blockBitmap, true);
  dv.setUint32(4, gd.inodeBitmap, true);
  dv.setUint32(8, gd.inodeTable, true);
  dv.setUint16(12, gd.freeBlocks, true);
  dv.setUint16(14, gd.freeInodes, true);
  dv.setUint16(16, gd.usedDirs, true);
  for (let i = 18; i < 32; i++) out[at + i] = 0;
}

export function decodeGroupDesc(b: Uint8Array, at: number): GroupDesc {
  const dv = new DataView(b.buffer, b.byteOffset + at, 32);
  return {
    blockBitmap: dv.getUint32(0, true),
    inodeBitmap: dv.getUint32(4, true),
    inodeTable: dv.getUint32(8, true),
    freeBlocks: dv.getUint16(12, true),
    freeInodes: dv.getUint16(14, true),
    usedDirs: dv.getUint16(16, true),
  };
}

/** The on-disk inode (the fields we use; the rest are zero). */
export interface DiskInode {
  mode: number;
  uid: number;
  size: number;
  atime: number;
  ctime: number;
  mtime: number;
  dtime: number;
  gid: number;
  linksCount: number;
  /** 512-byte sectors held, indirect blocks included */
  blocks: number;
  flags: number;
  block: number[]; // 15 entries
}

export function emptyDiskInode(): DiskInode {
  return { mode: 0, uid: 0, size: 0, atime: 0, ctime: 0, mtime: 0, dtime: 0, gid: 0, linksCount: 0, blocks: 0, flags: 0, block: new Array(15).fill(0) };
}

export function encodeInode(i: DiskInode, out: Uint8Array, at: number): void {
  out.fill(0, at, at + INODE_SIZE);
  const dv = new DataView(out.buffer, out.byteOffset + at, INODE_SIZE);
  dv.setUint16(0, i.mode, true);
  dv.setUint16(2, i.uid, true);
  dv.setUint32(4, i.size, true);
  dv.setUint32(8, i.atime, true);
  dv.setUint32(12, i.ctime, true);
  dv.setUint32(16, i.mtime, true);
  dv.setUint32(20, i.dtime, true);
  dv.setUint16(24, i.gid, true);
  dv.setUint16(26, i.linksCount, true);
  dv.setUint32(28, i.blocks, true);
  dv.setUint32(32, i.flags, true);
  for (let k = 0; k < 15; k++) dv.setUint32(40 + 4 * k, i.block[k] >>> 0, true);
}

export function decodeInode(b: Uint8Array, at: number): DiskInode {
  const dv = new DataView(b.buffer, b.byteOffset + at, INODE_SIZE);
  const block: number[] = [];
  for (let k = 0; k < 15; k++) block.push(dv.getUint32(40 + 4 * k, true));
  return {
    mode: dv.getUint16(0, true),
    uid: dv.getUint16(2, true),
    size: dv.getUint32(4, true),
    atime: dv.getUint32(8, true),
    ctime: dv.getUint32(12, true),
    mtime: dv.getUint32(16, true),
    dtime: dv.getUint32(20, true),
    gid: dv.getUint16(24, true),
    linksCount: dv.getUint16(26, true),
    blocks: dv.getUint32(28, true),
    flags: dv.getUint32(32, true),
    block,
  };
}

/** Bytes a directory entry with a name of `len` bytes needs (EXT2_DIR_REC_LEN). */
export const dirRecLen = (len: number): number => (8 + len + 3) & ~3;

export interface DirEntry {
  ino: number;
  name: string;
  /** byte offset of the entry in its block, its rec_len */
  offset: number;
  recLen: number;
}

/** Parses one directory block; throws on a broken rec_len chain (the caller reports it). */
export function parseDirBlock(b: Uint8Array, at = 0): DirEntry[] {
  const out: DirEntry[] = [];
  const dv = new DataView(b.buffer, b.byteOffset + at, BLOCK_SIZE);
  let off = 0;
  while (off < BLOCK_SIZE) {
    const ino = dv.getUint32(off, true);
    const recLen = dv.getUint16(off + 4, true);
    const nameLen = dv.getUint16(off + 6, true);
    if (recLen < 8 || recLen % 4 !== 0 || off + recLen > BLOCK_SIZE || nameLen + 8 > recLen) {
      throw new Error(`bad directory entry at offset ${off}: rec_len ${recLen}, name_len ${nameLen}`);
    }
    let name = '';
    for (let i = 0; i < nameLen; i++) name += String.fromCharCode(b[at + off + 8 + i]);
    out.push({ ino, name, offset: off, recLen });
    off += recLen;
  }
  return out;
}

export function writeDirEntry(b: Uint8Array, at: number, ino: number, recLen: number, name: string): void {
  const dv = new DataView(b.buffer, b.byteOffset + at, 8);
  dv.setUint32(0, ino, true);
  dv.setUint16(4, recLen, true);
  dv.setUint16(6, name.length, true);
  for (let i = 0; i < name.length; i++) b[at + 8 + i] = name.charCodeAt(i) & 0xff;
  for (let i = 8 + name.length; i < recLen && i < dirRecLen(name.length); i++) b[at + i] = 0;
}

/** A byte-addressed view of a disk (the image, or the media through a driver). */
export interface BlockReader {
  readBlock(block: number): Uint8Array;
}
export interface BlockWriter extends BlockReader {
  writeBlock(block: number, data: Uint8Array): void;
}
