import { bootMach } from './testing/boot';
import { Asm } from './testing/asm';
import { scriptThread, writeMsg, type Step } from './testing/script';
import { TRAP } from './kernel';
import { H, MACH_RCV_MSG, MACH_SEND_MSG, MSG_ID, MSG_TYPE, msghBits, PAGER_MSG, PORT_SEND, replyId } from './message';
import { setPager } from './pager';

const BUF = 0x1000;
const VAR = 0x1800; // where a thread keeps a vm_allocate result
const SNIPPET = 0x3000;
const send = (msg: number, size: number) => [msg, MACH_SEND_MSG, size, 0, 0, 0, 0];
const recv = (msg: number, name: number, timeoutMs = -1) => [msg, MACH_RCV_MSG | (timeoutMs >= 0 ? 0x100 : 0), 0, 512, name, Math.max(0, timeoutMs), 0];

describe('Mach virtual memory', () => {
  it('out-of-line memory moves by copy-on-write: after the transfer neither side’s write changes the other’s copy (guest stores through the page-fault path)', () => {
    const { machine, kernel } = bootMach({ timerHz: 0 });
    const a = kernel.createTask();
    const b = kernel.createTask();
    for (const t of [a, b]) {
      t.map.allocate(BUF, 0x1000);
      t.map.allocate(SNIPPET, 0x1000);
    }
    const bPort = kernel.ports.allocate();
    const bRecv = b.space.insert({ port: bPort, type: 16 });
    const aToB = a.space.insert({ port: bPort, type: PORT_SEND });
    const seen: Record<string, number> = {};
    let region = 0;
    let received = 0;
    // a guest store of `value` at `addr`, then back into the thread's loop
    const store = (addr: number, value: number): Step => (ctx) => {
      const s = new Asm(SNIPPET).storeImm(addr, value);
      s.emit(0xe9, 0, 0, 0, 0);
      const bytes = s.assemble();
      const rel = (ctx.loopAddress - (SNIPPET + bytes.length)) | 0;
      bytes.splice(bytes.length - 4, 4, rel & 0xff, (rel >>> 8) & 0xff, (rel >>> 16) & 0xff, (rel >>> 24) & 0xff);
      ctx.writeBytes(SNIPPET, bytes);
      machine.cpu.eip = SNIPPET;
    };
    const A = scriptThread(kernel, a, [
      (ctx) => ctx.trap(TRAP.VM_ALLOCATE, [a.selfName, VAR, 0x2000, 1]),
      (ctx) => {
        region = ctx.read32(VAR);
        ctx.write32(region, 0x11111111);
        ctx.write32(region + 0x1000, 0x22222222);
        ctx.trap(TRAP.MACH_MSG, send(BUF, writeMsg(ctx, BUF, { bits: msghBits(MSG_TYPE.COPY_SEND), remote: aToB, id: 5, ool: [{ address: region, size: 0x2000 }] })));
      },
      (ctx) => {
        seen.senderWritableAfterSend = kernel.tasks[0].map.pmap.extract(region)!.writable ? 1 : 0;
        ctx.trap(TRAP.MACH_MSG, recv(BUF + 0x800, a.space.insert({ port: kernel.ports.allocate(), type: 16 }), 2)); // sleep 2 ms: B writes its copy
      },
      (ctx) => store(region, 0xaaaaaaaa)(ctx, 0),
      (ctx) => {
        seen.senderFirst = ctx.read32(region);
        seen.senderSecond = ctx.read32(region + 0x1000);
        ctx.trap(TRAP.MACH_MSG, recv(BUF + 0x800, a.space.insert({ port: kernel.ports.allocate(), type: 16 }), 2)); // B reads again
      },
    ]);
    scriptThread(
      kernel,
      b,
      [
        (ctx) => ctx.trap(TRAP.MACH_MSG, recv(BUF, bRecv)),
        (ctx) => {
          received = ctx.read32(BUF + 28);
          seen.size = ctx.read32(BUF + 32);
          seen.receivedFirst = ctx.read32(received);
          seen.receiverWritableBeforeWrite = b.map.pmap.extract(received)!.writable ? 1 : 0;
          store(received + 0x1000, 0xbbbbbbbb)(ctx, 0);
        },
        (ctx) => ctx.trap(TRAP.MACH_MSG, recv(BUF + 0x800, b.space.insert({ port: kernel.ports.allocate(), type: 16 }), 3)),
        (ctx) => {
          seen.receiverFirstAfterSenderWrite = ctx.read32(received);
          seen.receiverSecond = ctx.read32(received + 0x1000);
          ctx.trap(TRAP.MACH_MSG, recv(BUF + 0x800, b.space.insert({ port: kernel.ports.allocate(), type: 16 }), 0));
        },
      ],
      { priority: 14, onDone: () => machine.stop('done') },
    );
    expect(machine.run({ cycleBudget: 50_000_000 })).toEqual({ reason: 'stopped', stopReason: 'done' });
    expect(A.results.slice(0, 2)).toEqual([0, 0]);
    expect(received).not.toBe(0);
    expect(seen).toEqual({
      senderWritableAfterSend: 0, // the sender's pages were write-protected by the transfer
      size: 0x2000,
      receivedFirst: 0x11111111,
      receiverWritableBeforeWrite: 0,
      senderFirst: 0xaaaaaaaa,
      senderSecond: 0x22222222, // the receiver's write did not reach the sender
      receiverFirstAfterSenderWrite: 0x11111111, // nor the sender's the receiver
      receiverSecond: 0xbbbbbbbb,
    });
    const k = machine.counters.kernel;
    expect(k.oolPages).toBe(2);
    expect(k.cowCopies).toBe(2); // one page copied on each side, by the hardware page-fault path
    expect(k.pageFaults).toBe(2); // both copies were made by write faults of guest stores (the TypeScript threads' own reads resolve in software)
  });

  it('external pager round trip: a fault on a paged object becomes memory_object_data_request; the pager’s data_provided maps the page and the guest load completes', () => {
    const { machine, kernel, marks, runUntilMarks } = bootMach({ timerHz: 0 });
    const pager = kernel.createTask();
    pager.map.allocate(BUF, 0x1000);
    const pagerPort = kernel.ports.allocate();
    const pagerRecv = pager.space.insert({ port: pagerPort, type: 16 });
    const object = kernel.objects.create(0x4000);
    setPager(kernel, object, pagerPort);
    const client = kernel.createTask();
    const MAPPED = 0x40000000;
    client.map.allocate(MAPPED, 0x4000, object);
    const code = new Asm(0x08048000);
    code.load(0, MAPPED + 0x2004).hostcall(0x7f10).label('end').jmp('end');
    client.map.allocate(0x08048000, 0x1000);
    kernel.writeUser(client, 0x08048000, code.assemble());
    kernel.createThread(client, 0x08048000, 0);
    const requests: number[][] = [];
    let page = 0;
    scriptThread(kernel, pager, [
      (ctx) => ctx.trap(TRAP.MACH_MSG, recv(BUF, pagerRecv)),
      (ctx) => ctx.trap(TRAP.VM_ALLOCATE, [pager.selfName, BUF + 0x800, 0x1000, 1]),
      (ctx) => {
        requests.push([ctx.read32(BUF + H.ID), ctx.read32(BUF + PAGER_MSG.OFFSET), ctx.read32(BUF + PAGER_MSG.LENGTH), ctx.read32(BUF) & 0xff]);
        page = ctx.read32(BUF + 0x800);
        for (let i = 0; i < 0x1000; i += 4) ctx.write32(page + i, 0xc0de0000 + i);
        const control = ctx.read32(BUF + H.REMOTE);
        const size = writeMsg(ctx, BUF + 0x400, { bits: msghBits(MSG_TYPE.MOVE_SEND), remote: control, id: MSG_ID.MEMORY_OBJECT_DATA_PROVIDED, ool: [{ address: page, size: 0x1000 }], inline: [ctx.read32(BUF + PAGER_MSG.OFFSET), 0] });
        ctx.trap(TRAP.MACH_MSG, send(BUF + 0x400, size));
      },
    ]);
    expect(runUntilMarks(1).reason).toBe('stopped');
    expect(requests).toEqual([[MSG_ID.MEMORY_OBJECT_DATA_REQUEST, 0x2000, 0x1000, PORT_SEND]]);
    expect(marks[0].eax).toBe(0xc0de0004);
    expect(machine.counters.kernel.pagerRequests).toBe(1);
    expect(machine.counters.kernel.pagerPagesProvided).toBe(1);
    expect(object.pages.has(0x2000)).toBe(true);
    void replyId;
  });
});

