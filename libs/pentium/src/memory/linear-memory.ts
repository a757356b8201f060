// The machine's linear memory: one WebAssembly.Memory with guest RAM at address 0 and,
// above it, the state that compiled guest code must reach: the software TLB, the register
// file and segment caches, and the timing model's tables (docs/design/jit.md, step 2).
// The interpreter and the timing model keep working on typed-array views of it, so a
// compiled block and the interpreter see the same registers, caches and TLBs.
//
// Parts built on their own (a TimingModel in a unit test) take their arrays from the
// JS heap instead: both allocators implement StateArrays.

/** where a component's typed arrays come from */
export interface StateArrays {
  i32(length: number): Int32Array;
  u8(length: number): Uint8Array;
  u16(length: number): Uint16Array;
  f64(length: number): Float64Array;
}

/** ordinary JS-heap arrays, for components outside a Machine */
export const HEAP_ARRAYS: StateArrays = {
  i32: (n) => new Int32Array(n),
  u8: (n) => new Uint8Array(n),
  u16: (n) => new Uint16Array(n),
  f64: (n) => new Float64Array(n),
};

const WASM_PAGE = 65536;

export class LinearMemory implements StateArrays {
  /**
   * The state region's default size. It holds the 4 MiB software TLB (one int32 per
   * linear page), the L2 tags (32 KiB for 256 KiB of 32-byte lines) and small tables.
   */
  static readonly DEFAULT_STATE_BYTES = 6 << 20;

  readonly memory: WebAssembly.Memory;
  readonly buffer: ArrayBuffer;
  /** guest RAM is [0, ramBytes) */
  readonly ramBytes: number;
  /** the state region is [ramBytes, end) */
  readonly end: number;
  private top: number;

  constructor(ramBytes: number, stateBytes: number = LinearMemory.DEFAULT_STATE_BYTES) {
    const total = ramBytes + stateBytes;
    if (!Number.isInteger(total) || ramBytes < 0 || stateBytes < 0 || total > 2 ** 31) {
      throw new Error(`LinearMemory: ${ramBytes} bytes of RAM and ${stateBytes} of state do not fit a 2 GiB linear memory`);
    }
    const pages = Math.ceil(total / WASM_PAGE);
    // a fixed size: growing would detach every view the machine holds
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.buffer = this.memory.buffer;
    this.ramBytes = ramBytes;
    this.end = total;
    this.top = ramBytes;
  }

  /** reserves `bytes` in the state region, aligned to `align` bytes; returns the offset */
  alloc(bytes: number, align = 8): number {
    const at = Math.ceil(this.top / align) * align;
    if (at + bytes > this.end) {
      throw new Error(`LinearMemory: the state region is full (${bytes} more bytes asked, ${this.end - this.top} left)`);
    }
    this.top = at + bytes;
    return at;
  }

  /** bytes of the state region in use */
  get stateUsed(): number {
    return this.top - this.ramBytes;
  }

  i32(n: number): Int32Array {
    return new Int32Array(this.buffer, this.alloc(n * 4, 4), n);
  }
  u8(n: number): Uint8Array {
    return new Uint8Array(this.buffer, this.alloc(n, 1), n);
  }
  u16(n: number): Uint16Array {
    return new Uint16Array(this.buffer, this.alloc(n * 2, 2), n);
  }
  f64(n: number): Float64Array {
    return new Float64Array(this.buffer, this.alloc(n * 8, 8), n);
  }
}
