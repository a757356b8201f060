#include <signal.h>
#include <string.h>
#include "internal.h"

/* Every handler gets our restorer (SA_RESTORER), which calls sigreturn: the kernel
   then needs no code of its own on the user stack or in a vDSO. */
int sigaction(int sig, const struct sigaction *act, struct sigaction *old) {
  struct sigaction k;
  if (act) {
    k = *act;
    k.sa_flags |= SA_RESTORER;
    k.sa_restorer = __sigreturn_restorer;
  }
  return __sysret(__syscall3(__NR_sigaction, sig, act ? (long)&k : 0, (long)old));
}

/* BSD semantics, as glibc's signal(): the handler stays installed, the signal is
   blocked while its handler runs, interrupted calls restart. (System call 48 would
   give SysV one-shot semantics; we do not use it.) */
sighandler_t signal(int sig, sighandler_t handler) {
  struct sigaction sa, old;
  sa.sa_handler = handler;
  sa.sa_mask = 0;
  sa.sa_flags = SA_RESTART;
  sa.sa_restorer = 0;
  if (sigaction(sig, &sa, &old) < 0) return SIG_ERR;
  return old.sa_handler;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old) {
  return __sysret(__syscall3(__NR_sigprocmask, how, (long)set, (long)old));
}
int sigpending(sigset_t *set) { return __sysret(__syscall1(__NR_sigpending, (long)set)); }
/* i386 sigsuspend(int, int, old_sigset_t mask): the mask is the third argument */
int sigsuspend(const sigset_t *mask) { return __sysret(__syscall3(__NR_sigsuspend, 0, 0, (long)*mask)); }

static int bad_sig(int sig) {
  if (sig < 1 || sig > 32) {
    errno = EINVAL;
    return 1;
  }
  return 0;
}
int sigemptyset(sigset_t *s) { *s = 0; return 0; }
int sigfillset(sigset_t *s) { *s = ~0UL; return 0; }
int sigaddset(sigset_t *s, int sig) {
  if (bad_sig(sig)) return -1;
  *s |= 1UL << (sig - 1);
  return 0;
}
int sigdelset(sigset_t *s, int sig) {
  if (bad_sig(sig)) return -1;
  *s &= ~(1UL << (sig - 1));
  return 0;
}
int sigismember(const sigset_t *s, int sig) {
  if (bad_sig(sig)) return -1;
  return (*s >> (sig - 1)) & 1;
}
