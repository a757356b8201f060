/* System-call backend: Linux i386 `int $0x80` (the out-of-line parts). */
#include "int80.h"
#include "syscall-stubs.inc"
