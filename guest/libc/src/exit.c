#include <stdlib.h>
#include <unistd.h>
#include <signal.h>
#include "internal.h"

#define ATEXIT_MAX 32
static void (*atexit_fns[ATEXIT_MAX])(void);
static int atexit_count;

int atexit(void (*fn)(void)) {
  if (atexit_count == ATEXIT_MAX) return -1;
  atexit_fns[atexit_count++] = fn;
  return 0;
}

void exit(int status) {
  while (atexit_count > 0) atexit_fns[--atexit_count]();
  __stdio_flush_all();
  _exit(status);
}

void _Exit(int status) { _exit(status); }

void _exit(int status) {
  for (;;) __syscall1(__NR_exit, status);
}

void abort(void) {
  __stdio_flush_all();
  raise(SIGABRT);
  signal(SIGABRT, SIG_DFL);
  raise(SIGABRT);
  _exit(127);
}
