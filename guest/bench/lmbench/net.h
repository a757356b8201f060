/* The socket calls of the network tests, when the libc has them (guest/libc's socket
   wrappers: sys/socket.h, netinet/in.h). Without them the tests that need sockets say
   so at run time and the rest of the suite is unaffected. */
#ifndef LMB_NET_H
#define LMB_NET_H
#include <errno.h>
#include <sys/types.h>

#if defined(__has_include)
#if __has_include(<sys/socket.h>) && __has_include(<netinet/in.h>)
#define LMB_HAVE_SOCKETS 1
#endif
#endif
#ifndef LMB_HAVE_SOCKETS
#define LMB_HAVE_SOCKETS 0
#endif

#if LMB_HAVE_SOCKETS
#include <sys/socket.h>
#include <netinet/in.h>

/* byte order of the wire (big-endian), without relying on htons/htonl */
static inline unsigned short lmb_be16(unsigned short v) { return (unsigned short)((v >> 8) | (v << 8)); }
static inline unsigned lmb_be32(unsigned v) {
  return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}
#define LMB_LOOPBACK 0x7f000001u /* 127.0.0.1 */

/* a loopback TCP listener or UDP socket bound to an ephemeral port; *port gets it
   (network order) */
int lmb_inet_server(int type, unsigned short *port);
/* a TCP socket connected to 127.0.0.1:port */
int lmb_tcp_connect(unsigned short port);
/* a UDP socket and the server's address */
void lmb_loopback_addr(struct sockaddr_in *sa, unsigned short port);
#endif

/* the bandwidth helpers of ipc.c, shared with bw_tcp */
void lmb_stream_writer(int fd) __attribute__((noreturn));
int lmb_stream_bandwidth(const char *test, const char *metric, int fd, pid_t writer);

#endif
