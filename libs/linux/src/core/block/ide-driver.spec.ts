// The IDE driver against the emulated drive (libs/pentium's IdeDisk through the I/O
// bus): merging of neighbouring buffers into one command, the elevator's order, PIO
// reads and writes of the right bytes, completion in the bottom half.
import { IDE_DISK_CONFIG, Machine } from '@mklab/pentium';
import { BufferCache, BufferHead } from './buffer-cache';
import { IdeDriver } from './ide-driver';

function setup() {
  const m = new Machine({ memoryBytes: 4 << 20, disk: { config: IDE_DISK_CONFIG } });
  const disk = m.ide!;
  let next = 0x100000;
  let bh = false;
  const woken: string[] = [];
  const driver = new IdeDriver({
    io: m.io,
    mem: m.memory,
    charge: () => undefined,
    count: () => undefined,
    wakeUp: (q) => woken.push(q.name),
    markBh: () => {
      bh = true;
    },
    startSector: 0,
    panic: (w) => {
      throw new Error(w);
    },
  });
  driver.irqAttached = true;
  const cache = new BufferCache({ mem: m.memory, allocPage: () => ((next += 4096) - 4096), count: () => undefined, charge: () => undefined }, driver, 1000);
  cache.booting = false;
  driver.attach(cache);
  /** runs device events, delivering the interrupt to the driver, until nothing is in flight */
  const settle = (): void => {
    for (let guard = 0; guard < 100_000 && driver.busy; guard++) {
      if (disk.interruptPending) driver.onInterrupt();
      if (bh) {
        bh = false;
        driver.bottomHalf();
        continue;
      }
      if (!disk.interruptPending) {
        const at = m.events.nextEventCycle;
        if (at === Infinity) throw new Error('driver busy but the drive has nothing scheduled');
        m.counters.cycles = Math.max(m.counters.cycles, at);
        m.events.runDue(m.counters.cycles);
      }
    }
  };
  return { m, disk, driver, cache, settle, woken };
}

describe('IDE driver', () => {
  it('merges neighbouring dirty buffers into one command and writes their bytes', () => {
    const { disk, cache, settle } = setup();
    const fill = (b: number): BufferHead => {
      const bh = cache.getblk(b);
      cache.write(bh, 0, new Uint8Array(1024).fill(b & 0xff));
      return bh;
    };
    for (const b of [12, 10, 50, 11, 13]) fill(b);
    const inflight = cache.writeBack();
    expect(inflight.map((b) => b.block)).toEqual([10, 11, 12, 13, 50]);
    settle();
    expect(disk.stats.commands).toBe(2); // 10–13 as one 8-sector command, 50 alone
    expect(disk.stats.sectorsWritten).toBe(10);
    for (const b of [10, 11, 12, 13, 50]) expect(disk.image.read(b * 1024, 1024).every((x) => x === (b & 0xff))).toBe(true);
    expect(inflight.every((b) => !b.locked && !b.dirty)).toBe(true);
  });

  it('reads in elevator order and wakes the sleepers of each buffer in the bottom half', () => {
    const { disk, cache, settle, woken } = setup();
    for (const b of [5, 100, 101, 300]) disk.image.write(b * 1024, new Uint8Array(1024).fill(b & 0xff));
    // one batch: sorted, 100–101 merged
    expect(() => cache.ensure([300, 100, 5, 101])).toThrow();
    settle();
    expect(disk.stats.commands).toBe(3);
    expect(woken).toEqual(['buffer-5', 'buffer-100', 'buffer-101', 'buffer-300']);
    for (const b of [5, 100, 101, 300]) {
      const bh = cache.bread(b);
      expect(cache.read(bh).every((x) => x === (b & 0xff))).toBe(true);
    }
  });
});
