// The server's software walk of a process's Linux page table (arch/l4, arch/mach): the
// µ-kernel's mappings are a cache of what Linux's page tables say, so the pager and the
// fault path look the truth up here, through physical memory.
import type { PhysMem } from '../../core/phys-mem';
import type { Task } from '../../core/task';
import { ptePointer, PTE_P, PTE_RW, PTE_US } from '../../core/mm/page-table';

/** The Linux PTE of `addr` in `task`'s page table, 0 when there is none (or no memory). */
export function linuxPteRaw(memory: PhysMem, task: Task, addr: number): number {
  if (!task.mm) return 0;
  const ptr = ptePointer(memory, task.mm.pgd, addr);
  return ptr < 0 ? 0 : memory.read32(ptr);
}

/** The Linux PTE of `addr` when it allows a user access (a write when `write`), else 0. */
export function linuxPte(memory: PhysMem, task: Task, addr: number, write: boolean): number {
  const pte = linuxPteRaw(memory, task, addr);
  if (pte & PTE_P && pte & PTE_US && (!write || pte & PTE_RW)) return pte >>> 0;
  return 0;
}
