/* Process groups and sessions, identities, times, resource usage and limits,
   nanosleep, fcntl/ioctl, msync: one Linux i386 system call each. */
#include <unistd.h>
#include <fcntl.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/times.h>
#include "internal.h"

/* Linux 2.0 i386 numbers (include/asm-i386/unistd.h) */
#define NR_setuid 23
#define NR_setgid 46
#define NR_geteuid 49
#define NR_getgid 47
#define NR_getegid 50
#define NR_ioctl 54
#define NR_fcntl 55
#define NR_setpgid 57
#define NR_getpgrp 65
#define NR_setsid 66
#define NR_setreuid 70
#define NR_setregid 71
#define NR_setrlimit 75
#define NR_getrlimit 76
#define NR_getrusage 77
#define NR_getpgid 132
#define NR_msync 144
#define NR_getsid 147
#define NR_nanosleep 162

uid_t geteuid(void) { return __syscall0(NR_geteuid); }
gid_t getgid(void) { return __syscall0(NR_getgid); }
gid_t getegid(void) { return __syscall0(NR_getegid); }
int setuid(uid_t uid) { return __sysret(__syscall1(NR_setuid, uid)); }
int setgid(gid_t gid) { return __sysret(__syscall1(NR_setgid, gid)); }
int setreuid(uid_t r, uid_t e) { return __sysret(__syscall2(NR_setreuid, (short)r, (short)e)); }
int setregid(gid_t r, gid_t e) { return __sysret(__syscall2(NR_setregid, (short)r, (short)e)); }

int setpgid(pid_t pid, pid_t pgid) { return __sysret(__syscall2(NR_setpgid, pid, pgid)); }
pid_t getpgid(pid_t pid) { return __sysret(__syscall1(NR_getpgid, pid)); }
pid_t getpgrp(void) { return __syscall0(NR_getpgrp); }
pid_t setsid(void) { return __sysret(__syscall0(NR_setsid)); }
pid_t getsid(pid_t pid) { return __sysret(__syscall1(NR_getsid, pid)); }

clock_t times(struct tms *buf) { return __sysret(__syscall1(__NR_times, (long)buf)); }
int getrusage(int who, struct rusage *u) { return __sysret(__syscall2(NR_getrusage, who, (long)u)); }
int getrlimit(int res, struct rlimit *rl) { return __sysret(__syscall2(NR_getrlimit, res, (long)rl)); }
int setrlimit(int res, const struct rlimit *rl) { return __sysret(__syscall2(NR_setrlimit, res, (long)rl)); }

int nanosleep(const struct timespec *req, struct timespec *rem) {
  return __sysret(__syscall2(NR_nanosleep, (long)req, (long)rem));
}
unsigned sleep(unsigned seconds) {
  struct timespec req = {seconds, 0}, rem;
  if (nanosleep(&req, &rem) < 0) return rem.tv_sec + (rem.tv_nsec > 0);
  return 0;
}

int fcntl(int fd, int cmd, ...) {
  va_list ap;
  long arg;
  va_start(ap, cmd);
  arg = va_arg(ap, long);
  va_end(ap);
  return __sysret(__syscall3(NR_fcntl, fd, cmd, arg));
}
int ioctl(int fd, unsigned long request, ...) {
  va_list ap;
  long arg;
  va_start(ap, request);
  arg = va_arg(ap, long);
  va_end(ap);
  return __sysret(__syscall3(NR_ioctl, fd, (long)request, arg));
}
int isatty(int fd) {
  char termios[60];
  return ioctl(fd, TCGETS, termios) == 0;
}

int msync(void *addr, size_t len, int flags) { return __sysret(__syscall3(NR_msync, (long)addr, len, flags)); }
