// Virtual memory areas (struct vm_area_struct): the ranges of a process's address
// space and how a missing page in each is filled.

import type { Inode } from '../fs/ramfs';

export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_GROWSDOWN = 0x100;

export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const PROT_EXEC = 0x4;

/** Private file contents behind an area: page faults copy from here (the page cache of a later disk fs). */
export interface FileBacking {
  data: Uint8Array;
  /** file offset that corresponds to area.start */
  offset: number;
  /** linear address where the file's bytes end (the rest of the area reads as zero: bss) */
  end: number;
}

/** A mapped file (mmap of a regular file): its pages come from the page cache (filemap.ts). */
export interface MappedFile {
  inode: Inode;
  /** file offset that corresponds to area.start (page aligned) */
  offset: number;
}

export interface VmArea {
  start: number;
  end: number;
  flags: number;
  /** bytes copied in on a fault (exec's segments) */
  backing: FileBacking | null;
  /** pages shared with the page cache (mmap of a file; VM_SHARED for MAP_SHARED) */
  file?: MappedFile | null;
  /** for /proc-style listings and debugging */
  name: string;
}

export const protToFlags = (prot: number): number =>
  (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
