// An ATA (IDE) disk on the primary channel: the task-file registers at 0x1F0–0x1F7, the
// device-control / alternate-status register at 0x3F6, INTRQ on IRQ 14 (edge, as on the
// ISA bus) [ata: ATA-2, X3T10/948D]. Commands: READ SECTORS (0x20/0x21), WRITE SECTORS
// (0x30/0x31) with the PIO data-in / data-out protocols (one DRQ block = one sector;
// an interrupt per block), IDENTIFY DEVICE (0xEC), and the housekeeping commands a
// driver sends at probe time (INITIALIZE DEVICE PARAMETERS 0x91, RECALIBRATE 0x1x,
// SET FEATURES 0xEF, FLUSH CACHE 0xE7, IDLE/STANDBY 0xE0–0xE3): completed with an
// interrupt. Anything else is aborted (ERR, error register ABRT). CHS and LBA addressing.
//
// Timing model (the figures and their sources: ide-config.ts):
//   - every command pays the firmware overhead;
//   - a read that misses the look-ahead buffer seeks (two-regime seek curve), waits for
//     its first sector to come under the head (the platter's angle is a function of the
//     cycle clock), then streams sectors at the media rate; track and cylinder switches
//     inside a transfer are hidden by the track skew (so streams run at the media rate);
//   - after a read the drive keeps reading ahead into its buffer (up to readAheadBytes
//     beyond what the host asked for); a later read of buffered sectors, or of sectors
//     the stream is about to reach, is served from the stream without a seek;
//   - writes drop the look-ahead buffer; write-through: the drive takes the host's
//     sectors into its buffer at once, writes each on its rotational slot, and raises
//     the completion interrupt when the last one is on the media.
// The host side (PIO transfers, the driver's own time) is the kernel's to charge.

import type { EventHandle, EventQueue } from '../clock/event-queue';
import type { PortDevice } from './io-bus';
import type { Pic } from './pic';
import { IDE_SECTOR_BYTES, IdeDiskConfig, SeekCurve, physicalCylinders, seekCurve, seekMs } from './ide-config';
import { DiskImage } from './disk-image';

export const IDE_IRQ = 14;
export const IDE_BASE = 0x1f0;
export const IDE_CONTROL = 0x3f6;

/** Status register bits [ata]. */
export const ATA_SR = { BSY: 0x80, DRDY: 0x40, DF: 0x20, DSC: 0x10, DRQ: 0x08, CORR: 0x04, IDX: 0x02, ERR: 0x01 } as const;
/** Error register: command aborted [ata]. */
export const ATA_ER_ABRT = 0x04;
export const ATA_CMD = { READ: 0x20, READ_NORETRY: 0x21, WRITE: 0x30, WRITE_NORETRY: 0x31, IDENTIFY: 0xec } as const;

export interface IdeStats {
  commands: number;
  sectorsRead: number;
  sectorsWritten: number;
  /** read commands whose first sector came from the look-ahead stream */
  bufferHits: number;
  /** mechanical accesses (seek + rotational wait) */
  accesses: number;
  /** total seek distance in cylinders */
  seekCylinders: number;
}

type Phase = 'idle' | 'read' | 'write' | 'identify';

export class IdeDisk implements PortDevice {
  readonly name = 'ide0';
  readonly sectors: number;
  /** the media: sector n at byte n × 512 */
  readonly image: DiskImage;
  readonly stats: IdeStats = { commands: 0, sectorsRead: 0, sectorsWritten: 0, bufferHits: 0, accesses: 0, seekCylinders: 0 };

  private readonly curve: SeekCurve;
  private readonly cyclesPerRev: number;
  private readonly sectorCycles: number;
  private readonly overheadCycles: number;
  private readonly readAheadSectors: number;
  private readonly spt: number;
  private readonly perCylinder: number;

  // task file
  private features = 0;
  private count = 0;
  private sectorNumber = 0;
  private cylLow = 0;
  private cylHigh = 0;
  private driveHead = 0xa0;
  private status: number = ATA_SR.DRDY | ATA_SR.DSC;
  private error = 0;
  private nIEN = false;
  private irqPending = false;

  // the command in progress
  private phase: Phase = 'idle';
  private lba = 0;
  private remaining = 0;
  private readonly block = new Uint8Array(IDE_SECTOR_BYTES);
  private blockPos = 0;
  private pending: EventHandle | null = null;
  /** write: when the last accepted sector is on the media */
  private mediaFree = 0;
  private readonly writeBuffer: { lba: number; data: Uint8Array }[] = [];

