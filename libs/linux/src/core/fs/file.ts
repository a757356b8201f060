// Open files (struct file) and the file operations of each kind of inode the core
// knows: regular files and directories of the root file system, /dev/null and
// /dev/zero and the console tty. Pipes: core/ipc/pipe.ts.

import { EAGAIN, EBADF, EINVAL, EISDIR, ERESTARTSYS, ESPIPE, KernelError } from '../errno';
import type { Blocking } from '../task';
import type { WaitQueue } from '../wait-queue';
import { IoWait } from '../block/io-wait';
import { Inode } from './ramfs';

export const O_ACCMODE = 3;
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_SYNC = 0o10000;

export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;

/** What a file operation may need from the kernel. */
export interface FileEnv {
  /** bytes written to the console by `pid` through descriptor `fd` */
  consoleWrite(bytes: Uint8Array, fd: number): void;
  consoleRead(max: number): Uint8Array | null;
  consoleInputPending(): boolean;
  readonly consoleInput: WaitQueue;
  wakeUp(q: WaitQueue): void;
  signalPending(): boolean;
  /** raise SIGPIPE on the current task */
  sigpipe(): void;
  /** mapped-file coherence (core/mm/filemap.ts): call before reading a regular file and after writing one */
  beforeFileRead?(inode: Inode): void;
  afterFileWrite?(inode: Inode, pos: number, len: number): void;
  /** fsync of an inode on a disk (O_SYNC writes): a generator that waits for the writes */
  syncInode?(inode: Inode): Blocking;
}

/** Transfers move through the kernel a page at a time. */
export const IO_CHUNK = 4096;

/** The result of a read or write: a number, or a generator when the call may block. */
export type IoResult = number | Blocking;

export abstract class OpenFile {
  refs = 1;
  pos = 0;
  constructor(
    public flags: number,
    readonly inode: Inode | null,
  ) {}
  get readable(): boolean {
    return (this.flags & O_ACCMODE) !== O_WRONLY;
  }
  get writable(): boolean {
    return (this.flags & O_ACCMODE) !== O_RDONLY;
  }
  /** Reads up to `len` bytes; `deliver` copies them to the user (may throw EFAULT). */
  abstract read(env: FileEnv, len: number, deliver: (b: Uint8Array) => void): IoResult;
  /** Writes bytes fetched by `fetch(n)` from the user. */
  abstract write(env: FileEnv, len: number, fetch: (n: number) => Uint8Array, fd: number): IoResult;
  lseek(offset: number, whence: number): number {
    void offset;
    void whence;
    throw new KernelError(ESPIPE);
  }
  /** Called when the last reference goes. */
  release(env: FileEnv): void {
    void env;
  }
  readonly isTty: boolean = false;
  /** FIONREAD: bytes a read would return now, or null when the file has no such notion (-ENOTTY/-EINVAL). */
  bytesReadable(): number | null {
    return null;
  }
  /** select's question (2.0 f_op->select): would a read / a write proceed now, and where to wait for a change.
   *  Every kind of file (pipes, the tty, sockets) answers here; select and the blocking paths use the queues. */
  poll(env: FileEnv): PollState {
    void env;
    return { readable: true, writable: true, queues: [] };
  }
}

export interface PollState {
  readable: boolean;
  writable: boolean;
  queues: WaitQueue[];
}

