/* execve: a child replaces itself with another image (test-args, found in the
   directory named by $GUEST_BIN), which prints its arguments and exits with argc;
   errors for a missing file; exec keeps the pid and the parent relation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <sys/wait.h>
#include "check.h"

int main(void) {
  const char *bin = getenv("GUEST_BIN");
  char path[256];
  char *argv[] = {"test-args", "from exec", "x", 0};
  char *envp[] = {"HOME=/exec", "EXECED=1", 0};
  pid_t pid;
  int status, r;
  if (!bin) {
    printf("GUEST_BIN is not set\n");
    return 1;
  }
  snprintf(path, sizeof path, "%s/test-args", bin);

  pid = fork();
  if (pid == 0) {
    execve(path, argv, envp);
    printf("execve failed: %s\n", strerror(errno));
    _exit(127);
  }
  waitpid(pid, &status, 0);
  printf("exec'd child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);

  r = execve("/no/such/program", argv, envp);
  printf("execve of a missing file: %d, ENOENT %d\n", r, errno == ENOENT);

  /* another image: its exit status (3, from exit() with atexit handlers) reaches the parent */
  pid = fork();
  if (pid == 0) {
    char *av[] = {"test-exit3", 0};
    snprintf(path, sizeof path, "%s/test-exit3", bin);
    execve(path, av, envp);
    _exit(127);
  }
  waitpid(pid, &status, 0);
  printf("second exec'd child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return CHECK_DONE();
}
