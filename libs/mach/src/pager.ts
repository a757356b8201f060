// The external pager protocol, kernel side: a fault on a page that an object with an
// external pager does not hold sends memory_object_data_request(object, offset,
// length, access) to the pager port, carrying a send right to the object's control
// port; the faulting thread waits. The pager answers on the control port with
// memory_object_data_provided (the page as out-of-line data) or
// memory_object_data_unavailable (zero fill); the kernel installs the page in the
// object and the waiting threads restart their faulting instruction.
// memory_object_init / terminate / lock_request / data_return are not implemented.
import type { MachKernel } from './kernel';
import type { Thread } from './thread';
import type { KMsg } from './kmsg';
import type { Port } from './port';
import { VmObject } from './vm-object';
import { kernelMessage } from './mach-msg';
import { MSG_ID, PAGER_MSG, PORT_SEND } from './message';
import { PAGE_SIZE } from './layout';

/** Makes `object` paged by the external pager behind `pager` (a send right the kernel holds). */
export function setPager(k: MachKernel, object: VmObject, pager: Port): void {
  object.pager = pager;
  object.control = k.kernelPort(object, (m) => controlMessage(k, object, m));
}

export function requestPage(k: MachKernel, t: Thread, object: VmObject, offset: number): void {
  const waiting = object.pending.get(offset);
  t.wait = { kind: 'page', retry: true };
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
  dv.setUint32(PAGER_MSG.ACCESS - 24, 3, true);
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
