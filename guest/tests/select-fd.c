/* Descriptor calls: dup, dup2, fcntl (F_DUPFD, F_GETFD/F_SETFD with FD_CLOEXEC honoured
   by exec, F_GETFL/F_SETFL), ioctl (TCGETS fails with ENOTTY off a tty, FIONREAD), and
   select on pipes and files (readiness, EOF, timeouts, a writer child waking select). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include "check.h"

static int ready(int fd, int for_write, long usec) {
  fd_set s;
  struct timeval tv = {0, usec};
  FD_ZERO(&s);
  FD_SET(fd, &s);
  return select(fd + 1, for_write ? 0 : &s, for_write ? &s : 0, 0, &tv);
}

int main(int argc, char **argv) {
  int p[2], fd, fd2, r, n, status;
  char buf[64], path[256], name[64];
  const char *bin = getenv("GUEST_BIN");
  pid_t pid;

  if (argc == 3 && strcmp(argv[1], "probe") == 0) {
    /* exec'd by the parent: which descriptors survived the exec */
    int keep = atoi(argv[2]);
    printf("after exec: fd %d open %d, fd %d open %d\n", keep, fcntl(keep, F_GETFD) >= 0, keep + 1,
           fcntl(keep + 1, F_GETFD) >= 0);
    return 0;
  }

  /* 1. dup, dup2, F_DUPFD share the file offset; FD_CLOEXEC is per descriptor */
  snprintf(name, sizeof name, "/tmp/select-fd-%d", getpid());
  fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
  write(fd, "0123456789", 10);
  fd2 = dup(fd);
  printf("dup gives the lowest free: %d\n", fd2 == fd + 1);
  lseek(fd, 2, SEEK_SET);
  read(fd2, buf, 3);
  buf[3] = 0;
  printf("shared offset: read '%s' at %ld\n", buf, (long)lseek(fd, 0, SEEK_CUR));
  r = dup2(fd, 20);
  n = dup2(99, 21);
  printf("dup2 to 20: %d, same fd: %d, bad: %d EBADF %d\n", r, dup2(fd, fd) == fd, n, errno == EBADF);
  r = fcntl(fd, F_DUPFD, 30);
  printf("F_DUPFD from 30: %d, again %d\n", r, fcntl(fd, F_DUPFD, 30));
  CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0);
  printf("FD_CLOEXEC on fd only: %d %d\n", fcntl(fd, F_GETFD), fcntl(fd2, F_GETFD));
  printf("F_GETFL access mode %d, append %d\n", fcntl(fd, F_GETFL) & 3, (fcntl(fd, F_GETFL) & O_APPEND) != 0);
  fcntl(fd, F_SETFL, O_APPEND);
  printf("after F_SETFL O_APPEND: append %d (the dup too %d)\n", (fcntl(fd, F_GETFL) & O_APPEND) != 0,
         (fcntl(fd2, F_GETFL) & O_APPEND) != 0);
  r = fcntl(99, F_GETFD);
  printf("fcntl on a closed fd: %d EBADF %d\n", r, errno == EBADF);

  /* 2. exec closes FD_CLOEXEC descriptors only */
  if (bin) {
    int a = dup2(fd2, 40), b = dup2(fd2, 41);
    fcntl(b, F_SETFD, FD_CLOEXEC);
    (void)a;
    snprintf(path, sizeof path, "%s/test-select-fd", bin);
    pid = fork();
    if (pid == 0) {
      char *av[] = {"test-select-fd", "probe", "40", 0};
      char *ev[] = {0};
      execve(path, av, ev);
      _exit(127);
    }
    waitpid(pid, &status, 0);
    printf("probe exited %d\n", WEXITSTATUS(status));
    close(40);
    close(41);
  }

  /* 3. ioctl */
  r = ioctl(fd, TCGETS, buf);
  printf("TCGETS on a file: %d ENOTTY %d\n", r, errno == ENOTTY);
  lseek(fd2, 4, SEEK_SET);
  ioctl(fd2, FIONREAD, &n);
  printf("FIONREAD on a file at 4 of 10: %d\n", n);
  CHECK(pipe(p) == 0);
  r = ioctl(p[0], TCGETS, buf);
  printf("TCGETS on a pipe: %d ENOTTY %d\n", r, errno == ENOTTY);
  printf("isatty(pipe) %d\n", isatty(p[0]));

  /* 4. select on a pipe */
  printf("empty pipe: readable %d, writable %d\n", ready(p[0], 0, 0), ready(p[1], 1, 0));
  write(p[1], "x", 1);
  printf("after a byte: readable %d\n", ready(p[0], 0, 0));
  read(p[0], buf, 1);
  {
    struct timeval t0, t1, tv = {0, 50000};
    fd_set s;
    long ms;
    FD_ZERO(&s);
    FD_SET(p[0], &s);
    gettimeofday(&t0, 0);
    r = select(p[0] + 1, &s, 0, 0, &tv);
    gettimeofday(&t1, 0);
    ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000;
    /* no upper bound worth the name: a busy host may be slow to wake us */
    printf("50 ms timeout: %d, fd cleared %d, waited at least 40 ms %d\n", r, !FD_ISSET(p[0], &s), ms >= 40 && ms < 10000);
  }
  {
    fd_set s;
    FD_ZERO(&s);
    FD_SET(p[0], &s);
    FD_SET(fd, &s);
    r = select(p[0] > fd ? p[0] + 1 : fd + 1, &s, 0, 0, 0);
    printf("select with a file and a pipe: %d, file %d, pipe %d\n", r, FD_ISSET(fd, &s) != 0, FD_ISSET(p[0], &s) != 0);
  }
  /* a child writes after a while: select wakes up */
  pid = fork();
  if (pid == 0) {
    struct timeval tv = {0, 20000};
    select(0, 0, 0, 0, &tv); /* sleep 20 ms */
    write(p[1], "wake", 4);
    _exit(0);
  }
  {
    fd_set s;
    FD_ZERO(&s);
    FD_SET(p[0], &s);
    r = select(p[0] + 1, &s, 0, 0, 0);
    n = read(p[0], buf, sizeof buf);
    printf("woken by the child: %d, read %d\n", r, n);
  }
  waitpid(pid, &status, 0);
  close(p[1]);
  printf("EOF is readable: %d, read %d\n", ready(p[0], 0, 0), (int)read(p[0], buf, 1));
  {
    fd_set s;
    FD_ZERO(&s);
    FD_SET(50, &s);
    r = select(51, &s, 0, 0, 0);
    printf("select on a closed fd: %d EBADF %d\n", r, errno == EBADF);
  }
  close(p[0]);
  close(fd);
  close(fd2);
  unlink(name);
  return CHECK_DONE();
}
