/* select over sockets: a listener becomes readable when a connection is ready to be
   accepted, a connection when data or EOF arrives, a UDP socket when a datagram
   waits; a full stream socketpair is not writable until its reader drains it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include "check.h"

/* 1 when fd is ready for reading (wr = 0) or writing (wr = 1); timeout in ms, -1 = none */
static int ready(int fd, int wr, int ms) {
  fd_set s;
  struct timeval tv;
  int r;
  FD_ZERO(&s);
  FD_SET(fd, &s);
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  r = select(fd + 1, wr ? 0 : &s, wr ? &s : 0, 0, ms < 0 ? 0 : &tv);
  return r < 0 ? -errno : r == 1 && FD_ISSET(fd, &s);
}

int main(void) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  int l, c, u, k, sv[2], r, n;
  char buf[4096];
  pid_t pid;

  signal(SIGPIPE, SIG_IGN);
  l = socket(AF_INET, SOCK_STREAM, 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK(bind(l, (struct sockaddr *)&a, sizeof a) == 0);
  CHECK(getsockname(l, (struct sockaddr *)&a, &len) == 0);
  CHECK(listen(l, 5) == 0);
  u = socket(AF_INET, SOCK_DGRAM, 0);
  CHECK(bind(u, (struct sockaddr *)&a, sizeof a) == 0); /* the same port number, for UDP */
  printf("listener readable before any connect: %d\n", ready(l, 0, 0));
  printf("udp socket readable before any datagram: %d\n", ready(u, 0, 0));

  pid = fork();
  if (pid == 0) {
    int s = socket(AF_INET, SOCK_STREAM, 0), t = socket(AF_INET, SOCK_DGRAM, 0);
    char x = 0;
    close(l);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) _exit(1);
    if (read(s, &x, 1) != 1) _exit(2); /* wait for the parent's go */
    if (write(s, "data", 4) != 4) _exit(3);
    if (read(s, &x, 1) != 1) _exit(4);
    if (sendto(t, "dgram", 5, 0, (struct sockaddr *)&a, sizeof a) != 5) _exit(5);
    if (read(s, &x, 1) != 1) _exit(6);
    close(s);
    _exit(0);
  }
  printf("listener readable once the client connects: %d\n", ready(l, 0, -1));
  c = accept(l, 0, 0);
  CHECK(c >= 0);
  printf("listener readable after accept: %d\n", ready(l, 0, 0));
  printf("connection readable before data: %d, writable: %d\n", ready(c, 0, 0), ready(c, 1, 0));
  CHECK(write(c, "g", 1) == 1);
  printf("connection readable when data comes: %d\n", ready(c, 0, -1));
  r = read(c, buf, sizeof buf);
  printf("read %d\n", r);
  CHECK(write(c, "g", 1) == 1);
  printf("udp readable when the datagram comes: %d\n", ready(u, 0, -1));
  r = recv(u, buf, sizeof buf, 0);
  printf("datagram %d\n", r);
  CHECK(write(c, "g", 1) == 1);
  printf("connection readable at EOF: %d\n", ready(c, 0, -1));
  printf("EOF read: %d\n", (int)read(c, buf, sizeof buf));
  {
    int st = -1;
    CHECK(waitpid(pid, &st, 0) == pid);
    printf("client exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 100 + (st & 0x7f));
  }
  close(c);
  close(l);
  close(u);

  /* a stream socketpair filled up: not writable; drained: writable again */
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  CHECK(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0);
  memset(buf, 'z', sizeof buf);
  n = 0;
  for (k = 0; k < 10000; k++) {
    r = write(sv[0], buf, sizeof buf);
    if (r < 0) break;
    n += r;
  }
  printf("filled: %s (%s)\n", n > 0 ? "some bytes" : "none", r < 0 && errno == EAGAIN ? "EAGAIN" : "?");
  printf("full socket writable: %d\n", ready(sv[0], 1, 0));
  printf("peer readable: %d\n", ready(sv[1], 0, 0));
  while (n > 0) {
    r = read(sv[1], buf, sizeof buf);
    if (r <= 0) break;
    n -= r;
  }
  printf("drained: %d left, writable again: %d\n", n, ready(sv[0], 1, 1000));
  close(sv[0]);
  printf("peer readable after close (EOF): %d\n", ready(sv[1], 0, 0));
  close(sv[1]);
  return CHECK_DONE();
}