describe('out-of-line transfer cost', () => {
  it('measured: one-way latency of an OOL message grows per page only by the pmap work, not by copying', () => {
    const oneWay = (pages: number) => {
      const { machine, kernel } = bootMach({ timerHz: 0 });
      const a = kernel.createTask();
      const b = kernel.createTask();
      a.map.allocate(BUF, 0x1000);
      b.map.allocate(BUF, 0x1000);
      const region = a.map.allocate(null, pages * 0x1000);
      for (let p = 0; p < pages; p++) kernel.writeUser(a, region + p * 0x1000, [p + 1]);
      const port = kernel.ports.allocate();
      const recvName = b.space.insert({ port, type: 16 });
      const dest = a.space.insert({ port, type: PORT_SEND });
      let sentAt = 0;
      let gotAt = 0;
      let first = 0;
      scriptThread(kernel, b, [(ctx) => ctx.trap(TRAP.MACH_MSG, recv(BUF, recvName)), (ctx) => {
        gotAt = machine.counters.cycles;
        first = ctx.read32(ctx.read32(BUF + 28)) & 0xff;
        machine.stop('done');
        ctx.trap(TRAP.TASK_SELF, []);
      }], { priority: 10 });
      scriptThread(kernel, a, [(ctx) => {
        const size = writeMsg(ctx, BUF, { bits: msghBits(MSG_TYPE.COPY_SEND), remote: dest, ool: [{ address: region, size: pages * 0x1000 }] });
        sentAt = machine.counters.cycles;
        ctx.trap(TRAP.MACH_MSG, send(BUF, size));
      }], { priority: 12 });
      expect(machine.run({ cycleBudget: 10_000_000 })).toEqual({ reason: 'stopped', stopReason: 'done' });
      expect(first).toBe(1);
      expect(machine.counters.kernel.oolPages).toBe(pages);
      return gotAt - sentAt;
    };
    const one = oneWay(1);
    const sixteen = oneWay(16);
    expect(sixteen).toBeGreaterThan(one);
    expect((sixteen - one) / 15).toBeLessThan(200); // per page: a PTE write-protect, no 4 KiB copy (a REP MOVSD page alone is 1027 clocks)
    console.log(`Mach one-way OOL message: 1 page ${one} cycles, 16 pages ${sixteen} cycles (${((sixteen - one) / 15).toFixed(0)} per extra page)`);
  });
});
