/* Loopback TCP: a server bound to 127.0.0.1 (an ephemeral port, learnt with
   getsockname) and a client in a child process; length-prefixed echoes of sizes
   around the segment size, a 1 MiB one-way transfer closed with shutdown(SHUT_WR),
   socket options, addresses, and the errors of connect, bind and listen. Only the
   parent prints; the child reports through its exit status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include "check.h"

static const int sizes[] = {1, 100, 3884, 3885, 10000, 65536, 100000};
#define NSIZES ((int)(sizeof sizes / sizeof sizes[0]))
#define BULK (1 << 20)

static char buf[131072];

static int readall(int fd, char *p, int n) {
  int got = 0;
  while (got < n) {
    int r = read(fd, p + got, n - got);
    if (r <= 0) return got;
    got += r;
  }
  return got;
}

static int writeall(int fd, const char *p, int n) {
  int done = 0;
  while (done < n) {
    int r = write(fd, p + done, n - done);
    if (r <= 0) return done;
    done += r;
  }
  return done;
}

static unsigned sum(const char *p, int n) {
  unsigned s = 0;
  int i;
  for (i = 0; i < n; i++) s = s * 31 + (unsigned char)p[i];
  return s;
}

static void fill(char *p, int n, int seed) {
  int i;
  for (i = 0; i < n; i++) p[i] = (char)(seed * 17 + i * 13 + (i >> 8));
}

static int client(unsigned short port) {
  struct sockaddr_in a;
  int s = socket(AF_INET, SOCK_STREAM, 0), i, one = 1;
  static char back[131072];
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = port;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) return 1;
  if (setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) return 2;
  for (i = 0; i < NSIZES; i++) {
    int n = sizes[i];
    fill(buf, n, i);
    if (writeall(s, (char *)&n, 4) != 4 || writeall(s, buf, n) != n) return 3;
    if (readall(s, back, n) != n) return 4;
    if (memcmp(buf, back, n) != 0) return 5;
  }
  /* the bulk transfer: the length, the data, then our FIN */
  i = BULK;
  if (writeall(s, (char *)&i, 4) != 4) return 6;
  for (i = 0; i < BULK / 65536; i++) {
    fill(buf, 65536, 100 + i);
    if (writeall(s, buf, 65536) != 65536) return 7;
  }
  if (shutdown(s, SHUT_WR) != 0) return 8;
  /* the server answers with the sum it computed, then closes */
  if (readall(s, back, 4) != 4) return 9;
  if (read(s, back + 4, 1) != 0) return 10; /* EOF */
  close(s);
  return 0;
}

