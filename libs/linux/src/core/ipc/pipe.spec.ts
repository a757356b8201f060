// Pipe blocking and wake-up, driven directly: a blocking read or write is a generator
// that yields the wait queue it sleeps on; the test plays the scheduler.
import { EAGAIN, EPIPE, ERESTARTSYS } from '../errno';
import { FileEnv, O_NONBLOCK } from '../fs/file';
import type { Blocking } from '../task';
import type { WaitQueue } from '../wait-queue';
import { PIPE_BUF, makePipe } from './pipe';

class Env implements FileEnv {
  readonly woken: WaitQueue[] = [];
  sigpipes = 0;
  pending = false;
  readonly consoleInput = null as unknown as WaitQueue;
  consoleWrite(): void {}
  consoleRead(): Uint8Array | null {
    return null;
  }
  consoleInputPending(): boolean {
    return false;
  }
  wakeUp(q: WaitQueue): void {
    this.woken.push(q);
  }
  signalPending(): boolean {
    return this.pending;
  }
  sigpipe(): void {
    this.sigpipes++;
  }
}

const bytes = (n: number, v = 0x61): Uint8Array => new Uint8Array(n).fill(v);

/** read/write results: a number at once, or a generator that must sleep first */
function asGen(r: number | Blocking): Blocking {
  expect(typeof r).not.toBe('number');
  return r as Blocking;
}

/** a result that must not sleep: a number, or a generator that finishes at once */
function now(r: number | Blocking): number {
  if (typeof r === 'number') return r;
  const s = r.next();
  expect(s.done).toBe(true);
  return s.value as number;
}

