// Page faults resolved through the task's map and the memory objects (Mach's
// vm_fault): find the entry, check the protection, make a needs-copy entry's private
// shadow on a write, walk the shadow chain for the page; a page found in a backing
// object is mapped read-only (read) or copied into the top object (write:
// copy-on-write); a page nobody holds is zero-filled (default pager) or requested
// from the external pager with memory_object_data_request, the thread waiting until
// the pager's memory_object_data_provided arrives on the object's control port.
import type { MachKernel } from './kernel';
import type { Task } from './task';
import type { Thread } from './thread';
import { VmObject } from './vm-object';
import { truncPage, VM_PROT_READ, VM_PROT_WRITE } from './vm-map';
import { KERN } from './message';
import { MACH_COSTS } from './costs';
import { THREAD_FIELD } from './layout';

export type FaultResult = { ok: true } | { ok: false; wait: VmObject; offset: number; write: boolean } | { ok: false; kr: number };

export function vmFault(k: MachKernel, task: Task, va: number, write: boolean, t: Thread | null): FaultResult {
  const map = task.map;
  const page = truncPage(va);
  const entry = map.lookup(page);
  if (t) k.charge(MACH_COSTS.vmFault, [t.field(THREAD_FIELD.TASK), map.pmap.pdir + 0xc0000000], []);
  if (!entry) return { ok: false, kr: KERN.INVALID_ADDRESS };
  if (!(entry.protection & VM_PROT_READ) || (write && !(entry.protection & VM_PROT_WRITE))) return { ok: false, kr: KERN.PROTECTION_FAILURE };
  if (write && entry.needsCopy) {
    entry.object = k.objects.shadow(entry.object, entry.offset, entry.end - entry.start);
    entry.offset = 0;
    entry.needsCopy = false;
  }
  const top = entry.object;
  const topOffset = entry.offset + (page - entry.start);
  const canWrite = (entry.protection & VM_PROT_WRITE) !== 0 && !entry.needsCopy;
  let o: VmObject | null = top;
  let off = topOffset;
  while (o) {
    const frame = o.pages.get(off);
    if (frame !== undefined) {
      const lock = o.locks.get(off) ?? 0;
      // the pager lent the page read-only: a write asks it to unlock (memory_object_data_unlock)
      if (o === top && o.pager && write && lock & VM_PROT_WRITE) return { ok: false, wait: o, offset: off, write };
      if (o === top) map.pmap.enter(page, frame, canWrite && !(lock & VM_PROT_WRITE));
      else if (write) {
        const copy = k.objects.copyPage(frame);
        if (t) k.charge(MACH_COSTS.vmCopyPage, [frame + 0xc0000000], [copy + 0xc0000000]);
        top.pages.set(topOffset, copy);
        map.pmap.enter(page, copy, canWrite);
        k.bump('cowCopies');
      } else map.pmap.enter(page, frame, false);
      k.bump('vmFaults');
      return { ok: true };
    }
    if (o.pager) return { ok: false, wait: o, offset: off, write };
    if (!o.shadow) break;
    off += o.shadowOffset;
    o = o.shadow;
  }
  const frame = k.objects.allocPage();
  if (t) k.charge(MACH_COSTS.vmZeroPage, [], [frame + 0xc0000000]);
  top.pages.set(topOffset, frame);
  map.pmap.enter(page, frame, canWrite);
  k.bump('vmFaults');
  k.bump('zeroFills');
  return { ok: true };
}
