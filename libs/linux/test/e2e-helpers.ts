// Helpers for the end-to-end tests: boot a Machine with native Linux and guest images.
import * as fs from 'fs';
import * as path from 'path';
import { Machine } from '@mklab/pentium';
import { bootLinux, LinuxSystem } from '../src';
import type { FileTree } from '../src/core/fs/ramfs';

export const IMAGES = path.join(__dirname, '../../../guest/images/int80');

export function image(name: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(IMAGES, name)));
}

export interface Booted {
  machine: Machine;
  linux: LinuxSystem;
  result: ReturnType<Machine['run']>;
}

export function runProgram(
  init: { path: string; argv?: string[]; envp?: string[] },
  rootfs: FileTree,
  cycleBudget = 2_000_000_000,
): Booted {
  const machine = new Machine({ memoryBytes: 64 << 20 });
  const linux = bootLinux(machine, { arch: 'native', rootfs, init });
  const result = machine.run({ cycleBudget });
  return { machine, linux, result };
}
