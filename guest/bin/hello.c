/* hello: what the lmbench exec tests run (fork+exec, /bin/sh -c hello). */
#include <unistd.h>

int main(void) {
  static const char msg[] = "Hello world\n";
  return write(1, msg, sizeof msg - 1) == sizeof msg - 1 ? 0 : 1;
}