export class RegularFile extends OpenFile {
  read(env: FileEnv, len: number, deliver: (b: Uint8Array) => void): IoResult {
    const inode = this.inode!;
    if (inode.isDir) throw new KernelError(EISDIR);
    if (inode.onDisk) return this.readDisk(env, len, deliver);
    env.beforeFileRead?.(inode);
    let done = 0;
    while (done < len) {
      const b = inode.read(this.pos, Math.min(IO_CHUNK, len - done));
      if (b.length === 0) break;
      if (!this.deliverChunk(b, done, deliver)) return done;
      done += b.length;
    }
    return done;
  }
  /** Hands chunk `b` to the caller and advances; a fault after earlier chunks ends the read short (false). */
  private deliverChunk(b: Uint8Array, done: number, deliver: (b: Uint8Array) => void): boolean {
    try {
      deliver(b);
    } catch (e) {
      if (done > 0) return false;
      throw e;
    }
    this.pos += b.length;
    return true;
  }
  /** A file on a disk: a chunk whose blocks are not in the buffer cache sleeps until they are read. */
  private *readDisk(env: FileEnv, len: number, deliver: (b: Uint8Array) => void): Blocking {
    const inode = this.inode!;
    for (;;) {
      try {
        env.beforeFileRead?.(inode);
        break;
      } catch (e) {
        if (!(e instanceof IoWait)) throw e;
        yield e.queue;
      }
    }
    let done = 0;
    while (done < len) {
      let b: Uint8Array;
      try {
        b = inode.read(this.pos, Math.min(IO_CHUNK, len - done));
      } catch (e) {
        if (!(e instanceof IoWait)) {
          if (done > 0 && e instanceof KernelError) return done;
          throw e;
        }
        yield e.queue;
        continue;
      }
      if (b.length === 0) break;
      if (!this.deliverChunk(b, done, deliver)) return done;
      done += b.length;
    }
    return done;
  }
  write(env: FileEnv, len: number, fetch: (n: number) => Uint8Array): IoResult {
    const inode = this.inode!;
    if (inode.onDisk) return this.writeDisk(env, len, fetch);
    if (this.flags & O_APPEND) this.pos = inode.size;
    const from = this.pos;
    try {
      return this.writeChunks(inode, len, fetch);
    } finally {
      env.afterFileWrite?.(inode, from, this.pos - from);
    }
  }
  private writeChunks(inode: Inode, len: number, fetch: (n: number) => Uint8Array): number {
    // a page at a time, as generic_file_write: a fault part-way returns what was written
    let done = 0;
    while (done < len) {
      let b: Uint8Array;
      try {
        b = fetch(Math.min(IO_CHUNK, len - done));
      } catch (e) {
        if (done > 0) return done;
        throw e;
      }
      inode.write(this.pos, b);
      this.pos += b.length;
      done += b.length;
    }
    return done;
  }
  private *writeDisk(env: FileEnv, len: number, fetch: (n: number) => Uint8Array): Blocking {
    const inode = this.inode!;
    if (this.flags & O_APPEND) this.pos = inode.size;
    let done = 0;
    while (done < len) {
      let b: Uint8Array;
      try {
        b = fetch(Math.min(IO_CHUNK, len - done));
      } catch (e) {
        if (done > 0) break;
        throw e;
      }
      for (;;) {
        try {
          inode.write(this.pos, b);
          break;
        } catch (e) {
          if (!(e instanceof IoWait)) {
            if (done > 0 && e instanceof KernelError) return done;
            throw e;
          }
          yield e.queue; // the chunk is kept: only the file system's part runs again
        }
      }
      env.afterFileWrite?.(inode, this.pos, b.length);
      this.pos += b.length;
      done += b.length;
    }
    // O_SYNC: the data and the inode are on the disk before the call returns
    if (this.flags & O_SYNC && done > 0 && env.syncInode) yield* env.syncInode(inode);
    return done;
  }
  override lseek(offset: number, whence: number): number {
    let base: number;
    if (whence === SEEK_SET) base = 0;
    else if (whence === SEEK_CUR) base = this.pos;
    else if (whence === SEEK_END) base = this.inode!.size;
    else throw new KernelError(EINVAL);
    const p = base + offset;
    if (p < 0) throw new KernelError(EINVAL);
    this.pos = p;
    return p;
  }
  override release(): void {
    this.inode!.fs.release(this.inode!);
  }
}

export class NullFile extends OpenFile {
  constructor(
    flags: number,
    inode: Inode | null,
    private readonly zero: boolean,
  ) {
    super(flags, inode);
  }
  read(_env: FileEnv, len: number, deliver: (b: Uint8Array) => void): number {
    if (!this.zero) return 0;
    let done = 0;
    while (done < len) {
      const n = Math.min(IO_CHUNK, len - done);
      try {
        deliver(new Uint8Array(n));
      } catch (e) {
        if (done > 0) return done;
        throw e;
      }
      done += n;
    }
    return done;
  }
  write(_env: FileEnv, len: number): number {
    return len;
  }
  override lseek(): number {
    this.pos = 0;
    return 0;
  }
  override release(): void {
    if (this.inode) this.inode.fs.release(this.inode);
  }
}

/** The console tty: output to the machine's console, input from the console's input queue (blocking). */
export class TtyFile extends OpenFile {
  override readonly isTty = true;
  read(env: FileEnv, len: number, deliver: (b: Uint8Array) => void): IoResult {
    if (len === 0) return 0;
    return this.readBlocking(env, len, deliver);
  }
  private *readBlocking(env: FileEnv, len: number, deliver: (b: Uint8Array) => void): Blocking {
    for (;;) {
      const b = env.consoleRead(len);
      if (b && b.length > 0) {
        deliver(b);
        return b.length;
      }
      if (this.flags & O_NONBLOCK) return -EAGAIN;
      if (env.signalPending()) return -ERESTARTSYS;
      yield env.consoleInput;
    }
  }
  override poll(env: FileEnv): PollState {
    return { readable: env.consoleInputPending(), writable: true, queues: [env.consoleInput] };
  }
  write(env: FileEnv, len: number, fetch: (n: number) => Uint8Array, fd: number): number {
    let done = 0;
    while (done < len) {
      let b: Uint8Array;
      try {
        b = fetch(Math.min(IO_CHUNK, len - done));
      } catch (e) {
        if (done > 0) return done;
        throw e;
      }
      env.consoleWrite(b, fd);
      done += b.length;
    }
    return done;
  }
  override release(): void {
    if (this.inode) this.inode.fs.release(this.inode);
  }
}

export function badf(): never {
  throw new KernelError(EBADF);
}
