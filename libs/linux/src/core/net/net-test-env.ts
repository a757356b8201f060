// A network stack outside the machine, for the unit tests: guest memory and the page
// allocator are real (packets live in pages), the kernel's side is a recording stub,
// and the tests drive the socket calls' generators and the bottom half by hand.

import { PhysicalMemory } from '@mklab/pentium';
import { PageAllocator } from '../mm/page-allocator';
import type { Blocking, SleepOn } from '../task';
import { WaitQueue } from '../wait-queue';
import { KernelError } from '../errno';
import type { IoResult } from '../fs/file';
import { NetEnv, NetStack } from './stack';
import { TcpProto } from './tcp';
import { UdpProto } from './udp';
import { UnixDomain, UnixEnv, UnixNames } from './unix';
import { csumFold, onesSum } from './skbuff';

export interface Packet {
  proto: number;
  saddr: number;
  daddr: number;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  win: number;
  dataLen: number;
  frag: number;
  /** IP header and transport checksums verified over the packet's bytes */
  checksumsOk: boolean;
}

export function parsePacket(b: Uint8Array): Packet {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const total = dv.getUint16(2);
  const proto = b[9];
  const saddr = dv.getUint32(12);
  const daddr = dv.getUint32(16);
  const frag = dv.getUint16(6);
  const ipOk = csumFold(onesSum(b.subarray(0, 20))) === 0;
  const t = b.subarray(20, total);
  const pseudo = (saddr >>> 16) + (saddr & 0xffff) + (daddr >>> 16) + (daddr & 0xffff) + proto + t.length;
  const first = (frag & 0x1fff) === 0;
  const tOk = proto === 6 ? csumFold(onesSum(t, pseudo)) === 0 : true;
  const p: Packet = { proto, saddr, daddr, sport: 0, dport: 0, seq: 0, ack: 0, flags: 0, win: 0, dataLen: t.length, frag, checksumsOk: ipOk && tOk };
  if (!first) return p;
  p.sport = (t[0] << 8) | t[1];
  p.dport = (t[2] << 8) | t[3];
  if (proto === 6) {
    const tv = new DataView(t.buffer, t.byteOffset, t.byteLength);
    p.seq = tv.getUint32(4);
    p.ack = tv.getUint32(8);
    p.flags = t[13];
    p.win = tv.getUint16(14);
    p.dataLen = t.length - (t[12] >>> 4) * 4;
  } else {
    p.dataLen = t.length - 8;
  }
  return p;
}

export class TestNet {
  readonly mem = new PhysicalMemory(8 << 20);
  readonly pages = new PageAllocator(this.mem, 0x10000, 8 << 20);
  jiffies = 0;
  sigpipes = 0;
  signal = false;
  readonly charges = new Map<string, number>();
  readonly packets: Packet[] = [];
  readonly env: NetEnv & UnixEnv;
  readonly stack: NetStack;
  readonly tcp: TcpProto;
  readonly udp: UdpProto;
  readonly unix: UnixDomain;
  readonly names = new Map<string, number>();
  private nextKey = 1;

  constructor() {
    const names: UnixNames = {
      bind: (path) => {
        if (this.names.has(path)) throw new KernelError(98);
        const key = this.nextKey++;
        this.names.set(path, key);
        return { key, release: () => undefined };
      },
      find: (path) => {
        const k = this.names.get(path);
        if (k === undefined) throw new KernelError(2);
        return k;
      },
    };
    const clock = (): number => this.jiffies;
    this.env = {
      mem: this.mem,
      pages: this.pages,
      charge: (path, units = 1) => this.charges.set(path, (this.charges.get(path) ?? 0) + units),
      get jiffies() {
        return clock();
      },
      wakeUp: () => undefined,
      signalPending: () => this.signal,
      sigpipe: () => {
        this.sigpipes++;
      },
      timerQueue: () => new WaitQueue('timer'),
      count: () => undefined,
      names,
    };
    this.stack = new NetStack(this.env);
    this.stack.taps.push((b) => this.packets.push(parsePacket(b)));
    this.tcp = new TcpProto(this.stack);
    this.udp = new UdpProto(this.stack);
    this.unix = new UnixDomain(this.env);
  }

  /** Advances the clock and runs what is due (timers, then the bottom half). */
  advance(jiffies: number): void {
    this.jiffies += jiffies;
    this.stack.flush();
  }
}

/** A socket call in progress: step it until it returns or sleeps. */
export class Call {
  private gen: Blocking | null;
  result: number | null = null;
  sleptOn: SleepOn | undefined;
  constructor(r: IoResult | (() => IoResult)) {
    let v: IoResult;
    try {
      v = typeof r === 'function' ? r() : r;
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      v = -e.errno;
    }
    if (typeof v === 'number') {
      this.gen = null;
      this.result = v;
    } else {
      this.gen = v;
      this.step();
    }
  }
  get done(): boolean {
    return this.result !== null;
  }
  /** Continues after a (possible) wake-up; returns true when finished. */
  step(): boolean {
    if (!this.gen) return true;
    let r: IteratorResult<SleepOn, number>;
    try {
      r = this.gen.next();
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      r = { done: true, value: -e.errno };
    }
    if (r.done) {
      this.result = r.value;
      this.gen = null;
      return true;
    }
    // null: only a reschedule (the bottom half already woke the call); it goes on at once here
    if (r.value === null) return this.step();
    this.sleptOn = r.value;
    return false;
  }
}

/** Runs a generator that returns a value other than a number (accept) to completion, or null if it sleeps. */
export function finish<T>(g: Generator<SleepOn, T, void>): T | null {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
    if (r.value !== null) return null;
  }
}

export const fetchFrom = (data: Uint8Array): ((n: number) => Uint8Array) => {
  let off = 0;
  return (n) => {
    const b = data.slice(off, off + n);
    off += n;
    return b;
  };
};

export class Sink {
  readonly parts: Uint8Array[] = [];
  readonly deliver = (b: Uint8Array): void => {
    this.parts.push(b.slice());
  };
  get bytes(): Uint8Array {
    const n = this.parts.reduce((s, p) => s + p.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

export const IO = { flags: 0, nonblock: false };
export const NB = { flags: 0, nonblock: true };
