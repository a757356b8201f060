/* rm [-f] file...: unlinks each file; -f: a missing file is no error. */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int i = 1, force = 0, status = 0;
  if (i < argc && !strcmp(argv[i], "-f")) {
    force = 1;
    i++;
  }
  for (; i < argc; i++) {
    if (unlink(argv[i]) < 0 && !(force && errno == ENOENT)) {
      fprintf(stderr, "rm: %s: %s\n", argv[i], strerror(errno));
      status = 1;
    }
  }
  return status;
}
