import { Machine } from '../machine';
import { IDE_DISK_CONFIG, IDE_SECTOR_BYTES, physicalCylinders, seekCurve, seekMs } from './ide-config';
import { ATA_SR, IDE_BASE, IdeDisk } from './ide';
import { DiskImage } from './disk-image';
import { Prng } from '../util/prng';

const HZ = 133_000_000;
const ms = (cycles: number): number => (cycles * 1000) / HZ;

/** A polled host driver: issues commands by port I/O and lets the clock run to each device event. */
class Host {
  readonly m = new Machine({ memoryBytes: 1 << 20, disk: { config: IDE_DISK_CONFIG } });
  get disk(): IdeDisk {
    return this.m.ide!;
  }
  /** host time spent per sector moving 256 words by PIO (ATA PIO mode 4: 120 ns per word) */
  readonly pioCycles = Math.ceil((256 * 120e-9) * HZ);

  private waitIrq(): void {
    for (let guard = 0; guard < 1000; guard++) {
      if (this.disk.interruptPending) return;
      const next = this.m.events.nextEventCycle;
      if (next === Infinity) throw new Error('no device event pending while waiting for IRQ 14');
      this.m.counters.cycles = Math.max(this.m.counters.cycles, next);
      this.m.events.runDue(this.m.counters.cycles);
    }
    throw new Error('IRQ 14 never came');
  }

  private issue(cmd: number, lba: number, n: number): void {
    const io = this.m.io;
    io.out8(IDE_BASE + 2, n & 0xff);
    io.out8(IDE_BASE + 3, lba & 0xff);
    io.out8(IDE_BASE + 4, (lba >>> 8) & 0xff);
    io.out8(IDE_BASE + 5, (lba >>> 16) & 0xff);
    io.out8(IDE_BASE + 6, 0xe0 | ((lba >>> 24) & 0x0f));
    io.out8(IDE_BASE + 7, cmd);
  }

  read(lba: number, n: number): Uint8Array {
    const out = new Uint8Array(n * IDE_SECTOR_BYTES);
    this.issue(0x20, lba, n);
    for (let s = 0; s < n; s++) {
      this.waitIrq();
      const st = this.m.io.in8(IDE_BASE + 7);
      expect(st & ATA_SR.DRQ).toBeTruthy();
      for (let i = 0; i < 128; i++) {
        const v = this.m.io.in32(IDE_BASE);
        out[s * 512 + i * 4] = v & 0xff;
        out[s * 512 + i * 4 + 1] = (v >>> 8) & 0xff;
        out[s * 512 + i * 4 + 2] = (v >>> 16) & 0xff;
        out[s * 512 + i * 4 + 3] = v >>> 24;
      }
      this.m.counters.cycles += this.pioCycles;
    }
    expect(this.m.io.in8(IDE_BASE + 7) & (ATA_SR.BSY | ATA_SR.DRQ)).toBe(0);
    return out;
  }

  write(lba: number, data: Uint8Array): void {
    const n = data.length / IDE_SECTOR_BYTES;
    this.issue(0x30, lba, n);
    for (let s = 0; s < n; s++) {
      if (s > 0) this.waitIrq();
      expect(this.m.io.in8(IDE_BASE + 7) & ATA_SR.DRQ).toBeTruthy();
      for (let i = 0; i < 256; i++) this.m.io.out16(IDE_BASE, data[s * 512 + 2 * i] | (data[s * 512 + 2 * i + 1] << 8));
      this.m.counters.cycles += this.pioCycles;
    }
    this.waitIrq();
    expect(this.m.io.in8(IDE_BASE + 7) & (ATA_SR.BSY | ATA_SR.DRQ | ATA_SR.ERR)).toBe(0);
  }

  /** cycles one call takes */
  time(f: () => void): number {
    const t0 = this.m.counters.cycles;
    f();
    return this.m.counters.cycles - t0;
  }
}

describe('IDE disk: seek curve', () => {
  const curve = seekCurve(IDE_DISK_CONFIG);
  it('passes through the datasheet points and is continuous at the knee', () => {
    const n = physicalCylinders(IDE_DISK_CONFIG);
    expect(seekMs(curve, 1)).toBeCloseTo(2.5, 6);
    expect(seekMs(curve, n / 3)).toBeCloseTo(11, 6);
    expect(seekMs(curve, n - 1)).toBeCloseTo(20, 6);
    expect(seekMs(curve, curve.knee - 1e-9)).toBeCloseTo(seekMs(curve, curve.knee), 4);
    // monotone
    let prev = 0;
    for (let d = 1; d < n; d += 7) {
      const s = seekMs(curve, d);
      expect(s).toBeGreaterThanOrEqual(prev);
      prev = s;
    }
  });
});

