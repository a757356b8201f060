// The kernel's ext2 against a model: seeded random sequences of creates, writes,
// truncates, links, renames, unlinks and directory operations on a synchronous
// in-memory disk, checked against a map of expected contents, then synced and checked
// by our fsck (and read back after a remount).
import { BufferCache, BufferHead, BlockDriver } from '../../block/buffer-cache';
import { KernelError } from '../../errno';
import type { PhysMem } from '../../phys-mem';
import { S_IFDIR, S_IFREG, Inode } from '../ramfs';
import { Ext2Fs, Ext2Inode } from './ext2fs';
import { fsck } from './fsck';
import { ImageBlocks, MemoryMedium } from './image-blocks';
import { mkfs } from './mkfs';

class Mem implements PhysMem {
  readonly b: Uint8Array;
  readonly dv: DataView;
  constructor(readonly size: number) {
    this.b = new Uint8Array(size);
    this.dv = new DataView(this.b.buffer);
  }
  read8 = (a: number): number => this.b[a];
  read16 = (a: number): number => this.dv.getUint16(a, true);
  read32 = (a: number): number => this.dv.getUint32(a, true);
  write8 = (a: number, v: number): void => void (this.b[a] = v);
  write16 = (a: number, v: number): void => this.dv.setUint16(a, v, true);
  write32 = (a: number, v: number): void => this.dv.setUint32(a, v >>> 0, true);
  readBytes = (a: number, n: number): Uint8Array => this.b.slice(a, a + n);
  writeBytes = (a: number, x: ArrayLike<number>): void => this.b.set(x, a);
  fill = (a: number, n: number, v: number): void => void this.b.fill(v, a, a + n);
}

/** A disk that completes every request at once. */
class SyncDisk implements BlockDriver {
  cache!: BufferCache;
  constructor(
    readonly medium: MemoryMedium,
    readonly mem: Mem,
  ) {}
  submit(write: boolean, bhs: BufferHead[]): void {
    for (const bh of bhs) {
      if (write) this.medium.write(bh.block * 1024, this.mem.readBytes(bh.phys, 1024));
      else this.mem.writeBytes(bh.phys, this.medium.read(bh.block * 1024, 1024));
      this.cache.ioDone(bh, write);
    }
  }
  readNow(bh: BufferHead): void {
    this.mem.writeBytes(bh.phys, this.medium.read(bh.block * 1024, 1024));
    bh.uptodate = true;
  }
}

function mount(medium: MemoryMedium, maxBuffers = 64) {
  const mem = new Mem(16 << 20);
  let next = 0x100000;
  const disk = new SyncDisk(medium, mem);
  const env = { mem, allocPage: () => ((next += 4096) - 4096), count: () => undefined, charge: () => undefined };
  const cache = new BufferCache(env, disk, maxBuffers);
  disk.cache = cache;
  const fs = new Ext2Fs(cache, { ...env, now: () => 876009600 });
  cache.booting = false;
  return fs;
}

function drain(g: Generator<unknown, number, void>): void {
  for (let i = 0; i < 1000 && !g.next().done; i++);
}

class Lcg {
  constructor(private s: number) {}
  next(n: number): number {
    this.s = (Math.imul(this.s, 1664525) + 1013904223) >>> 0;
    return Math.floor((this.s / 2 ** 32) * n);
  }
}

