import { EAGAIN } from '../errno';
import { EADDRINUSE, ECONNREFUSED, INADDR_LOOPBACK, SO_RCVBUF, SO_REUSEADDR, SO_SNDBUF, SOL_SOCKET } from './constants';
import { inetAddr } from './inet';
import { Call, IO, NB, Sink, TestNet, fetchFrom, finish } from './net-test-env';
import { SKB_OVERHEAD } from './skbuff';
import { ACK, FIN, PSH, RST, SYN, TCP_DELACK_JIFFIES, TCP_MSS, TCP_TIMEOUT_INIT, TCP_TIMEWAIT_JIFFIES, TcpSock } from './tcp';
import { LOOPBACK_MTU } from './stack';

const lo = (port: number): Uint8Array => inetAddr(INADDR_LOOPBACK, port);
const flagNames = (f: number): string =>
  [
    [SYN, 'SYN'],
    [FIN, 'FIN'],
    [RST, 'RST'],
    [PSH, 'PSH'],
    [ACK, 'ACK'],
  ]
    .filter(([b]) => f & (b as number))
    .map(([, n]) => n)
    .join('|');

/** A listening server on `port` and a client connected to it; packets logged from here on are the test's. */
function connected(net: TestNet, port = 5000): { server: TcpSock; client: TcpSock; child: TcpSock } {
  const server = net.tcp.socket();
  server.bind(lo(port));
  server.listen(5);
  const client = net.tcp.socket();
  const c = new Call(client.connect(lo(port), false));
  expect(c.result).toBe(0);
  const child = finish(server.accept(false)) as TcpSock;
  expect(child).not.toBeNull();
  net.packets.length = 0;
  return { server, client, child };
}

