#include <stdlib.h>
#include <unistd.h>
#include "internal.h"

char **environ;
int main(int argc, char **argv, char **envp);

void __libc_start_main(int argc, char **argv, char **envp) __attribute__((noreturn, used));
void __libc_start_main(int argc, char **argv, char **envp) {
  environ = envp;
  __fpu_init();
  exit(main(argc, argv, envp));
}
