#ifndef _NETDB_H
#define _NETDB_H
/* Host names without a resolver: the machine has only its loopback interface, so
   "localhost" and dotted quads are the names there are (no /etc/hosts, no DNS). */
#include <netinet/in.h>
struct hostent {
  char *h_name;
  char **h_aliases;
  int h_addrtype;
  int h_length;
  char **h_addr_list;
};
#define h_addr h_addr_list[0]
#define HOST_NOT_FOUND 1
extern int h_errno;
struct hostent *gethostbyname(const char *name);
#endif
