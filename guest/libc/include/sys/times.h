#ifndef _SYS_TIMES_H
#define _SYS_TIMES_H
#include <sys/types.h>
/* times (43): clock ticks (HZ = 100) of the process and its reaped children */
struct tms {
  clock_t tms_utime, tms_stime, tms_cutime, tms_cstime;
};
clock_t times(struct tms *buf);
#endif
