// The IDE disk of the machine: one mid-1990s ~1 GB, 5400 rpm ATA drive on the primary
// channel (ports 0x1F0–0x1F7, 0x3F6; IRQ 14). Every figure has its source beside it.
//
// The drive is modelled on the class of the Quantum Fireball 1080AT (1995: 1.08 GB,
// 5400 rpm, 128 KiB look-ahead buffer, ATA-2 PIO mode 4). The per-drive datasheet is not
// in our references; the figures below are the ranges of
// ../shared/reference/pentium-p54c.md ("An IDE disk of the time"), each choice named:
//   [ref]  pentium-p54c.md, Devices: 5200–5400 rpm, 10–12 ms average seek, 2–3 ms
//          track to track, 5–8 MB/s sustained media rate, 128 KiB read-ahead buffer,
//          512-byte sectors, about 0.5–1 ms controller overhead per command; seek curve
//          a + b·√d (short) and c + e·d (long) (Ruemmler and Wilkes, 1994).
//   [ata]  ATA-2 (X3T10/948D): register block, status bits, the PIO protocols, IDENTIFY.

export interface IdeDiskConfig {
  /** IDENTIFY DEVICE model string (40 characters at most) */
  model: string;
  /** the logical (BIOS/IDENTIFY) geometry; capacity = cylinders × heads × sectors */
  logicalCylinders: number;
  logicalHeads: number;
  logicalSectorsPerTrack: number;
  /** spindle speed */
  rpm: number;
  /** the physical layout the timing model uses: recording surfaces and sectors per track (one zone: the average) */
  surfaces: number;
  physicalSectorsPerTrack: number;
  /** seek figures: one cylinder, the average (at a third of the stroke), the full stroke */
  trackToTrackMs: number;
  averageSeekMs: number;
  fullStrokeMs: number;
  /** distance (cylinders) where the seek curve changes from a + b·√d to c + e·d */
  seekCurveKneeCylinders: number;
  /** firmware time from a command's register write to the start of its work */
  commandOverheadMs: number;
  /** look-ahead buffer: after a read the drive keeps reading the following sectors into it */
  readAheadBytes: number;
  /** false: a write completes when its sectors are on the media (write-through) */
  writeCache: boolean;
}

export const IDE_DISK_CONFIG: Readonly<IdeDiskConfig> = Object.freeze({
  model: 'MKLAB FIREBALL-CLASS 1080AT',
  // 2100 × 16 × 63 × 512 B = 1.08 GB: the translated geometry of a 1.08 GB drive (≤ 1024 cylinders
  // for DOS was the BIOS's problem; ATA reports the drive's own default geometry) [ata]
  logicalCylinders: 2100,
  logicalHeads: 16,
  logicalSectorsPerTrack: 63,
  // [ref] 5200–5400 rpm: 5400 (the Fireball class); 11.1 ms per turn, 5.56 ms average rotational delay
  rpm: 5400,
  // two platters, four surfaces (a 1995 1 GB 3.5" drive: about 270 MB per surface) (approx.)
  surfaces: 4,
  // 128 sectors per track at 5400 rpm = 64 KiB per 11.1 ms = 5.9 MB/s sustained media rate:
  // inside [ref]'s 5–8 MB/s (zoned recording averaged into one zone: approx.)
  physicalSectorsPerTrack: 128,
  // [ref] 2–3 ms track to track: 2.5; 10–12 ms average: 11; full stroke about twice the average (approx.)
  trackToTrackMs: 2.5,
  averageSeekMs: 11,
  fullStrokeMs: 20,
  // the √d (acceleration-limited) regime covers short seeks; linear (coast) beyond (Ruemmler & Wilkes); knee approx.
  seekCurveKneeCylinders: 600,
  // [ref] 0.5–1 ms controller overhead per command: 0.5 (a cached read must beat a rotation clearly)
  commandOverheadMs: 0.5,
  // [ref] 128 KiB read-ahead buffer
  readAheadBytes: 128 * 1024,
  // a disk write in the experiments completes on the media (sync and O_SYNC mean what they say)
  writeCache: false,
});

export const IDE_SECTOR_BYTES = 512;

/** The seek curve derived from the figures: seek(d) = a + b·√d for d < knee, c + e·d beyond (ms). */
export interface SeekCurve {
  a: number;
  b: number;
  c: number;
  e: number;
  knee: number;
  cylinders: number;
}

export function physicalCylinders(c: IdeDiskConfig): number {
  const total = c.logicalCylinders * c.logicalHeads * c.logicalSectorsPerTrack;
  return Math.ceil(total / (c.surfaces * c.physicalSectorsPerTrack));
}

/**
 * Fits the two-regime curve through the datasheet points: seek(1) = track to track,
 * seek(N/3) = average (the mean distance of random seeks is a third of the stroke),
 * seek(N−1) = full stroke, continuous at the knee.
 */
export function seekCurve(c: IdeDiskConfig): SeekCurve {
  const n = physicalCylinders(c);
  const third = n / 3;
  const full = n - 1;
  const knee = c.seekCurveKneeCylinders;
  if (!(knee > 1 && knee < third)) throw new Error(`IdeDiskConfig: seek-curve knee must lie between 1 and a third of the stroke (${third.toFixed(0)} cylinders), got ${knee}`);
  const e = (c.fullStrokeMs - c.averageSeekMs) / (full - third);
  const cc = c.averageSeekMs - e * third;
  const atKnee = cc + e * knee;
  const b = (atKnee - c.trackToTrackMs) / (Math.sqrt(knee) - 1);
  const a = c.trackToTrackMs - b;
  return { a, b, c: cc, e, knee, cylinders: n };
}

/** Seek time in ms for a move of `d` cylinders (0 for none). */
export function seekMs(curve: SeekCurve, d: number): number {
  if (d <= 0) return 0;
  return d < curve.knee ? curve.a + curve.b * Math.sqrt(d) : curve.c + curve.e * d;
}