  // mechanics: the head's cylinder when the last access ended, and the look-ahead stream
  private headCylinder = 0;
  private headFreeAt = 0;
  /** stream: sector streamLba begins under the head at streamStart; it reads on until stopLba */
  private streamLba = -1;
  private streamStart = 0;
  private stopLba = 0;

  constructor(
    readonly config: Readonly<IdeDiskConfig>,
    private readonly hz: number,
    private readonly now: () => number,
    private readonly events: EventQueue,
    private readonly pic: Pic,
    image?: DiskImage,
  ) {
    this.sectors = config.logicalCylinders * config.logicalHeads * config.logicalSectorsPerTrack;
    if (image !== undefined && image.bytes !== this.sectors * IDE_SECTOR_BYTES) {
      throw new Error(`IdeDisk: image must be ${this.sectors * IDE_SECTOR_BYTES} bytes (the drive's capacity), got ${image.bytes}`);
    }
    this.image = image ?? new DiskImage(this.sectors * IDE_SECTOR_BYTES);
    this.curve = seekCurve(config);
    this.cyclesPerRev = (hz * 60) / config.rpm;
    this.spt = config.physicalSectorsPerTrack;
    this.sectorCycles = this.cyclesPerRev / this.spt;
    this.overheadCycles = (config.commandOverheadMs * hz) / 1000;
    this.readAheadSectors = Math.floor(config.readAheadBytes / IDE_SECTOR_BYTES);
    this.perCylinder = config.surfaces * this.spt;
    void physicalCylinders;
  }

  // ------------------------------------------------------------------ the timing model (pure functions of the state and the clock)

  cylinderOf(lba: number): number {
    return Math.floor(lba / this.perCylinder);
  }

  /** Seek time in cycles between two cylinders. */
  seekCycles(from: number, to: number): number {
    return (seekMs(this.curve, Math.abs(to - from)) * this.hz) / 1000;
  }

  /** The first time ≥ t at which sector `lba` begins to pass under the head. */
  slotAfter(lba: number, t: number): number {
    const angle = (lba % this.spt) * this.sectorCycles; // offset of the sector's start within a turn
    const turns = Math.ceil((t - angle) / this.cyclesPerRev - 1e-9);
    return angle + Math.max(0, turns) * this.cyclesPerRev;
  }

  /** Where the stream is at time t: the first sector not yet read into the buffer. */
  private streamPos(t: number): number {
    if (this.streamLba < 0) return -1;
    const done = this.streamLba + Math.max(0, Math.floor((t - this.streamStart) / this.sectorCycles));
    return Math.min(done, this.stopLba);
  }

  /** When sector x of a read starting at time t is in the buffer (a stream hit), or null (a miss). */
  private streamReady(x: number, t: number): number | null {
    if (this.streamLba < 0 || x < this.streamLba) return null;
    const pos = this.streamPos(t);
    if (x < pos) return t; // already buffered
    const stoppedAt = this.streamStart + (this.stopLba - this.streamLba) * this.sectorCycles;
    if (pos >= this.stopLba && t >= stoppedAt) return null; // the buffer filled and the stream stopped
    if (x > pos + this.spt) return null; // more than a turn ahead: a new access is as good
    return this.streamStart + (x - this.streamLba + 1) * this.sectorCycles;
  }

  /** Positions for a read of sectors [x, x+n) at time t and returns when sector x is ready; sets up the stream. */
  private beginRead(x: number, n: number, t: number): number {
    const hit = this.streamReady(x, t);
    if (hit !== null) {
      this.stats.bufferHits++;
      this.stopLba = Math.max(this.stopLba, x + n + this.readAheadSectors);
      return hit;
    }
    const start = this.mechanicalAccess(x, t);
    this.streamLba = x;
    this.streamStart = start;
    this.stopLba = x + n + this.readAheadSectors;
    return start + this.sectorCycles;
  }

  /** Seek + rotational wait: the time sector x begins under the head, for a command starting at t. */
  private mechanicalAccess(x: number, t: number): number {
    this.stats.accesses++;
    const from = this.streamLba >= 0 ? this.cylinderOf(Math.max(this.streamLba, Math.min(this.streamPos(t), this.sectors - 1))) : this.headCylinder;
    const to = this.cylinderOf(x);
    this.stats.seekCylinders += Math.abs(to - from);
    const arrive = Math.max(t, this.headFreeAt) + this.seekCycles(from, to);
    this.headCylinder = to;
    return this.slotAfter(x, arrive);
  }

