import { Asm, R } from './testing/asm';
import { bootL4, TEST_MARK } from './testing/boot';
import { dope, MSG, NO_PHASE, receiveBuffer, receiveWindow } from './ipc-abi';
import { fpage } from './fpage';
import { threadId } from './thread-id';

const CODE = 0x1000;
const A = threadId(4, 0),
  B = threadId(5, 0),
  C = threadId(6, 0);

/**
 * A owns a page at 0x20000 holding 0x1234 and maps it to B (window 0x40000); B maps or
 * grants it on to C (window 0x60000); C reads it and tells A; A then flushes its page
 * with fpage_unmap.
 */
function scenario(bGrants: boolean, flushOwn: boolean) {
  const { machine, kernel, marks, runUntilMarks } = bootL4({ timerHz: 0 });
  const a = new Asm(CODE);
  a.movImm(R.EAX, 2).movImm(R.EDX, 0x20000).movImm(R.EBX, fpage(0x20000, 12, true)).movImm(R.ESI, B).movImm(R.EBP, NO_PHASE).movImm(R.ECX, 0).int(0x30);
  a.movImm(R.EAX, NO_PHASE).movImm(R.ESI, C).movImm(R.EBP, 0).int(0x30).hostcall(TEST_MARK); // C reports what it read
  a.movImm(R.EAX, fpage(0x20000, 12, true)).movImm(R.ECX, flushOwn ? 0x80000002 : 2).int(0x32).hostcall(TEST_MARK);
  a.label('end').jmp('end');
  const b = new Asm(CODE);
  b.movImm(R.EAX, NO_PHASE).movImm(R.EBP, receiveWindow(fpage(0x40000, 12), false)).movImm(R.ESI, A).movImm(R.ECX, 0).int(0x30);
  b.movImm(R.EAX, 2).movImm(R.EDX, 0x40000 | (bGrants ? 1 : 0)).movImm(R.EBX, fpage(0x40000, 12, true)).movImm(R.ESI, C).movImm(R.EBP, NO_PHASE).int(0x30);
  b.movImm(R.EAX, NO_PHASE).movImm(R.EBP, 0).movImm(R.ESI, A).int(0x30).label('end').jmp('end'); // sleeps: A never sends again
  const c = new Asm(CODE);
  c.movImm(R.EAX, NO_PHASE).movImm(R.EBP, receiveWindow(fpage(0x60000, 12), false)).movImm(R.ESI, B).movImm(R.ECX, 0).int(0x30);
  c.load(R.EDX, 0x60000).movImm(R.EAX, 0).movImm(R.ESI, A).movImm(R.EBP, 0).int(0x30); // a call: C sleeps waiting for a reply
  c.label('end').jmp('end');
  // C and B wait first (higher priorities), A runs last
  const tc = kernel.bootTask({ task: 6, image: { at: CODE, bytes: c.assemble() }, prio: 120 });
  const tb = kernel.bootTask({ task: 5, image: { at: CODE, bytes: b.assemble() }, prio: 110 });
  const ta = kernel.bootTask({ task: 4, image: { at: CODE, bytes: a.assemble() }, zeroPages: { at: 0x20000, bytes: 0x1000 }, prio: 100 });
  kernel.writeUser(ta.space, 0x20000, [0x34, 0x12, 0, 0]);
  expect(runUntilMarks(1).reason).toBe('stopped');
  const frame = ta.space.lookup(0x20000)!.frame;
  const cNode = kernel.mdb.lookup(tc.space, 0x60000);
  const before = {
    b: tb.space.lookup(0x40000),
    c: tc.space.lookup(0x60000),
    read: marks[0].regs[R.EDX],
    from: marks[0].regs[R.ESI],
    cDepth: cNode?.depth,
    cDerivesFromA: cNode?.parent === kernel.mdb.lookup(ta.space, 0x20000),
  };
  expect(runUntilMarks(2).reason).toBe('stopped');
  const after = { a: ta.space.lookup(0x20000), b: tb.space.lookup(0x40000), c: tc.space.lookup(0x60000), changed: marks[1].eax };
  return { frame, before, after, machine, kernel, ta, tb, tc };
}

