// bootLinux: builds the kernel on a machine and starts the first process.

import type { Machine } from '@mklab/pentium';
import { NativeArch } from './arch/native/native-arch';
import { FileTree, RamFs } from './core/fs/ramfs';
import { LinuxKernel } from './core/kernel';

export interface BootOptions {
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
  const rootfs = RamFs.fromTree(opts.rootfs);
  const arch = new NativeArch(machine);
  const kernel = new LinuxKernel({ mem: machine.memory, arch, rootfs, counters: () => machine.counters.kernel, bootEpochSeconds: opts.bootEpochSeconds });
  arch.createTask(kernel.idle);
  const argv = opts.init.argv ?? [opts.init.path];
  const envp = opts.init.envp ?? [];
  const init = kernel.spawnInit(opts.init.path, argv, envp, opts.stdin ?? 'console');
  arch.start(init);
  return new LinuxSystem(kernel, machine);
}
