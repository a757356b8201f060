/* Signals and sockets: a blocked recv interrupted by a handled signal (EINTR without
   SA_RESTART, restarted with it), a blocked accept interrupted the same way, then a
   write to a stream socket whose peer has gone: SIGPIPE's default action kills us. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include "check.h"

static volatile int alarms;
static void on_alarm(int sig) {
  (void)sig;
  alarms++;
}

static void handle(int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sa.sa_flags = flags;
  CHECK(sigaction(SIGALRM, &sa, 0) == 0);
}

int main(void) {
  int sv[2], r, l;
  char c;
  pid_t pid;
  struct sockaddr_in a;

  /* 1. recv on an empty socket, interrupted: EINTR */
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  handle(0);
  alarm(1);
  r = recv(sv[0], &c, 1, 0);
  printf("recv interrupted: %d %s, handler ran %d time(s)\n", r, r < 0 && errno == EINTR ? "EINTR" : "?", alarms);

  /* 2. the same with SA_RESTART: the call goes on until a child writes */
  handle(SA_RESTART);
  pid = fork();
  if (pid == 0) {
    struct timespec ts = {1, 500000000};
    close(sv[0]);
    nanosleep(&ts, 0);
    write(sv[1], "k", 1);
    _exit(0);
  }
  alarm(1);
  r = recv(sv[0], &c, 1, 0);
  printf("recv restarted: %d '%c', handler ran %d time(s)\n", r, r == 1 ? c : '?', alarms);
  waitpid(pid, 0, 0);

  /* 3. a blocked accept, interrupted */
  handle(0);
  l = socket(AF_INET, SOCK_STREAM, 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK(bind(l, (struct sockaddr *)&a, sizeof a) == 0);
  CHECK(listen(l, 1) == 0);
  alarm(1);
  r = accept(l, 0, 0);
  printf("accept interrupted: %d %s, handler ran %d time(s)\n", r, r < 0 && errno == EINTR ? "EINTR" : "?", alarms);
  close(l);

  /* 4. SIGPIPE: the peer is closed, the default action ends the program */
  close(sv[1]);
  printf("writing to a closed peer\n");
  fflush(stdout);
  write(sv[0], "x", 1);
  printf("FAIL: still alive after SIGPIPE\n");
  return 1;
}
