// i386 two-level page tables kept in guest physical memory (Intel, "Pentium Processor
// Family Developer's Manual", vol. 3, ch. 11). On native Linux these are the tables
// the MMU walks; on L4Linux and MkLinux they are Linux's own copy (the µ-kernel keeps
// the hardware tables). Entries 0..767 of a page directory map user space
// (below TASK_SIZE = 0xC0000000), 768..1023 the kernel.

import { PAGE_SIZE, PhysMem } from '../phys-mem';

export const PTE_P = 1 << 0;
export const PTE_RW = 1 << 1;
export const PTE_US = 1 << 2;
export const PTE_A = 1 << 5;
export const PTE_D = 1 << 6;
export const PDE_PS = 1 << 7;
export const PTE_FRAME = 0xfffff000;

export const TASK_SIZE = 0xc0000000;
export const USER_PDES = TASK_SIZE >>> 22; // 768

/** Flags of a page table's directory entry: present, writable, user (Linux's _PAGE_TABLE). */
export const PDE_TABLE = PTE_P | PTE_RW | PTE_US;

export interface PageSource {
  alloc(zero?: boolean): number;
  put(addr: number): void;
}

export const pdeIndex = (linear: number): number => linear >>> 22;
export const pteIndex = (linear: number): number => (linear >>> 12) & 0x3ff;

export function readPde(mem: PhysMem, pgd: number, linear: number): number {
  return mem.read32(pgd + pdeIndex(linear) * 4);
}

/** Physical address of the PTE for `linear`, or -1 when no page table covers it (or it lies in a 4 MiB page). */
export function ptePointer(mem: PhysMem, pgd: number, linear: number): number {
  const pde = readPde(mem, pgd, linear);
  if (!(pde & PTE_P) || pde & PDE_PS) return -1;
  return ((pde & PTE_FRAME) >>> 0) + pteIndex(linear) * 4;
}

/** The PTE for `linear` (0 when absent). */
export function readPte(mem: PhysMem, pgd: number, linear: number): number {
  const p = ptePointer(mem, pgd, linear);
  return p < 0 ? 0 : mem.read32(p);
}

/** Physical address of the PTE for `linear`, allocating a zeroed page table if needed (pte_alloc). */
export function ensurePte(mem: PhysMem, pages: PageSource, pgd: number, linear: number): number {
  const pdeAddr = pgd + pdeIndex(linear) * 4;
  let pde = mem.read32(pdeAddr);
  if (!(pde & PTE_P)) {
    const table = pages.alloc(true);
    pde = (table | PDE_TABLE) >>> 0;
    mem.write32(pdeAddr, pde);
  } else if (pde & PDE_PS) {
    throw new Error(`ensurePte: 0x${linear.toString(16)} lies in a 4 MiB page`);
  }
  return ((pde & PTE_FRAME) >>> 0) + pteIndex(linear) * 4;
}

export function writePte(mem: PhysMem, pages: PageSource, pgd: number, linear: number, pte: number): void {
  mem.write32(ensurePte(mem, pages, pgd, linear), pte >>> 0);
}

/**
 * Software walk as the MMU does it: physical address for `linear`, or -1 when not
 * mapped. With `user` the U/S bits must allow user access, with `write` the R/W bits
 * must allow writing (the Pentium ignores R/W for supervisor accesses unless CR0.WP).
 */
export function translate(mem: PhysMem, pgd: number, linear: number, user: boolean, write: boolean): number {
  const pde = readPde(mem, pgd, linear);
  if (!(pde & PTE_P)) return -1;
  if (user && !(pde & PTE_US)) return -1;
  if (pde & PDE_PS) {
    if (user && write && !(pde & PTE_RW)) return -1;
    return (((pde & 0xffc00000) >>> 0) + (linear & 0x3fffff)) >>> 0;
  }
  const pte = mem.read32(((pde & PTE_FRAME) >>> 0) + pteIndex(linear) * 4);
  if (!(pte & PTE_P)) return -1;
  if (user && !(pte & PTE_US)) return -1;
  if (user && write && (!(pte & PTE_RW) || !(pde & PTE_RW))) return -1;
  return (((pte & PTE_FRAME) >>> 0) + (linear & 0xfff)) >>> 0;
}

/** Calls fn for every present user PTE in [start, end) (page-aligned). */
export function forEachUserPte(
  mem: PhysMem,
  pgd: number,
  start: number,
  end: number,
  fn: (linear: number, ptePtr: number, pte: number) => void,
): void {
  let linear = start >>> 0;
  while (linear < end) {
    const pde = readPde(mem, pgd, linear);
    const nextTable = ((linear & 0xffc00000) + 0x400000) >>> 0;
    if (!(pde & PTE_P) || pde & PDE_PS) {
      linear = nextTable;
      continue;
    }
    const table = (pde & PTE_FRAME) >>> 0;
    const stop = Math.min(end, nextTable);
    for (; linear < stop; linear += PAGE_SIZE) {
      const ptr = table + pteIndex(linear) * 4;
      const pte = mem.read32(ptr);
      if (pte & PTE_P) fn(linear, ptr, pte);
    }
    linear = stop;
  }
}

/** Frees the page tables covering user space (the mapped pages must have been released already). */
export function freeUserPageTables(mem: PhysMem, pages: PageSource, pgd: number): void {
  for (let i = 0; i < USER_PDES; i++) {
    const pde = mem.read32(pgd + i * 4);
    if (pde & PTE_P && !(pde & PDE_PS)) {
      pages.put((pde & PTE_FRAME) >>> 0);
      mem.write32(pgd + i * 4, 0);
    }
  }
}
