#include "internal.h"

/* x87 control word 0x027F: all exceptions masked, precision control 10b = 53-bit
   (double), rounding control 00b = to nearest. Linux hands a process 0x037F (64-bit
   extended precision); we round every x87 result to double so that the same binary
   computes the same values on any FPU that implements double arithmetic faithfully,
   which is what the emulator's x87 does. */
void __fpu_init(void) {
  unsigned short cw = 0x027F;
  __asm__ volatile("fldcw %0" : : "m"(cw));
}
