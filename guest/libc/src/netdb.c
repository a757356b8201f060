/* gethostbyname for a machine whose only interface is lo: "localhost" (and
   "localhost.localdomain") is 127.0.0.1, a dotted quad is itself, anything else is
   HOST_NOT_FOUND. One static result, as the classic interface has it. */
#include <netdb.h>
#include <arpa/inet.h>
#include <string.h>

int h_errno;

static struct in_addr addr;
static char *addrs[2] = {(char *)&addr, 0};
static char *aliases[1] = {0};
static char name[64];
static struct hostent host = {name, aliases, AF_INET, 4, addrs};

struct hostent *gethostbyname(const char *n) {
  if (!n || strlen(n) >= sizeof name) {
    h_errno = HOST_NOT_FOUND;
    return 0;
  }
  if (strcmp(n, "localhost") == 0 || strcmp(n, "localhost.localdomain") == 0) {
    addr.s_addr = htonl(INADDR_LOOPBACK);
  } else if (!inet_aton(n, &addr)) {
    h_errno = HOST_NOT_FOUND;
    return 0;
  }
  strcpy(name, n);
  return &host;
}
