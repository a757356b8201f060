import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import * as os from 'os';
import { Machine, P54C_CONFIG, IDE_DISK_CONFIG } from '@mklab/pentium';
import { bootLinux } from '../../boot';

const IMAGES = path.join(__dirname, '../../../../../guest/images/int80');
const img = (n: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(IMAGES, n)));

function boot(init: string, argv: string[] = [init]) {
  const machine = new Machine({ memoryBytes: 64 << 20, timing: P54C_CONFIG, disk: { config: IDE_DISK_CONFIG } });
  const linux = bootLinux(machine, { arch: 'native', root: 'disk', rootfs: { '/bin/prog': img(init) }, init: { path: '/bin/prog', argv } });
  return { machine, linux };
}

describe('native Linux on the disk root', () => {
  it('runs test-fs-files with the output of the native run', () => {
    const { machine, linux } = boot('test-fs-files');
    const r = machine.run({ cycleBudget: 20_000_000_000 });
    const native = spawnSync(path.join(IMAGES, 'test-fs-files'), [], { cwd: os.tmpdir(), encoding: 'latin1' });
    expect(linux.kernelLog()).toBe('');
    expect(r.reason).toBe('stopped');
    expect(linux.stdout()).toBe(native.stdout);
    expect(linux.initExit()).toEqual({ code: 0, signal: null });
  });
});
