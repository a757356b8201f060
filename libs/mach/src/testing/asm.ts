// The kernel tests' user-code assembler (libs/pentium), plus Mach's trap convention.
import { UserAsm } from '@mklab/pentium';

export { R } from '@mklab/pentium';

export class Asm extends UserAsm {
  /** mach_msg etc.: ESP = args − 4 (as after a call to the libmach stub), EAX = trap, int 0x81 */
  machTrap(trap: number, args: number): this {
    return this.movImm(4, args - 4).movImm(0, trap >>> 0).int(0x81);
  }
}
