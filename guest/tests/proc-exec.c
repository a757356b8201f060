/* fork/exec with arguments and environment: the new image gets exactly the argv and
   envp given (empty strings, many arguments, no environment at all), a "#!" script runs
   its interpreter with the script's path, ENOEXEC for a file that is neither, E2BIG for
   an argument longer than the kernel takes, EACCES without execute permission, ENOENT,
   and the exec'd child keeps its pid and parent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include "check.h"

extern char **environ;

static int run(const char *path, char *const av[], char *const ev[]) {
  int status;
  pid_t pid = fork();
  if (pid == 0) {
    execve(path, av, ev);
    printf("exec failed: errno %d\n", errno);
    _exit(127);
  }
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void make_file(const char *path, const char *text, int mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
  write(fd, text, strlen(text));
  close(fd);
}

int main(int argc, char **argv) {
  const char *bin = getenv("GUEST_BIN");
  char self[256], script[96], plain[96], noexec[96], line[400];
  int i, r;

  if (argc >= 2 && strcmp(argv[1], "child") == 0) {
    /* the exec'd image: report what it got (argv[0] may be a path: print only its end) */
    const char *slash = strrchr(argv[0], '/');
    printf("  argc %d argv0 %s\n", argc, slash ? slash + 1 : argv[0]);
    for (i = 2; i < argc; i++) {
      /* the script's path has our pid in it */
      printf("  argv[%d] = \"%s\"\n", i, strstr(argv[i], "/proc-exec-script-") ? "<the script>" : argv[i]);
    }
    for (i = 0; environ[i]; i++) printf("  env %s\n", environ[i]);
    return 40 + argc;
  }
  if (argc >= 2 && strcmp(argv[1], "pidcheck") == 0) {
    return atoi(argv[2]) == getpid() ? 1 : 2;
  }
  if (!bin) {
    printf("GUEST_BIN is not set\n");
    return 1;
  }
  snprintf(self, sizeof self, "%s/test-proc-exec", bin);

  /* 1. arguments and environment, exactly */
  {
    char *av[] = {"proc-exec", "child", "one", "", "two words", "--x=y", 0};
    char *ev[] = {"A=1", "EMPTY=", "B=with space", 0};
    r = run(self, av, ev);
    printf("exit %d\n", r);
  }
  {
    char *av[] = {"proc-exec", "child", 0};
    char *ev[] = {0};
    printf("no environment:\n");
    r = run(self, av, ev);
    printf("exit %d\n", r);
  }
  {
    static char *av[80];
    static char bufs[80][8];
    char *ev[] = {"MANY=1", 0};
    av[0] = "proc-exec";
    av[1] = "child";
    for (i = 2; i < 12; i++) {
      snprintf(bufs[i], sizeof bufs[i], "a%d", i);
      av[i] = bufs[i];
    }
    av[12] = 0;
    r = run(self, av, ev);
    printf("exit %d\n", r);
  }

  /* 2. the pid survives exec */
  {
    int status;
    pid_t pid = fork();
    if (pid == 0) {
      char num[16];
      char *av[] = {"proc-exec", "pidcheck", num, 0};
      snprintf(num, sizeof num, "%d", getpid());
      execve(self, av, environ);
      _exit(127);
    }
    waitpid(pid, &status, 0);
    printf("pid kept across exec: %d\n", WEXITSTATUS(status) == 1);
  }

  /* 3. a #! script: the interpreter runs with [interp, arg, script, args...] */
  snprintf(script, sizeof script, "/tmp/proc-exec-script-%d", getpid());
  snprintf(line, sizeof line, "#!%s child\nthis line is never read\n", self);
  make_file(script, line, 0755);
  {
    char *av[] = {"the-script", "s1", "s2", 0};
    char *ev[] = {"S=1", 0};
    r = run(script, av, ev);
    printf("script exit %d\n", r);
  }
  unlink(script);

  /* 4. errors: ENOEXEC, EACCES, ENOENT, E2BIG */
  snprintf(plain, sizeof plain, "/tmp/proc-exec-plain-%d", getpid());
  make_file(plain, "just text, not a program\n", 0755);
  {
    char *av[] = {"x", 0};
    r = execve(plain, av, environ);
    printf("text file: %d ENOEXEC %d\n", r, errno == ENOEXEC);
  }
  unlink(plain);
  snprintf(noexec, sizeof noexec, "/tmp/proc-exec-noexec-%d", getpid());
  make_file(noexec, "#!/bin/true\n", 0644);
  {
    char *av[] = {"x", 0};
    r = execve(noexec, av, environ);
    printf("no execute permission: %d EACCES %d\n", r, errno == EACCES);
    r = execve("/no/such/file", av, environ);
    printf("missing: %d ENOENT %d\n", r, errno == ENOENT);
  }
  unlink(noexec);
  {
    /* one argument of 200 KiB: more than 2.0's 32 pages, and than today's per-string limit */
    char *big = malloc(200 * 1024 + 1);
    char *av[] = {"proc-exec", "child", big, 0};
    memset(big, 'x', 200 * 1024);
    big[200 * 1024] = 0;
    r = execve(self, av, environ);
    printf("200 KiB argument: %d E2BIG %d\n", r, errno == E2BIG);
    free(big);
  }
  printf("still running after failed execs\n");
  return CHECK_DONE();
}