  /** Ready time of sector x+i of the current read (stream order). */
  private sectorReady(x: number, t: number): number {
    const r = this.streamReady(x, t);
    return r ?? this.beginRead(x, this.remaining, t);
  }

  // ------------------------------------------------------------------ ports

  in8(port: number): number {
    switch (port) {
      case IDE_BASE:
        return this.dataIn(1);
      case IDE_BASE + 1:
        return this.error;
      case IDE_BASE + 2:
        return this.count & 0xff;
      case IDE_BASE + 3:
        return this.sectorNumber;
      case IDE_BASE + 4:
        return this.cylLow;
      case IDE_BASE + 5:
        return this.cylHigh;
      case IDE_BASE + 6:
        return this.driveHead;
      case IDE_BASE + 7:
        // reading the status register clears a pending interrupt [ata]
        if (this.irqPending) {
          this.irqPending = false;
          this.pic.lower(IDE_IRQ);
        }
        return this.status;
      case IDE_CONTROL:
        return this.status; // alternate status: no side effect
      default:
        return 0xff;
    }
  }

  in16(port: number): number {
    if (port !== IDE_BASE) return this.in8(port) | (this.in8(port + 1) << 8);
    return this.dataIn(2);
  }

  in32(port: number): number {
    if (port !== IDE_BASE) return (this.in16(port) | (this.in16(port + 2) << 16)) >>> 0;
    return this.dataIn(4);
  }

  out8(port: number, value: number): void {
    switch (port) {
      case IDE_BASE:
        this.dataOut(value, 1);
        return;
      case IDE_BASE + 1:
        this.features = value;
        return;
      case IDE_BASE + 2:
        this.count = value;
        return;
      case IDE_BASE + 3:
        this.sectorNumber = value;
        return;
      case IDE_BASE + 4:
        this.cylLow = value;
        return;
      case IDE_BASE + 5:
        this.cylHigh = value;
        return;
      case IDE_BASE + 6:
        this.driveHead = value | 0xa0;
        return;
      case IDE_BASE + 7:
        this.command(value);
        return;
      case IDE_CONTROL:
        this.control(value);
        return;
    }
  }

  out16(port: number, value: number): void {
    if (port !== IDE_BASE) {
      this.out8(port, value & 0xff);
      this.out8(port + 1, value >>> 8);
      return;
    }
    this.dataOut(value, 2);
  }

  out32(port: number, value: number): void {
    if (port !== IDE_BASE) {
      this.out16(port, value & 0xffff);
      this.out16(port + 2, value >>> 16);
      return;
    }
    this.dataOut(value, 4);
  }

  /** INTRQ is asserted (cleared by a read of the status register) */
  get interruptPending(): boolean {
    return this.irqPending;
  }

  /** The device is not busy with a command (for drivers and tests). */
  get idle(): boolean {
    return this.phase === 'idle' && (this.status & ATA_SR.BSY) === 0;
  }

  // ------------------------------------------------------------------ commands

  private control(v: number): void {
    this.nIEN = (v & 0x02) !== 0;
    if (v & 0x04) {
      // SRST: abort everything, back to the power-on register state
      if (this.pending) this.events.cancel(this.pending);
      this.pending = null;
      this.phase = 'idle';
      this.writeBuffer.length = 0;
      this.status = ATA_SR.DRDY | ATA_SR.DSC;
      this.error = 1; // diagnostic code: no error
      this.count = 1;
      this.sectorNumber = 1;
      this.cylLow = 0;
      this.cylHigh = 0;
      this.driveHead = 0xa0;
    }
  }

  /** The addressed sector from the task file (LBA or CHS). */
  private address(): number {
    if (this.driveHead & 0x40) return ((this.driveHead & 0x0f) << 24) | (this.cylHigh << 16) | (this.cylLow << 8) | this.sectorNumber;
    const c = this.config;
    const cyl = (this.cylHigh << 8) | this.cylLow;
    const head = this.driveHead & 0x0f;
    if (this.sectorNumber < 1 || this.sectorNumber > c.logicalSectorsPerTrack || head >= c.logicalHeads) return -1;
    return (cyl * c.logicalHeads + head) * c.logicalSectorsPerTrack + this.sectorNumber - 1;
  }

