// The IDE driver (Linux 2.0 drivers/block/ide.c, the parts a single ATA disk uses):
// a request queue sorted by the one-way elevator of ll_rw_blk.c's add_request,
// neighbouring buffers merged into one multi-sector request (make_request), commands
// issued through the task-file registers (LBA), PIO data transfers in the interrupt
// handler (read_intr / write_intr: one 512-byte DRQ block per interrupt), and the
// completion of a request's buffers in a bottom half (unlock, wake the waiters).
//
// The disk interrupt arrives the architecture's way (native: IRQ 14 through the IDT;
// L4Linux: an interrupt thread, once arch/l4 attaches one). Without an attached line
// the driver is polled on every timer tick (a stop-gap, and slow: at most one sector
// per tick for reads).

import type { BlockDriver, BufferCache, BufferHead } from './buffer-cache';
import { BUFFER_SIZE } from './buffer-cache';

export const IDE_IRQ = 14;
const BASE = 0x1f0;
const ALT_STATUS = 0x3f6;
const SR_BSY = 0x80;
const SR_DRQ = 0x08;
const SR_ERR = 0x01;
const SECTOR = 512;
const SECTORS_PER_BUFFER = BUFFER_SIZE / SECTOR;
/** 2.0 make_request stops merging at 244 sectors per request (ll_rw_blk.c, as recalled) */
export const MAX_REQUEST_SECTORS = 244;

export interface PortIo {
  in8(port: number): number;
  out8(port: number, v: number): void;
  in32(port: number): number;
  out32(port: number, v: number): void;
}

export interface DriverEnv {
  io: PortIo;
  mem: { readBytes(a: number, n: number): Uint8Array; writeBytes(a: number, b: ArrayLike<number>): void };
  /** charge a driver path (units: sectors for the PIO transfer) */
  charge(path: 'block.request' | 'block.intr' | 'block.pio' | 'block.end-request', units?: number): void;
  count(name: string, n?: number): void;
  wakeUp(q: BufferHead['wait']): void;
  /** ask for the bottom half to run at the end of this interrupt */
  markBh(run: () => void): void;
  /** byte offset of the file system on the disk (sectors before it: none for a whole-disk fs) */
  startSector: number;
  /** boot-time synchronous read of sectors (the loader's view of the disk) */
  bootRead?(sector: number, count: number): Uint8Array;
  panic(why: string): void;
}

interface Request {
  write: boolean;
  sector: number;
  sectors: number;
  bhs: BufferHead[];
  /** sectors transferred so far */
  done: number;
}

export class IdeDriver implements BlockDriver {
  private cache!: BufferCache;
  /** queue[0] is the request the drive is working on (when active) */
  private readonly queue: Request[] = [];
  private active = false;
  private readonly finished: Request[] = [];
  /** an interrupt line is attached (otherwise: polled from the timer tick) */
  irqAttached = false;

  constructor(private readonly env: DriverEnv) {}

  attach(cache: BufferCache): void {
    this.cache = cache;
  }

  get busy(): boolean {
    return this.active || this.queue.length > 0 || this.finished.length > 0;
  }

  readNow(bh: BufferHead): void {
    if (!this.env.bootRead) throw new Error('IdeDriver: no boot-time read path');
    const data = this.env.bootRead(this.env.startSector + bh.block * SECTORS_PER_BUFFER, SECTORS_PER_BUFFER);
    this.env.mem.writeBytes(bh.phys, data);
    bh.uptodate = true;
  }

  // ------------------------------------------------------------------ requests (ll_rw_block, make_request, add_request)

  submit(write: boolean, bhs: BufferHead[]): void {
    this.env.charge('block.request', bhs.length);
    this.env.count(write ? 'diskBlocksWritten' : 'diskBlocksRead', bhs.length);
    let run: BufferHead[] = [];
    const flush = (): void => {
      if (run.length === 0) return;
      this.add({ write, sector: this.env.startSector + run[0].block * SECTORS_PER_BUFFER, sectors: run.length * SECTORS_PER_BUFFER, bhs: run, done: 0 });
      run = [];
    };
    for (const bh of bhs) {
      const prev = run[run.length - 1];
      if (prev && (bh.block !== prev.block + 1 || (run.length + 1) * SECTORS_PER_BUFFER > MAX_REQUEST_SECTORS)) flush();
      run.push(bh);
    }
    flush();
    if (!this.active) this.startNext();
  }

  private add(req: Request): void {
    // merge at the back of a waiting request (not the one in progress)
    for (let i = this.active ? 1 : 0; i < this.queue.length; i++) {
      const q = this.queue[i];
      if (q.write === req.write && q.sector + q.sectors === req.sector && q.sectors + req.sectors <= MAX_REQUEST_SECTORS) {
        q.bhs.push(...req.bhs);
        q.sectors += req.sectors;
        return;
      }
    }
    // the elevator: after the first tmp with (tmp < req or tmp > tmp.next) and req < tmp.next
    if (this.queue.length === 0) {
      this.queue.push(req);
      return;
    }
    const inOrder = (a: Request, b: Request): boolean => a.sector < b.sector;
    let i = 0;
    for (; i + 1 < this.queue.length; i++) {
      const tmp = this.queue[i];
      const next = this.queue[i + 1];
      if ((inOrder(tmp, req) || !inOrder(tmp, next)) && inOrder(req, next)) break;
    }
    this.queue.splice(i + 1, 0, req);
  }

