// The disk root end to end on native Linux: guest programs on ext2 over the IDE disk,
// a file that survives a reboot from the same disk image, a writer killed mid-write
// leaving a consistent file system (our fsck, and the host's e2fsck when present),
// bit-identical counters across runs.
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import * as os from 'os';
import { DiskImage, IDE_DISK_CONFIG, Machine, P54C_CONFIG } from '@mklab/pentium';
import { bootLinux } from '../../boot';
import { fsck } from '../fs/ext2/fsck';
import { ImageBlocks } from '../fs/ext2/image-blocks';
import { DEFAULT_MKFS } from '../fs/ext2/mkfs';

const IMAGES = path.join(__dirname, '../../../../../guest/images/int80');
const img = (n: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(IMAGES, n)));
const BUDGET = 40_000_000_000;

function boot(prog: string, argv: string[], opts: { image?: DiskImage; mkfs?: boolean } = {}) {
  const machine = new Machine({ memoryBytes: 64 << 20, timing: P54C_CONFIG, disk: { config: IDE_DISK_CONFIG, image: opts.image } });
  const linux = bootLinux(machine, { arch: 'native', root: 'disk', mkfs: opts.mkfs, rootfs: { '/bin/prog': img(prog) }, init: { path: '/bin/prog', argv: ['prog', ...argv] } });
  return { machine, linux };
}

function run(prog: string, argv: string[] = [], opts: { image?: DiskImage; mkfs?: boolean } = {}) {
  const b = boot(prog, argv, opts);
  const r = b.machine.run({ cycleBudget: BUDGET });
  expect(b.linux.kernelLog()).toBe('');
  expect(r.reason).toBe('stopped');
  return { ...b, out: b.linux.stdout() };
}

function native(prog: string): string {
  const r = spawnSync(path.join(IMAGES, prog), [], { cwd: os.tmpdir(), encoding: 'latin1' });
  return r.stdout;
}

function checkImage(image: DiskImage): void {
  const report = fsck(new ImageBlocks(image));
  expect(report.problems).toEqual([]);
  const e2fsck = ['/sbin/e2fsck', '/usr/sbin/e2fsck'].find((p) => fs.existsSync(p));
  if (!e2fsck) return;
  const file = path.join(os.tmpdir(), `mklab-disk-${process.pid}.img`);
  fs.writeFileSync(file, image.read(0, DEFAULT_MKFS.blocksCount * 1024));
  try {
    const r = spawnSync(e2fsck, ['-fn', file], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/Fix\?|Clear\?|Create\?|Salvage\?|Relocate\?/);
    expect(r.status).toBe(0);
  } finally {
    fs.unlinkSync(file);
  }
}

describe('native Linux on the disk root', () => {
  for (const prog of ['test-fs-files', 'test-fs-dirs', 'test-fs-persist']) {
    it(`${prog}: the output of the native run`, () => {
      const r = run(prog);
      expect(r.out).toBe(native(prog));
      expect(r.linux.initExit()).toEqual({ code: 0, signal: null });
      expect(r.machine.ide!.stats.sectorsRead + r.machine.ide!.stats.sectorsWritten).toBeGreaterThan(0);
    });
  }

  it('a file written and synced survives a reboot from the same disk', () => {
    const first = run('test-fs-persist', ['write', '/data', '320']);
    expect(first.out).toMatch(/^wrote 320 KiB, checksum [0-9a-f]{8}\n$/);
    const sum = first.out.match(/checksum ([0-9a-f]{8})/)![1];
    const disk = first.machine.ide!.image.clone();
    checkImage(disk);
    // a new machine with the same disk: no mkfs, the file is read from the drive
    const second = run('test-fs-persist', ['read', '/data'], { image: disk, mkfs: false });
    expect(second.out).toBe(`read 320 KiB, checksum ${sum}\n`);
    expect(second.machine.ide!.stats.sectorsRead).toBeGreaterThan(600);
  });

  it('a mapped file after a reboot: page faults wait for the disk and see the same bytes', () => {
    const first = run('test-fs-persist', ['write', '/mapped', '320']);
    const sum = first.out.match(/checksum ([0-9a-f]{8})/)![1];
    const second = run('test-fs-persist', ['mmap', '/mapped'], { image: first.machine.ide!.image.clone(), mkfs: false });
    expect(second.out).toBe(`read 320 KiB, checksum ${sum}\n`);
    expect(second.machine.counters.kernel.fileFaults).toBeGreaterThan(0);
    expect(second.machine.ide!.stats.sectorsRead).toBeGreaterThan(600);
  });

  it('a writer killed in the middle of its writes leaves a consistent file system', () => {
    const r = run('test-fs-persist', ['kill', '/victim']);
    expect(r.out).toBe('writer killed by signal 9\n');
    // the writer was killed while its O_SYNC writes kept the drive busy
    expect(r.machine.counters.kernel.diskInterrupts).toBeGreaterThan(20);
    expect(r.machine.ide!.stats.sectorsWritten).toBeGreaterThan(50);
    checkImage(r.machine.ide!.image);
    // and the file is there after a reboot
    const again = run('test-fs-persist', ['read', '/victim'], { image: r.machine.ide!.image.clone(), mkfs: false });
    expect(again.out).toMatch(/^read \d+ KiB, checksum/);
  });

  it('is deterministic: bit-identical counters', () => {
    const a = run('test-fs-files');
    const b = run('test-fs-files');
    expect(b.machine.counters.snapshot()).toEqual(a.machine.counters.snapshot());
  });
});
