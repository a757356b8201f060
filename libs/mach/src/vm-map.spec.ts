import { bootMach } from './testing/boot';
import { VmError } from './vm-map';

describe('vm_map', () => {
  it('copyin with deallocate moves the region out of the source map; copyout places it elsewhere with its contents', () => {
    const { kernel } = bootMach({ timerHz: 0 });
    const a = kernel.createTask();
    const b = kernel.createTask();
    const at = a.map.allocate(null, 0x3000);
    kernel.writeUser(a, at + 0x1000, [1, 2, 3]);
    const copy = a.map.copyin(at + 0x1000, 0x1000, true);
    expect(a.map.lookup(at + 0x1000)).toBeUndefined();
    expect(a.map.lookup(at)).toBeDefined(); // the neighbours stay (entries clipped)
    expect(a.map.lookup(at + 0x2000)).toBeDefined();
    expect(a.map.pmap.extract(at + 0x1000)).toBeNull();
    const there = b.map.copyout(copy);
    expect(kernel.readUser(b, there, 3)).toEqual([1, 2, 3]);
  });

  it('rejects what Mach rejects: overlapping allocations, copies of holes, protections beyond the maximum', () => {
    const { kernel } = bootMach({ timerHz: 0 });
    const a = kernel.createTask();
    a.map.allocate(0x400000, 0x2000);
    expect(() => a.map.allocate(0x401000, 0x1000)).toThrow(VmError);
    expect(() => a.map.copyin(0x401000, 0x2000, false)).toThrow(/not mapped/);
    a.map.protect(0x400000, 0x1000, 1, true);
    expect(() => a.map.protect(0x400000, 0x1000, 3)).toThrow(/maximum/);
    expect(() => a.map.allocate(0x400000, 0)).toThrow(/bad size/);
  });
});
