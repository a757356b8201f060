// What TCP and UDP sockets share (net/ipv4/af_inet.c in 2.0): sockaddr_in, the
// local/remote address and port, binding with 2.0's SO_REUSEADDR rule, the stack.

import { EINVAL, KernelError } from '../errno';
import type { WaitQueue } from '../wait-queue';
import { AF_INET, EADDRINUSE, EADDRNOTAVAIL, EAFNOSUPPORT, ENOTCONN, INADDR_ANY } from './constants';
import { Sock } from './socket';
import { NetStack } from './stack';

/** Parses a sockaddr_in (family in host order, port and address in network order). */
export function parseInetAddr(addr: Uint8Array): { addr: number; port: number } {
  if (addr.length < 8) throw new KernelError(EINVAL);
  const family = addr[0] | (addr[1] << 8);
  if (family !== AF_INET) throw new KernelError(EAFNOSUPPORT);
  const port = (addr[2] << 8) | addr[3];
  const a = ((addr[4] << 24) | (addr[5] << 16) | (addr[6] << 8) | addr[7]) >>> 0;
  return { addr: a, port };
}

export function inetAddr(addr: number, port: number): Uint8Array {
  const b = new Uint8Array(16);
  b[0] = AF_INET;
  b[2] = port >>> 8;
  b[3] = port & 0xff;
  b[4] = addr >>> 24;
  b[5] = (addr >>> 16) & 0xff;
  b[6] = (addr >>> 8) & 0xff;
  b[7] = addr & 0xff;
  return b;
}

export abstract class InetSock extends Sock {
  saddr = INADDR_ANY;
  sport = 0;
  daddr = 0;
  dport = 0;

  constructor(
    readonly stack: NetStack,
    type: number,
    name: string,
  ) {
    super(AF_INET, type, name);
  }

  override flush(): void {
    this.stack.flush();
  }

  override pollQueues(): WaitQueue[] {
    return this.stack.sleepOn(this.wait);
  }

  /** The sockets of this protocol holding `port` (for bind's conflict check). */
  protected abstract portUsers(port: number): InetSock[];
  protected abstract hash(): void;
  protected abstract listening(): boolean;
  /** getpeername's question: is there a peer */
  protected connected(): boolean {
    return true;
  }

  /** inet_bind: 127.x or INADDR_ANY; port 0 picks an ephemeral port; conflicts by 2.0's rule. */
  bind(addr: Uint8Array): void {
    const a = parseInetAddr(addr);
    if (this.sport !== 0) throw new KernelError(EINVAL);
    if (a.addr !== INADDR_ANY && !NetStack.isLocal(a.addr)) throw new KernelError(EADDRNOTAVAIL);
    this.bindTo(a.addr, a.port);
  }

  protected bindTo(addr: number, port: number): void {
    if (port === 0) port = this.stack.ephemeralPort(this.type, (p) => this.portUsers(p).length > 0);
    for (const o of this.portUsers(port)) {
      if (o === this) continue;
      // 2.0 inet_bind: both SO_REUSEADDR and the other not listening → fine; different specific addresses → fine
      if (this.reuse && o.reuse && !o.listening()) continue;
      if (addr !== INADDR_ANY && o.saddr !== INADDR_ANY && addr !== o.saddr) continue;
      throw new KernelError(EADDRINUSE);
    }
    this.saddr = addr;
    this.sport = port;
    this.hash();
  }

  /** Binds to an ephemeral port if the socket has none yet (autobind on connect/send). */
  protected autobind(): void {
    if (this.sport === 0) this.bindTo(INADDR_ANY, 0);
  }

  getname(peer: boolean): Uint8Array {
    if (peer) {
      if (this.dport === 0 || !this.connected()) throw new KernelError(ENOTCONN);
      return inetAddr(this.daddr, this.dport);
    }
    return inetAddr(this.saddr, this.sport);
  }
}
