/* System-call backend: L4Linux's L4 IPC path (the out-of-line parts). */
#include "l4ipc.h"
#include "syscall-stubs.inc"
