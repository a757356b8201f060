/* Host-side shim for guest/libc/printf.spec.ts: the guest printf engine compiled for
   the build host, behind a snprintf-like entry point. */
#include <stdarg.h>
#include <string.h>
#include "internal.h"
int errno;
struct sb { char *p; unsigned cap, len; };
static void put(void *c, const char *s, int n) { struct sb *b = c; while (n--) { if (b->len < b->cap) b->p[b->len] = *s; b->len++; s++; } }
int my_snprintf(char *s, unsigned n, const char *fmt, ...) { va_list ap; struct sb b = {s, n - 1, 0}; int r; va_start(ap, fmt); r = __vformat(put, &b, fmt, ap); va_end(ap); s[b.len < b.cap ? b.len : b.cap] = 0; return r; }
