/* File-system calls beyond syscalls.c and lmb-support.c: link, rename, access, umask,
   truncate, ftruncate, sync, fsync, fdatasync, getcwd, utime, fchdir, getdents. One
   Linux i386 system call each (2.0 numbers; getcwd is 2.1.92's #183, fdatasync 2.1's). */
#include <unistd.h>
#include <sys/stat.h>
#include <utime.h>
#include <dirent.h>
#include "internal.h"

#define NR_link 9
#define NR_utime 30
#define NR_access 33
#define NR_sync 36
#define NR_rename 38
#define NR_umask 60
#define NR_truncate 92
#define NR_ftruncate 93
#define NR_fsync 118
#define NR_fchdir 133
#define NR_getdents 141
#define NR_fdatasync 148
#define NR_getcwd 183

int link(const char *from, const char *to) { return __sysret(__syscall2(NR_link, (long)from, (long)to)); }
int rename(const char *from, const char *to) { return __sysret(__syscall2(NR_rename, (long)from, (long)to)); }
int access(const char *path, int mode) { return __sysret(__syscall2(NR_access, (long)path, mode)); }
mode_t umask(mode_t mask) { return (mode_t)__syscall1(NR_umask, mask); }
int truncate(const char *path, off_t len) { return __sysret(__syscall2(NR_truncate, (long)path, len)); }
int ftruncate(int fd, off_t len) { return __sysret(__syscall2(NR_ftruncate, fd, len)); }
void sync(void) { __syscall0(NR_sync); }
int fsync(int fd) { return __sysret(__syscall1(NR_fsync, fd)); }
int fdatasync(int fd) { return __sysret(__syscall1(NR_fdatasync, fd)); }
int fchdir(int fd) { return __sysret(__syscall1(NR_fchdir, fd)); }
int utime(const char *path, const struct utimbuf *times) { return __sysret(__syscall2(NR_utime, (long)path, (long)times)); }
int getdents(int fd, struct dirent *buf, unsigned count) { return __sysret(__syscall3(NR_getdents, fd, (long)buf, count)); }

char *getcwd(char *buf, size_t size) {
  long r = __syscall2(NR_getcwd, (long)buf, size);
  if (__sysret(r) < 0) return 0;
  return buf;
}
