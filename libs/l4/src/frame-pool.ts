// The kernel's own page frames (page directories and page tables), taken from a
// fixed physical range at boot. Frames are zeroed when handed out.
import type { GuestMemory } from '@mklab/pentium';
import { PAGE_SIZE } from './layout';

export class FramePool {
  private readonly free: number[] = [];

  constructor(
    private readonly memory: GuestMemory,
    readonly start: number,
    readonly end: number,
  ) {
    if (start % PAGE_SIZE !== 0 || end % PAGE_SIZE !== 0 || end <= start || end > memory.size) {
      throw new Error(`FramePool: bad range 0x${start.toString(16)}–0x${end.toString(16)} (memory ${memory.size} bytes)`);
    }
    // lowest address first out: allocation order is deterministic
    for (let a = end - PAGE_SIZE; a >= start; a -= PAGE_SIZE) this.free.push(a);
  }

  get available(): number {
    return this.free.length;
  }

  alloc(): number {
    const f = this.free.pop();
    if (f === undefined) throw new Error('L4 kernel: out of kernel frames (page tables)');
    this.memory.fill(f, PAGE_SIZE, 0);
    return f;
  }

  release(frame: number): void {
    if (frame < this.start || frame >= this.end || frame % PAGE_SIZE !== 0) throw new Error(`FramePool.release: 0x${frame.toString(16)} is not a pool frame`);
    this.free.push(frame);
  }
}
