/* Signals from faults and their repair: a SIGSEGV handler that mprotects the page and
   returns (sigreturn restarts the faulting store), the sigcontext the handler sees (trap
   number, error code, fault address), Appel-Li style protect/trap/unprotect over many
   pages, and the default action's wait status with RLIMIT_CORE = 0 (no core flag). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include "check.h"

#define PAGE 4096
#define NPAGES 16

/* the i386 sigcontext that follows the signal number on the handler's stack
   (same layout on Linux 2.0 and today) */
struct sigctx {
  unsigned long gs, fs, es, ds, edi, esi, ebp, esp, ebx, edx, ecx, eax, trapno, err, eip, cs, eflags, esp_at_signal, ss,
      fpstate, oldmask, cr2;
};

/* volatile: every access happens where the program says (no store sunk past a printf) */
static volatile char *region;
static volatile int faults;
static volatile unsigned long last_trap, last_err, last_off;

static void on_segv(int sig, struct sigctx sc) {
  unsigned long page = sc.cr2 & ~(unsigned long)(PAGE - 1);
  faults++;
  last_trap = sc.trapno;
  last_err = sc.err & 7;
  last_off = sc.cr2 - (unsigned long)region;
  (void)sig;
  if (mprotect((void *)page, PAGE, PROT_READ | PROT_WRITE) != 0) _exit(90);
}

int main(void) {
  struct sigaction sa;
  int i, status, sum;
  pid_t pid;

  region = (volatile char *)mmap(0, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(region != MAP_FAILED);
  memset((char *)region, 1, NPAGES * PAGE);

  memset(&sa, 0, sizeof sa);
  sa.sa_handler = (void (*)(int))on_segv;
  sigaction(SIGSEGV, &sa, 0);

  /* 1. one read-only page: the store faults once, the handler unprotects, the store is redone */
  CHECK(mprotect((void *)region, PAGE, PROT_READ) == 0);
  printf("read while read-only: %d\n", region[100]);
  region[100] = 42;
  printf("after fixup: value %d, faults %d, trap %lu, err %lu, offset %lu\n", region[100], faults, last_trap, last_err,
         last_off);

  /* 2. PROT_NONE: even a read faults */
  CHECK(mprotect((void *)(region + PAGE), PAGE, PROT_NONE) == 0);
  sum = region[PAGE + 8]; /* L4 reports fault addresses to a word (its IPC uses the low bits) */
  /* err without the present bit: 2.0 keeps PROT_NONE pages present for the kernel, today they are not */
  printf("read of PROT_NONE page: value %d, faults %d, err %lu, offset %lu\n", sum, faults, last_err & 6, last_off);

  /* 3. Appel-Li: protect all pages, then touch each: one trap per page */
  faults = 0;
  CHECK(mprotect((void *)region, NPAGES * PAGE, PROT_READ) == 0);
  for (i = 0; i < NPAGES; i++) region[i * PAGE + i] = (char)i;
  sum = 0;
  for (i = 0; i < NPAGES; i++) sum += region[i * PAGE + i];
  printf("protect %d pages, store to each: faults %d, sum %d\n", NPAGES, faults, sum);

  /* 4. a second touch of an unprotected page does not fault */
  region[5] = 5;
  printf("no fault after fixup: faults %d\n", faults);

  /* 5. partial munmap: the hole faults (handler leaves it: the child dies of SIGSEGV) */
  CHECK(munmap((void *)(region + 4 * PAGE), 2 * PAGE) == 0);
  printf("around the hole: %d %d\n", region[3 * PAGE + 3], region[6 * PAGE + 6]);
  pid = fork();
  if (pid == 0) {
    struct rlimit rl;
    getrlimit(RLIMIT_CORE, &rl);
    rl.rlim_cur = 0;
    setrlimit(RLIMIT_CORE, &rl);
    signal(SIGSEGV, SIG_DFL);
    region[4 * PAGE] = 1;
    _exit(0);
  }
  waitpid(pid, &status, 0);
  printf("store into the hole: signaled %d sig %d core %d\n", WIFSIGNALED(status), WTERMSIG(status),
         WCOREDUMP(status) ? 1 : 0);

  /* 6. default actions that would dump core, with no core limit */
  {
    static const int sigs[] = {SIGQUIT, SIGILL, SIGABRT, SIGFPE, SIGSEGV, SIGTERM};
    for (i = 0; i < 6; i++) {
      pid = fork();
      if (pid == 0) {
        struct rlimit rl = {0, 0};
        setrlimit(RLIMIT_CORE, &rl);
        signal(sigs[i], SIG_DFL);
        kill(getpid(), sigs[i]);
        _exit(100);
      }
      waitpid(pid, &status, 0);
      printf("signal %d: signaled %d sig %d core %d\n", sigs[i], WIFSIGNALED(status), WTERMSIG(status),
             WCOREDUMP(status) ? 1 : 0);
    }
  }
  {
    struct rlimit rl;
    CHECK(getrlimit(RLIMIT_CORE, &rl) == 0);
    rl.rlim_cur = 0;
    CHECK(setrlimit(RLIMIT_CORE, &rl) == 0);
    CHECK(getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur == 0);
    rl.rlim_cur = 8192;
    rl.rlim_max = 4096;
    printf("setrlimit cur > max: %d\n", setrlimit(RLIMIT_CORE, &rl));
  }
  return CHECK_DONE();
}
