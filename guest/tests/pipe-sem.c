/* Pipes with Linux semantics: blocking reads and writes between processes, EOF when
   the last writer closes, SIGPIPE and EPIPE when the last reader is gone, PIPE_BUF
   atomicity between two writers, a large transfer (1 MiB in odd-sized pieces) with a
   checksum, O_NONBLOCK (EAGAIN on empty and full), FIONREAD. Nothing depends on the
   pipe's capacity, which is 4 KiB on Linux 2.0 and 64 KiB today. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include "check.h"

#define PIPE_BUF 4096
static volatile int sigpipes;
static void on_pipe(int sig) { (void)sig; sigpipes++; }

static int read_full(int fd, char *buf, int n) {
  int done = 0, r;
  while (done < n && (r = read(fd, buf + done, n - done)) > 0) done += r;
  return done;
}

int main(void) {
  int p[2], q[2], status, r, n, i;
  pid_t pid, pid2;
  static char buf[70000];
  unsigned sum_w, sum_r;

  /* 1. EOF: a reader sees the bytes, then 0 once the writer closed */
  CHECK(pipe(p) == 0);
  write(p[1], "hello", 5);
  close(p[1]);
  r = read(p[0], buf, sizeof buf);
  n = read(p[0], buf + 10, 10);
  printf("read %d then %d at EOF\n", r, n);
  close(p[0]);

  /* 2. a reader blocks until a child writes; the parent sees EOF after the child exits */
  CHECK(pipe(p) == 0);
  pid = fork();
  if (pid == 0) {
    close(p[0]);
    for (i = 0; i < 3; i++) write(p[1], "abc", 3);
    _exit(0);
  }
  close(p[1]);
  n = read_full(p[0], buf, 9);
  buf[n] = 0;
  r = read(p[0], buf + 20, 1);
  printf("from child: %d bytes '%s', then %d\n", n, buf, r);
  waitpid(pid, &status, 0);
  close(p[0]);

  /* 3. no reader: SIGPIPE (handled) and EPIPE; with SIGPIPE ignored only EPIPE; default kills */
  signal(SIGPIPE, on_pipe);
  CHECK(pipe(p) == 0);
  close(p[0]);
  r = write(p[1], "x", 1);
  printf("write without reader: %d EPIPE %d SIGPIPE %d\n", r, errno == EPIPE, sigpipes);
  signal(SIGPIPE, SIG_IGN);
  r = write(p[1], "x", 1);
  printf("with SIGPIPE ignored: %d EPIPE %d SIGPIPE %d\n", r, errno == EPIPE, sigpipes);
  pid = fork();
  if (pid == 0) {
    signal(SIGPIPE, SIG_DFL);
    write(p[1], "x", 1);
    _exit(0);
  }
  waitpid(pid, &status, 0);
  printf("default SIGPIPE: killed by %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  close(p[1]);

  /* 4. 1 MiB from a child in pieces of 1..7919 bytes; the parent reads in other pieces */
  CHECK(pipe(p) == 0);
  pid = fork();
  if (pid == 0) {
    int left = 1 << 20, k = 1;
    unsigned s = 0;
    close(p[0]);
    while (left > 0) {
      int len = (k * 7919) % 8000 + 1, j;
      if (len > left) len = left;
      for (j = 0; j < len; j++) {
        buf[j] = (char)(lcg() >> 24);
        s = s * 31 + (unsigned char)buf[j];
      }
      if (write(p[1], buf, len) != len) _exit(1);
      left -= len;
      k++;
    }
    printf("writer sum %08x\n", s);
    _exit(0);
  }
  close(p[1]);
  waitpid(pid, &status, WNOHANG);
  {
    int total = 0, k = 1;
    sum_r = 0;
    for (;;) {
      int len = (k++ * 4999) % 65536 + 1, j;
      r = read(p[0], buf, len);
      if (r <= 0) break;
      for (j = 0; j < r; j++) sum_r = sum_r * 31 + (unsigned char)buf[j];
      total += r;
    }
    waitpid(pid, &status, 0);
    printf("reader got %d bytes, sum %08x, writer exit %d\n", total, sum_r, WEXITSTATUS(status));
  }
  close(p[0]);
  sum_w = 0;
  (void)sum_w;

  /* 5. PIPE_BUF atomicity: two writers, each 200 writes of PIPE_BUF bytes of its own letter;
        every PIPE_BUF-byte record the reader gets is all one letter */
  CHECK(pipe(p) == 0);
  pid = fork();
  if (pid == 0) {
    memset(buf, 'a', PIPE_BUF);
    for (i = 0; i < 200; i++) write(p[1], buf, PIPE_BUF);
    _exit(0);
  }
  pid2 = fork();
  if (pid2 == 0) {
    memset(buf, 'b', PIPE_BUF);
    for (i = 0; i < 200; i++) write(p[1], buf, PIPE_BUF);
    _exit(0);
  }
  close(p[1]);
  {
    int records = 0, mixed = 0, as = 0, bs = 0;
    while (read_full(p[0], buf, PIPE_BUF) == PIPE_BUF) {
      int j;
      records++;
      for (j = 1; j < PIPE_BUF; j++)
        if (buf[j] != buf[0]) mixed++;
      if (buf[0] == 'a') as++;
      if (buf[0] == 'b') bs++;
    }
    printf("atomic writes: %d records, a %d b %d, mixed bytes %d\n", records, as, bs, mixed);
  }
  waitpid(pid, &status, 0);
  waitpid(pid2, &status, 0);
  close(p[0]);

  /* 6. O_NONBLOCK: EAGAIN on an empty pipe with a writer, 0 without; filling up ends in
        EAGAIN (or a partial write); FIONREAD counts the bytes */
  CHECK(pipe(q) == 0);
  fcntl(q[0], F_SETFL, fcntl(q[0], F_GETFL) | O_NONBLOCK);
  fcntl(q[1], F_SETFL, O_NONBLOCK);
  r = read(q[0], buf, 10);
  printf("empty non-blocking read: %d EAGAIN %d\n", r, errno == EAGAIN);
  write(q[1], "12345", 5);
  ioctl(q[0], FIONREAD, &n);
  printf("FIONREAD %d\n", n);
  read(q[0], buf, 5);
  {
    int total = 0, full = 0;
    memset(buf, 'z', sizeof buf);
    for (i = 0; i < 100; i++) {
      r = write(q[1], buf, 1000);
      if (r < 0) {
        full = errno == EAGAIN;
        break;
      }
      total += r;
    }
    ioctl(q[0], FIONREAD, &n);
    printf("filled: EAGAIN %d, FIONREAD matches %d\n", full, n == total);
    /* a write bigger than PIPE_BUF into a part-empty pipe is partial (how much fits depends
       on the pipe's layout: one page on 2.0, pages of a ring today) */
    read_full(q[0], buf, 4000);
    r = write(q[1], buf, 2 * PIPE_BUF + 3);
    printf("large non-blocking write into a part-full pipe is partial: %d\n", r > 0 && r < 2 * PIPE_BUF + 3);
  }
  close(q[1]);
  fcntl(q[0], F_SETFL, 0);
  n = 0;
  while ((r = read(q[0], buf, sizeof buf)) > 0) n += r;
  printf("drained, then EOF %d\n", r);
  close(q[0]);
  return CHECK_DONE();
}
