#ifndef _SYS_UN_H
#define _SYS_UN_H
/* AF_UNIX addresses (include/linux/un.h): a path of at most 108 bytes. */
#include <sys/socket.h>
#define UNIX_PATH_MAX 108
struct sockaddr_un {
  sa_family_t sun_family;
  char sun_path[UNIX_PATH_MAX];
};
#endif