describe('IDE disk: ATA protocol and data', () => {
  it('writes and reads back sectors (LBA), and IDENTIFY reports the geometry', () => {
    const h = new Host();
    const data = new Uint8Array(3 * 512).map((_, i) => (i * 7 + 3) & 0xff);
    h.write(1000, data);
    expect(h.read(1000, 3)).toEqual(data);
    expect(h.disk.image.read(1000 * 512, 3 * 512)).toEqual(data);
    h.m.io.out8(IDE_BASE + 6, 0xa0);
    h.m.io.out8(IDE_BASE + 7, 0xec);
    const t0 = h.m.counters.cycles;
    while (!h.disk.interruptPending) {
      h.m.counters.cycles = h.m.events.nextEventCycle;
      h.m.events.runDue(h.m.counters.cycles);
    }
    expect(h.m.counters.cycles - t0).toBeGreaterThan(0);
    h.m.io.in8(IDE_BASE + 7);
    const words: number[] = [];
    for (let i = 0; i < 256; i++) words.push(h.m.io.in16(IDE_BASE));
    expect([words[1], words[3], words[6]]).toEqual([2100, 16, 63]);
    expect(words[60] | (words[61] << 16)).toBe(2100 * 16 * 63);
  });

  it('aborts a command beyond the end of the disk', () => {
    const h = new Host();
    const io = h.m.io;
    io.out8(IDE_BASE + 2, 1);
    io.out8(IDE_BASE + 3, 0xff);
    io.out8(IDE_BASE + 4, 0xff);
    io.out8(IDE_BASE + 5, 0xff);
    io.out8(IDE_BASE + 6, 0xef);
    io.out8(IDE_BASE + 7, 0x20);
    h.m.counters.cycles = h.m.events.nextEventCycle;
    h.m.events.runDue(h.m.counters.cycles);
    expect(io.in8(IDE_BASE + 7) & ATA_SR.ERR).toBe(ATA_SR.ERR);
    expect(io.in8(IDE_BASE + 1)).toBe(0x04);
  });

  it('a reused image keeps its contents (a disk moved to another machine)', () => {
    const img = new DiskImage(2100 * 16 * 63 * 512);
    img.write(512 * 5, new Uint8Array([1, 2, 3]));
    const m = new Machine({ memoryBytes: 1 << 20, disk: { config: IDE_DISK_CONFIG, image: img } });
    expect(m.ide!.image.read(512 * 5, 3)).toEqual(new Uint8Array([1, 2, 3]));
    expect(() => new Machine({ memoryBytes: 1 << 20, disk: { config: IDE_DISK_CONFIG, image: new DiskImage(1024) } })).toThrow(/capacity/);
  });
});

describe('IDE disk: timing model', () => {
  const revMs = 60_000 / IDE_DISK_CONFIG.rpm;
  const mediaMBs = (IDE_DISK_CONFIG.physicalSectorsPerTrack * 512) / (revMs / 1000) / 1e6;

  it('sequential reads in 64-sector commands run near the media rate', () => {
    const h = new Host();
    h.read(0, 1); // position the head
    const sectors = 64 * 64; // 2 MiB
    const cycles = h.time(() => {
      for (let lba = 1; lba < 1 + sectors; lba += 64) h.read(lba, 64);
    });
    const mbs = (sectors * 512) / (ms(cycles) / 1000) / 1e6;
    // the look-ahead stream keeps the media busy between commands: close to 5.9 MB/s
    expect(mbs).toBeGreaterThan(mediaMBs * 0.9);
    expect(mbs).toBeLessThanOrEqual(mediaMBs * 1.001);
  });

  it('random single-sector reads cost overhead + seek + half a turn on average', () => {
    const h = new Host();
    const rng = new Prng(42);
    const n = 200;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const lba = Math.floor(rng.nextFloat() * (h.disk.sectors - 1));
      total += h.time(() => h.read(lba, 1));
    }
    const avg = ms(total) / n;
    // expected ≈ 0.5 (overhead) + E[seek] (below seek(N/3) = 11 ms: the curve is concave) + 5.56 (half a turn) + one sector
    expect(avg).toBeGreaterThan(0.5 + 7 + 4);
    expect(avg).toBeLessThan(0.5 + 11 + 7);
    // far slower than sequential
    const seq = new Host();
    seq.read(0, 1);
    const seqPer = ms(seq.time(() => {
      for (let lba = 1; lba < 1 + 64 * 16; lba += 64) seq.read(lba, 64);
    })) / (64 * 16);
    expect(avg / seqPer).toBeGreaterThan(100);
  });

  it('a re-read of just-read sectors is a buffer hit (overhead only, no rotation)', () => {
    const h = new Host();
    h.read(500_000, 2);
    const again = ms(h.time(() => h.read(500_000, 2)));
    expect(again).toBeLessThan(IDE_DISK_CONFIG.commandOverheadMs + 0.2);
    expect(h.disk.stats.bufferHits).toBe(1);
  });

  it('write-through: back-to-back single-sector writes to consecutive sectors lose a turn each', () => {
    const h = new Host();
    h.write(2000, new Uint8Array(512));
    const per = ms(h.time(() => {
      for (let i = 1; i <= 10; i++) h.write(2000 + i, new Uint8Array(512));
    })) / 10;
    // the next sector's slot has passed when the command arrives: about one revolution each
    expect(per).toBeGreaterThan(revMs * 0.9);
    expect(per).toBeLessThan(revMs * 1.2);
    // a single 10-sector command streams instead
    const burst = ms(h.time(() => h.write(3000, new Uint8Array(5120))));
    expect(burst).toBeLessThan(IDE_DISK_CONFIG.commandOverheadMs + 20 + revMs + 1);
  });

  it('is deterministic', () => {
    const run = (): number => {
      const h = new Host();
      const rng = new Prng(7);
      for (let i = 0; i < 20; i++) h.read(Math.floor(rng.nextFloat() * 1e6), 4);
      return h.m.counters.cycles;
    };
    expect(run()).toBe(run());
  });
});
