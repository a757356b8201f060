import { bootMach, TEST_MARK } from './testing/boot';
import { Asm, R } from './testing/asm';
import { scriptThread } from './testing/script';
import { TRAP } from './kernel';
import { EXC, EXC_MSG, KERN, MACH_RCV_MSG, VM_PROT_READ } from './index';

const VAR = 0x1000;

describe('Mach VM operations', () => {
  it('vm_allocate / vm_protect / vm_deallocate traps act on the map and the real page tables', () => {
    const { machine, kernel } = bootMach({ timerHz: 0 });
    const t = kernel.createTask();
    t.map.allocate(VAR, 0x1000);
    let at = 0;
    const S = scriptThread(
      kernel,
      t,
      [
        (ctx) => ctx.trap(TRAP.VM_ALLOCATE, [t.selfName, VAR, 0x3000, 1]),
        (ctx) => {
          at = ctx.read32(VAR);
          ctx.write32(at + 0x1000, 77); // resolves a zero-fill fault
          ctx.trap(TRAP.VM_PROTECT, [t.selfName, at, 0x3000, 0, VM_PROT_READ]);
        },
        (ctx) => ctx.trap(TRAP.VM_DEALLOCATE, [t.selfName, at + 0x2000, 0x1000]),
        (ctx) => ctx.trap(TRAP.VM_ALLOCATE, [t.selfName + 0x100, VAR, 0x1000, 1]), // not a task port
      ],
      { onDone: () => machine.stop('done') },
    );
    expect(machine.run({ cycleBudget: 5_000_000 }).reason).toBe('stopped');
    expect(S.results).toEqual([0, 0, 0, KERN.INVALID_ARGUMENT]);
    expect(at).toBeGreaterThanOrEqual(t.map.minAddress);
    expect(t.map.lookup(at + 0x1000)?.protection).toBe(VM_PROT_READ);
    expect(t.map.pmap.extract(at + 0x1000)).toEqual({ frame: expect.any(Number), writable: false });
    expect(t.map.lookup(at + 0x2000)).toBeUndefined();
    expect(kernel.readUser32(t, at + 0x1000)).toBe(77);
  });

  it('a guest store to write-protected memory is an EXC_BAD_ACCESS exception message with KERN_PROTECTION_FAILURE and the address', () => {
    const { machine, kernel } = bootMach({ timerHz: 0 });
    const h = kernel.createTask();
    h.map.allocate(VAR, 0x1000);
    const port = kernel.ports.allocate();
    const name = h.space.insert({ port, type: 16 });
    const seen: number[] = [];
    scriptThread(kernel, h, [(ctx) => ctx.trap(TRAP.MACH_MSG, [VAR, MACH_RCV_MSG, 0, 512, name, 0, 0]), (ctx) => {
      seen.push(ctx.read32(VAR + EXC_MSG.EXCEPTION), ctx.read32(VAR + EXC_MSG.CODE0), ctx.read32(VAR + EXC_MSG.CODE1));
      machine.stop('done');
      ctx.trap(TRAP.TASK_SELF, []);
    }]);
    const g = kernel.createTask();
    const DATA = 0x20000000;
    g.map.allocate(DATA, 0x1000);
    g.map.protect(DATA, 0x1000, VM_PROT_READ);
    const a = new Asm(0x08048000).movImm(R.EAX, 5).store(DATA + 8, R.EAX).hostcall(TEST_MARK);
    g.map.allocate(0x08048000, 0x1000);
    kernel.writeUser(g, 0x08048000, a.assemble());
    g.exceptionPort = port;
    kernel.createThread(g, 0x08048000, 0);
    expect(machine.run({ cycleBudget: 5_000_000 })).toEqual({ reason: 'stopped', stopReason: 'done' });
    expect(seen).toEqual([EXC.BAD_ACCESS, KERN.PROTECTION_FAILURE, DATA + 8]);
  });

  it('vm_read, vm_write and vm_copy make copy-on-write copies between and inside tasks', () => {
    const { kernel } = bootMach({ timerHz: 0 });
    const a = kernel.createTask();
    const b = kernel.createTask();
    const src = a.map.allocate(null, 0x2000);
    kernel.writeUser(a, src, [1, 2, 3, 4]);
    const got = kernel.vmRead(a, src, 0x2000, b);
    expect(kernel.readUser(b, got, 4)).toEqual([1, 2, 3, 4]);
    kernel.writeUser(b, got, [9]);
    expect(kernel.readUser(a, src, 1)).toEqual([1]);
    const dst = a.map.allocate(null, 0x1000);
    kernel.vmWrite(a, dst, b, got, 0x1000);
    expect(kernel.readUser(a, dst, 4)).toEqual([9, 2, 3, 4]);
    kernel.vmCopy(a, src, 0x1000, dst);
    expect(kernel.readUser(a, dst, 4)).toEqual([1, 2, 3, 4]);
    kernel.writeUser(a, src, [5]);
    expect(kernel.readUser(a, dst, 1)).toEqual([1]);
  });
});