  /** Writes the address of sector `lba` back into the task file (as the drive does after a transfer). */
  private setAddress(lba: number): void {
    if (this.driveHead & 0x40) {
      this.sectorNumber = lba & 0xff;
      this.cylLow = (lba >>> 8) & 0xff;
      this.cylHigh = (lba >>> 16) & 0xff;
      this.driveHead = (this.driveHead & 0xf0) | ((lba >>> 24) & 0x0f);
      return;
    }
    const c = this.config;
    const s = (lba % c.logicalSectorsPerTrack) + 1;
    const h = Math.floor(lba / c.logicalSectorsPerTrack) % c.logicalHeads;
    const cyl = Math.floor(lba / (c.logicalSectorsPerTrack * c.logicalHeads));
    this.sectorNumber = s;
    this.cylLow = cyl & 0xff;
    this.cylHigh = (cyl >>> 8) & 0xff;
    this.driveHead = (this.driveHead & 0xf0) | h;
  }

  private command(cmd: number): void {
    if (this.status & ATA_SR.BSY) return; // writes to the command register while busy are ignored [ata]
    if (this.driveHead & 0x10) {
      // the slave: there is none; the master answers nothing for it
      return;
    }
    this.stats.commands++;
    this.error = 0;
    this.status = ATA_SR.BSY | ATA_SR.DSC;
    const t = this.now() + this.overheadCycles;
    const n = this.count === 0 ? 256 : this.count;
    switch (cmd) {
      case ATA_CMD.READ:
      case ATA_CMD.READ_NORETRY: {
        const lba = this.address();
        if (lba < 0 || lba + n > this.sectors) return this.abortAt(t);
        this.phase = 'read';
        this.lba = lba;
        this.remaining = n;
        this.schedule(this.beginRead(lba, n, t), () => this.readBlockReady());
        return;
      }
      case ATA_CMD.WRITE:
      case ATA_CMD.WRITE_NORETRY: {
        const lba = this.address();
        if (lba < 0 || lba + n > this.sectors) return this.abortAt(t);
        this.phase = 'write';
        this.lba = lba;
        this.remaining = n;
        this.writeBuffer.length = 0;
        this.streamLba = -1; // writes drop the look-ahead data
        // positioning starts now; the media is free for the first sector once there
        const start = this.mechanicalAccess(lba, t);
        this.mediaFree = start; // (slot of the first sector)
        // DRQ for the first block without an interrupt [ata PIO data-out]
        this.status = ATA_SR.DRDY | ATA_SR.DSC | ATA_SR.DRQ;
        this.blockPos = 0;
        return;
      }
      case ATA_CMD.IDENTIFY:
        this.phase = 'identify';
        this.fillIdentify();
        this.schedule(t, () => {
          this.status = ATA_SR.DRDY | ATA_SR.DSC | ATA_SR.DRQ;
          this.blockPos = 0;
          this.interrupt();
        });
        return;
      case 0x91: // INITIALIZE DEVICE PARAMETERS
      case 0xef: // SET FEATURES
      case 0xe7: // FLUSH CACHE (write-through: nothing to flush)
      case 0xe0:
      case 0xe1:
      case 0xe2:
      case 0xe3:
        return this.completeAt(t);
      default:
        if ((cmd & 0xf0) === 0x10) return this.completeAt(t); // RECALIBRATE
        return this.abortAt(t);
    }
  }

  private schedule(at: number, fire: () => void): void {
    if (this.pending) this.events.cancel(this.pending);
    this.pending = this.events.schedule(Math.max(Math.ceil(at), this.now()), () => {
      this.pending = null;
      fire();
    });
  }

  private completeAt(t: number): void {
    this.schedule(t, () => {
      this.phase = 'idle';
      this.status = ATA_SR.DRDY | ATA_SR.DSC;
      this.interrupt();
    });
  }

  private abortAt(t: number): void {
    this.schedule(t, () => {
      this.phase = 'idle';
      this.error = ATA_ER_ABRT;
      this.status = ATA_SR.DRDY | ATA_SR.DSC | ATA_SR.ERR;
      this.interrupt();
    });
  }

  private interrupt(): void {
    if (this.nIEN) return;
    this.irqPending = true;
    this.pic.raise(IDE_IRQ);
  }

  // ------------------------------------------------------------------ PIO data-in (read, identify)

  private readBlockReady(): void {
    this.image.readInto(this.lba * IDE_SECTOR_BYTES, IDE_SECTOR_BYTES, this.block);
    this.blockPos = 0;
    this.status = ATA_SR.DRDY | ATA_SR.DSC | ATA_SR.DRQ;
    this.stats.sectorsRead++;
    this.interrupt();
  }

