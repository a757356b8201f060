// A disk's media as a sparse byte array: 64 KiB chunks allocated on first write, so a
// 1 GB drive costs the host only what its file system uses. Reads of never-written
// ranges return zeros (a freshly low-level-formatted drive).

const CHUNK_SHIFT = 16;
const CHUNK = 1 << CHUNK_SHIFT;

export class DiskImage {
  private readonly chunks = new Map<number, Uint8Array>();

  constructor(readonly bytes: number) {
    if (!(Number.isInteger(bytes) && bytes > 0)) throw new Error(`DiskImage: size must be a positive integer, got ${bytes}`);
  }

  /** Copies `len` bytes at `offset` into `out` (at `outOffset`). */
  readInto(offset: number, len: number, out: Uint8Array, outOffset = 0): void {
    this.check(offset, len);
    let done = 0;
    while (done < len) {
      const pos = offset + done;
      const ci = pos >>> CHUNK_SHIFT;
      const within = pos & (CHUNK - 1);
      const n = Math.min(len - done, CHUNK - within);
      const c = this.chunks.get(ci);
      if (c) out.set(c.subarray(within, within + n), outOffset + done);
      else out.fill(0, outOffset + done, outOffset + done + n);
      done += n;
    }
  }

  read(offset: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    this.readInto(offset, len, out);
    return out;
  }

  write(offset: number, data: Uint8Array): void {
    this.check(offset, data.length);
    let done = 0;
    while (done < data.length) {
      const pos = offset + done;
      const ci = pos >>> CHUNK_SHIFT;
      const within = pos & (CHUNK - 1);
      const n = Math.min(data.length - done, CHUNK - within);
      let c = this.chunks.get(ci);
      if (!c) {
        c = new Uint8Array(CHUNK);
        this.chunks.set(ci, c);
      }
      c.set(data.subarray(done, done + n), within);
      done += n;
    }
  }

  /** An independent copy (a disk taken out of one machine and put into another). */
  clone(): DiskImage {
    const d = new DiskImage(this.bytes);
    for (const [i, c] of this.chunks) d.chunks.set(i, c.slice());
    return d;
  }

  /** Bytes of host memory the written chunks take. */
  get allocatedBytes(): number {
    return this.chunks.size * CHUNK;
  }

  private check(offset: number, len: number): void {
    if (!(Number.isInteger(offset) && Number.isInteger(len) && offset >= 0 && len >= 0 && offset + len <= this.bytes)) {
      throw new Error(`DiskImage: range ${offset}+${len} outside the ${this.bytes}-byte disk`);
    }
  }
}
