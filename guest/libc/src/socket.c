/* BSD socket calls: each one is socketcall(call, args) (system call 102) with its
   arguments in an array of longs, as Linux 2.0 i386 expects (net/socket.c). */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include "internal.h"

#ifndef __NR_socketcall
#define __NR_socketcall 102
#endif

static long sockcall(int call, unsigned long *args) {
  return __sysret(__syscall2(__NR_socketcall, call, (long)args));
}

int socket(int domain, int type, int protocol) {
  unsigned long a[3] = {(unsigned long)domain, (unsigned long)type, (unsigned long)protocol};
  return sockcall(1, a);
}
int bind(int fd, const struct sockaddr *addr, socklen_t len) {
  unsigned long a[3] = {(unsigned long)fd, (unsigned long)addr, len};
  return sockcall(2, a);
}
int connect(int fd, const struct sockaddr *addr, socklen_t len) {
  unsigned long a[3] = {(unsigned long)fd, (unsigned long)addr, len};
  return sockcall(3, a);
}
int listen(int fd, int backlog) {
  unsigned long a[2] = {(unsigned long)fd, (unsigned long)backlog};
  return sockcall(4, a);
}
int accept(int fd, struct sockaddr *addr, socklen_t *len) {
  unsigned long a[3] = {(unsigned long)fd, (unsigned long)addr, (unsigned long)len};
  return sockcall(5, a);
}
int getsockname(int fd, struct sockaddr *addr, socklen_t *len) {
  unsigned long a[3] = {(unsigned long)fd, (unsigned long)addr, (unsigned long)len};
  return sockcall(6, a);
}
int getpeername(int fd, struct sockaddr *addr, socklen_t *len) {
  unsigned long a[3] = {(unsigned long)fd, (unsigned long)addr, (unsigned long)len};
  return sockcall(7, a);
}
int socketpair(int domain, int type, int protocol, int sv[2]) {
  unsigned long a[4] = {(unsigned long)domain, (unsigned long)type, (unsigned long)protocol, (unsigned long)sv};
  return sockcall(8, a);
}
ssize_t send(int fd, const void *buf, size_t n, int flags) {
  unsigned long a[4] = {(unsigned long)fd, (unsigned long)buf, n, (unsigned long)flags};
  return sockcall(9, a);
}
ssize_t recv(int fd, void *buf, size_t n, int flags) {
  unsigned long a[4] = {(unsigned long)fd, (unsigned long)buf, n, (unsigned long)flags};
  return sockcall(10, a);
}
ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *to, socklen_t tolen) {
  unsigned long a[6] = {(unsigned long)fd, (unsigned long)buf, n, (unsigned long)flags, (unsigned long)to, tolen};
  return sockcall(11, a);
}
ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *from, socklen_t *fromlen) {
  unsigned long a[6] = {(unsigned long)fd, (unsigned long)buf, n, (unsigned long)flags, (unsigned long)from, (unsigned long)fromlen};
  return sockcall(12, a);
}
int shutdown(int fd, int how) {
  unsigned long a[2] = {(unsigned long)fd, (unsigned long)how};
  return sockcall(13, a);
}
int setsockopt(int fd, int level, int opt, const void *val, socklen_t len) {
  unsigned long a[5] = {(unsigned long)fd, (unsigned long)level, (unsigned long)opt, (unsigned long)val, len};
  return sockcall(14, a);
}
int getsockopt(int fd, int level, int opt, void *val, socklen_t *len) {
  unsigned long a[5] = {(unsigned long)fd, (unsigned long)level, (unsigned long)opt, (unsigned long)val, (unsigned long)len};
  return sockcall(15, a);
}

/* dotted quad (a.b.c.d, each 0..255) to an address in network order; 0 on error */
int inet_aton(const char *cp, struct in_addr *in) {
  unsigned long parts[4];
  int n = 0;
  for (;;) {
    unsigned long v = 0;
    int digits = 0;
    while (*cp >= '0' && *cp <= '9') {
      v = v * 10 + (unsigned long)(*cp++ - '0');
      if (v > 255) return 0;
      digits++;
    }
    if (digits == 0) return 0;
    parts[n++] = v;
    if (*cp == '\0') break;
    if (*cp != '.' || n == 4) return 0;
    cp++;
  }
  if (n != 4) return 0;
  in->s_addr = htonl((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]);
  return 1;
}

in_addr_t inet_addr(const char *cp) {
  struct in_addr a;
  return inet_aton(cp, &a) ? a.s_addr : INADDR_NONE;
}

char *inet_ntoa(struct in_addr in) {
  static char buf[16];
  unsigned long a = ntohl(in.s_addr);
  char *p = buf;
  for (int i = 3; i >= 0; i--) {
    unsigned v = (a >> (i * 8)) & 0xff;
    if (v >= 100) *p++ = (char)('0' + v / 100);
    if (v >= 10) *p++ = (char)('0' + (v / 10) % 10);
    *p++ = (char)('0' + v % 10);
    if (i) *p++ = '.';
  }
  *p = '\0';
  return buf;
}
