// The I/O port space: port → device dispatch through a 64 Ki-entry table of device
// indexes. A port no device claims reads all ones (the ISA bus floats high) and
// ignores writes; both are counted. 16/32-bit accesses to a device without a wide
// handler are split into byte accesses at consecutive ports, low byte first.
import type { Counters } from '../timing/counters';

export interface PortDevice {
  /** a name for error messages */
  readonly name: string;
  in8(port: number): number;
  out8(port: number, value: number): void;
  in16?(port: number): number;
  out16?(port: number, value: number): void;
  in32?(port: number): number;
  out32?(port: number, value: number): void;
}

const NONE = 0;

export class IoBus {
  /** owner[port] = index into devices + 1, 0 = unclaimed */
  private readonly owner = new Uint16Array(0x10000);
  private readonly devices: PortDevice[] = [];

  constructor(private readonly counters: Counters) {}

  /** Give ports [first, first + count) to `device`. Overlaps are an error. */
  register(first: number, count: number, device: PortDevice): void {
    if (!(Number.isInteger(first) && Number.isInteger(count) && first >= 0 && count > 0 && first + count <= 0x10000)) {
      throw new Error(`IoBus.register(${device.name}): bad port range ${first}+${count}`);
    }
    let index = this.devices.indexOf(device);
    if (index < 0) index = this.devices.push(device) - 1;
    for (let p = first; p < first + count; p++) {
      if (this.owner[p] !== NONE) {
        throw new Error(`IoBus.register(${device.name}): port 0x${p.toString(16)} already belongs to ${this.devices[this.owner[p] - 1].name}`);
      }
    }
    for (let p = first; p < first + count; p++) this.owner[p] = index + 1;
  }

  /** The device owning `port`, or null. */
  deviceAt(port: number): PortDevice | null {
    const o = this.owner[port & 0xffff];
    return o === NONE ? null : this.devices[o - 1];
  }

  /** IN of `size` bytes (the CPU's IoPort). */
  in(port: number, size: 1 | 2 | 4): number {
    return size === 1 ? this.in8(port) : size === 2 ? this.in16(port) : this.in32(port);
  }

  /** OUT of `size` bytes (the CPU's IoPort). */
  out(port: number, size: 1 | 2 | 4, value: number): void {
    if (size === 1) this.out8(port, value);
    else if (size === 2) this.out16(port, value);
    else this.out32(port, value);
  }

  in8(port: number): number {
    port &= 0xffff;
    const o = this.owner[port];
    if (o === NONE) {
      this.counters.unknownPortAccesses++;
      return 0xff;
    }
    return this.devices[o - 1].in8(port) & 0xff;
  }

  out8(port: number, value: number): void {
    port &= 0xffff;
    const o = this.owner[port];
    if (o === NONE) {
      this.counters.unknownPortAccesses++;
      return;
    }
    this.devices[o - 1].out8(port, value & 0xff);
  }

  in16(port: number): number {
    port &= 0xffff;
    const o = this.owner[port];
    const d = o === NONE ? null : this.devices[o - 1];
    if (d !== null && d.in16 !== undefined) return d.in16(port) & 0xffff;
    return this.in8(port) | (this.in8(port + 1) << 8);
  }

  out16(port: number, value: number): void {
    port &= 0xffff;
    const o = this.owner[port];
    const d = o === NONE ? null : this.devices[o - 1];
    if (d !== null && d.out16 !== undefined) return d.out16(port, value & 0xffff);
    this.out8(port, value);
    this.out8(port + 1, value >>> 8);
  }

  in32(port: number): number {
    port &= 0xffff;
    const o = this.owner[port];
    const d = o === NONE ? null : this.devices[o - 1];
    if (d !== null && d.in32 !== undefined) return d.in32(port) >>> 0;
    return (this.in16(port) | (this.in16(port + 2) << 16)) >>> 0;
  }

  out32(port: number, value: number): void {
    port &= 0xffff;
    const o = this.owner[port];
    const d = o === NONE ? null : this.devices[o - 1];
    if (d !== null && d.out32 !== undefined) return d.out32(port, value >>> 0);
    this.out16(port, value & 0xffff);
    this.out16(port + 2, value >>> 16);
  }
}
