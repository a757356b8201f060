/* System-call backend: Linux i386 `int $0x80` (native Linux, MkLinux's redirected
   trap, and L4Linux's trampoline for unmodified binaries). */
#ifndef _LIBC_SYS_INT80_H
#define _LIBC_SYS_INT80_H
#define LIBC_SYSCALL_INSN "int $0x80"
#include "syscall-stubs.h"
#endif
