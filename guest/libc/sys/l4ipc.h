/* System-call backend: L4Linux's L4 IPC path (the paper's modified libc). Instead of
   trapping, the stub calls the entry of the emulation library that L4Linux maps into
   every process (EMU_ENTRY = EMU_BASE 0xbf000000 + 6, libs/linux/src/arch/l4/emulib.ts),
   which sends the call to the Linux server by L4 IPC and waits for the reply. Same
   registers as `int $0x80`; the library preserves everything but EAX. */
#ifndef _LIBC_SYS_L4IPC_H
#define _LIBC_SYS_L4IPC_H
#define LIBC_SYSCALL_INSN "call 0xbf000006"
#include "syscall-stubs.h"
#endif
