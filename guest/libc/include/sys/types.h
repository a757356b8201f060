#ifndef _SYS_TYPES_H
#define _SYS_TYPES_H
#include <stddef.h>
typedef int pid_t;
typedef unsigned short uid_t;   /* Linux 2.0 i386: 16-bit ids */
typedef unsigned short gid_t;
typedef unsigned short mode_t;
typedef long off_t;
typedef long time_t;
typedef long suseconds_t;
typedef long clock_t;
#endif
