// The kernel tests' user-code assembler lives in libs/pentium (shared with Mach's tests).
export { UserAsm as Asm, R } from '@mklab/pentium';
