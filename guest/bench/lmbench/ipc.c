/* Local IPC between two processes: pipe and AF_UNIX stream latency (a 1-byte token
   bounced through a pair of channels, round trip), and pipe bandwidth (64 KiB
   writes and reads). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/wait.h>
#include "lmb.h"
#include "net.h"

/* A child that sends back every byte it reads, until end-of-file. */
static pid_t start_echo(int in, int out, const int *close_in_child, int nclose) {
  pid_t pid = fork();
  if (pid == 0) {
    char c;
    int i;
    for (i = 0; i < nclose; i++) close(close_in_child[i]);
    while (read(in, &c, 1) == 1)
      if (write(out, &c, 1) != 1) break;
    _exit(0);
  }
  return pid;
}

struct bounce {
  int to, from;
  int failed;
};

static void op_bounce(long n, void *a) {
  struct bounce *b = a;
  char c = 'x';
  while (n-- > 0) {
    if (write(b->to, &c, 1) != 1 || read(b->from, &c, 1) != 1) {
      b->failed = 1;
      return;
    }
  }
}

static int bounce_test(const char *test, const char *metric, struct bounce *b, pid_t child) {
  int status;
  double us;
  op_bounce(1, b);
  if (child < 0 || b->failed) {
    lmb_fail(test, "a round trip through the child");
    return -1;
  }
  us = lmb_time(op_bounce, b, lmb.target_us);
  close(b->to);
  if (b->from != b->to) close(b->from);
  waitpid(child, &status, 0);
  if (b->failed) {
    lmb_fail(test, "a round trip failed during the timed passes");
    return -1;
  }
  lmb_report_us(metric, us);
  return 0;
}

int lmb_pipe(void) {
  int p1[2], p2[2];
  struct bounce b = {0, 0, 0};
  pid_t child;
  if (pipe(p1) < 0 || pipe(p2) < 0) {
    lmb_fail("pipe", "pipe");
    return -1;
  }
  {
    int extra[2] = {p1[1], p2[0]};
    child = start_echo(p1[0], p2[1], extra, 2);
  }
  close(p1[0]);
  close(p2[1]);
  b.to = p1[1];
  b.from = p2[0];
  return bounce_test("pipe", "lmb_pipe_us", &b, child);
}

int lmb_unix(void) {
#if LMB_HAVE_SOCKETS
  int sv[2];
  struct bounce b = {0, 0, 0};
  pid_t child;
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
    lmb_fail("unix", "socketpair(AF_UNIX, SOCK_STREAM)");
    return -1;
  }
  child = start_echo(sv[1], sv[1], sv, 1);
  close(sv[1]);
  b.to = b.from = sv[0];
  return bounce_test("unix", "lmb_unix_us", &b, child);
#else
  errno = ENOSYS;
  lmb_fail("unix", "this libc has no socket calls");
  return -1;
#endif
}

/* ---- bandwidth: a writer child streams 64 KiB writes until the reader goes away ---- */
#define BW_CHUNK 65536

struct stream {
  int fd;
  char *buf;
  int failed;
};

/* one operation = 64 KiB received, in reads of up to 64 KiB */
static void op_stream_read(long n, void *a) {
  struct stream *s = a;
  while (n-- > 0) {
    long left = BW_CHUNK;
    while (left > 0) {
      long r = read(s->fd, s->buf, left);
      if (r <= 0) {
        s->failed = 1;
        return;
      }
      left -= r;
    }
  }
}

/* the writer: 64 KiB writes until the other end is closed (EPIPE; SIGPIPE is ignored) */
void lmb_stream_writer(int fd) {
  char *buf = malloc(BW_CHUNK);
  if (!buf) _exit(1);
  memset(buf, 'w', BW_CHUNK);
  while (lmb_write_all(fd, buf, BW_CHUNK) == 0) {
  }
  _exit(0);
}

/* times the reads of a stream and reports MB/s (bytes per µs) */
int lmb_stream_bandwidth(const char *test, const char *metric, int fd, pid_t writer) {
  struct stream s = {fd, malloc(BW_CHUNK), 0};
  double us;
  int status;
  if (!s.buf || writer < 0) {
    lmb_fail(test, "starting the writer");
    return -1;
  }
  us = lmb_time(op_stream_read, &s, lmb.target_us);
  close(fd);
  /* a writer blocked on a full connection learns of our close only when the peer's
     kernel resets the connection; it is not part of the measurement, so end it */
  kill(writer, SIGKILL);
  waitpid(writer, &status, 0);
  free(s.buf);
  if (s.failed) {
    lmb_fail(test, "reading the stream");
    return -1;
  }
  lmb_report_mbs(metric, BW_CHUNK / us);
  return 0;
}

int lmb_bw_pipe(void) {
  int p[2];
  pid_t child;
  if (pipe(p) < 0) {
    lmb_fail("bw_pipe", "pipe");
    return -1;
  }
  child = fork();
  if (child == 0) {
    close(p[0]);
    lmb_stream_writer(p[1]);
  }
  close(p[1]);
  return lmb_stream_bandwidth("bw_pipe", "lmb_bw_pipe_mbs", p[0], child);
}
