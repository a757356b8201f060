// The console: captures the bytes written to each output stream (a stream is a name:
// 'stdout', 'stderr', 'kernel', …). Kernels write to it directly; a guest may also write
// bytes to the debug port 0xE9 (the Bochs/QEMU convention), which go to stream 'port'.
// Each stream keeps at most `limitBytes` (the rest is counted, not stored).
import type { PortDevice } from './io-bus';

export const DEBUG_PORT = 0xe9;

class Stream {
  bytes = new Uint8Array(256);
  length = 0;
  dropped = 0;
}

export type ConsoleListener = (stream: string, bytes: Uint8Array) => void;

export class Console implements PortDevice {
  readonly name = 'console';
  private readonly streams = new Map<string, Stream>();
  private readonly listeners: ConsoleListener[] = [];

  constructor(readonly limitBytes = 16 << 20) {}

  /** Append bytes to `stream`. */
  write(stream: string, bytes: ArrayLike<number>): void {
    let s = this.streams.get(stream);
    if (s === undefined) {
      s = new Stream();
      this.streams.set(stream, s);
    }
    const room = Math.max(0, this.limitBytes - s.length);
    const keep = Math.min(room, bytes.length);
    if (s.length + keep > s.bytes.length) {
      let cap = s.bytes.length;
      while (cap < s.length + keep) cap *= 2;
      const grown = new Uint8Array(Math.min(cap, Math.max(this.limitBytes, 256)));
      grown.set(s.bytes.subarray(0, s.length));
      s.bytes = grown;
    }
    for (let i = 0; i < keep; i++) s.bytes[s.length + i] = bytes[i] & 0xff;
    s.length += keep;
    s.dropped += bytes.length - keep;
    if (this.listeners.length > 0) {
      const copy = Uint8Array.from(bytes as ArrayLike<number>, (b) => b & 0xff);
      for (const l of this.listeners) l(stream, copy);
    }
  }

  /** Append a string (UTF-8). */
  writeText(stream: string, text: string): void {
    this.write(stream, new TextEncoder().encode(text));
  }

  /** The bytes captured on `stream` (a copy). */
  output(stream: string): Uint8Array {
    const s = this.streams.get(stream);
    return s === undefined ? new Uint8Array(0) : s.bytes.slice(0, s.length);
  }

  /** The captured bytes of `stream` decoded as UTF-8. */
  text(stream: string): string {
    return new TextDecoder().decode(this.output(stream));
  }

  /** Bytes written to `stream` beyond the capture limit. */
  dropped(stream: string): number {
    return this.streams.get(stream)?.dropped ?? 0;
  }

  /** The streams written so far, in first-write order. */
  streamNames(): string[] {
    return [...this.streams.keys()];
  }

  /** Be told of every write (e.g. to echo guest output live). */
  onWrite(listener: ConsoleListener): void {
    this.listeners.push(listener);
  }

  in8(_port: number): number {
    return 0xff;
  }

  out8(port: number, value: number): void {
    if (port === DEBUG_PORT) this.write('port', [value]);
  }
}
