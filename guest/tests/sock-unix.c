/* AF_UNIX sockets bound to paths: a stream server (bind, listen, accept) with a client
   in a child process, getsockname/getpeername, the errors of bind and connect, and
   named datagram sockets with the sender's address. Only the parent prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "check.h"

/* names carry the pid: native runs of this test may overlap on the host's /tmp */
static char SRV[64], CLI[64], DG[64];

static socklen_t addr_of(struct sockaddr_un *a, const char *path) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  strcpy(a->sun_path, path);
  return sizeof *a;
}

static int child_status(pid_t pid) {
  int st = -1;
  CHECK(waitpid(pid, &st, 0) == pid);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + (st & 0x7f);
}

int main(void) {
  struct sockaddr_un a, b;
  socklen_t len;
  int s, c, r;
  char buf[128];
  pid_t pid;

  signal(SIGPIPE, SIG_IGN);
  sprintf(SRV, "/tmp/mklab-sock-%d-srv", (int)getpid());
  sprintf(CLI, "/tmp/mklab-sock-%d-cli", (int)getpid());
  sprintf(DG, "/tmp/mklab-sock-%d-dg", (int)getpid());
  unlink(SRV);
  unlink(CLI);
  unlink(DG);

  /* 1. connecting to nothing */
  c = socket(AF_UNIX, SOCK_STREAM, 0);
  r = connect(c, (struct sockaddr *)&a, addr_of(&a, SRV));
  printf("connect to a missing path: %d %s\n", r, r < 0 && errno == ENOENT ? "ENOENT" : "?");
  close(c);

  /* 2. bound but not listening: refused; the name is taken */
  s = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK(bind(s, (struct sockaddr *)&a, addr_of(&a, SRV)) == 0);
  c = socket(AF_UNIX, SOCK_STREAM, 0);
  r = connect(c, (struct sockaddr *)&a, addr_of(&a, SRV));
  printf("connect before listen: %d %s\n", r, r < 0 && errno == ECONNREFUSED ? "ECONNREFUSED" : "?");
  close(c);
  c = socket(AF_UNIX, SOCK_STREAM, 0);
  r = bind(c, (struct sockaddr *)&a, addr_of(&a, SRV));
  printf("bind to a taken name: %d %s\n", r, r < 0 && errno == EADDRINUSE ? "EADDRINUSE" : "?");
  close(c);
  len = sizeof b;
  CHECK(getsockname(s, (struct sockaddr *)&b, &len) == 0);
  printf("server name: family %d, path %s\n", b.sun_family, strcmp(b.sun_path, SRV) == 0 ? "as bound" : "DIFFERENT");

  /* 3. a client process connects and talks; the server echoes in upper case */
  CHECK(listen(s, 5) == 0);
  pid = fork();
  if (pid == 0) {
    int k = socket(AF_UNIX, SOCK_STREAM, 0), i, n;
    char in[64];
    close(s);
    if (connect(k, (struct sockaddr *)&a, addr_of(&a, SRV)) != 0) _exit(1);
    for (i = 0; i < 3; i++) {
      const char *msg = i == 0 ? "alpha" : i == 1 ? "beta" : "gamma";
      if (write(k, msg, strlen(msg)) != (int)strlen(msg)) _exit(2);
      n = read(k, in, sizeof in);
      if (n != (int)strlen(msg)) _exit(3);
      if (in[0] != msg[0] - 32) _exit(4);
    }
    close(k);
    _exit(0);
  }
  len = sizeof b;
  memset(&b, 0xff, sizeof b);
  c = accept(s, (struct sockaddr *)&b, &len);
  CHECK(c >= 0);
  printf("accepted: family %d\n", b.sun_family);
  for (;;) {
    int i;
    r = read(c, buf, sizeof buf - 1);
    if (r <= 0) break;
    buf[r] = 0;
    printf("server got '%s'\n", buf);
    for (i = 0; i < r; i++) buf[i] = (char)(buf[i] >= 'a' && buf[i] <= 'z' ? buf[i] - 32 : buf[i]);
    CHECK(write(c, buf, r) == r);
  }
  printf("server read end: %d, client %d\n", r, child_status(pid));
  close(c);
  close(s);
  r = unlink(SRV);
  printf("unlink the socket name: %d\n", r);

  /* 4. named datagram sockets: the receiver learns the sender's name */
  s = socket(AF_UNIX, SOCK_DGRAM, 0);
  CHECK(bind(s, (struct sockaddr *)&a, addr_of(&a, DG)) == 0);
  c = socket(AF_UNIX, SOCK_DGRAM, 0);
  CHECK(bind(c, (struct sockaddr *)&b, addr_of(&b, CLI)) == 0);
  CHECK(sendto(c, "datagram", 8, 0, (struct sockaddr *)&a, addr_of(&a, DG)) == 8);
  len = sizeof b;
  memset(&b, 0, sizeof b);
  memset(buf, 0, sizeof buf);
  r = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&b, &len);
  printf("recvfrom: %d '%s' from %s\n", r, buf, strcmp(b.sun_path, CLI) == 0 ? "the client's name" : "ELSEWHERE");
  CHECK(sendto(s, "reply", 5, 0, (struct sockaddr *)&b, len) == 5);
  memset(buf, 0, sizeof buf);
  r = recv(c, buf, sizeof buf, 0);
  printf("reply: %d '%s'\n", r, buf);
  /* connected datagram socket: send without an address */
  CHECK(connect(c, (struct sockaddr *)&a, addr_of(&a, DG)) == 0);
  CHECK(send(c, "again", 5, 0) == 5);
  memset(buf, 0, sizeof buf);
  r = recv(s, buf, sizeof buf, 0);
  printf("connected send: %d '%s'\n", r, buf);
  close(c);
  close(s);
  unlink(DG);
  unlink(CLI);
  return CHECK_DONE();
}
