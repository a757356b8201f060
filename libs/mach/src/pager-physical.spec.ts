// The pager protocol for a pager that owns physical memory (the MkLinux server):
// physical supply in place with a lock value, the unlock request on the first write,
// flush (lock_request), thread_abort of a fault wait.
import { bootMach, TEST_MARK } from './testing/boot';
import { Asm, R } from './testing/asm';
import { supplyPhysicalPage, flushPages, abortPageWait, setPager } from './pager';
import { threadGetState, threadSetState } from './exceptions';
import { MSG_ID, PAGER_MSG, TS } from './message';
import { VM_PROT_WRITE } from './vm-map';
import type { KMsg } from './kmsg';

const CODE = 0x08048000;
const DATA = 0x40000000;
/** physical pages the "pager" owns (above Mach's page pool, which vmPageTop ends at 16 MiB) */
const OWNED = 0x1000000;

function setup() {
  const boot = bootMach({ timerHz: 0, vmPageTop: OWNED });
  const { kernel } = boot;
  const requests: { offset: number; access: number }[] = [];
  let answer: (offset: number, access: number) => void = () => {};
  // a co-located pager: a kernel-served port (the MkLinux in-kernel configuration)
  const pager = kernel.kernelPort('pager', (m: KMsg) => {
    const dv = new DataView(m.body.buffer, m.body.byteOffset, m.body.byteLength);
    expect(m.id).toBe(MSG_ID.MEMORY_OBJECT_DATA_REQUEST);
    const offset = dv.getUint32(PAGER_MSG.OFFSET - 24, true);
    const access = dv.getUint32(PAGER_MSG.ACCESS - 24, true);
    requests.push({ offset, access });
    answer(offset, access);
  });
  const object = kernel.objects.create(0x10000);
  object.physical = true;
  setPager(kernel, object, pager);
  const task = kernel.createTask();
  task.map.allocate(DATA, 0x10000, object);
  object.mappedIn = task.map;
  task.map.allocate(CODE, 0x1000);
  return { ...boot, requests, object, task, setAnswer: (f: typeof answer) => (answer = f) };
}

describe('a pager that lends its own physical pages', () => {
  it('supplies a page in place read-only; the first write comes back as an unlock request; a flush takes the page away and the next access asks again', () => {
    const { kernel, machine, marks, runUntilMarks, requests, object, task, setAnswer } = setup();
    machine.memory.write32(OWNED + 0x1000 + 8, 0x11223344);
    setAnswer((offset, access) => {
      // read-only first (a copy-on-write page, say); writable when asked for write; a new page after the flush
      const frame = requests.length === 3 ? OWNED + 0x3000 : OWNED + 0x1000;
      supplyPhysicalPage(kernel, object, offset, frame, access & VM_PROT_WRITE ? 0 : VM_PROT_WRITE);
    });
    const a = new Asm(CODE);
    a.load(R.EAX, DATA + 0x1008).hostcall(TEST_MARK); // read: data_request (read), lent read-only
    a.movImm(R.EBX, 0x55).store(DATA + 0x100c, R.EBX).hostcall(TEST_MARK); // write: unlock request, the same page writable
    a.load(R.EAX, DATA + 0x1008).hostcall(TEST_MARK); // after the flush: asked again, a different page
    a.label('end').jmp('end');
    kernel.writeUser(task, CODE, a.assemble());
    kernel.createThread(task, CODE, 0);
    expect(runUntilMarks(1).reason).toBe('stopped');
    expect(marks[0].eax).toBe(0x11223344);
    expect(requests).toEqual([{ offset: 0x1000, access: 1 }]);
    expect(task.map.pmap.extract(DATA + 0x1000)).toEqual({ frame: OWNED + 0x1000, writable: false });
    expect(runUntilMarks(2).reason).toBe('stopped');
    expect(requests[1]).toEqual({ offset: 0x1000, access: 3 });
    // the store went to the pager's own page (no copy: the page is lent, not given)
    expect(machine.memory.read32(OWNED + 0x100c)).toBe(0x55);
    expect(task.map.pmap.extract(DATA + 0x1000)).toEqual({ frame: OWNED + 0x1000, writable: true });
    expect(flushPages(kernel, task.map, object, 0, 0x10000)).toBe(1);
    expect(task.map.pmap.extract(DATA + 0x1000)).toBeNull();
    machine.memory.write32(OWNED + 0x3000 + 8, 0x99);
    expect(runUntilMarks(3).reason).toBe('stopped');
    expect(marks[2].eax).toBe(0x99);
    expect(requests.length).toBe(3);
    // Mach never frees or copies the pager's pages: its pool is untouched by them
    expect(machine.counters.kernel.cowCopies ?? 0).toBe(0);
    task.map.destroy();
    expect(machine.memory.read32(OWNED + 0x100c)).toBe(0x55);
  });

  it('thread_abort of a fault wait with thread_set_state sends the thread elsewhere (a signal handler) without the page', () => {
    const { kernel, marks, runUntilMarks, requests, task, setAnswer } = setup();
    let aborted = false;
    const a = new Asm(CODE);
    a.load(R.EAX, DATA).hostcall(TEST_MARK).label('end').jmp('end');
    a.label('handler').movImm(R.EAX, 0xabc).hostcall(TEST_MARK).label('spin').jmp('spin');
    const code = a.assemble();
    const handler = a.addr('handler');
    kernel.writeUser(task, CODE, code);
    const t = kernel.createThread(task, CODE, 0);
    setAnswer(() => {
      // the pager does not supply: it redirects the faulting thread (what a SIGSEGV handler needs)
      const s = threadGetState(kernel, t);
      s[TS.EIP] = handler;
      threadSetState(kernel, t, s);
      aborted = abortPageWait(kernel, t);
    });
    expect(runUntilMarks(1).reason).toBe('stopped');
    expect(aborted).toBe(true);
    expect(marks[0].eax).toBe(0xabc);
    expect(requests).toEqual([{ offset: 0, access: 1 }]);
    expect(t.faultAddress).toBe(DATA);
  });

  it('refuses a supply to an object whose pages are Mach’s, or a misaligned page', () => {
    const { kernel, object } = setup();
    const mine = kernel.objects.create(0x1000);
    expect(() => supplyPhysicalPage(kernel, mine, 0, OWNED, 0)).toThrow(/whose pages are Mach/);
    expect(() => supplyPhysicalPage(kernel, object, 0, OWNED + 4, 0)).toThrow(/bad physical supply/);
  });
});
