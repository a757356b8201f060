// L4Linux: the Linux core on the L4 µ-kernel (arch/l4).
export { bootL4Linux, type L4LinuxBootOptions, type L4LinuxSystem } from './boot';
export { L4Arch, SERVER_TASK, LINUX_BASE } from './l4-arch';
export { EMU_BASE, assembleEmuLib } from './emulib';
export * as l4linuxCosts from './costs';
