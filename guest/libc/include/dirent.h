#ifndef _DIRENT_H
#define _DIRENT_H
#include <sys/types.h>
/* struct dirent as Linux i386's getdents (#141) fills it */
struct dirent {
  long d_ino;
  off_t d_off;
  unsigned short d_reclen;
  char d_name[256];
};
typedef struct __dirstream DIR;
DIR *opendir(const char *path);
struct dirent *readdir(DIR *d);
void rewinddir(DIR *d);
int closedir(DIR *d);
int dirfd(DIR *d);
int getdents(int fd, struct dirent *buf, unsigned count);
#endif
