// A minimal valid ELF32 i386 executable for tests (one RWX PT_LOAD at 0x08048000).

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