describe('pipes (Linux 2.0 fs/pipe.c semantics)', () => {
  test('a reader of an empty pipe sleeps on PIPE_WAIT; a write wakes it and it gets the bytes', () => {
    const env = new Env();
    const { reader, writer } = makePipe();
    const got: Uint8Array[] = [];
    const rd = asGen(reader.read(env, 100, (b) => got.push(b)));
    const step = rd.next();
    expect(step.done).toBe(false);
    expect(step.value).toBe(reader.pipe.wait);
    expect(writer.write(env, 5, (n) => bytes(n))).toBe(5); // fits: no sleep
    expect(env.woken).toContain(reader.pipe.wait);
    const done = rd.next();
    expect(done).toEqual({ done: true, value: 5 });
    expect(got[0]).toEqual(bytes(5));
    // a read returns what is there without waiting for more
    writer.write(env, 3, (n) => bytes(n));
    expect(reader.read(env, 100, () => {})).toBe(3);
  });

  test('EOF: a sleeping reader is woken by the last writer closing and reads 0', () => {
    const env = new Env();
    const { reader, writer } = makePipe();
    const rd = asGen(reader.read(env, 10, () => {}));
    rd.next();
    writer.release(env);
    expect(env.woken).toContain(reader.pipe.wait);
    expect(rd.next()).toEqual({ done: true, value: 0 });
    expect(reader.read(env, 10, () => {})).toBe(0);
  });

  test('a write of at most PIPE_BUF bytes is atomic: it waits for room for all of it', () => {
    const env = new Env();
    const { reader, writer } = makePipe();
    expect(writer.write(env, 1, (n) => bytes(n, 1))).toBe(1);
    const fetched: number[] = [];
    const wr = asGen(writer.write(env, PIPE_BUF, (n) => (fetched.push(n), bytes(n, 2))));
    expect(wr.next().done).toBe(false); // 4095 free < 4096: sleeps without writing a byte
    expect(fetched).toEqual([]);
    expect(reader.read(env, 1, () => {})).toBe(1);
    expect(wr.next()).toEqual({ done: true, value: PIPE_BUF });
    expect(fetched).toEqual([PIPE_BUF]);
  });

  test('a larger write goes in pieces, sleeping whenever the pipe is full, woken by each read', () => {
    const env = new Env();
    const { reader, writer } = makePipe();
    const total = 3 * PIPE_BUF + 123;
    const wr = asGen(writer.write(env, total, (n) => bytes(n)));
    let sleeps = 0;
    let read = 0;
    for (;;) {
      const s = wr.next();
      if (s.done) {
        expect(s.value).toBe(total);
        break;
      }
      sleeps++;
      expect(reader.pipe.len).toBe(PIPE_BUF); // asleep only with a full pipe
      read += reader.read(env, 1000, () => {}) as number;
    }
    read += reader.read(env, total, () => {}) as number;
    expect(read).toBe(total);
    expect(sleeps).toBeGreaterThanOrEqual(3);
  });

  test('a signal ends a large write early with the count written; before any byte, -ERESTARTSYS', () => {
    const env = new Env();
    const { reader, writer } = makePipe();
    const wr = asGen(writer.write(env, 2 * PIPE_BUF, (n) => bytes(n)));
    expect(wr.next().done).toBe(false); // wrote PIPE_BUF, now full
    env.pending = true;
    expect(wr.next()).toEqual({ done: true, value: PIPE_BUF });
    reader.read(env, PIPE_BUF, () => {});
    writer.write(env, PIPE_BUF, (n) => bytes(n));
    const wr2 = asGen(writer.write(env, 10, (n) => bytes(n)));
    expect(wr2.next()).toEqual({ done: true, value: -ERESTARTSYS });
  });

  test('no reader: SIGPIPE and -EPIPE; a writer asleep when the last reader goes is woken to the same', () => {
    const env = new Env();
    const a = makePipe();
    a.reader.release(env);
    expect(a.writer.write(env, 1, (n) => bytes(n))).toBe(-EPIPE);
    expect(env.sigpipes).toBe(1);
    const b = makePipe();
    b.writer.write(env, PIPE_BUF, (n) => bytes(n));
    const wr = asGen(b.writer.write(env, 10, (n) => bytes(n)));
    expect(wr.next().done).toBe(false);
    b.reader.release(env);
    expect(env.woken).toContain(b.reader.pipe.wait);
    expect(wr.next()).toEqual({ done: true, value: -EPIPE });
    expect(env.sigpipes).toBe(2);
  });

  test('O_NONBLOCK: -EAGAIN instead of sleeping (empty with a writer, no room for an atomic write); 0 at EOF', () => {
    const env = new Env();
    const { reader, writer } = makePipe();
    reader.flags |= O_NONBLOCK;
    writer.flags |= O_NONBLOCK;
    expect(now(reader.read(env, 10, () => {}))).toBe(-EAGAIN);
    writer.write(env, PIPE_BUF - 10, (n) => bytes(n));
    expect(now(writer.write(env, 11, (n) => bytes(n)))).toBe(-EAGAIN); // <= PIPE_BUF: all or nothing
    // more than PIPE_BUF: a partial write of what fits
    expect(now(writer.write(env, PIPE_BUF + 1, (n) => bytes(n)))).toBe(10);
    expect(reader.bytesReadable()).toBe(PIPE_BUF);
    writer.release(env);
    expect(reader.read(env, PIPE_BUF, () => {})).toBe(PIPE_BUF);
    expect(reader.read(env, 10, () => {})).toBe(0);
  });

  test('poll: readable when not empty or writerless, writable when not full or readerless', () => {
    const env = new Env();
    const { reader, writer } = makePipe();
    expect([reader.poll().readable, writer.poll().writable]).toEqual([false, true]);
    writer.write(env, PIPE_BUF, (n) => bytes(n));
    expect([reader.poll().readable, writer.poll().writable]).toEqual([true, false]);
    reader.release(env);
    expect(writer.poll().writable).toBe(true);
    expect(writer.poll().queues).toEqual([writer.pipe.wait]);
  });

  test('bytes come out in order across the ring boundary', () => {
    const env = new Env();
    const { reader, writer } = makePipe();
    const sent: number[] = [];
    const got: number[] = [];
    for (let round = 0; round < 20; round++) {
      const n = 1000 + round * 37;
      writer.write(env, n, (k) => {
        const b = Uint8Array.from({ length: k }, (_, i) => (sent.length + i) & 0xff);
        sent.push(...b);
        return b;
      });
      reader.read(env, n, (b) => got.push(...b));
    }
    expect(got.length).toBe(sent.length);
    expect(Buffer.from(got).equals(Buffer.from(sent))).toBe(true);
  });
});