describe('TCP over the loopback', () => {
  test('the MSS is the 2.0 loopback MTU minus the IP and TCP headers', () => {
    expect(LOOPBACK_MTU).toBe(3924);
    expect(TCP_MSS).toBe(3884);
  });

  test('three-way handshake: SYN (with MSS option), SYN+ACK, ACK; both ends ESTABLISHED; checksums valid', () => {
    const net = new TestNet();
    const server = net.tcp.socket();
    server.bind(lo(5000));
    server.listen(5);
    expect(server.state).toBe('LISTEN');
    const client = net.tcp.socket();
    const c = new Call(client.connect(lo(5000), false));
    expect(c.result).toBe(0);
    expect(client.state).toBe('ESTABLISHED');
    expect(net.packets.map((p) => flagNames(p.flags))).toEqual(['SYN', 'SYN|ACK', 'ACK']);
    const [syn, synack, ack] = net.packets;
    expect(net.packets.every((p) => p.checksumsOk)).toBe(true);
    expect(syn.dport).toBe(5000);
    expect(synack.ack).toBe((syn.seq + 1) >>> 0);
    expect(ack.seq).toBe((syn.seq + 1) >>> 0);
    expect(ack.ack).toBe((synack.seq + 1) >>> 0);
    expect(syn.sport).toBeGreaterThan(1024);
    const child = finish(server.accept(false)) as TcpSock;
    expect(child.state).toBe('ESTABLISHED');
    expect(child.dport).toBe(syn.sport);
    expect(client.mss).toBe(TCP_MSS);
  });

  test('data and acknowledgement: the ACK of a request is delayed and rides on the reply', () => {
    const net = new TestNet();
    const { client, child } = connected(net);
    const req = new Call(client.sendmsg(1, fetchFrom(Uint8Array.of(42)), IO, null));
    expect(req.result).toBe(1);
    net.stack.flush();
    expect(net.packets.map((p) => flagNames(p.flags))).toEqual(['PSH|ACK']);
    const sink = new Sink();
    expect(new Call(child.recvmsg(10, sink.deliver, IO, null)).result).toBe(1);
    expect([...sink.bytes]).toEqual([42]);
    net.stack.flush();
    expect(net.packets).toHaveLength(1); // no bare ACK: the window barely moved
    expect(new Call(child.sendmsg(1, fetchFrom(Uint8Array.of(43)), IO, null)).result).toBe(1);
    net.stack.flush();
    const reply = net.packets[1];
    expect(flagNames(reply.flags)).toBe('PSH|ACK');
    expect(reply.ack).toBe((net.packets[0].seq + 1) >>> 0);
    // the client owes an ACK for the reply: the delayed-ACK timer sends it
    net.advance(TCP_DELACK_JIFFIES - 1);
    expect(net.packets).toHaveLength(2);
    net.advance(1);
    expect(net.packets.map((p) => flagNames(p.flags))).toEqual(['PSH|ACK', 'PSH|ACK', 'ACK']);
    expect(net.packets[2].ack).toBe((reply.seq + 1) >>> 0);
  });

  test('bulk data is cut into MSS segments; every second segment is acknowledged at once', () => {
    const net = new TestNet();
    const { client, child } = connected(net);
    const data = Uint8Array.from({ length: 4 * TCP_MSS }, (_, i) => (i * 7) & 0xff);
    const send = new Call(client.sendmsg(data.length, fetchFrom(data), IO, null));
    expect(send.result).toBe(data.length);
    net.stack.flush();
    const segs = net.packets.filter((p) => p.sport === client.sport);
    expect(segs.map((p) => p.dataLen)).toEqual([TCP_MSS, TCP_MSS, TCP_MSS, TCP_MSS]);
    expect(net.packets.filter((p) => p.sport === child.sport && p.flags === ACK).length).toBe(2);
    const sink = new Sink();
    expect(new Call(child.recvmsg(1 << 20, sink.deliver, IO, null)).result).toBe(data.length);
    expect(sink.bytes).toEqual(data);
  });

  test("a full receive window blocks the writer; the reader's window update lets it finish", () => {
    const net = new TestNet();
    const { client, child } = connected(net);
    const data = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 13 + 5) & 0xff);
    const send = new Call(() => client.sendmsg(data.length, fetchFrom(data), IO, null));
    expect(send.done).toBe(false); // asleep: send buffer full, the peer's window closed
    net.stack.flush();
    expect(child.rmem).toBeGreaterThan(child.rcvbuf - TCP_MSS - SKB_OVERHEAD - 40);
    expect(client.sndWnd).toBe(0);
    expect(net.packets.some((p) => p.sport === child.sport && p.win === 0)).toBe(true);
    const sink = new Sink();
    let guard = 0;
    while (sink.bytes.length < data.length && guard++ < 1000) {
      const r = new Call(child.recvmsg(65536, sink.deliver, NB, null));
      if (r.result === -EAGAIN) send.step();
      net.stack.flush();
    }
    expect(send.result).toBe(data.length);
    expect(sink.bytes).toEqual(data);
    expect(net.packets.every((p) => p.checksumsOk)).toBe(true);
  });

  test('orderly close: FIN_WAIT1 → FIN_WAIT2 → TIME_WAIT for the active side, CLOSE_WAIT → LAST_ACK → CLOSED for the passive', () => {
    const net = new TestNet();
    const { client, child } = connected(net);
    client.release();
    expect(client.state).toBe('FIN_WAIT1');
    net.stack.flush();
    expect(client.state).toBe('FIN_WAIT2');
    expect(child.state).toBe('CLOSE_WAIT');
    const sink = new Sink();
    expect(new Call(child.recvmsg(10, sink.deliver, IO, null)).result).toBe(0); // EOF
    child.release();
    expect(child.state).toBe('LAST_ACK');
    net.stack.flush();
    expect(child.state).toBe('CLOSED');
    expect(client.state).toBe('TIME_WAIT');
    expect(net.packets.map((p) => flagNames(p.flags))).toEqual(['FIN|ACK', 'ACK', 'FIN|ACK', 'ACK']);
  });

  test('TIME_WAIT holds the port for 2 MSL (60 s); SO_REUSEADDR binds over it', () => {
    const net = new TestNet();
    const { server, client, child } = connected(net, 6000);
    // the server side closes first: its accepted socket goes to TIME_WAIT on port 6000
    server.release();
    child.release();
    net.stack.flush();
    client.release();
    net.stack.flush();
    expect(child.state).toBe('TIME_WAIT');
    expect(client.state).toBe('CLOSED');
    const again = net.tcp.socket();
    expect(() => again.bind(lo(6000))).toThrow(expect.objectContaining({ errno: EADDRINUSE }));
    const reuse = net.tcp.socket();
    reuse.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    expect(() => reuse.bind(lo(6000))).toThrow(expect.objectContaining({ errno: EADDRINUSE })); // the TIME_WAIT socket did not set it
    net.advance(TCP_TIMEWAIT_JIFFIES - 1);
    expect(child.state).toBe('TIME_WAIT');
    net.advance(1);
    expect(child.state).toBe('CLOSED');
    again.bind(lo(6000));
    expect(again.sport).toBe(6000);
  });

  test('SO_REUSEADDR on both: a new listener binds while the old connection is in TIME_WAIT', () => {
    const net = new TestNet();
    const server = net.tcp.socket();
    server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    server.bind(lo(7000));
    server.listen(5);
    const client = net.tcp.socket();
    new Call(client.connect(lo(7000), false));
    const child = finish(server.accept(false)) as TcpSock;
    child.release();
    net.stack.flush();
    client.release();
    net.stack.flush();
    server.release();
    expect(child.state).toBe('TIME_WAIT');
    const next = net.tcp.socket();
    next.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    next.bind(lo(7000));
    next.listen(5);
    expect(next.state).toBe('LISTEN');
  });

  test('simultaneous close: both FINs cross, both ends pass CLOSING into TIME_WAIT', () => {
    const net = new TestNet();
    const { client, child } = connected(net);
    client.release();
    child.release();
    expect([client.state, child.state]).toEqual(['FIN_WAIT1', 'FIN_WAIT1']);
    net.stack.flush();
    expect([client.state, child.state]).toEqual(['TIME_WAIT', 'TIME_WAIT']);
    expect(net.packets.map((p) => flagNames(p.flags))).toEqual(['FIN|ACK', 'FIN|ACK', 'ACK', 'ACK']);
    net.advance(TCP_TIMEWAIT_JIFFIES);
    expect([client.state, child.state]).toEqual(['CLOSED', 'CLOSED']);
    expect(net.tcp.bound.size).toBe(1); // only the listener
  });

  test('a connect to a port nobody listens on is answered with RST: ECONNREFUSED', () => {
    const net = new TestNet();
    const client = net.tcp.socket();
    const c = new Call(client.connect(lo(9), false));
    expect(c.result).toBe(-ECONNREFUSED);
    expect(net.packets.map((p) => flagNames(p.flags))).toEqual(['SYN', 'RST|ACK']);
    expect(net.packets[1].ack).toBe((net.packets[0].seq + 1) >>> 0);
    expect(client.state).toBe('CLOSED');
    expect(net.tcp.bound.size).toBe(0);
  });

  test('a full listen backlog drops the SYN; the client retransmits it after TCP_TIMEOUT_INIT', () => {
    const net = new TestNet();
    const server = net.tcp.socket();
    server.bind(lo(5000));
    server.listen(1);
    const a = net.tcp.socket();
    expect(new Call(a.connect(lo(5000), false)).result).toBe(0);
    const b = net.tcp.socket();
    const cb = new Call(b.connect(lo(5000), false));
    expect(cb.done).toBe(false);
    expect(b.state).toBe('SYN_SENT');
    expect(finish(server.accept(false)) !== null).toBe(true); // a's connection; the queue has room again
    net.advance(TCP_TIMEOUT_INIT);
    expect(cb.step()).toBe(true);
    expect(cb.result).toBe(0);
    expect(net.packets.filter((p) => p.flags === SYN)).toHaveLength(3);
  });

  test('data for a closed socket is answered with RST; later writes fail with EPIPE, then SIGPIPE', () => {
    const net = new TestNet();
    const { client, child } = connected(net);
    child.release();
    net.stack.flush();
    // the client may still write into CLOSE_WAIT: the peer's closed socket answers with RST
    expect(new Call(client.sendmsg(3, fetchFrom(Uint8Array.of(1, 2, 3)), IO, null)).result).toBe(3);
    net.stack.flush();
    expect(net.packets.some((p) => p.flags & RST)).toBe(true);
    expect(client.state).toBe('CLOSED');
    // 2.0: the reset's error first (EPIPE in CLOSE_WAIT, no signal), then SIGPIPE with EPIPE
    expect(new Call(() => client.sendmsg(3, fetchFrom(Uint8Array.of(1, 2, 3)), IO, null)).result).toBe(-32);
    expect(net.sigpipes).toBe(0);
    expect(new Call(() => client.sendmsg(3, fetchFrom(Uint8Array.of(1, 2, 3)), IO, null)).result).toBe(-32);
    expect(net.sigpipes).toBe(1);
  });

  test('connect + close in a loop (lat_connect): each client port waits in TIME_WAIT, then every port is free again', () => {
    const net = new TestNet();
    const server = net.tcp.socket();
    server.bind(lo(5000));
    server.listen(128);
    const ports = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const c = net.tcp.socket();
      expect(new Call(c.connect(lo(5000), false)).result).toBe(0);
      ports.add(c.sport);
      c.release();
      const conn = finish(server.accept(false)) as TcpSock;
      conn.release();
      net.stack.flush();
      expect(c.state).toBe('TIME_WAIT');
      if (i % 100 === 99) net.advance(1);
    }
    expect(ports.size).toBe(2000);
    expect(net.tcp.bound.size).toBe(2001);
    net.advance(TCP_TIMEWAIT_JIFFIES);
    expect(net.tcp.bound.size).toBe(1);
    expect(net.tcp.established.size).toBe(0);
  });

  test('SO_RCVBUF/SO_SNDBUF are clipped to 2 × 32767 and raised to 256; a bigger receive buffer opens a bigger window', () => {
    const net = new TestNet();
    const s = net.tcp.socket();
    s.setsockopt(SOL_SOCKET, SO_RCVBUF, 1 << 20);
    expect(s.getsockopt(SOL_SOCKET, SO_RCVBUF)).toBe(65534);
    s.setsockopt(SOL_SOCKET, SO_SNDBUF, 10);
    expect(s.getsockopt(SOL_SOCKET, SO_SNDBUF)).toBe(256);
    const server = net.tcp.socket();
    server.setsockopt(SOL_SOCKET, SO_RCVBUF, 65534);
    server.bind(lo(5100));
    server.listen(1);
    const client = net.tcp.socket();
    new Call(client.connect(lo(5100), false));
    expect(client.sndWnd).toBe(65534);
  });

  test('every buffer goes back to the page allocator when the connection is gone', () => {
    const net = new TestNet();
    const free = net.pages.freePages;
    const { server, client, child } = connected(net);
    const data = new Uint8Array(50_000).fill(7);
    const send = new Call(client.sendmsg(data.length, fetchFrom(data), IO, null));
    const sink = new Sink();
    while (!send.done || sink.bytes.length < data.length) {
      new Call(child.recvmsg(65536, sink.deliver, NB, null));
      net.stack.flush();
      send.step();
    }
    client.release();
    child.release();
    server.release();
    net.stack.flush();
    net.advance(TCP_TIMEWAIT_JIFFIES);
    expect([client.state, child.state]).toEqual(['CLOSED', 'CLOSED']);
    expect(net.pages.freePages).toBe(free);
  });
});