  private dataIn(size: 1 | 2 | 4): number {
    if (!(this.status & ATA_SR.DRQ) || (this.phase !== 'read' && this.phase !== 'identify')) return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    let v = 0;
    for (let i = 0; i < size && this.blockPos < IDE_SECTOR_BYTES; i++) v |= this.block[this.blockPos++] << (8 * i);
    if (this.blockPos >= IDE_SECTOR_BYTES) this.blockDrained();
    return v >>> 0;
  }

  private blockDrained(): void {
    if (this.phase === 'identify') {
      this.phase = 'idle';
      this.status = ATA_SR.DRDY | ATA_SR.DSC;
      return;
    }
    this.lba++;
    this.remaining--;
    this.setAddress(this.lba);
    if (this.remaining === 0) {
      this.phase = 'idle';
      this.status = ATA_SR.DRDY | ATA_SR.DSC;
      this.count = 0;
      return;
    }
    this.count = this.remaining & 0xff;
    this.status = ATA_SR.BSY | ATA_SR.DSC;
    const t = this.now();
    this.schedule(this.sectorReady(this.lba, t), () => this.readBlockReady());
  }

  // ------------------------------------------------------------------ PIO data-out (write)

  private dataOut(value: number, size: 1 | 2 | 4): void {
    if (this.phase !== 'write' || !(this.status & ATA_SR.DRQ)) return;
    for (let i = 0; i < size && this.blockPos < IDE_SECTOR_BYTES; i++) this.block[this.blockPos++] = (value >>> (8 * i)) & 0xff;
    if (this.blockPos < IDE_SECTOR_BYTES) return;
    // a sector is in the drive's buffer: it goes to the media on its slot
    const t = this.now();
    const slot = this.slotAfter(this.lba, Math.max(t, this.mediaFree));
    this.mediaFree = slot + this.sectorCycles;
    this.writeBuffer.push({ lba: this.lba, data: this.block.slice() });
    this.stats.sectorsWritten++;
    this.lba++;
    this.remaining--;
    this.setAddress(this.lba);
    this.blockPos = 0;
    if (this.remaining > 0) {
      this.count = this.remaining & 0xff;
      // buffer space for the next block at once: DRQ with an interrupt [ata PIO data-out]
      this.status = ATA_SR.DRDY | ATA_SR.DSC | ATA_SR.DRQ;
      this.interrupt();
      return;
    }
    this.count = 0;
    this.status = ATA_SR.BSY | ATA_SR.DSC;
    const end = this.mediaFree;
    this.headFreeAt = end;
    this.schedule(end, () => {
      for (const w of this.writeBuffer) this.image.write(w.lba * IDE_SECTOR_BYTES, w.data);
      this.writeBuffer.length = 0;
      this.phase = 'idle';
      this.status = ATA_SR.DRDY | ATA_SR.DSC;
      this.interrupt();
    });
  }

  // ------------------------------------------------------------------ IDENTIFY

  private fillIdentify(): void {
    const w = new Uint16Array(256);
    const c = this.config;
    w[0] = 0x0040; // fixed device
    w[1] = c.logicalCylinders;
    w[3] = c.logicalHeads;
    w[6] = c.logicalSectorsPerTrack;
    const ascii = (word: number, s: string, len: number): void => {
      const padded = s.padEnd(len * 2, ' ').slice(0, len * 2);
      for (let i = 0; i < len; i++) w[word + i] = (padded.charCodeAt(2 * i) << 8) | padded.charCodeAt(2 * i + 1);
    };
    ascii(10, 'MKLAB0000001', 10); // serial number
    ascii(23, '1.0', 4); // firmware revision
    ascii(27, c.model, 20);
    w[47] = 0; // READ/WRITE MULTIPLE not supported
    w[49] = 0x0200; // LBA supported
    w[51] = 0x0200; // PIO timing mode 2 (the mode-4 cycle is in word 68)
    w[53] = 0x0003; // words 54–58 and 64–70 valid
    w[54] = c.logicalCylinders;
    w[55] = c.logicalHeads;
    w[56] = c.logicalSectorsPerTrack;
    w[57] = this.sectors & 0xffff;
    w[58] = this.sectors >>> 16;
    w[60] = this.sectors & 0xffff;
    w[61] = this.sectors >>> 16;
    w[64] = 0x0003; // PIO modes 3 and 4
    w[68] = 120; // PIO mode 4: 120 ns cycle with IORDY [ata]
    for (let i = 0; i < 256; i++) {
      this.block[2 * i] = w[i] & 0xff;
      this.block[2 * i + 1] = w[i] >>> 8;
    }
    void this.features;
  }
}
