// Pipes with Linux 2.0's semantics (fs/pipe.c): one page of buffer, PIPE_BUF = 4096.
//
//   write  count <= PIPE_BUF: waits until the whole count fits, then writes it at once
//          (atomic: never interleaved with another writer's bytes). count > PIPE_BUF:
//          writes whatever fits, wakes the readers, waits for room, and so on; a signal
//          or O_NONBLOCK ends it early with the bytes written so far (a partial write).
//          No reader: SIGPIPE to the writer and -EPIPE (or the count written so far).
//   read   returns what is buffered (up to the count) without waiting for more; an empty
//          pipe blocks while a writer exists and reads 0 (end of file) once none does;
//          O_NONBLOCK: -EAGAIN when empty with writers.
//   Both sides sleep on the one wait queue 2.0 has per pipe inode (PIPE_WAIT) and wake it
//   after every transfer and on the last close of either end.
//   select: readable when not empty or no writer is left; writable when there is room
//   (2.0: PIPE_EMPTY / !PIPE_FULL) or no reader is left. FIONREAD: the bytes buffered.

import { EAGAIN, EPIPE, ERESTARTSYS } from '../errno';
import { FileEnv, IoResult, O_NONBLOCK, O_RDONLY, O_WRONLY, OpenFile, PollState } from '../fs/file';
import type { Blocking } from '../task';
import { WaitQueue } from '../wait-queue';

/** Buffer size of a pipe and the atomic-write limit (include/linux/limits.h, 2.0: PIPE_BUF = PAGE_SIZE). */
export const PIPE_BUF = 4096;
export const PIPE_SIZE = PIPE_BUF;

/** The pipe inode's state (struct pipe_inode_info): a ring of PIPE_SIZE bytes and the open ends. */
export class Pipe {
  readonly buf = new Uint8Array(PIPE_SIZE);
  start = 0;
  len = 0;
  readers = 0;
  writers = 0;
  /** PIPE_WAIT: readers waiting for data and writers waiting for room sleep here */
  readonly wait = new WaitQueue('pipe');

  get free(): number {
    return PIPE_SIZE - this.len;
  }

  /** Takes up to n buffered bytes out of the ring. */
  take(n: number): Uint8Array {
    n = Math.min(n, this.len);
    const out = new Uint8Array(n);
    const first = Math.min(n, PIPE_SIZE - this.start);
    out.set(this.buf.subarray(this.start, this.start + first), 0);
    if (first < n) out.set(this.buf.subarray(0, n - first), first);
    this.start = (this.start + n) % PIPE_SIZE;
    this.len -= n;
    return out;
  }

  /** Appends bytes (the caller checked there is room). */
  put(b: Uint8Array): void {
    const end = (this.start + this.len) % PIPE_SIZE;
    const first = Math.min(b.length, PIPE_SIZE - end);
    this.buf.set(b.subarray(0, first), end);
    if (first < b.length) this.buf.set(b.subarray(first), 0);
    this.len += b.length;
  }
}

/** One end of a pipe (a struct file on the pipe inode, read or write side). */
export class PipeFile extends OpenFile {
  constructor(
    flags: number,
    readonly pipe: Pipe,
  ) {
    super(flags, null);
    if (this.readable) pipe.readers++;
    if (this.writable) pipe.writers++;
  }

  read(env: FileEnv, len: number, deliver: (b: Uint8Array) => void): IoResult {
    const p = this.pipe;
    if (this.flags & O_NONBLOCK) {
      if (p.len === 0) return p.writers > 0 ? -EAGAIN : 0;
      return this.transferOut(env, len, deliver);
    }
    if (len === 0) return 0;
    if (p.len > 0) return this.transferOut(env, len, deliver);
    if (p.writers === 0) return 0;
    return this.readBlocking(env, len, deliver);
  }

  private *readBlocking(env: FileEnv, len: number, deliver: (b: Uint8Array) => void): Blocking {
    const p = this.pipe;
    while (p.len === 0) {
      if (p.writers === 0) return 0;
      if (env.signalPending()) return -ERESTARTSYS;
      yield p.wait;
    }
    return this.transferOut(env, len, deliver);
  }

  private transferOut(env: FileEnv, len: number, deliver: (b: Uint8Array) => void): number {
    const p = this.pipe;
    // peek first: a fault while copying to the user leaves the bytes in the pipe
    const n = Math.min(len, p.len);
    const saved = { start: p.start, len: p.len };
    const b = p.take(n);
    try {
      deliver(b);
    } catch (e) {
      p.start = saved.start;
      p.len = saved.len;
      throw e;
    }
    env.wakeUp(p.wait);
    return n;
  }

  write(env: FileEnv, len: number, fetch: (n: number) => Uint8Array): IoResult {
    const p = this.pipe;
    if (p.readers === 0) {
      env.sigpipe();
      return -EPIPE;
    }
    if (len === 0) return 0;
    // the common case without waiting: everything fits now
    if (p.free >= len) {
      p.put(fetch(len));
      env.wakeUp(p.wait);
      return len;
    }
    return this.writeBlocking(env, len, fetch);
  }

  private *writeBlocking(env: FileEnv, len: number, fetch: (n: number) => Uint8Array): Blocking {
    const p = this.pipe;
    let done = 0;
    // 2.0: free = count <= PIPE_BUF ? count : 1 for the first round, 1 afterwards
    let need = len <= PIPE_BUF ? len : 1;
    while (done < len) {
      while (p.free < need) {
        if (p.readers === 0) {
          env.sigpipe();
          return done > 0 ? done : -EPIPE;
        }
        if (env.signalPending()) return done > 0 ? done : -ERESTARTSYS;
        if (this.flags & O_NONBLOCK) return done > 0 ? done : -EAGAIN;
        yield p.wait;
      }
      const n = Math.min(p.free, len - done);
      let b: Uint8Array;
      try {
        b = fetch(n);
      } catch (e) {
        if (done > 0) return done;
        throw e;
      }
      p.put(b);
      done += n;
      env.wakeUp(p.wait);
      need = 1;
    }
    return done;
  }

  override poll(): PollState {
    const p = this.pipe;
    return {
      readable: p.len > 0 || p.writers === 0,
      writable: p.len < PIPE_SIZE || p.readers === 0,
      queues: [p.wait],
    };
  }

  /** FIONREAD (2.0 pipe_ioctl): the bytes in the pipe. */
  override bytesReadable(): number {
    return this.pipe.len;
  }

  override release(env: FileEnv): void {
    if (this.readable) this.pipe.readers--;
    if (this.writable) this.pipe.writers--;
    env.wakeUp(this.pipe.wait);
  }
}

/** do_pipe: a new pipe and its two ends (read end, write end). */
export function makePipe(): { reader: PipeFile; writer: PipeFile } {
  const p = new Pipe();
  return { reader: new PipeFile(O_RDONLY, p), writer: new PipeFile(O_WRONLY, p) };
}
