/* Internal to the libc: the system-call backend and the shared helpers. */
#ifndef _LIBC_INTERNAL_H
#define _LIBC_INTERNAL_H
#include <errno.h>
#include <stdarg.h>
#include <sys/syscall.h>

/* The backend is chosen at build time (guest/build.mjs): -DLIBC_BACKEND_INT80 or,
   -DLIBC_BACKEND_L4IPC. Each provides __syscall0..__syscall6 returning the
   raw kernel result (-errno on failure, Linux convention). */
#if defined(LIBC_BACKEND_INT80)
#include "../sys/int80.h"
#elif defined(LIBC_BACKEND_L4IPC)
#include "../sys/l4ipc.h"
#else
#error "no system-call backend selected (define LIBC_BACKEND_INT80)"
#endif

/* Linux returns -1..-4095 for errors. */
static inline long __sysret(long r) {
  if ((unsigned long)r > -4096UL) {
    errno = (int)-r;
    return -1;
  }
  return r;
}

/* the signal trampoline of the backend (sys/<backend>.c) */
void __sigreturn_restorer(void);

/* printf engine: calls put(ctx, bytes, n) for each piece; returns the byte count */
int __vformat(void (*put)(void *ctx, const char *s, int n), void *ctx, const char *fmt, va_list ap);

void __stdio_flush_all(void);
void __fpu_init(void);
#endif
