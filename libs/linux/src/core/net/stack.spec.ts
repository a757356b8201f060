import { INADDR_LOOPBACK } from './constants';
import { inetAddr } from './inet';
import { Call, IO, TestNet, fetchFrom } from './net-test-env';
import { TCP_TIMEOUT_INIT } from './tcp';

const lo = (port: number): Uint8Array => inetAddr(INADDR_LOOPBACK, port);

describe('IP on the loopback: checksums are verified on the way in', () => {
  function oneDatagram(net: TestNet): void {
    const srv = net.udp.socket();
    srv.bind(lo(7000));
    const cli = net.udp.socket();
    new Call(cli.sendmsg(8, fetchFrom(new Uint8Array(8).fill(0x5a)), IO, lo(7000)));
    expect(net.stack.backlog).toHaveLength(1);
  }

  test('an intact datagram is delivered', () => {
    const net = new TestNet();
    oneDatagram(net);
    net.stack.flush();
    expect(net.stack.stats.dropped).toBe(0);
    expect(net.udp.ports.get(7000)![0].queue).toHaveLength(1);
  });

  test('a flipped bit in the UDP data fails the UDP checksum: dropped', () => {
    const net = new TestNet();
    oneDatagram(net);
    const skb = net.stack.backlog[0];
    skb.setU8(30, skb.u8(30) ^ 0x01);
    net.stack.flush();
    expect(net.stack.stats.dropped).toBe(1);
    expect(net.udp.ports.get(7000)![0].queue).toHaveLength(0);
  });

  test('a flipped bit in the IP header fails the header checksum: dropped', () => {
    const net = new TestNet();
    oneDatagram(net);
    const skb = net.stack.backlog[0];
    skb.setU8(8, skb.u8(8) ^ 0x10); // TTL
    net.stack.flush();
    expect(net.stack.stats.dropped).toBe(1);
  });

  test('a corrupted SYN is dropped; the SYN retransmission connects', () => {
    const net = new TestNet();
    const srv = net.tcp.socket();
    srv.bind(lo(8000));
    srv.listen(5);
    const cli = net.tcp.socket();
    const c = new Call(() => cli.connect(lo(8000), true));
    expect(c.result).toBe(-115); // EINPROGRESS: the SYN waits on the backlog
    const syn = net.stack.backlog[0];
    syn.setU8(20 + 4, syn.u8(20 + 4) ^ 0x80); // sequence number
    net.stack.flush();
    expect(net.stack.stats.dropped).toBe(1);
    expect(cli.state).toBe('SYN_SENT');
    net.advance(TCP_TIMEOUT_INIT);
    expect(cli.state).toBe('ESTABLISHED');
    expect(net.charges.get('net.csum')).toBeGreaterThan(0);
  });
});
