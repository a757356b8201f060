import { EAGAIN } from '../errno';
import { EMSGSIZE, INADDR_LOOPBACK, IPPROTO_UDP } from './constants';
import { inetAddr, parseInetAddr } from './inet';
import { Call, IO, NB, Sink, TestNet, fetchFrom } from './net-test-env';
import { LOOPBACK_MTU } from './stack';
import { UDP_HDR, UDP_MAX } from './udp';

const lo = (port: number): Uint8Array => inetAddr(INADDR_LOOPBACK, port);

describe('UDP over the loopback', () => {
  test('a datagram goes out only in the bottom half, with a valid checksum and the sender address', () => {
    const net = new TestNet();
    const srv = net.udp.socket();
    srv.bind(lo(7));
    const cli = net.udp.socket();
    expect(new Call(cli.sendmsg(4, fetchFrom(Uint8Array.of(1, 2, 3, 4)), IO, lo(7))).result).toBe(4);
    expect(net.stack.backlog).toHaveLength(1);
    expect(srv.queue).toHaveLength(0);
    net.stack.flush();
    expect(srv.queue).toHaveLength(1);
    let from: Uint8Array = new Uint8Array(0);
    const s = new Sink();
    expect(new Call(srv.recvmsg(100, s.deliver, IO, (a) => (from = a))).result).toBe(4);
    expect([...s.bytes]).toEqual([1, 2, 3, 4]);
    expect(parseInetAddr(from)).toEqual({ addr: INADDR_LOOPBACK, port: cli.sport });
    expect(net.packets[0].proto).toBe(IPPROTO_UDP);
    expect(net.packets[0].checksumsOk).toBe(true);
  });

  test('datagrams above the MTU are fragmented by IP and reassembled', () => {
    const net = new TestNet();
    const srv = net.udp.socket();
    srv.bind(lo(9000));
    const cli = net.udp.socket();
    const data = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 3) & 0xff);
    new Call(cli.sendmsg(data.length, fetchFrom(data), IO, lo(9000)));
    net.stack.flush();
    expect(net.packets).toHaveLength(3);
    expect(net.packets.every((p) => p.checksumsOk)).toBe(true);
    expect(net.packets.map((p) => p.frag & 0x2000)).toEqual([0x2000, 0x2000, 0]);
    const s = new Sink();
    expect(new Call(srv.recvmsg(65536, s.deliver, IO, null)).result).toBe(data.length);
    expect(s.bytes).toEqual(data);
    // the largest unfragmented datagram fills the MTU exactly
    net.packets.length = 0;
    const max = LOOPBACK_MTU - 20 - UDP_HDR;
    new Call(cli.sendmsg(max, fetchFrom(new Uint8Array(max)), IO, lo(9000)));
    net.stack.flush();
    expect(net.packets).toHaveLength(1);
  });

  test('a full receive buffer drops datagrams; nothing arrives for a port nobody holds', () => {
    const net = new TestNet();
    const srv = net.udp.socket();
    srv.bind(lo(9001));
    const cli = net.udp.socket();
    for (let i = 0; i < 20; i++) new Call(cli.sendmsg(3000, fetchFrom(new Uint8Array(3000)), IO, lo(9001)));
    new Call(cli.sendmsg(10, fetchFrom(new Uint8Array(10)), IO, lo(9002)));
    net.stack.flush();
    expect(srv.queue.length).toBeLessThan(20);
    expect(srv.rmem).toBeLessThanOrEqual(srv.rcvbuf);
    expect(net.stack.stats.dropped).toBe(20 - srv.queue.length + 1);
  });

  test('closing the sockets gives every page back (socket structures, queued datagrams)', () => {
    const net = new TestNet();
    const free = net.pages.freePages;
    const srv = net.udp.socket();
    srv.bind(lo(9100));
    const cli = net.udp.socket();
    new Call(cli.sendmsg(5000, fetchFrom(new Uint8Array(5000)), IO, lo(9100)));
    net.stack.flush();
    expect(net.pages.freePages).toBeLessThan(free);
    srv.release();
    cli.release();
    expect(net.pages.freePages).toBe(free);
  });

  test('errors: too big, no destination; non-blocking receive on an empty socket', () => {
    const net = new TestNet();
    const s = net.udp.socket();
    expect(new Call(() => s.sendmsg(UDP_MAX + 1, fetchFrom(new Uint8Array(0)), IO, lo(7))).result).toBe(-EMSGSIZE);
    expect(new Call(() => s.sendmsg(1, fetchFrom(new Uint8Array(1)), IO, null)).result).toBe(-89);
    s.bind(lo(0));
    expect(new Call(s.recvmsg(10, new Sink().deliver, NB, null)).result).toBe(-EAGAIN);
  });
});
