#ifndef _NETINET_TCP_H
#define _NETINET_TCP_H
/* TCP options (include/linux/tcp.h) */
#define SOL_TCP 6
#define TCP_NODELAY 1
#define TCP_MAXSEG 2
#endif
