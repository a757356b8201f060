/* echo [-n] args...: its arguments separated by blanks, then a newline (none with -n). */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  int i = 1, newline = 1;
  if (i < argc && !strcmp(argv[i], "-n")) {
    newline = 0;
    i++;
  }
  for (; i < argc; i++) {
    fputs(argv[i], stdout);
    if (i + 1 < argc) putchar(' ');
  }
  if (newline) putchar('\n');
  return fflush(stdout) < 0 ? 1 : 0;
}
