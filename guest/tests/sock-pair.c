/* AF_UNIX socketpair: stream (bytes, EOF, EPIPE, non-blocking reads, a ping-pong and
   a 1 MiB transfer between two processes) and datagram (message boundaries,
   truncation). Only the parent prints; children report through exit statuses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include "check.h"

static int child_status(pid_t pid) {
  int st = -1;
  CHECK(waitpid(pid, &st, 0) == pid);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + (st & 0x7f);
}

static int readall(int fd, char *buf, int n) {
  int got = 0;
  while (got < n) {
    int r = read(fd, buf + got, n - got);
    if (r <= 0) return got;
    got += r;
  }
  return got;
}

int main(void) {
  int sv[2], r, i;
  char buf[256];
  pid_t pid;

  signal(SIGPIPE, SIG_IGN);

  /* 1. stream pair: bytes in both directions, no boundaries */
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  CHECK(write(sv[0], "hello ", 6) == 6);
  CHECK(write(sv[0], "world", 5) == 5);
  r = read(sv[1], buf, sizeof buf);
  CHECK(r == 11);
  buf[r > 0 ? r : 0] = 0;
  printf("stream: %d bytes '%s'\n", r, buf);
  CHECK(send(sv[1], "back", 4, 0) == 4);
  r = recv(sv[0], buf, sizeof buf, 0);
  printf("stream back: %d\n", r);

  /* 2. non-blocking read on an empty socket */
  CHECK(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0);
  r = read(sv[0], buf, sizeof buf);
  printf("empty non-blocking read: %d %s\n", r, r < 0 && errno == EAGAIN ? "EAGAIN" : "?");
  CHECK(fcntl(sv[0], F_SETFL, 0) == 0);

  /* 3. EOF after the peer closes; EPIPE when writing to a closed peer */
  CHECK(write(sv[1], "last", 4) == 4);
  CHECK(close(sv[1]) == 0);
  r = read(sv[0], buf, sizeof buf);
  printf("before EOF: %d\n", r);
  r = read(sv[0], buf, sizeof buf);
  printf("EOF: %d\n", r);
  r = write(sv[0], "x", 1);
  printf("write to closed peer: %d %s\n", r, r < 0 && errno == EPIPE ? "EPIPE" : "?");
  close(sv[0]);

  /* 4. ping-pong between two processes */
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  pid = fork();
  if (pid == 0) {
    char c;
    close(sv[0]);
    for (i = 0; i < 500; i++) {
      if (read(sv[1], &c, 1) != 1) _exit(1);
      c++;
      if (write(sv[1], &c, 1) != 1) _exit(2);
    }
    _exit(0);
  }
  close(sv[1]);
  {
    char c = 0;
    int ok = 1;
    for (i = 0; i < 500; i++) {
      char d = (char)i;
      if (write(sv[0], &d, 1) != 1 || read(sv[0], &c, 1) != 1 || c != (char)(i + 1)) ok = 0;
    }
    printf("ping-pong 500: %s, child %d\n", ok ? "ok" : "BAD", child_status(pid));
  }
  close(sv[0]);

  /* 5. 1 MiB through a stream pair: the writer blocks while the reader is behind */
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  pid = fork();
  if (pid == 0) {
    static char blk[8192];
    unsigned sum = 0;
    close(sv[0]);
    for (i = 0; i < 128; i++) {
      int j;
      for (j = 0; j < (int)sizeof blk; j++) blk[j] = (char)(i * 31 + j * 7);
      for (j = 0; j < (int)sizeof blk; j++) sum += (unsigned char)blk[j];
      if (write(sv[1], blk, sizeof blk) != (int)sizeof blk) _exit(1);
    }
    close(sv[1]);
    _exit(sum % 251);
  }
  close(sv[1]);
  {
    static char in[10000];
    unsigned sum = 0, total = 0;
    for (;;) {
      int j;
      r = read(sv[0], in, sizeof in);
      if (r <= 0) break;
      for (j = 0; j < r; j++) sum += (unsigned char)in[j];
      total += r;
    }
    printf("bulk: %u bytes, sum %u, child %s\n", total, sum, child_status(pid) == (int)(sum % 251) ? "agrees" : "DISAGREES");
  }
  close(sv[0]);

  /* 6. datagram pair: boundaries are kept, a short buffer truncates */
  CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
  CHECK(send(sv[0], "one", 3, 0) == 3);
  CHECK(send(sv[0], "two two", 7, 0) == 7);
  CHECK(send(sv[0], "three three three", 17, 0) == 17);
  for (i = 0; i < 3; i++) {
    memset(buf, 0, sizeof buf);
    r = recv(sv[1], buf, i == 2 ? 5 : sizeof buf, 0);
    printf("datagram %d: %d '%s'\n", i, r, buf);
  }
  CHECK(fcntl(sv[1], F_SETFL, O_NONBLOCK) == 0);
  r = recv(sv[1], buf, sizeof buf, 0);
  printf("no datagram: %d %s\n", r, r < 0 && errno == EAGAIN ? "EAGAIN" : "?");
  close(sv[0]);
  close(sv[1]);

  /* 7. socketpair for another family is refused */
  r = socketpair(AF_INET, SOCK_STREAM, 0, sv);
  printf("AF_INET socketpair: %d %s\n", r, r < 0 && errno == EOPNOTSUPP ? "EOPNOTSUPP" : "?");
  (void)readall;
  return CHECK_DONE();
}
