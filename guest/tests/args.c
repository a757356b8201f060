/* argc, argv and the environment as the kernel laid them out on the initial stack. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv, char **envp) {
  int i;
  printf("argc=%d\n", argc);
  for (i = 0; i < argc; i++) printf("argv[%d]=\"%s\" (%u bytes)\n", i, argv[i], (unsigned)strlen(argv[i]));
  printf("argv[argc] is NULL: %d\n", argv[argc] == 0);
  for (i = 0; envp[i]; i++) printf("envp[%d]=\"%s\"\n", i, envp[i]);
  printf("environ == envp: %d\n", environ == envp);
  printf("envp follows argv: %d\n", envp == argv + argc + 1);
  printf("getenv(HOME)=%s getenv(EMPTY)=[%s] getenv(MISSING)=%s\n", getenv("HOME"), getenv("EMPTY"),
         getenv("MISSING") ? getenv("MISSING") : "(none)");
  /* the strings sit above the pointer arrays, argv strings first */
  printf("strings above the vectors: %d\n", argc > 0 && (char *)argv[0] > (char *)(envp + i));
  return argc;
}
