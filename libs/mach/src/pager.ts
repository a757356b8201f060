// The external pager protocol, kernel side: a fault on a page that an object with an
// external pager does not hold sends memory_object_data_request(object, offset,
// length, access) to the pager port, carrying a send right to the object's control
// port; the faulting thread waits. The pager answers on the control port with
// memory_object_data_provided (the page as out-of-line data) or
// memory_object_data_unavailable (zero fill); the kernel installs the page in the
// object and the waiting threads restart their faulting instruction.
// A pager that owns physical memory may instead lend its own page in place
// (memory_object_physical_supply, with a lock value: read-only pages come back to it as
// an unlock request on the first write) and take pages back with
// memory_object_lock_request(flush) — how the MkLinux server pages Linux processes
// (libs/linux/src/arch/mach).
// memory_object_init / terminate / data_return are not implemented.
import type { MachKernel } from './kernel';
import type { Thread } from './thread';
import type { KMsg } from './kmsg';
import type { Port } from './port';
import { VmObject } from './vm-object';
import { kernelMessage } from './mach-msg';
import { LOCK_MSG, MSG_ID, PAGER_MSG, PORT_SEND, SUPPLY_MSG } from './message';
import { PAGE_SIZE } from './layout';
import { MACH_COSTS } from './costs';
import type { VmMap } from './vm-map';
import { VM_PROT_READ, VM_PROT_WRITE } from './vm-map';

/** Makes `object` paged by the external pager behind `pager` (a send right the kernel holds). */
export function setPager(k: MachKernel, object: VmObject, pager: Port): void {
  object.pager = pager;
  object.control = k.kernelPort(object, (m) => controlMessage(k, object, m));
}

export function requestPage(k: MachKernel, t: Thread, object: VmObject, offset: number, write = true): void {
  const waiting = object.pending.get(offset);
  t.wait = { kind: 'page', retry: true, object, offset };
  k.block(t);
  if (waiting) {
    waiting.push(t);
    return;
  }
  object.pending.set(offset, [t]);
  const body = new Uint8Array(PAGER_MSG.BYTES - 24);
  const dv = new DataView(body.buffer);
  dv.setUint32(PAGER_MSG.OBJECT - 24, object.id, true);
  dv.setUint32(PAGER_MSG.OFFSET - 24, offset, true);
  dv.setUint32(PAGER_MSG.LENGTH - 24, PAGE_SIZE, true);
  dv.setUint32(PAGER_MSG.ACCESS - 24, write ? VM_PROT_READ | VM_PROT_WRITE : VM_PROT_READ, true);
  k.bump('pagerRequests');
  kernelMessage(k, object.pager as Port, object.control, MSG_ID.MEMORY_OBJECT_DATA_REQUEST, body, PORT_SEND);
}

function controlMessage(k: MachKernel, object: VmObject, m: KMsg): void {
  const dv = new DataView(m.body.buffer, m.body.byteOffset, m.body.byteLength);
  let offset: number;
  let frame: number;
  if (m.id === MSG_ID.MEMORY_OBJECT_DATA_PROVIDED && m.descriptors[0]?.kind === 'ool') {
    offset = dv.getUint32(40 - 24, true);
    const d = m.descriptors[0];
    frame = k.objects.allocPage();
    const c = d.copy?.entries[0];
    if (c) {
      // the pager's page: resident in its object chain (it wrote it)
      let o: VmObject | null = c.object;
      let off = c.offset;
      while (o && !o.pages.has(off)) {
        off += o.shadowOffset;
        o = o.shadow;
      }
      const src = o?.pages.get(off);
      if (src !== undefined) for (let i = 0; i < PAGE_SIZE; i += 4) k.memory.write32(frame + i, k.memory.read32(src + i));
      for (const e of d.copy!.entries) k.objects.release(e.object);
    }
    k.bump('pagerPagesProvided');
  } else if (m.id === MSG_ID.MEMORY_OBJECT_PHYSICAL_SUPPLY && m.size >= SUPPLY_MSG.BYTES) {
    supplyPhysicalPage(k, object, dv.getUint32(SUPPLY_MSG.OFFSET - 24, true), dv.getUint32(SUPPLY_MSG.FRAME - 24, true), dv.getUint32(SUPPLY_MSG.LOCK - 24, true));
    return;
  } else if (m.id === MSG_ID.MEMORY_OBJECT_LOCK_REQUEST && m.size >= LOCK_MSG.BYTES) {
    const map = object.mappedIn;
    if (map) flushPages(k, map, object, dv.getUint32(LOCK_MSG.OFFSET - 24, true), dv.getUint32(LOCK_MSG.SIZE - 24, true));
    return;
  } else if (m.id === MSG_ID.MEMORY_OBJECT_DATA_UNAVAILABLE) {
    offset = dv.getUint32(0, true);
    frame = k.objects.allocPage();
  } else {
    k.discardMessage(m);
    return;
  }
  if (!object.pages.has(offset)) object.pages.set(offset, frame);
  else k.objects.pages.release(frame);
  const waiters = object.pending.get(offset) ?? [];
  object.pending.delete(offset);
  for (const t of waiters) k.wakeup(t);
}

