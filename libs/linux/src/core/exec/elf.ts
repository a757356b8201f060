// ELF32 executables as Linux 2.0's binfmt_elf loads them (static i386 executables
// only: no interpreter). Every field is checked before it is used: a broken or
// hostile file fails with ENOEXEC, never with a host exception.

import { ENOEXEC, KernelError } from '../errno';
import { PAGE_SIZE } from '../phys-mem';
import { TASK_SIZE } from '../mm/page-table';

export const ET_EXEC = 2;
export const EM_386 = 3;
export const EM_486 = 6;
export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_PHDR = 6;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

export interface ElfSegment {
  vaddr: number;
  offset: number;
  filesz: number;
  memsz: number;
  flags: number;
}

export interface ElfImage {
  entry: number;
  phoff: number;
  phnum: number;
  phentsize: number;
  /** the PT_LOAD segments in file order */
  segments: ElfSegment[];
  /** linear address of the program headers if they are inside a loaded segment (for AT_PHDR), else 0 */
  phdrAddr: number;
}

const fail = (why: string): never => {
  throw new KernelError(ENOEXEC, `ENOEXEC: ${why}`);
};

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** Parses and validates an ELF32 i386 executable; throws KernelError(ENOEXEC) with the reason. */
export function parseElf(bytes: Uint8Array): ElfImage {
  if (bytes.length < 52) fail('file shorter than an ELF header');
  if (!isElf(bytes)) fail('no ELF magic');
  if (bytes[4] !== 1) fail('not ELFCLASS32');
  if (bytes[5] !== 1) fail('not little-endian');
  if (bytes[6] !== 1) fail('bad ELF version');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number): number => dv.getUint16(o, true);
  const u32 = (o: number): number => dv.getUint32(o, true);
  const type = u16(16);
  const machine = u16(18);
  if (type !== ET_EXEC) fail(type === 3 ? 'shared object / PIE not supported (static ET_EXEC only)' : `e_type ${type} is not ET_EXEC`);
  if (machine !== EM_386 && machine !== EM_486) fail(`e_machine ${machine} is not i386`);
  if (u32(20) !== 1) fail('bad e_version');
  const entry = u32(24);
  const phoff = u32(28);
  const phentsize = u16(42);
  const phnum = u16(44);
  if (phentsize !== 32) fail(`e_phentsize ${phentsize} != 32`);
  if (phnum < 1 || phnum > 65536 / 32) fail(`e_phnum ${phnum} out of range`);
  if (phoff > bytes.length || phoff + phnum * 32 > bytes.length) fail('program headers outside the file');
  const segments: ElfSegment[] = [];
  let phdrAddr = 0;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * 32;
    const ptype = u32(o);
    const offset = u32(o + 4);
    const vaddr = u32(o + 8);
    const filesz = u32(o + 16);
    const memsz = u32(o + 20);
    const flags = u32(o + 24);
    if (ptype === PT_INTERP) fail('dynamically linked (PT_INTERP) executables are not supported');
    if (ptype === PT_DYNAMIC) fail('dynamically linked (PT_DYNAMIC) executables are not supported');
    if (ptype !== PT_LOAD) continue;
    if (filesz > memsz) fail(`segment ${i}: p_filesz > p_memsz`);
    if (offset > bytes.length || offset + filesz > bytes.length) fail(`segment ${i}: file range outside the file`);
    if (memsz === 0) continue;
    if (vaddr < PAGE_SIZE) fail(`segment ${i}: maps page 0`);
    if (vaddr + memsz > TASK_SIZE || vaddr + memsz < vaddr) fail(`segment ${i}: reaches kernel space`);
    if (((vaddr - offset) & (PAGE_SIZE - 1)) !== 0) fail(`segment ${i}: p_vaddr and p_offset disagree modulo the page size`);
    segments.push({ vaddr, offset, filesz, memsz, flags });
    if (phoff >= offset && phoff + phnum * 32 <= offset + filesz) phdrAddr = vaddr + (phoff - offset);
  }
  if (segments.length === 0) fail('no loadable segment');
  const sorted = [...segments].sort((a, b) => a.vaddr - b.vaddr);
  for (let i = 1; i < sorted.length; i++) {
    const prevEnd = Math.ceil((sorted[i - 1].vaddr + sorted[i - 1].memsz) / PAGE_SIZE) * PAGE_SIZE;
    if (Math.floor(sorted[i].vaddr / PAGE_SIZE) * PAGE_SIZE < prevEnd) fail('loadable segments share a page');
  }
  if (!segments.some((s) => entry >= s.vaddr && entry < s.vaddr + s.memsz)) fail(`entry point 0x${entry.toString(16)} outside every segment`);
  return { entry, phoff, phnum, phentsize, segments, phdrAddr };
}
