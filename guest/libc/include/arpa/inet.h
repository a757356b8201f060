#ifndef _ARPA_INET_H
#define _ARPA_INET_H
/* Address conversions: dotted quads to and from network-order addresses. */
#include <netinet/in.h>
in_addr_t inet_addr(const char *cp);
int inet_aton(const char *cp, struct in_addr *in);
char *inet_ntoa(struct in_addr in);
#endif
