/* Thin wrappers: one Linux i386 system call each, errno on failure. */
#include <unistd.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "internal.h"

ssize_t read(int fd, void *buf, size_t n) { return __sysret(__syscall3(__NR_read, fd, (long)buf, n)); }
ssize_t write(int fd, const void *buf, size_t n) { return __sysret(__syscall3(__NR_write, fd, (long)buf, n)); }
int close(int fd) { return __sysret(__syscall1(__NR_close, fd)); }
off_t lseek(int fd, off_t off, int whence) { return __sysret(__syscall3(__NR_lseek, fd, off, whence)); }

int open(const char *path, int flags, ...) {
  va_list ap;
  int mode = 0;
  va_start(ap, flags);
  if (flags & O_CREAT) mode = va_arg(ap, int);
  va_end(ap);
  return __sysret(__syscall3(__NR_open, (long)path, flags, mode));
}
int creat(const char *path, mode_t mode) { return __sysret(__syscall2(__NR_creat, (long)path, mode)); }
int unlink(const char *path) { return __sysret(__syscall1(__NR_unlink, (long)path)); }
int chdir(const char *path) { return __sysret(__syscall1(__NR_chdir, (long)path)); }
int pipe(int fds[2]) { return __sysret(__syscall1(__NR_pipe, (long)fds)); }
int dup(int fd) { return __sysret(__syscall1(__NR_dup, fd)); }
int dup2(int fd, int fd2) { return __sysret(__syscall2(__NR_dup2, fd, fd2)); }

pid_t fork(void) { return __sysret(__syscall0(__NR_fork)); }
int execve(const char *path, char *const argv[], char *const envp[]) {
  return __sysret(__syscall3(__NR_execve, (long)path, (long)argv, (long)envp));
}
/* getpid, getppid and getuid cannot fail: no errno check, the shortest path. */
pid_t getpid(void) { return __syscall0(__NR_getpid); }
pid_t getppid(void) { return __syscall0(__NR_getppid); }
uid_t getuid(void) { return __syscall0(__NR_getuid); }

pid_t waitpid(pid_t pid, int *status, int options) {
  return __sysret(__syscall3(__NR_waitpid, pid, (long)status, options));
}
pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru) {
  return __sysret(__syscall4(__NR_wait4, pid, (long)status, options, (long)ru));
}
pid_t wait(int *status) { return waitpid(-1, status, 0); }

int kill(pid_t pid, int sig) { return __sysret(__syscall2(__NR_kill, pid, sig)); }
int raise(int sig) { return kill(getpid(), sig); }
int pause(void) { return __sysret(__syscall0(__NR_pause)); }
unsigned alarm(unsigned seconds) { return __syscall1(__NR_alarm, seconds); }

time_t time(time_t *t) { return __sysret(__syscall1(__NR_time, (long)t)); }
int gettimeofday(struct timeval *tv, struct timezone *tz) {
  return __sysret(__syscall2(__NR_gettimeofday, (long)tv, (long)tz));
}
int uname(struct utsname *u) { return __sysret(__syscall1(__NR_uname, (long)u)); }

/* old mmap (90): one pointer to the six arguments */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
  unsigned long args[6] = {(unsigned long)addr, len, (unsigned long)prot, (unsigned long)flags,
                           (unsigned long)fd, (unsigned long)off};
  return (void *)__sysret(__syscall1(__NR_mmap, (long)args));
}
int munmap(void *addr, size_t len) { return __sysret(__syscall2(__NR_munmap, (long)addr, len)); }
int mprotect(void *addr, size_t len, int prot) {
  return __sysret(__syscall3(__NR_mprotect, (long)addr, len, prot));
}

/* brk(2) returns the new break, or the old one when it cannot move it. */
static char *cur_brk;
int brk(void *addr) {
  char *r = (char *)__syscall1(__NR_brk, (long)addr);
  cur_brk = r;
  if (r < (char *)addr) {
    errno = ENOMEM;
    return -1;
  }
  return 0;
}
void *sbrk(int incr) {
  char *old, *want;
  if (!cur_brk) cur_brk = (char *)__syscall1(__NR_brk, 0);
  old = cur_brk;
  if (incr == 0) return old;
  want = old + incr;
  if ((incr > 0 && want < old) || (incr < 0 && want > old)) {
    errno = ENOMEM;
    return (void *)-1;
  }
  cur_brk = (char *)__syscall1(__NR_brk, (long)want);
  if (cur_brk != want) {
    errno = ENOMEM;
    return (void *)-1;
  }
  return old;
}
