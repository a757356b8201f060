#ifndef _SYS_SELECT_H
#define _SYS_SELECT_H
#include <sys/types.h>
#include <sys/time.h>
/* fd_set of FD_SETSIZE bits, as Linux's _newselect (142) reads it */
#define FD_SETSIZE 1024
typedef struct {
  unsigned long fds_bits[FD_SETSIZE / 32];
} fd_set;
#define FD_ZERO(s) do { unsigned __i; for (__i = 0; __i < FD_SETSIZE / 32; __i++) (s)->fds_bits[__i] = 0; } while (0)
#define FD_SET(fd, s) ((s)->fds_bits[(fd) >> 5] |= 1UL << ((fd) & 31))
#define FD_CLR(fd, s) ((s)->fds_bits[(fd) >> 5] &= ~(1UL << ((fd) & 31)))
#define FD_ISSET(fd, s) (((s)->fds_bits[(fd) >> 5] >> ((fd) & 31)) & 1)
int select(int n, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *timeout);
#endif
