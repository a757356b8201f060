/* Process identity and time: getpid/getppid relations, gettimeofday and time
   consistency, uname's system name. Nothing that differs between runs is printed. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "check.h"

int main(void) {
  struct timeval a, b;
  struct utsname u;
  time_t t;
  pid_t me = getpid(), child;
  int i, monotonic = 1, status;

  printf("getpid stable %d, positive %d, parent differs %d\n", getpid() == me, me > 0, getppid() != me);
  gettimeofday(&a, 0);
  for (i = 0; i < 1000; i++) {
    gettimeofday(&b, 0);
    if (b.tv_sec < a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_usec < a.tv_usec)) monotonic = 0;
    a = b;
  }
  printf("gettimeofday non-decreasing %d, usec in range %d\n", monotonic, a.tv_usec >= 0 && a.tv_usec < 1000000);
  t = time(0);
  /* a host's time() reads a clock that advances at its timer tick: just after a second
     begins it may still give the previous one */
  printf("time() agrees with gettimeofday %d\n", t - a.tv_sec >= -1 && t - a.tv_sec <= 1);
  printf("time(&t) stores %d\n", time(&t) == t);
  CHECK(uname(&u) == 0);
  printf("uname sysname %s\n", u.sysname);
  child = fork();
  if (child == 0) {
    printf("child: pid differs %d, ppid is parent %d\n", getpid() != me, getppid() == me);
    _exit(0);
  }
  CHECK(waitpid(child, &status, 0) == child && status == 0);
  printf("child pid differs from ours %d\n", child != me);
  return CHECK_DONE();
}