int main(void) {
  struct sockaddr_in a, p;
  socklen_t len;
  int s, c, r, i, v;
  unsigned short port;
  pid_t pid;

  signal(SIGPIPE, SIG_IGN);

  /* 0. names: only the loopback's */
  {
    struct hostent *h = gethostbyname("localhost");
    struct in_addr in;
    CHECK(h != 0);
    if (h) {
      memcpy(&in, h->h_addr, 4);
      printf("localhost is %s (%d bytes, family %d)\n", inet_ntoa(in), h->h_length, h->h_addrtype);
    }
    printf("no.such.host: %s\n", gethostbyname("no.such.host") ? "FOUND" : "not found");
    printf("inet_addr(\"10.1.2.3\") = %08x\n", (unsigned)ntohl(inet_addr("10.1.2.3")));
  }

  /* 1. a listening socket on an ephemeral port of 127.0.0.1 */
  s = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(s >= 0);
  v = 1;
  CHECK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v) == 0);
  len = sizeof v;
  v = 0;
  CHECK(getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, &len) == 0);
  printf("SO_REUSEADDR: %s\n", v ? "on" : "off");
  len = sizeof v;
  CHECK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len) == 0);
  printf("SO_TYPE: %d\n", v);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  CHECK(bind(s, (struct sockaddr *)&a, sizeof a) == 0);
  len = sizeof a;
  CHECK(getsockname(s, (struct sockaddr *)&a, &len) == 0);
  port = a.sin_port;
  printf("bound: %s, ephemeral port %s\n", inet_ntoa(a.sin_addr), ntohs(port) > 1024 ? "above 1024" : "LOW");
  CHECK(listen(s, 5) == 0);

  /* 2. a second socket cannot take the same address */
  c = socket(AF_INET, SOCK_STREAM, 0);
  r = bind(c, (struct sockaddr *)&a, sizeof a);
  printf("bind to a listening port: %d %s\n", r, r < 0 && errno == EADDRINUSE ? "EADDRINUSE" : "?");
  close(c);

  /* 3. the client process */
  pid = fork();
  if (pid == 0) {
    close(s);
    _exit(client(port));
  }
  len = sizeof p;
  c = accept(s, (struct sockaddr *)&p, &len);
  CHECK(c >= 0);
  printf("accepted from %s (port %s)\n", inet_ntoa(p.sin_addr), p.sin_port != 0 && p.sin_port != port ? "another" : "SAME");
  len = sizeof a;
  CHECK(getpeername(c, (struct sockaddr *)&a, &len) == 0);
  printf("getpeername agrees: %s\n", a.sin_port == p.sin_port && a.sin_addr.s_addr == p.sin_addr.s_addr ? "yes" : "no");
  for (i = 0; i < NSIZES; i++) {
    int n = 0;
    CHECK(readall(c, (char *)&n, 4) == 4);
    r = readall(c, buf, n);
    printf("echo %d bytes: got %d, sum %08x\n", n, r, sum(buf, r));
    CHECK(writeall(c, buf, r) == r);
  }
  {
    int n = 0, got = 0;
    unsigned s2 = 0;
    CHECK(readall(c, (char *)&n, 4) == 4);
    for (;;) {
      r = read(c, buf, 65536);
      if (r <= 0) break;
      { /* position-weighted: independent of where the reads cut the stream */
        int j;
        for (j = 0; j < r; j++) s2 += (unsigned char)buf[j] * (unsigned)((got + j) % 1009 + 1);
      }
      got += r;
    }
    printf("bulk: announced %d, received %d, weighted sum %u, then EOF (%d)\n", n, got, s2, r);
    CHECK(write(c, &s2, 4) == 4);
  }
  close(c);
  printf("client exit %d\n", ({ int st = -1; waitpid(pid, &st, 0); WIFEXITED(st) ? WEXITSTATUS(st) : 100 + (st & 0x7f); }));
  close(s);

  /* 4. connection refused: a port that was just given back */
  s = socket(AF_INET, SOCK_STREAM, 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK(bind(s, (struct sockaddr *)&a, sizeof a) == 0);
  len = sizeof a;
  CHECK(getsockname(s, (struct sockaddr *)&a, &len) == 0);
  close(s);
  c = socket(AF_INET, SOCK_STREAM, 0);
  r = connect(c, (struct sockaddr *)&a, sizeof a);
  printf("connect to a closed port: %d %s\n", r, r < 0 && errno == ECONNREFUSED ? "ECONNREFUSED" : "?");
  r = write(c, "x", 1);
  printf("write on the refused socket: %d %s\n", r, r < 0 ? "error" : "?");
  close(c);

  /* 5. reads and writes on an unconnected socket */
  c = socket(AF_INET, SOCK_STREAM, 0);
  r = recv(c, buf, 10, 0);
  printf("recv unconnected: %d %s\n", r, r < 0 && errno == ENOTCONN ? "ENOTCONN" : "?");
  len = sizeof a;
  r = getpeername(c, (struct sockaddr *)&a, &len);
  printf("getpeername unconnected: %d %s\n", r, r < 0 && errno == ENOTCONN ? "ENOTCONN" : "?");
  close(c);
  r = send(1000, "x", 1, 0);
  printf("send on a bad descriptor: %d %s\n", r, r < 0 && errno == EBADF ? "EBADF" : "?");
  { /* (not stdout: a test harness may give us a socket there) */
    int fds[2];
    CHECK(pipe(fds) == 0);
    r = send(fds[1], "x", 1, 0);
    printf("send on a pipe: %d %s\n", r, r < 0 && errno == ENOTSOCK ? "ENOTSOCK" : "?");
    close(fds[0]);
    close(fds[1]);
  }
  return CHECK_DONE();
}
