import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fsck } from './fsck';
import { ImageBlocks, MemoryMedium } from './image-blocks';
import { mkfs } from './mkfs';
import { decodeInode, decodeSuper, EXT2_MAGIC, S_IFDIR, S_IFREG } from './layout';

const T = 876009600;
const big = new Uint8Array(300 * 1024).map((_, i) => (i * 31) & 0xff); // needs the double indirect block

function build(): { medium: MemoryMedium; disk: ImageBlocks } {
  const medium = new MemoryMedium(16 << 20);
  const disk = new ImageBlocks(medium);
  mkfs(
    disk,
    [
      { path: '/bin/hello', mode: S_IFREG | 0o755, bytes: new TextEncoder().encode('hello world\n') },
      { path: '/bin/big', mode: S_IFREG | 0o755, bytes: big },
      { path: '/etc/hostname', mode: S_IFREG | 0o644, bytes: new TextEncoder().encode('mklab\n') },
      { path: '/tmp', mode: S_IFDIR | 0o1777 },
      { path: '/dev', mode: S_IFDIR | 0o755 },
      ...Array.from({ length: 100 }, (_, i) => ({ path: `/many/file-with-a-long-name-${i}`, mode: S_IFREG | 0o644, bytes: new Uint8Array(i) })),
    ],
    { blocksCount: 16384, inodesPerGroup: 512, time: T },
  );
  return { medium, disk };
}

describe('ext2 mkfs and our fsck', () => {
  it('builds a consistent file system', () => {
    const { disk } = build();
    const sb = decodeSuper(disk.readBlock(1));
    expect(sb.magic).toBe(EXT2_MAGIC);
    const r = fsck(disk);
    expect(r.problems).toEqual([]);
    expect(r.stats.dirs).toBe(7); // /, lost+found, bin, dev, etc, many, tmp
  });

  it('reports damage', () => {
    const { disk } = build();
    // a wrong link count on inode 12
    const gdt = disk.readBlock(2);
    const inodeTable = new DataView(gdt.buffer).getUint32(8, true);
    const blk = disk.readBlock(inodeTable + 1); // inodes 9..16
    const di = decodeInode(blk, (12 - 9) * 128); // inode 12
    expect(di.linksCount).toBeGreaterThan(0);
    blk[(12 - 9) * 128 + 26] = 7;
    disk.writeBlock(inodeTable + 1, blk);
    const r = fsck(disk);
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/inode 12: link count 7/);
  });

  const e2fsck = ['/sbin/e2fsck', '/usr/sbin/e2fsck'].find((p) => fs.existsSync(p));
  (e2fsck ? it : it.skip)('the host e2fsck accepts the image', () => {
    const { medium } = build();
    const file = path.join(os.tmpdir(), `mklab-mkfs-${process.pid}.img`);
    fs.writeFileSync(file, medium.data);
    try {
      const r = spawnSync(e2fsck!, ['-fn', file], { encoding: 'utf8' });
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/Fix\?|Clear\?|Create\?|Salvage\?/);
      expect(r.status).toBe(0);
    } finally {
      fs.unlinkSync(file);
    }
  });
});
