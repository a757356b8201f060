/* Process groups and sessions (setsid, setpgid, getpgid, getpgrp, getsid and their
   errors), kill to a process group, wait4 with WNOHANG and for a group, identities
   (root: set* succeed), uname, times/getrusage sanity, nanosleep. Everything about
   groups runs in a child that made its own session first, so nothing depends on how
   the test was started. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "check.h"

#define NOPID 0x7ffffff0

static void wait_report(const char *what, pid_t pid) {
  int status;
  pid_t r = waitpid(pid, &status, 0);
  if (r != pid) printf("%s: waitpid %d errno %d\n", what, r, errno);
  else if (WIFSIGNALED(status)) printf("%s: killed by %d\n", what, WTERMSIG(status));
  else printf("%s: exited %d\n", what, WEXITSTATUS(status));
}

static int session_leader(void) {
  pid_t me, g1, g2, g3;
  int r, status;
  me = getpid();
  r = setsid();
  printf("setsid: returns pid %d, pgrp %d, sid %d\n", r == me, getpgrp() == me, getsid(0) == me);
  r = setsid();
  printf("setsid again: %d EPERM %d\n", r, errno == EPERM);
  r = setpgid(0, 0);
  printf("setpgid of a session leader: %d EPERM %d\n", r, errno == EPERM);

  /* two children in our group, a third in its own */
  g1 = fork();
  if (g1 == 0) {
    for (;;) pause();
  }
  g2 = fork();
  if (g2 == 0) {
    for (;;) pause();
  }
  g3 = fork();
  if (g3 == 0) {
    for (;;) pause();
  }
  printf("children inherit the group: %d %d\n", getpgid(g1) == me, getpgid(g2) == me);
  r = setpgid(g3, g3);
  printf("setpgid(child, child): %d, its group is its pid %d\n", r, getpgid(g3) == g3);
  r = setpgid(g2, g3);
  printf("move a child into the other group: %d -> %d\n", r, getpgid(g2) == g3);
  r = setpgid(g1, NOPID);
  printf("into a group that does not exist: %d EPERM %d\n", r, errno == EPERM);
  r = setpgid(getppid(), 0);
  printf("setpgid of our parent: %d ESRCH %d\n", r, errno == ESRCH);
  r = getpgid(NOPID);
  printf("getpgid of no process: %d ESRCH %d\n", r, errno == ESRCH);
  r = getsid(NOPID);
  printf("getsid of no process: %d ESRCH %d\n", r, errno == ESRCH);
  printf("children share our session: %d %d\n", getsid(g1) == me, getsid(g3) == me);

  /* WNOHANG: nothing has ended yet */
  r = waitpid(-1, &status, WNOHANG);
  printf("WNOHANG with live children: %d\n", r);

  /* kill the other group (g2, g3), then our own group while we ignore the signal */
  r = kill(-g3, SIGUSR1);
  printf("kill(-group): %d\n", r);
  r = waitpid(-g3, &status, 0);
  printf("waitpid(-group) reaps one of it: %d, by signal %d\n", r == g2 || r == g3, WTERMSIG(status));
  r = waitpid(-g3, &status, 0);
  printf("and the other: %d\n", r == g2 || r == g3);
  r = waitpid(-g3, &status, 0);
  printf("then none: %d ECHILD %d\n", r, errno == ECHILD);
  signal(SIGTERM, SIG_IGN);
  r = kill(0, SIGTERM);
  printf("kill(0) with SIGTERM ignored here: %d\n", r);
  wait_report("g1", g1);
  r = kill(-NOPID, SIGTERM);
  printf("kill of an empty group: %d ESRCH %d\n", r, errno == ESRCH);
  return 0;
}

int main(void) {
  pid_t pid;
  struct utsname u;
  struct tms tm;
  struct rusage ru;
  struct timespec req, rem;
  struct timeval t0, t1;
  long ms;
  int r;

  pid = fork();
  if (pid == 0) _exit(session_leader());
  wait_report("session leader", pid);

  /* identities: root, and the set* calls succeed */
  printf("uid %d euid %d gid %d egid %d\n", getuid(), geteuid(), getgid(), getegid());
  printf("setuid(0) %d setgid(0) %d setreuid %d setregid %d\n", setuid(0), setgid(0), setreuid(-1, 0), setregid(-1, 0));

  CHECK(uname(&u) == 0);
  printf("uname: %s, machine is an x86 %d\n", u.sysname, u.machine[0] == 'i' || strcmp(u.machine, "x86_64") == 0);

  /* times and getrusage: well-formed */
  CHECK(times(&tm) != (clock_t)-1);
  printf("times: fields non-negative %d\n", tm.tms_utime >= 0 && tm.tms_stime >= 0 && tm.tms_cutime >= 0 && tm.tms_cstime >= 0);
  CHECK(getrusage(RUSAGE_SELF, &ru) == 0);
  printf("getrusage: usec in range %d\n", ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000);
  r = getrusage(5, &ru);
  printf("getrusage(5): %d EINVAL %d\n", r, errno == EINVAL);

  /* nanosleep */
  req.tv_sec = 0;
  req.tv_nsec = 30000000;
  gettimeofday(&t0, 0);
  r = nanosleep(&req, &rem);
  gettimeofday(&t1, 0);
  ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000;
  printf("nanosleep 30 ms: %d, slept at least 30 ms %d\n", r, ms >= 30 && ms < 10000);
  req.tv_nsec = 1000000000;
  r = nanosleep(&req, 0);
  printf("nanosleep with 1e9 ns: %d EINVAL %d\n", r, errno == EINVAL);
  return CHECK_DONE();
}
