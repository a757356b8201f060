// MkLinux: the Linux core as a single server on Mach 3 (arch/mach), user-level or co-located.
export { bootMkLinux, type MkLinuxBootOptions, type MkLinuxSystem } from './boot';
export { MachArch, LINUX_BASE as MKLINUX_BASE, type MkLinuxConfig } from './mach-arch';
export * as mklinuxCosts from './costs';
