/* test-x87 with infinity, the default NaN, and operands that only the 80-bit format
   holds (64-bit significands, exponents beyond double's range). */
#define X87_EXTENDED_OPERANDS 1
#include "x87.c"
