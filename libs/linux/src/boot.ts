// bootLinux: builds the kernel on a machine and starts the first process.

import type { Machine } from '@mklab/pentium';
import { NativeArch } from './arch/native/native-arch';
import { FileTree, RamFs, S_IFDIR, treeEntries } from './core/fs/ramfs';
import { DEFAULT_BOOT_EPOCH, LinuxKernel } from './core/kernel';
import type { DiskOptions } from './core/block/disk-root';
import { mkfs, DEFAULT_MKFS, MkfsEntry } from './core/fs/ext2/mkfs';
import { ImageBlocks } from './core/fs/ext2/image-blocks';

/**
 * Where the root file system lives:
 *   'ramfs'  in memory, built from the FileTree (no disk is touched)
 *   'disk'   ext2 on the machine's IDE disk: mkfs builds it from the FileTree at boot
 *            (everything but /dev and /tmp), unless `mkfs: false` boots the disk as it
 *            is (a reboot); /dev and /tmp are in-memory file systems mounted on it
 */
export type RootKind = 'ramfs' | 'disk';
export interface RootOptions {
  root?: RootKind;
  /** with root 'disk': build a fresh file system from the tree (default) or keep the disk's */
  mkfs?: boolean;
}

/** The root of every system whose machine has a disk, unless the boot options name one. */
export const DEFAULT_ROOT: RootKind = 'disk';

/**
 * The kernel's root from a FileTree, for any architecture's boot: the RamFs (the whole
 * tree, or with a disk root only /dev and /tmp) and the disk options.
 */
export function prepareRoot(machine: Machine, tree: FileTree, opts: RootOptions & { bootEpochSeconds?: number }): { rootfs: RamFs; disk?: DiskOptions } {
  // a machine without a disk boots from memory whatever the default
  const kind = opts.root ?? (machine.ide ? DEFAULT_ROOT : 'ramfs');
  if (kind === 'ramfs') return { rootfs: RamFs.fromTree(tree) };
  if (kind !== 'disk') throw new Error(`boot: root must be 'ramfs' or 'disk', not '${String(kind)}'`);
  const ide = machine.ide;
  if (!ide) throw new Error("boot: root 'disk' needs a machine with an IDE disk (MachineOptions.disk)");
  const memory = new RamFs();
  memory.addDevices(memory.mkdirs('/dev'));
  memory.mkdirs('/tmp').mode = S_IFDIR | 0o1777;
  const onDisk: MkfsEntry[] = [
    { path: '/dev', mode: S_IFDIR | 0o755 },
    { path: '/tmp', mode: S_IFDIR | 0o1777 },
    // scratch directories on the disk itself (/tmp is in memory): lmbench 1.x's default is /usr/tmp
    { path: '/usr/tmp', mode: S_IFDIR | 0o1777 },
    { path: '/var/tmp', mode: S_IFDIR | 0o1777 },
  ];
  for (const e of treeEntries(tree)) {
    if (e.path === '/dev' || e.path.startsWith('/dev/')) throw new Error(`FileTree: ${e.path}: /dev is the kernel's`);
    if (e.path === '/tmp' || e.path.startsWith('/tmp/')) memory.addEntry(e.path, e.mode, e.bytes);
    else onDisk.push(e);
  }
  if (opts.mkfs !== false) mkfs(new ImageBlocks(ide.image), onDisk, { ...DEFAULT_MKFS, time: opts.bootEpochSeconds ?? DEFAULT_BOOT_EPOCH });
  return {
    rootfs: memory,
    disk: { io: machine.io, bootRead: (sector, count) => ide.image.read(sector * 512, count * 512) },
  };
}

export interface BootOptions extends RootOptions {
  arch: 'native';
  rootfs: FileTree;
  init: { path: string; argv?: string[]; envp?: string[] };
  /** fd 0 of the first process: the console tty (reads block until input is typed; default) or /dev/null (reads return EOF) */
  stdin?: 'console' | 'null';
  /** seconds since the Epoch at cycle 0 (default: 1997-10-05, the first day of SOSP'97) */
  bootEpochSeconds?: number;
}

/** A booted Linux: the kernel plus what the experiment harness reads. */
export class LinuxSystem {
  constructor(
    readonly kernel: LinuxKernel,
    private readonly machine: Machine,
  ) {}

  /** Everything processes wrote to the console through fds other than 2. */
  stdout(): string {
    return this.machine.console.text('stdout');
  }

  /** Everything processes wrote through fd 2. */
  stderr(): string {
    return this.machine.console.text('stderr');
  }

  /** Kernel messages (panics). */
  kernelLog(): string {
    return this.machine.console.text('kernel');
  }

  /** How init ended ({code} for exit(code), {signal} when killed), null while it runs. */
  initExit(): { code: number | null; signal: number | null } | null {
    return this.kernel.initExit;
  }

  /** Be told of every console write: fd, bytes and the writing pid. */
  onConsoleWrite(listener: (fd: number, bytes: Uint8Array, pid: number) => void): () => void {
    return this.kernel.onConsoleWrite(listener);
  }

  /** Type bytes at the console (the tty's input). */
  consoleInput(bytes: ArrayLike<number> | string): void {
    this.kernel.consoleType(typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes);
  }

  /** System calls that returned -ENOSYS, by number. */
  enosys(): Map<number, number> {
    return new Map(this.kernel.enosysNumbers);
  }
}

export function bootLinux(machine: Machine, opts: BootOptions): LinuxSystem {
  if (opts.arch !== 'native') throw new Error(`bootLinux: arch '${String(opts.arch)}' is not available yet (native only)`);
  if (!opts.init || typeof opts.init.path !== 'string' || !opts.init.path.startsWith('/')) {
    throw new Error('bootLinux: init.path must be an absolute path');
  }
  const root = prepareRoot(machine, opts.rootfs, opts);
  const arch = new NativeArch(machine);
  const kernel = new LinuxKernel({ mem: machine.memory, arch, ...root, counters: () => machine.counters.kernel, bootEpochSeconds: opts.bootEpochSeconds });
  arch.createTask(kernel.idle);
  const argv = opts.init.argv ?? [opts.init.path];
  const envp = opts.init.envp ?? [];
  const init = kernel.spawnInit(opts.init.path, argv, envp, opts.stdin ?? 'console');
  arch.start(init);
  return new LinuxSystem(kernel, machine);
}
