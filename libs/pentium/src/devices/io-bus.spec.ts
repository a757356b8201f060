import { Counters } from '../timing/counters';
import { Console, DEBUG_PORT } from './console';
import { IoBus, type PortDevice } from './io-bus';

class Latch implements PortDevice {
  readonly name = 'latch';
  value = 0;
  writes: [number, number][] = [];
  in8(port: number): number {
    return (this.value + port) & 0xff;
  }
  out8(port: number, v: number): void {
    this.writes.push([port, v]);
  }
}

describe('IoBus', () => {
  test('dispatches to the owner of a port', () => {
    const bus = new IoBus(new Counters());
    const d = new Latch();
    bus.register(0x300, 4, d);
    bus.out8(0x302, 0x1ab);
    expect(d.writes).toEqual([[0x302, 0xab]]);
    d.value = 0x10;
    expect(bus.in8(0x301)).toBe(0x11);
    expect(bus.deviceAt(0x303)).toBe(d);
    expect(bus.deviceAt(0x304)).toBeNull();
  });

  test('unknown ports read all ones, ignore writes, and are counted', () => {
    const c = new Counters();
    const bus = new IoBus(c);
    expect(bus.in8(0x80)).toBe(0xff);
    expect(bus.in16(0x1f0)).toBe(0xffff);
    expect(bus.in32(0xcf8)).toBe(0xffffffff);
    bus.out8(0x80, 1);
    expect(c.unknownPortAccesses).toBe(1 + 2 + 4 + 1);
  });

  test('wide accesses without a wide handler split into bytes, low first', () => {
    const bus = new IoBus(new Counters());
    const d = new Latch();
    bus.register(0x10, 4, d);
    bus.out32(0x10, 0x44332211);
    expect(d.writes).toEqual([
      [0x10, 0x11],
      [0x11, 0x22],
      [0x12, 0x33],
      [0x13, 0x44],
    ]);
    expect(bus.in16(0x10)).toBe(0x10 | (0x11 << 8));
    expect(bus.in(0x12, 1)).toBe(0x12);
    bus.out(0x10, 2, 0xbeef);
    expect(d.writes.slice(-2)).toEqual([
      [0x10, 0xef],
      [0x11, 0xbe],
    ]);
  });

  test('overlapping registrations are an error naming both devices', () => {
    const bus = new IoBus(new Counters());
    bus.register(0x20, 2, new Latch());
    expect(() => bus.register(0x21, 2, { name: 'other', in8: () => 0, out8: () => undefined })).toThrow(/0x21 already belongs to latch/);
  });
});

describe('Console', () => {
  test('captures bytes per stream', () => {
    const con = new Console();
    con.writeText('stdout', 'getpid 1.68 us\n');
    con.write('stderr', [0x65, 0x72, 0x72]);
    con.writeText('stdout', 'done\n');
    expect(con.text('stdout')).toBe('getpid 1.68 us\ndone\n');
    expect(con.text('stderr')).toBe('err');
    expect(con.streamNames()).toEqual(['stdout', 'stderr']);
    expect(con.text('nothing')).toBe('');
  });

  test('keeps at most the limit and counts the rest', () => {
    const con = new Console(10);
    con.writeText('stdout', '0123456789abc');
    expect(con.text('stdout')).toBe('0123456789');
    expect(con.dropped('stdout')).toBe(3);
  });

  test('the debug port 0xE9 writes to stream "port"; listeners see every write', () => {
    const con = new Console();
    const bus = new IoBus(new Counters());
    bus.register(DEBUG_PORT, 1, con);
    const seen: string[] = [];
    con.onWrite((s, b) => seen.push(`${s}:${b.length}`));
    bus.out8(DEBUG_PORT, 0x41);
    expect(con.text('port')).toBe('A');
    expect(seen).toEqual(['port:1']);
  });
});
