/* fork, exit statuses and wait: several children with different statuses, waitpid
   for a given child, WNOHANG, wait4, pipes between parent and child, copy-on-write
   isolation, grandchildren, ECHILD. The parent never prints while a child may be
   printing: every line's order is fixed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include "check.h"

static int shared_counter = 100;
static char heap_text[] = "parent data";

static void describe(const char *what, int status) {
  if (WIFEXITED(status)) printf("%s: exited %d\n", what, WEXITSTATUS(status));
  else if (WIFSIGNALED(status)) printf("%s: killed by signal %d\n", what, WTERMSIG(status));
  else printf("%s: status %#x\n", what, status);
}

int main(void) {
  pid_t me = getpid(), pid, pids[5];
  int status, i, fds[2];
  char *heap;

  /* 1. children exiting with 0..4, reaped in creation order by waitpid(pid) */
  for (i = 0; i < 5; i++) {
    pid = fork();
    if (pid == 0) _exit(i * 10 + 1);
    CHECK(pid > 0);
    pids[i] = pid;
  }
  for (i = 0; i < 5; i++) {
    pid_t r = waitpid(pids[i], &status, 0);
    CHECK(r == pids[i]);
    describe("child", status);
  }
  CHECK(waitpid(-1, &status, 0) == -1 && errno == ECHILD);
  printf("no more children: errno %s\n", errno == ECHILD ? "ECHILD" : "?");

  /* 2. relationships, copy-on-write */
  heap = malloc(64);
  strcpy(heap, "heap before fork");
  pid = fork();
  if (pid == 0) {
    printf("child: getppid()==parent %d, getpid()!=parent %d\n", getppid() == me, getpid() != me);
    shared_counter += 1;
    strcpy(heap_text, "child data");
    strcpy(heap, "heap in child");
    printf("child: counter %d, %s, %s\n", shared_counter, heap_text, heap);
    exit(0);
  }
  waitpid(pid, &status, 0);
  describe("cow child", status);
  printf("parent: counter %d, %s, %s\n", shared_counter, heap_text, heap);

  /* 3. a pipe from child to parent; WNOHANG while the child is blocked on a pipe */
  {
    int to_child[2];
    char buf[64];
    int n;
    CHECK(pipe(fds) == 0 && pipe(to_child) == 0);
    pid = fork();
    if (pid == 0) {
      char go;
      close(fds[0]);
      close(to_child[1]);
      if (read(to_child[0], &go, 1) != 1) _exit(99);
      n = sprintf(buf, "message from child, go=%c", go);
      write(fds[1], buf, n);
      _exit(7);
    }
    close(fds[1]);
    close(to_child[0]);
    CHECK(waitpid(pid, &status, WNOHANG) == 0);
    printf("WNOHANG while child blocked: 0\n");
    write(to_child[1], "G", 1);
    n = read(fds[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("parent read %d bytes: %s\n", n, buf);
    n = read(fds[0], buf, sizeof buf);
    printf("read after child closed: %d\n", n);
    CHECK(wait4(pid, &status, 0, 0) == pid);
    describe("pipe child (wait4)", status);
    close(fds[0]);
    close(to_child[1]);
  }

  /* 4. a child killed by a signal; a child that kills itself */
  pid = fork();
  if (pid == 0) {
    for (;;) pause();
  }
  kill(pid, SIGTERM);
  waitpid(pid, &status, 0);
  describe("SIGTERM child", status);
  pid = fork();
  if (pid == 0) {
    kill(getpid(), SIGKILL);
    _exit(1);
  }
  waitpid(pid, &status, 0);
  describe("self-SIGKILL child", status);

  /* 5. grandchild: the child waits for its own child and passes the status on */
  pid = fork();
  if (pid == 0) {
    pid_t g = fork();
    int st;
    if (g == 0) {
      printf("grandchild: parent is child %d\n", getppid() != me);
      _exit(5);
    }
    waitpid(g, &st, 0);
    printf("child: grandchild exited %d\n", WEXITSTATUS(st));
    _exit(WEXITSTATUS(st) + 1);
  }
  waitpid(pid, &status, 0);
  describe("middle child", status);

  /* 6. wait() for any child, many at once; exit codes summed */
  {
    int sum = 0;
    for (i = 0; i < 8; i++)
      if (fork() == 0) _exit(i + 1);
    for (i = 0; i < 8; i++) {
      CHECK(wait(&status) > 0);
      sum += WEXITSTATUS(status);
    }
    printf("8 children: exit codes sum %d\n", sum);
    CHECK(sum == 36);
  }
  /* 7. exit status is taken modulo 256 */
  pid = fork();
  if (pid == 0) exit(256 + 42);
  waitpid(pid, &status, 0);
  describe("exit(298) child", status);
  return CHECK_DONE();
}