describe('ext2 in the kernel', () => {
  it('a random workload matches the model, syncs to a clean file system, and reads back after a remount', () => {
    const medium = new MemoryMedium(8 << 20);
    mkfs(new ImageBlocks(medium), [{ path: '/etc/motd', mode: S_IFREG | 0o644, bytes: new TextEncoder().encode('hi\n') }], { blocksCount: 8192, inodesPerGroup: 1024, time: 876009600 });
    // a small cache: evictions and re-reads happen all the time
    const fs = mount(medium, 48);
    const rnd = new Lcg(1);
    const model = new Map<string, Uint8Array>(); // "d/name" → contents
    const dirs = ['', 'a', 'b'];
    for (const d of ['a', 'b']) fs.create(fs.root, d, S_IFDIR | 0o755);
    const dirOf = (d: string): Inode => (d === '' ? fs.root : fs.child(fs.root, d));
    for (let step = 0; step < 1500; step++) {
      fs.cache.trim(); // as the kernel does at each system call
      const d = dirs[rnd.next(3)];
      const name = `f${rnd.next(40)}`;
      const key = `${d}/${name}`;
      const op = rnd.next(10);
      try {
        if (op < 4) {
          // write somewhere (possibly far: indirect and double indirect blocks, holes)
          let inode: Inode;
          if (!model.has(key)) {
            inode = fs.create(dirOf(d), name, S_IFREG | 0o644);
            model.set(key, new Uint8Array(0));
          } else inode = fs.child(dirOf(d), name);
          const far = rnd.next(4) === 0;
          const pos = far ? rnd.next(400_000) : rnd.next(20_000);
          const len = 1 + rnd.next(6000);
          const bytes = new Uint8Array(len).map(() => rnd.next(256));
          for (let off = 0; off < len; off += 4096) (inode as Ext2Inode).write(pos + off, bytes.subarray(off, Math.min(len, off + 4096)));
          const old = model.get(key)!;
          const grown = new Uint8Array(Math.max(old.length, pos + len));
          grown.set(old);
          grown.set(bytes, pos);
          model.set(key, grown);
        } else if (op < 5 && model.has(key)) {
          const len = rnd.next(30_000);
          fs.child(dirOf(d), name).truncate(len);
          const old = model.get(key)!;
          const t = new Uint8Array(len);
          t.set(old.subarray(0, Math.min(len, old.length)));
          model.set(key, t);
        } else if (op < 7 && model.has(key)) {
          fs.unlink(dirOf(d), name);
          model.delete(key);
        } else if (op < 8 && model.has(key)) {
          const d2 = dirs[rnd.next(3)];
          const n2 = `f${rnd.next(40)}`;
          const k2 = `${d2}/${n2}`;
          fs.rename(dirOf(d), name, dirOf(d2), n2);
          if (k2 !== key) {
            model.set(k2, model.get(key)!);
            model.delete(key);
          }
        } else if (op < 9 && model.has(key)) {
          const n2 = `l${rnd.next(40)}`;
          if (!model.has(`${d}/${n2}`)) {
            fs.link(dirOf(d), n2, fs.child(dirOf(d), name));
            model.set(`${d}/${n2}`, model.get(key)!); // a second name (contents diverge in the model only if written: keep links read-only)
            fs.unlink(dirOf(d), n2);
            model.delete(`${d}/${n2}`);
          }
        } else {
          if (step % 50 === 0) drain(fs.sync());
        }
      } catch (e) {
        if (!(e instanceof KernelError)) throw e;
        throw new Error(`step ${step} op ${op} ${key}: errno ${e.errno}`);
      }
    }
    const check = (f: Ext2Fs): void => {
      for (const [key, want] of model) {
        const [d, name] = key.split('/');
        const inode = f.child(d === '' ? f.root : f.child(f.root, d), name) as Ext2Inode;
        expect([key, inode.size]).toEqual([key, want.length]);
        expect(Buffer.from(f.contents(inode)).equals(Buffer.from(want))).toBe(true);
      }
      const names = new Set(f.list(f.root, 0, 1000).map((e) => e.name));
      for (const key of model.keys()) if (!key.includes('/') || key.startsWith('/')) expect(names.has(key.slice(1))).toBe(true);
    };
    check(fs);
    drain(fs.sync());
    expect(fs.clean).toBe(true);
    expect(fsck(new ImageBlocks(medium)).problems).toEqual([]);
    check(mount(medium));
  });

  it('frees every block of removed files: the free count returns to where it was', () => {
    const medium = new MemoryMedium(8 << 20);
    mkfs(new ImageBlocks(medium), [], { blocksCount: 8192, inodesPerGroup: 1024, time: 0 });
    const fs = mount(medium);
    const before = fs.freeBlocks;
    const dir = fs.create(fs.root, 'd', S_IFDIR | 0o755);
    // 600 long names: the directory itself grows past its 12 direct blocks
    const name = (i: number): string => `file-number-${i}-with-a-longer-name`;
    for (let i = 0; i < 600; i++) {
      const f = fs.create(dir, name(i), S_IFREG | 0o644) as Ext2Inode;
      f.write(0, new Uint8Array((i % 200) * 100 + 1));
      if (i % 50 === 0) f.write(300_000, new Uint8Array(10)); // double indirect
    }
    expect(dir.size / 1024).toBeGreaterThan(12);
    expect(fs.list(dir, 0, 10_000).length).toBe(602);
    drain(fs.sync());
    expect(fsck(new ImageBlocks(medium)).problems).toEqual([]);
    for (let i = 0; i < 600; i++) fs.unlink(dir, name(i));
    fs.rmdir(fs.root, 'd');
    drain(fs.sync());
    expect(fs.freeBlocks).toBe(before);
    expect(fsck(new ImageBlocks(medium)).problems).toEqual([]);
  });
});
