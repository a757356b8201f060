/* Loopback UDP: a server on an ephemeral port of 127.0.0.1 and a client in a child
   process; datagrams of several sizes (the largest fragmented by IP and reassembled)
   echoed back with recvfrom/sendto, a connected client socket, message boundaries and
   truncation, and the errors. Only the parent prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include "check.h"

static const int sizes[] = {4, 1, 1000, 3896, 3897, 8000, 20000};
#define NSIZES ((int)(sizeof sizes / sizeof sizes[0]))

static char buf[65536], back[65536];

static void fill(char *p, int n, int seed) {
  int i;
  for (i = 0; i < n; i++) p[i] = (char)(seed * 11 + i * 5 + (i >> 7));
}

static unsigned sum(const char *p, int n) {
  unsigned s = 0;
  int i;
  for (i = 0; i < n; i++) s = s * 31 + (unsigned char)p[i];
  return s;
}

static int client(struct sockaddr_in *srv) {
  int s = socket(AF_INET, SOCK_DGRAM, 0), i;
  struct sockaddr_in from;
  socklen_t len;
  if (s < 0) return 1;
  for (i = 0; i < NSIZES; i++) {
    int n = sizes[i];
    fill(buf, n, i);
    if (sendto(s, buf, n, 0, (struct sockaddr *)srv, sizeof *srv) != n) return 2;
    len = sizeof from;
    if (recvfrom(s, back, sizeof back, 0, (struct sockaddr *)&from, &len) != n) return 3;
    if (memcmp(buf, back, n) != 0) return 4;
    if (from.sin_port != srv->sin_port) return 5;
  }
  /* connected: send and recv without addresses */
  if (connect(s, (struct sockaddr *)srv, sizeof *srv) != 0) return 6;
  if (send(s, "bye", 3, 0) != 3) return 7;
  if (recv(s, back, sizeof back, 0) != 3) return 8;
  close(s);
  return 0;
}

int main(void) {
  struct sockaddr_in a, from;
  socklen_t len;
  int s, c, r, i;
  pid_t pid;

  s = socket(AF_INET, SOCK_DGRAM, 0);
  CHECK(s >= 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK(bind(s, (struct sockaddr *)&a, sizeof a) == 0);
  len = sizeof a;
  CHECK(getsockname(s, (struct sockaddr *)&a, &len) == 0);
  printf("bound: %s, port %s\n", inet_ntoa(a.sin_addr), ntohs(a.sin_port) > 1024 ? "above 1024" : "LOW");

  pid = fork();
  if (pid == 0) {
    close(s);
    _exit(client(&a));
  }
  for (i = 0; i <= NSIZES; i++) {
    len = sizeof from;
    r = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    printf("datagram of %d bytes, sum %08x, from %s\n", r, sum(buf, r > 0 ? r : 0), inet_ntoa(from.sin_addr));
    CHECK(sendto(s, buf, r, 0, (struct sockaddr *)&from, len) == r);
  }
  {
    int st = -1;
    CHECK(waitpid(pid, &st, 0) == pid);
    printf("client exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 100 + (st & 0x7f));
  }

  /* boundaries and truncation within one process */
  c = socket(AF_INET, SOCK_DGRAM, 0);
  CHECK(sendto(c, "first", 5, 0, (struct sockaddr *)&a, sizeof a) == 5);
  CHECK(sendto(c, "second message", 14, 0, (struct sockaddr *)&a, sizeof a) == 14);
  memset(buf, 0, 64);
  r = recv(s, buf, 64, 0);
  printf("first: %d '%s'\n", r, buf);
  memset(buf, 0, 64);
  r = recv(s, buf, 6, 0);
  printf("truncated: %d '%s'\n", r, buf);
  CHECK(fcntl(s, F_SETFL, O_NONBLOCK) == 0);
  r = recv(s, buf, 64, 0);
  printf("nothing left: %d %s\n", r, r < 0 && errno == EAGAIN ? "EAGAIN" : "?");

  /* errors */
  r = send(c, "x", 1, 0);
  printf("send unconnected: %d %s\n", r, r < 0 && (errno == EDESTADDRREQ || errno == ENOTCONN) ? "no destination" : "?");
  r = sendto(c, buf, 70000, 0, (struct sockaddr *)&a, sizeof a);
  printf("too big: %d %s\n", r, r < 0 && errno == EMSGSIZE ? "EMSGSIZE" : "?");
  close(c);
  close(s);
  return CHECK_DONE();
}
