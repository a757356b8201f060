/* cat [file...]: the files (standard input when none, or for "-") to standard output. */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>

static int copy(int fd) {
  static char buf[8192];
  long n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    char *p = buf;
    while (n > 0) {
      long w = write(1, p, n);
      if (w <= 0) return -1;
      p += w;
      n -= w;
    }
  }
  return n < 0 ? -1 : 0;
}

int main(int argc, char **argv) {
  int i, status = 0;
  if (argc < 2) return copy(0) < 0;
  for (i = 1; i < argc; i++) {
    int fd = strcmp(argv[i], "-") ? open(argv[i], O_RDONLY) : 0;
    if (fd < 0) {
      fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
      status = 1;
      continue;
    }
    if (copy(fd) < 0) {
      fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
      status = 1;
    }
    if (fd) close(fd);
  }
  return status;
}
