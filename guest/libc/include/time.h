#ifndef _TIME_H
#define _TIME_H
#include <sys/types.h>
time_t time(time_t *t);
struct timespec {
  time_t tv_sec;
  long tv_nsec;
};
int nanosleep(const struct timespec *req, struct timespec *rem);
#endif