/**
 * memory_object_physical_supply, kernel side: `frame` (a physical page the pager owns)
 * becomes the object's page at `offset` in place of any earlier one, with `lock`
 * (the access prohibited); the threads waiting for it restart their instruction.
 */
export function supplyPhysicalPage(k: MachKernel, object: VmObject, offset: number, frame: number, lock: number): void {
  if (!object.physical) throw new Error(`mach: physical supply to ${object}, whose pages are Mach's`);
  if (offset % PAGE_SIZE || frame % PAGE_SIZE || frame >= k.memory.size) throw new Error(`mach: bad physical supply 0x${frame.toString(16)} at offset 0x${offset.toString(16)}`);
  const old = object.pages.get(offset);
  const map = object.mappedIn;
  if (old !== undefined && map && (old !== frame || lock & VM_PROT_WRITE)) unmapPage(map, object, offset);
  object.pages.set(offset, frame);
  if (lock) object.locks.set(offset, lock);
  else object.locks.delete(offset);
  k.bump('pagerPagesSupplied');
  const waiters = object.pending.get(offset) ?? [];
  object.pending.delete(offset);
  for (const t of waiters) k.wakeup(t);
}

/** memory_object_lock_request(flush), kernel side: the object's pages in [offset, offset + size) and their mappings go. */
export function flushPages(k: MachKernel, map: VmMap, object: VmObject, offset: number, size: number): number {
  let n = 0;
  for (const off of [...object.pages.keys()]) {
    if (off < offset || off >= offset + size) continue;
    unmapPage(map, object, off);
    if (!object.physical) k.objects.pages.release(object.pages.get(off) as number);
    object.pages.delete(off);
    object.locks.delete(off);
    n++;
  }
  for (let i = 0; i < n; i++) k.charge(MACH_COSTS.oolPage); // pmap_remove per page (same loop as pmap_protect)
  k.bump('pagerPagesFlushed', n);
  return n;
}

function unmapPage(map: VmMap, object: VmObject, offset: number): void {
  for (const e of map.entries) {
    if (e.object !== object || offset < e.offset || offset >= e.offset + (e.end - e.start)) continue;
    const va = e.start + (offset - e.offset);
    map.pmap.remove(va, va + PAGE_SIZE);
  }
}

/**
 * thread_abort of a thread waiting for a pager's page: it stops waiting (the request
 * stays outstanding) and runs again — from the state it has, or one set meanwhile by
 * thread_set_state (a signal handler). False when it was not waiting for a page.
 */
export function abortPageWait(k: MachKernel, t: Thread): boolean {
  const w = t.wait;
  if (!w || w.kind !== 'page') return false;
  const list = w.object.pending.get(w.offset);
  if (list) {
    const i = list.indexOf(t);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) w.object.pending.delete(w.offset);
  }
  k.bump('threadAborts');
  k.wakeup(t);
  return true;
}
