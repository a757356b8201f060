/* Files: create, write, lseek, read back, O_APPEND, O_EXCL, unlink, errors. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
#include "check.h"

int main(void) {
  char path[64], buf[256];
  int fd, n, i;
  sprintf(path, "/tmp/mklab-fileio-%d", getpid()); /* unique, never printed */
  fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
  printf("create: %s\n", fd >= 0 ? "ok" : strerror(errno));
  if (fd < 0) return 1;
  for (i = 0; i < 10; i++) {
    n = sprintf(buf, "line %d\n", i);
    CHECK(write(fd, buf, n) == n);
  }
  printf("lseek end %ld\n", (long)lseek(fd, 0, SEEK_END));
  printf("lseek set %ld\n", (long)lseek(fd, 7, SEEK_SET));
  n = read(fd, buf, 14);
  buf[n > 0 ? n : 0] = 0;
  printf("read %d: [%s]\n", n, buf);
  lseek(fd, -7, SEEK_END);
  n = read(fd, buf, 100);
  buf[n > 0 ? n : 0] = 0;
  printf("read tail %d: [%s]\n", n, buf);
  printf("read at EOF %d\n", (int)read(fd, buf, 10));
  close(fd);
  n = read(fd, buf, 1);
  printf("read on closed fd %d errno EBADF %d\n", n, errno == EBADF);

  fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
  n = errno == EEXIST;
  printf("O_EXCL on existing file %d errno EEXIST %d\n", fd, n);
  fd = open(path, O_WRONLY | O_APPEND);
  write(fd, "appended\n", 9);
  close(fd);
  fd = open(path, O_RDONLY);
  n = read(fd, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  printf("size after append %d, last line %s", n, strrchr(buf, 'l') ? buf + n - 9 : "?");
  close(fd);
  fd = open(path, O_WRONLY | O_TRUNC);
  close(fd);
  fd = open(path, O_RDONLY);
  printf("after O_TRUNC read %d\n", (int)read(fd, buf, 10));
  close(fd);
  n = unlink(path);
  fd = open(path, O_RDONLY);
  printf("unlink %d, open after unlink %d errno ENOENT %d\n", n, fd, errno == ENOENT);
  fd = open("/no/such/dir/file", O_RDONLY);
  printf("open in a missing directory %d errno ENOENT %d\n", fd, errno == ENOENT);
  return CHECK_DONE();
}
