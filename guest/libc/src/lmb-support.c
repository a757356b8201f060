/* System calls the lmbench programs and the shell need beyond syscalls.c: stat, lstat,
   fstat, mkdir, rmdir, select. Weak, so that a strong definition another part of the
   libc adds later wins without a link error (then this file can shrink). */
#include <sys/stat.h>
#include <sys/select.h>
#include "internal.h"

/* Linux 2.0 i386 numbers (include/asm-i386/unistd.h), for those sys/syscall.h lacks */
#ifndef __NR_mkdir
#define __NR_mkdir 39
#endif
#ifndef __NR_rmdir
#define __NR_rmdir 40
#endif
#ifndef __NR_stat
#define __NR_stat 106
#endif
#ifndef __NR_lstat
#define __NR_lstat 107
#endif
#ifndef __NR_fstat
#define __NR_fstat 108
#endif
#ifndef __NR__newselect
#define __NR__newselect 142
#endif

#define WEAK __attribute__((weak))

WEAK int stat(const char *path, struct stat *st) { return __sysret(__syscall2(__NR_stat, (long)path, (long)st)); }
WEAK int lstat(const char *path, struct stat *st) { return __sysret(__syscall2(__NR_lstat, (long)path, (long)st)); }
WEAK int fstat(int fd, struct stat *st) { return __sysret(__syscall2(__NR_fstat, fd, (long)st)); }
WEAK int mkdir(const char *path, mode_t mode) { return __sysret(__syscall2(__NR_mkdir, (long)path, mode)); }
WEAK int rmdir(const char *path) { return __sysret(__syscall1(__NR_rmdir, (long)path)); }
WEAK int select(int n, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *timeout) {
  return __sysret(__syscall5(__NR__newselect, n, (long)rd, (long)wr, (long)ex, (long)timeout));
}