describe('map, grant and flush through IPC', () => {
  it('map: the page is shared down the chain A → B → C; A’s flush revokes B’s mapping and C’s derived from it', () => {
    const s = scenario(false, false);
    expect(s.before.read).toBe(0x1234);
    expect(s.before.from).toBe(C);
    expect(s.before.b).toEqual({ frame: s.frame, writable: true });
    expect(s.before.c).toEqual({ frame: s.frame, writable: true });
    expect(s.before.cDepth).toBe(3); // sigma0 → A → B → C
    expect(s.after.changed).toBe(2);
    expect(s.after.a).toEqual({ frame: s.frame, writable: true });
    expect(s.after.b).toBeNull();
    expect(s.after.c).toBeNull();
    expect(s.machine.counters.kernel.maps).toBe(2);
  });

  it('grant: B’s mapping moves to C (B loses it); A’s flush still reaches C, since C’s page derives from A’s', () => {
    const s = scenario(true, false);
    expect(s.before.read).toBe(0x1234);
    expect(s.before.b).toBeNull();
    expect(s.before.c).toEqual({ frame: s.frame, writable: true });
    expect(s.before.cDerivesFromA).toBe(true);
    expect(s.after.changed).toBe(1);
    expect(s.after.c).toBeNull();
    expect(s.machine.counters.kernel.grants).toBe(1);
  });

  it('a flush that includes the caller’s own mapping removes it from A too', () => {
    const s = scenario(false, true);
    expect(s.after.changed).toBe(3);
    expect(s.after.a).toBeNull();
  });
});

describe('map items in a long message', () => {
  it('two items (registers, then the buffer) land in the receiver’s window at the senders’ offsets', () => {
    const { kernel, marks, runUntilMarks } = bootL4({ timerHz: 0 });
    const BUF = 0x20000;
    const w32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
    const r = new Asm(CODE);
    r.movImm(R.EAX, NO_PHASE).movImm(R.EBP, receiveBuffer(BUF, true)).movImm(R.ECX, 0).int(0x30).hostcall(TEST_MARK).label('end').jmp('end');
    const rt = kernel.bootTask({ task: 5, image: { at: CODE, bytes: r.assemble() }, zeroPages: { at: BUF, bytes: 0x1000 }, prio: 110 });
    kernel.writeUser(rt.space, BUF + MSG.RCV_FPAGE, w32(fpage(0x400000, 22)));
    kernel.writeUser(rt.space, BUF + MSG.SIZE_DOPE, w32(dope(4, 0)));
    const s = new Asm(CODE);
    s.movImm(R.ESI, B).movImm(R.EAX, BUF | 2).movImm(R.EBP, NO_PHASE).movImm(R.ECX, 0);
    s.movImm(R.EDX, 0x3000).movImm(R.EBX, fpage(0x50000, 12, true)).movImm(R.EDI, 0x7000); // item 1: registers; item 2: base in EDI
    s.int(0x30).hostcall(TEST_MARK).label('end').jmp('end');
    const st = kernel.bootTask({ task: 4, image: { at: CODE, bytes: s.assemble() }, zeroPages: { at: BUF, bytes: 0x1000 }, prio: 100 });
    kernel.bootTask({ task: 7, image: { at: CODE, bytes: [0xeb, 0xfe] }, prio: 1 }); // keeps the CPU when both are done
    kernel.sigma0.mapTo(st, 0x00c10000, 0x50000, 0x1000);
    kernel.sigma0.mapTo(st, 0x00c11000, 0x51000, 0x1000);
    kernel.writeUser(st.space, BUF + MSG.SIZE_DOPE, w32(dope(4, 0)));
    kernel.writeUser(st.space, BUF + MSG.SEND_DOPE, w32(dope(4, 0)));
    kernel.writeUser(st.space, BUF + MSG.DWORDS + 12, w32(fpage(0x51000, 12, false))); // item 2's fpage
    expect(runUntilMarks(1).reason).toBe('stopped');
    expect(marks[0].eax & 0xf2).toBe(2); // no error, mapped
    expect(rt.space.lookup(0x403000)).toEqual({ frame: 0x00c10000, writable: true });
    expect(rt.space.lookup(0x407000)).toEqual({ frame: 0x00c11000, writable: false });
  });
});
