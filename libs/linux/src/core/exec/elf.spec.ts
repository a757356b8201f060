import { parseElf } from './elf';
import { KernelError, ENOEXEC } from '../errno';
import { tinyElf } from '../../../test/tiny-elf';

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