  private startNext(): void {
    const req = this.queue[0];
    if (!req) {
      this.active = false;
      return;
    }
    this.active = true;
    this.issue(req);
  }

  /** do_rw_disk: the task file in LBA mode, then the command; a write's first block goes out at once. */
  private issue(req: Request): void {
    const io = this.env.io;
    const s = req.sector;
    // MAX_REQUEST_SECTORS < 256: one command per request
    io.out8(BASE + 2, req.sectors & 0xff);
    io.out8(BASE + 3, s & 0xff);
    io.out8(BASE + 4, (s >>> 8) & 0xff);
    io.out8(BASE + 5, (s >>> 16) & 0xff);
    io.out8(BASE + 6, 0xe0 | ((s >>> 24) & 0x0f));
    io.out8(BASE + 7, req.write ? 0x30 : 0x20);
    if (req.write) {
      // ide_wait_stat(DRQ) then the first sector (no interrupt for it)
      if (!(io.in8(ALT_STATUS) & SR_DRQ)) return this.env.panic('ide: no DRQ after WRITE SECTORS');
      this.pioOut(req);
    }
  }

  // ------------------------------------------------------------------ the interrupt (top half)

  /** IRQ 14: ide_intr → read_intr / write_intr. */
  onInterrupt(): void {
    const io = this.env.io;
    this.env.charge('block.intr');
    this.env.count('diskInterrupts');
    const st = io.in8(BASE + 7); // acknowledges the interrupt
    const req = this.active ? this.queue[0] : undefined;
    if (!req) return; // spurious (e.g. the completion of a probe command)
    if (st & SR_ERR) return this.env.panic(`ide: ${req.write ? 'write' : 'read'} error at sector ${req.sector + req.done} (status 0x${st.toString(16)}, error 0x${io.in8(BASE + 1).toString(16)})`);
    if (!req.write) {
      if (!(st & SR_DRQ)) return;
      this.pioIn(req);
      if (req.done === req.sectors) this.complete(req);
      return;
    }
    if (req.done < req.sectors && st & SR_DRQ) {
      this.pioOut(req);
      return;
    }
    if (!(st & SR_BSY) && req.done === req.sectors) this.complete(req);
  }

  /** insl: one sector from the data port into the buffer it belongs to. */
  private pioIn(req: Request): void {
    const io = this.env.io;
    const bh = req.bhs[Math.floor(req.done / SECTORS_PER_BUFFER)];
    const at = bh.phys + (req.done % SECTORS_PER_BUFFER) * SECTOR;
    const b = new Uint8Array(SECTOR);
    for (let i = 0; i < SECTOR; i += 4) {
      const v = io.in32(BASE);
      b[i] = v & 0xff;
      b[i + 1] = (v >>> 8) & 0xff;
      b[i + 2] = (v >>> 16) & 0xff;
      b[i + 3] = v >>> 24;
    }
    this.env.mem.writeBytes(at, b);
    this.env.charge('block.pio', 1);
    req.done++;
  }

  private pioOut(req: Request): void {
    const io = this.env.io;
    const bh = req.bhs[Math.floor(req.done / SECTORS_PER_BUFFER)];
    const b = this.env.mem.readBytes(bh.phys + (req.done % SECTORS_PER_BUFFER) * SECTOR, SECTOR);
    for (let i = 0; i < SECTOR; i += 4) io.out32(BASE, (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0);
    this.env.charge('block.pio', 1);
    req.done++;
  }

  private complete(req: Request): void {
    this.queue.shift();
    this.finished.push(req);
    this.env.markBh(() => this.bottomHalf());
    this.startNext();
  }

  // ------------------------------------------------------------------ the bottom half (end_request's buffer work)

  bottomHalf(): void {
    while (this.finished.length) {
      const req = this.finished.shift()!;
      this.env.charge('block.end-request', req.bhs.length);
      for (const bh of req.bhs) {
        this.cache.ioDone(bh, req.write);
        this.env.wakeUp(bh.wait);
      }
    }
  }

  /** Without an interrupt line: look at the drive (alternate status, no side effects) and run the handler while it has progress to report. */
  poll(): void {
    for (let guard = 0; guard < 4096 && this.active; guard++) {
      const st = this.env.io.in8(ALT_STATUS);
      if (st & SR_BSY) return;
      const req = this.queue[0];
      const ready = req.write ? (st & SR_DRQ) !== 0 || req.done === req.sectors : (st & SR_DRQ) !== 0;
      if (!ready) return;
      this.onInterrupt();
    }
  }
}
