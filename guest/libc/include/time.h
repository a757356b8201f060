#ifndef _TIME_H
#define _TIME_H
#include <sys/types.h>
time_t time(time_t *t);
#endif
