/* Interval timers: setitimer (104), getitimer (105). */
#include <sys/time.h>
#include "internal.h"

#define NR_setitimer 104
#define NR_getitimer 105

int setitimer(int which, const struct itimerval *v, struct itimerval *old) {
  return __sysret(__syscall3(NR_setitimer, which, (long)v, (long)old));
}
int getitimer(int which, struct itimerval *v) { return __sysret(__syscall2(NR_getitimer, which, (long)v)); }
