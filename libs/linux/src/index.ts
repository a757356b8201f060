// @mklab/linux: the Linux 2.0 personality. One architecture-independent core
// (src/core) and the architecture layers (src/arch: native now; l4 and mach later).

export { bootLinux, LinuxSystem, type BootOptions } from './boot';
export type { Arch, UserRegs, PathTouch } from './arch/arch';
export { LinuxKernel, DEFAULT_BOOT_EPOCH } from './core/kernel';
export { RamFs, type FileTree } from './core/fs/ramfs';
export { parseElf, type ElfImage } from './core/exec/elf';
export { NR } from './core/syscall-numbers';
export { NativeArch } from './arch/native/native-arch';
export { bootL4Linux, type L4LinuxBootOptions, type L4LinuxSystem, L4Arch, EMU_BASE, l4linuxCosts } from './arch/l4';
export * as nativeCosts from './arch/native/costs';
export { bootMkLinux, type MkLinuxBootOptions, type MkLinuxSystem, MachArch, MKLINUX_BASE, type MkLinuxConfig, mklinuxCosts } from './arch/mach';
export { prepareRoot, DEFAULT_ROOT, type RootKind, type RootOptions } from './boot';
export { fsck, type FsckReport } from './core/fs/ext2/fsck';
export { mkfs, DEFAULT_MKFS, type MkfsEntry } from './core/fs/ext2/mkfs';
export { ImageBlocks, MemoryMedium, type ByteMedium } from './core/fs/ext2/image-blocks';
