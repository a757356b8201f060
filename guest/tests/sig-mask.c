/* Signal masks and waiting: sigprocmask (block, unblock, setmask, SIGKILL not
   blockable), pending signals, sigsuspend with a temporary mask, alarm (the remaining
   seconds, cancel), SIGCHLD on exit and on stop (SA_NOCLDSTOP), WUNTRACED and SIGCONT,
   a blocking read interrupted by a signal with and without SA_RESTART, pause. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <sys/wait.h>
#include "check.h"

static volatile int got[NSIG + 1];
static int alarm_pipe[2];

static void count(int sig) { got[sig]++; }
static void alarm_writes(int sig) {
  got[sig]++;
  write(alarm_pipe[1], "A", 1);
}

static void set_handler(int sig, void (*h)(int), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = h;
  sa.sa_flags = flags;
  sigaction(sig, &sa, 0);
}

int main(void) {
  sigset_t set, old, pend;
  pid_t pid;
  int status, r;
  char c;

  set_handler(SIGUSR1, count, 0);
  set_handler(SIGUSR2, count, 0);

  /* 1. masks */
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGKILL);
  sigaddset(&set, SIGSTOP);
  CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0);
  sigprocmask(SIG_BLOCK, 0, &set);
  printf("blocked: USR1 %d KILL %d STOP %d USR2 %d\n", sigismember(&set, SIGUSR1), sigismember(&set, SIGKILL),
         sigismember(&set, SIGSTOP), sigismember(&set, SIGUSR2));
  raise(SIGUSR1);
  raise(SIGUSR2);
  sigpending(&pend);
  printf("pending: USR1 %d USR2 %d; handled USR1 %d USR2 %d\n", sigismember(&pend, SIGUSR1), sigismember(&pend, SIGUSR2),
         got[SIGUSR1], got[SIGUSR2]);
  sigprocmask(SIG_SETMASK, &old, 0);
  printf("after setmask: handled USR1 %d\n", got[SIGUSR1]);
  r = sigprocmask(99, &set, 0);
  printf("sigprocmask bad how: %d EINVAL %d\n", r, errno == EINVAL);

  /* 2. sigsuspend: the temporary mask lets USR1 in; the old mask comes back */
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, 0);
  pid = fork();
  if (pid == 0) {
    kill(getppid(), SIGUSR1);
    _exit(0);
  }
  sigemptyset(&set);
  got[SIGUSR1] = 0;
  r = sigsuspend(&set);
  printf("sigsuspend returned %d EINTR %d, USR1 handled %d\n", r, errno == EINTR, got[SIGUSR1]);
  sigprocmask(SIG_BLOCK, 0, &set);
  printf("mask restored: USR1 blocked %d\n", sigismember(&set, SIGUSR1));
  waitpid(pid, &status, 0);
  sigemptyset(&set);
  sigprocmask(SIG_SETMASK, &set, 0);

  /* 3. alarm: remaining time, cancel */
  printf("alarm(100) = %u\n", alarm(100));
  r = alarm(5);
  /* 100 on today's kernels; 101 on 2.0, whose real timer starts a tick later and rounds up */
  printf("second alarm returns the remaining seconds: %d\n", r >= 99 && r <= 101);
  printf("cancel: %d\n", alarm(0) >= 4);

  /* 3b. a periodic real timer: three SIGALRMs 20 ms apart, then off */
  {
    struct itimerval it, left;
    int n = 0;
    set_handler(SIGALRM, count, 0);
    got[SIGALRM] = 0;
    it.it_interval.tv_sec = 0;
    it.it_interval.tv_usec = 20000;
    it.it_value = it.it_interval;
    CHECK(setitimer(ITIMER_REAL, &it, 0) == 0);
    while (got[SIGALRM] < 3 && n++ < 100) pause();
    memset(&it, 0, sizeof it);
    CHECK(setitimer(ITIMER_REAL, &it, &left) == 0);
    printf("periodic timer: %d alarms, interval was %ld us\n", got[SIGALRM], (long)left.it_interval.tv_usec);
    CHECK(getitimer(ITIMER_REAL, &left) == 0);
    printf("after setting it off: %ld %ld\n", (long)left.it_value.tv_sec, (long)left.it_value.tv_usec);
    r = setitimer(7, &it, 0);
    printf("setitimer(7): %d EINVAL %d\n", r, errno == EINVAL);
    got[SIGALRM] = 0;
  }

  /* 4. SIGCHLD on exit; on stop (not with SA_NOCLDSTOP); WUNTRACED; SIGCONT */
  set_handler(SIGCHLD, count, 0);
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, &old);
  pid = fork();
  if (pid == 0) _exit(9);
  sigsuspend(&old); /* returns once SIGCHLD arrived */
  printf("SIGCHLD after exit: %d\n", got[SIGCHLD]);
  waitpid(pid, &status, 0);
  printf("child exited %d\n", WEXITSTATUS(status));

  got[SIGCHLD] = 0;
  pid = fork();
  if (pid == 0) {
    raise(SIGSTOP);
    _exit(4);
  }
  r = waitpid(pid, &status, WUNTRACED);
  printf("WUNTRACED: same pid %d stopped %d by %d\n", r == pid, WIFSTOPPED(status), WIFSTOPPED(status) ? (status >> 8) & 0xff : -1);
  sigprocmask(SIG_SETMASK, &old, 0);
  printf("SIGCHLD after stop: %d\n", got[SIGCHLD]);
  /* blocked again: today's kernels add a SIGCHLD for the continue, 2.0 does not; pending
     signals merge, so both see one more after the exit */
  sigprocmask(SIG_BLOCK, &set, 0);
  printf("WNOHANG on the stopped child: %d\n", waitpid(pid, &status, WNOHANG | WUNTRACED));
  kill(pid, SIGCONT);
  waitpid(pid, &status, 0);
  printf("continued child exited %d\n", WEXITSTATUS(status));
  sigprocmask(SIG_SETMASK, &old, 0);
  printf("SIGCHLD after continue and exit: %d\n", got[SIGCHLD]);

  set_handler(SIGCHLD, count, SA_NOCLDSTOP);
  got[SIGCHLD] = 0;
  sigprocmask(SIG_BLOCK, &set, &old);
  pid = fork();
  if (pid == 0) {
    raise(SIGSTOP);
    _exit(5);
  }
  waitpid(pid, &status, WUNTRACED);
  sigprocmask(SIG_SETMASK, &old, 0);
  printf("SA_NOCLDSTOP: SIGCHLD after stop %d\n", got[SIGCHLD]);
  kill(pid, SIGCONT);
  waitpid(pid, &status, 0);
  printf("exited %d, SIGCHLD seen %d\n", WEXITSTATUS(status), got[SIGCHLD] >= 1);
  signal(SIGCHLD, SIG_DFL);

  /* 5. a read blocked on an empty pipe, interrupted by SIGALRM whose handler writes a
        byte: with SA_RESTART the read restarts and gets it, without it fails with EINTR */
  CHECK(pipe(alarm_pipe) == 0);
  set_handler(SIGALRM, alarm_writes, SA_RESTART);
  alarm(1);
  r = read(alarm_pipe[0], &c, 1);
  printf("SA_RESTART: read %d '%c', alarms %d\n", r, r == 1 ? c : '?', got[SIGALRM]);
  set_handler(SIGALRM, alarm_writes, 0);
  alarm(1);
  r = read(alarm_pipe[0], &c, 1);
  printf("no SA_RESTART: read %d EINTR %d, alarms %d\n", r, errno == EINTR, got[SIGALRM]);
  r = read(alarm_pipe[0], &c, 1);
  printf("the byte is still there: %d '%c'\n", r, c);

  /* 6. pause returns -1/EINTR after a handler. The child repeats its signal until it is
        killed: one sent before the parent reached pause would leave pause waiting forever */
  got[SIGUSR2] = 0;
  pid = fork();
  if (pid == 0) {
    struct timespec pace = {0, 50 * 1000 * 1000};
    for (;;) {
      kill(getppid(), SIGUSR2);
      nanosleep(&pace, 0);
    }
  }
  r = pause();
  printf("pause: %d EINTR %d USR2 %d\n", r, errno == EINTR, got[SIGUSR2] >= 1);
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return CHECK_DONE();
}
