import { parseElf } from './elf';
import { KernelError, ENOEXEC } from '../errno';

/** A minimal valid ELF32 i386 executable: one PT_LOAD of `code` at 0x08048000. */
export function tinyElf(code: number[], opts: { bss?: number } = {}): Uint8Array {
  const base = 0x08048000;
  const hdr = 52 + 32;
  const b = new Uint8Array(hdr + code.length);
  const dv = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  dv.setUint16(16, 2, true); // ET_EXEC
  dv.setUint16(18, 3, true); // EM_386
  dv.setUint32(20, 1, true);
  dv.setUint32(24, base + hdr, true); // entry: the code right after the headers
  dv.setUint32(28, 52, true); // phoff
  dv.setUint16(40, 52, true);
  dv.setUint16(42, 32, true);
  dv.setUint16(44, 1, true);
  dv.setUint32(52, 1, true); // PT_LOAD
  dv.setUint32(56, 0, true); // offset
  dv.setUint32(60, base, true);
  dv.setUint32(64, base, true);
  dv.setUint32(68, b.length, true); // filesz
  dv.setUint32(72, b.length + (opts.bss ?? 0), true); // memsz
  dv.setUint32(76, 7, true); // RWX
  dv.setUint32(80, 0x1000, true);
  b.set(code, hdr);
  return b;
}

const errnoOf = (f: () => unknown): number | string => {
  try {
    f();
    return 'no error';
  } catch (e) {
    return e instanceof KernelError ? e.errno : `host exception: ${(e as Error).message}`;
  }
};

describe('ELF validation', () => {
  test('a valid executable parses: entry, segments, phdr address', () => {
    const img = parseElf(tinyElf([0x90, 0xcc], { bss: 100 }));
    expect(img.entry).toBe(0x08048000 + 84);
    expect(img.segments).toEqual([{ vaddr: 0x08048000, offset: 0, filesz: 86, memsz: 186, flags: 7 }]);
    expect(img.phdrAddr).toBe(0x08048000 + 52);
  });

  const broken: [string, (b: Uint8Array, dv: DataView) => void][] = [
    ['bad magic', (b) => (b[1] = 0)],
    ['64-bit class', (b) => (b[4] = 2)],
    ['big endian', (b) => (b[5] = 2)],
    ['shared object', (_b, dv) => dv.setUint16(16, 3, true)],
    ['x86-64 machine', (_b, dv) => dv.setUint16(18, 62, true)],
    ['phentsize', (_b, dv) => dv.setUint16(42, 56, true)],
    ['no program headers', (_b, dv) => dv.setUint16(44, 0, true)],
    ['phoff past the end', (_b, dv) => dv.setUint32(28, 0xfffffff0, true)],
    ['filesz > memsz', (_b, dv) => dv.setUint32(72, 10, true)],
    ['segment beyond the file', (_b, dv) => dv.setUint32(68, 0x100000, true)],
    ['segment in kernel space', (_b, dv) => dv.setUint32(60, 0xbffff000, true)],
    ['segment wrapping around', (_b, dv) => dv.setUint32(72, 0xffffff00, true)],
    ['maps page 0', (_b, dv) => dv.setUint32(60, 0, true)],
    ['vaddr/offset misaligned', (_b, dv) => dv.setUint32(60, 0x08048010, true)],
    ['entry outside', (_b, dv) => dv.setUint32(24, 0x1234, true)],
    ['interpreter', (_b, dv) => dv.setUint32(52, 3, true)],
  ];
  test.each(broken)('%s → ENOEXEC, never a host exception', (_name, spoil) => {
    const b = tinyElf([0x90]);
    spoil(b, new DataView(b.buffer));
    expect(errnoOf(() => parseElf(b))).toBe(ENOEXEC);
  });

  test('truncated files at every length → ENOEXEC', () => {
    const b = tinyElf([0x90, 0x90, 0x90, 0x90]);
    for (let n = 0; n < 84; n++) expect(errnoOf(() => parseElf(b.subarray(0, n)))).toBe(ENOEXEC);
  });

  test('random garbage with an ELF magic never throws a host exception', () => {
    let seed = 12345;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (let i = 0; i < 300; i++) {
      const b = tinyElf([0x90, 0x90]);
      for (let j = 0; j < 6; j++) b[4 + (rnd() % 80)] = rnd();
      const r = errnoOf(() => parseElf(b));
      expect(r === 'no error' || r === ENOEXEC).toBe(true);
    }
  });
});
