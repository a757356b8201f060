/* opendir/readdir/closedir over getdents (the kernel's struct dirent records, read a
   buffer at a time). One DIR per open; no telldir/seekdir. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

struct __dirstream {
  int fd;
  int pos; /* next record in buf */
  int len; /* bytes of records in buf */
  char buf[2048];
};

DIR *opendir(const char *path) {
  int fd = open(path, O_RDONLY);
  DIR *d;
  if (fd < 0) return 0;
  d = malloc(sizeof *d);
  if (!d) {
    close(fd);
    return 0;
  }
  d->fd = fd;
  d->pos = d->len = 0;
  return d;
}

struct dirent *readdir(DIR *d) {
  struct dirent *e;
  if (d->pos >= d->len) {
    int n = getdents(d->fd, (struct dirent *)d->buf, sizeof d->buf);
    if (n <= 0) return 0;
    d->len = n;
    d->pos = 0;
  }
  e = (struct dirent *)(d->buf + d->pos);
  d->pos += e->d_reclen;
  return e;
}

void rewinddir(DIR *d) {
  lseek(d->fd, 0, SEEK_SET);
  d->pos = d->len = 0;
}

int closedir(DIR *d) {
  int r = close(d->fd);
  free(d);
  return r;
}

int dirfd(DIR *d) { return d->fd; }
