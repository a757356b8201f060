// File-system blocks on a byte-addressed medium (a disk image outside any machine:
// mkfs at boot, fsck of an image, tests).
import { BLOCK_SIZE, BlockWriter } from './layout';

export interface ByteMedium {
  read(offset: number, len: number): Uint8Array;
  write(offset: number, data: Uint8Array): void;
}

export class ImageBlocks implements BlockWriter {
  /** `base`: byte offset of the file system on the medium (0: the whole disk) */
  constructor(
    private readonly medium: ByteMedium,
    private readonly base = 0,
  ) {}
  readBlock(block: number): Uint8Array {
    return this.medium.read(this.base + block * BLOCK_SIZE, BLOCK_SIZE);
  }
  writeBlock(block: number, data: Uint8Array): void {
    if (data.length !== BLOCK_SIZE) throw new Error(`writeBlock: ${data.length} bytes, a block is ${BLOCK_SIZE}`);
    this.medium.write(this.base + block * BLOCK_SIZE, data);
  }
}

/** An in-memory medium of `bytes` bytes (tests, the fsck script). */
export class MemoryMedium implements ByteMedium {
  readonly data: Uint8Array;
  constructor(bytesOrData: number | Uint8Array) {
    this.data = typeof bytesOrData === 'number' ? new Uint8Array(bytesOrData) : bytesOrData;
  }
  read(offset: number, len: number): Uint8Array {
    return this.data.slice(offset, offset + len);
  }
  write(offset: number, data: Uint8Array): void {
    this.data.set(data, offset);
  }
}
