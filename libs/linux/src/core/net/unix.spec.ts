import { EAGAIN, ENOENT, EPIPE } from '../errno';
import { AF_UNIX, ECONNREFUSED, EADDRINUSE, MSG_PEEK, SOCK_DGRAM, SOCK_STREAM } from './constants';
import { Call, IO, NB, Sink, TestNet, fetchFrom, finish } from './net-test-env';
import { UnixSock, unixAddr } from './unix';

const addr = (path: string): Uint8Array => unixAddr(path);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('AF_UNIX sockets', () => {
  test('a stream pair carries bytes both ways without boundaries', () => {
    const net = new TestNet();
    const [a, b] = net.unix.pair(SOCK_STREAM);
    expect(new Call(a.sendmsg(6, fetchFrom(bytes('hello ')), IO, null)).result).toBe(6);
    expect(new Call(a.sendmsg(5, fetchFrom(bytes('world')), IO, null)).result).toBe(5);
    const sink = new Sink();
    expect(new Call(b.recvmsg(100, sink.deliver, IO, null)).result).toBe(11);
    expect(text(sink.bytes)).toBe('hello world');
    expect(a.wmem).toBe(0); // the reader gave the sender's buffer space back
  });

  test('EOF after the peer closes; a write to a closed peer is EPIPE with SIGPIPE', () => {
    const net = new TestNet();
    const [a, b] = net.unix.pair(SOCK_STREAM);
    new Call(b.sendmsg(4, fetchFrom(bytes('last')), IO, null));
    b.release();
    const sink = new Sink();
    expect(new Call(a.recvmsg(100, sink.deliver, IO, null)).result).toBe(4);
    expect(new Call(a.recvmsg(100, sink.deliver, IO, null)).result).toBe(0);
    expect(new Call(a.sendmsg(1, fetchFrom(bytes('x')), IO, null)).result).toBe(-EPIPE);
    expect(net.sigpipes).toBe(1);
  });

  test('a reader sleeps on an empty socket (EAGAIN when non-blocking) and a write wakes it', () => {
    const net = new TestNet();
    const [a, b] = net.unix.pair(SOCK_STREAM);
    const sink = new Sink();
    expect(new Call(b.recvmsg(10, sink.deliver, NB, null)).result).toBe(-EAGAIN);
    const r = new Call(b.recvmsg(10, sink.deliver, IO, null));
    expect(r.done).toBe(false);
    expect(r.sleptOn).toBe(b.wait);
    expect(b.poll().readable).toBe(false);
    new Call(a.sendmsg(3, fetchFrom(bytes('abc')), IO, null));
    expect(b.poll().readable).toBe(true);
    expect(r.step()).toBe(true);
    expect(r.result).toBe(3);
  });

  test('a writer sleeps when its buffers in flight reach sndbuf; the reader frees them', () => {
    const net = new TestNet();
    const [a, b] = net.unix.pair(SOCK_STREAM);
    const data = Uint8Array.from({ length: 100_000 }, (_, i) => i & 0xff);
    const w = new Call(a.sendmsg(data.length, fetchFrom(data), IO, null));
    expect(w.done).toBe(false);
    expect(a.wmem).toBeGreaterThanOrEqual(a.sndbuf);
    expect(a.poll().writable).toBe(false);
    const sink = new Sink();
    while (!w.done) {
      new Call(b.recvmsg(65536, sink.deliver, IO, null));
      w.step();
    }
    while (sink.parts.reduce((n, p) => n + p.length, 0) < data.length) new Call(b.recvmsg(65536, sink.deliver, IO, null));
    expect(w.result).toBe(data.length);
    expect(sink.bytes).toEqual(data);
    expect(a.poll().writable).toBe(true);
  });

  test('datagrams keep their boundaries; a short buffer truncates; MSG_PEEK leaves the datagram', () => {
    const net = new TestNet();
    const [a, b] = net.unix.pair(SOCK_DGRAM);
    for (const m of ['one', 'two two', 'three three three']) new Call(a.sendmsg(m.length, fetchFrom(bytes(m)), IO, null));
    const got: string[] = [];
    for (const len of [100, 100]) {
      const s = new Sink();
      new Call(b.recvmsg(len, s.deliver, IO, null));
      got.push(text(s.bytes));
    }
    const peek = new Sink();
    expect(new Call(b.recvmsg(100, peek.deliver, { flags: MSG_PEEK, nonblock: false }, null)).result).toBe(17);
    const s = new Sink();
    expect(new Call(b.recvmsg(5, s.deliver, IO, null)).result).toBe(5);
    expect([...got, text(s.bytes)]).toEqual(['one', 'two two', 'three']);
    expect(b.queue).toHaveLength(0);
  });

  test('named stream sockets: connect waits for accept (2.0 unix_connect); errors of bind and connect', () => {
    const net = new TestNet();
    const srv = net.unix.socket(SOCK_STREAM);
    srv.bind(addr('/tmp/s'));
    const other = net.unix.socket(SOCK_STREAM);
    expect(() => other.bind(addr('/tmp/s'))).toThrow(expect.objectContaining({ errno: EADDRINUSE }));
    const early = net.unix.socket(SOCK_STREAM);
    expect(new Call(() => early.connect(addr('/tmp/s'), false)).result).toBe(-ECONNREFUSED);
    expect(new Call(() => early.connect(addr('/tmp/none'), false)).result).toBe(-ENOENT);
    srv.listen(5);
    const cli = net.unix.socket(SOCK_STREAM);
    const c = new Call(cli.connect(addr('/tmp/s'), false));
    expect(c.done).toBe(false);
    expect(srv.poll().readable).toBe(true);
    const conn = finish(srv.accept(false)) as UnixSock;
    expect(conn).not.toBeNull();
    expect(c.step()).toBe(true);
    expect(c.result).toBe(0);
    expect(text(conn.getname(false).subarray(2, 8))).toBe('/tmp/s');
    expect(cli.getname(true)[0]).toBe(AF_UNIX);
    new Call(cli.sendmsg(2, fetchFrom(bytes('hi')), IO, null));
    const s = new Sink();
    expect(new Call(conn.recvmsg(10, s.deliver, IO, null)).result).toBe(2);
  });

  test('a listener closed with connections pending refuses them', () => {
    const net = new TestNet();
    const srv = net.unix.socket(SOCK_STREAM);
    srv.bind(addr('/tmp/s'));
    srv.listen(5);
    const cli = net.unix.socket(SOCK_STREAM);
    const c = new Call(cli.connect(addr('/tmp/s'), false));
    srv.release();
    expect(c.step()).toBe(true);
    expect(c.result).toBe(-ECONNREFUSED);
  });

  test('named datagram sockets: recvfrom reports the sender, a connected socket sends without an address', () => {
    const net = new TestNet();
    const srv = net.unix.socket(SOCK_DGRAM);
    srv.bind(addr('/tmp/d'));
    const cli = net.unix.socket(SOCK_DGRAM);
    cli.bind(addr('/tmp/c'));
    new Call(cli.sendmsg(4, fetchFrom(bytes('ping')), IO, addr('/tmp/d')));
    let from: Uint8Array = new Uint8Array(0);
    const s = new Sink();
    expect(new Call(srv.recvmsg(10, s.deliver, IO, (a) => (from = a))).result).toBe(4);
    expect(text(from.subarray(2, 8))).toBe('/tmp/c');
    expect(new Call(cli.connect(addr('/tmp/d'), false)).result).toBe(0);
    expect(new Call(cli.sendmsg(4, fetchFrom(bytes('pong')), IO, null)).result).toBe(4);
    expect(srv.queue).toHaveLength(1);
  });

  test('every buffer goes back to the page allocator', () => {
    const net = new TestNet();
    const free = net.pages.freePages;
    const [a, b] = net.unix.pair(SOCK_STREAM);
    new Call(a.sendmsg(50_000, fetchFrom(new Uint8Array(50_000)), IO, null));
    const [c, d] = net.unix.pair(SOCK_DGRAM);
    new Call(c.sendmsg(100, fetchFrom(new Uint8Array(100)), IO, null));
    a.release();
    b.release();
    c.release();
    d.release();
    expect(net.pages.freePages).toBe(free);
  });
});
