/* Processes: fork (the child exits at once, the parent waits), fork+exec of `hello`,
   fork+exec of `/bin/sh -c hello`, and the context-switch ring (ctx). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/wait.h>
#include "lmb.h"

extern char **environ;

static void op_fork(long n, void *a) {
  int status, *failed = a;
  while (n-- > 0) {
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid < 0) {
      *failed = 1;
      return;
    }
    waitpid(pid, &status, 0);
  }
}

struct exec_arg {
  char path[256];
  char *argv[4];
  char **envp;
  int devnull;
  int failed;
};

/* The child's output goes to /dev/null, so hello's write is real work but the console
   stays quiet. */
static void op_exec(long n, void *a) {
  struct exec_arg *e = a;
  int status;
  while (n-- > 0) {
    pid_t pid = fork();
    if (pid == 0) {
      dup2(e->devnull, 1);
      execve(e->path, e->argv, e->envp);
      _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0) {
      e->failed = 1;
      return;
    }
  }
}

int lmb_fork(void) {
  int status, failed = 0;
  double us;
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0) {
    lmb_fail("fork", "fork + wait");
    return -1;
  }
  us = lmb_time(op_fork, &failed, lmb.target_us);
  if (failed) {
    lmb_fail("fork", "a fork during the timed passes");
    return -1;
  }
  lmb_report_us("lmb_fork_us", us);
  return 0;
}

/* our environment with PATH=<bindir>, so `sh -c hello` finds hello where we found sh */
static char **bin_path_env(void) {
  static char path[300];
  static char *env[64];
  int i, n = 0;
  snprintf(path, sizeof path, "PATH=%s", lmb.bin);
  env[n++] = path;
  for (i = 0; environ && environ[i] && n < 63; i++)
    if (strncmp(environ[i], "PATH=", 5)) env[n++] = environ[i];
  env[n] = 0;
  return env;
}

static int exec_test(const char *test, const char *metric, const char *prog, char *const argv[]) {
  struct exec_arg e;
  double us;
  memset(&e, 0, sizeof e);
  snprintf(e.path, sizeof e.path, "%s/%s", lmb.bin, prog);
  memcpy(e.argv, argv, 3 * sizeof(char *));
  e.envp = bin_path_env();
  e.devnull = open("/dev/null", O_WRONLY);
  if (e.devnull < 0) {
    lmb_fail(test, "open of /dev/null");
    return -1;
  }
  op_exec(1, &e);
  if (e.failed) {
    errno = ENOEXEC;
    lmb_fail(test, e.path);
    close(e.devnull);
    return -1;
  }
  us = lmb_time(op_exec, &e, lmb.target_us);
  close(e.devnull);
  if (e.failed) {
    lmb_fail(test, "a child failed during the timed passes");
    return -1;
  }
  lmb_report_us(metric, us);
  return 0;
}

int lmb_exec(void) {
  char *argv[] = {"hello", 0, 0};
  return exec_test("exec", "lmb_exec_us", "hello", argv);
}

int lmb_sh(void) {
  char *argv[] = {"sh", "-c", "hello"};
  return exec_test("sh", "lmb_sh_us", "sh", argv);
}

/* ---- ctx: a ring of P processes passing a token through pipes ----
   Member i reads the token from pipe i, sums its private K KiB array, and writes the
   token to pipe i+1 (mod P); member 0 is this process, which times whole rounds. The
   overhead is the same work done inside one process: per hop a pipe write and read
   and the sum of a K KiB array. ctx = per-hop time of the ring (its minimum over the
   trials) - the overhead per hop (its minimum), as lmbench reports it. */

struct ring {
  int procs;
  int failed;
  long bytes;
  int fds[64][2];
  pid_t pids[64];
  unsigned *array;
};

static void ring_member(struct ring *r, int me) {
  int in = r->fds[me][0], out = r->fds[(me + 1) % r->procs][1];
  int token, i;
  unsigned *array = r->bytes ? malloc(r->bytes) : 0;
  if (r->bytes && !array) _exit(1);
  if (array) memset(array, me, r->bytes);
  for (i = 0; i < r->procs; i++) {
    if (r->fds[i][0] != in) close(r->fds[i][0]);
    if (r->fds[i][1] != out) close(r->fds[i][1]);
  }
  while (read(in, &token, sizeof token) == sizeof token) {
    if (array) lmb_sink += lmb_sum_words(array, r->bytes);
    if (write(out, &token, sizeof token) != sizeof token) break;
  }
  _exit(0);
}

static void ring_close(struct ring *r) {
  int i, status;
  /* closing our ends lets every member read end-of-file in turn */
  close(r->fds[0][0]);
  close(r->fds[1 % r->procs][1]);
  for (i = 1; i < r->procs; i++)
    if (r->pids[i] > 0) waitpid(r->pids[i], &status, 0);
}

static int ring_open(struct ring *r) {
  int i;
  for (i = 0; i < r->procs; i++) {
    if (pipe(r->fds[i]) < 0) return -1;
  }
  for (i = 1; i < r->procs; i++) {
    fflush(stdout);
    r->pids[i] = fork();
    if (r->pids[i] == 0) ring_member(r, i);
    if (r->pids[i] < 0) return -1;
  }
  for (i = 0; i < r->procs; i++) {
    if (i != 0) close(r->fds[i][0]);
    if (i != 1 % r->procs) close(r->fds[i][1]);
  }
  return 0;
}

static void op_ring(long n, void *a) {
  struct ring *r = a;
  int token = 0;
  int in = r->fds[0][0], out = r->fds[1 % r->procs][1];
  while (n-- > 0) {
    if (write(out, &token, sizeof token) != sizeof token || read(in, &token, sizeof token) != sizeof token) {
      r->failed = 1;
      return;
    }
    if (r->array) lmb_sink += lmb_sum_words(r->array, r->bytes);
  }
}

/* the overhead: one hop's pipe write and read and the sum of one K KiB array, in this
   one process. As in lmbench, the array is always the same one, so it stays in the
   caches: what the ring costs beyond it (the switch, and reloading each process's
   array and state into the caches) is the context-switch time. */
struct overhead {
  long bytes;
  int fds[2];
  unsigned *array;
};

static void op_overhead(long n, void *a) {
  struct overhead *o = a;
  int token = 0;
  while (n-- > 0) {
    write(o->fds[1], &token, sizeof token);
    read(o->fds[0], &token, sizeof token);
    if (o->bytes) lmb_sink += lmb_sum_words(o->array, o->bytes);
  }
}

static int ctx_point(int procs, int kb) {
  struct ring r;
  struct overhead o;
  double best = 0, ov_best = 0;
  char name[64];
  int t;
  memset(&r, 0, sizeof r);
  memset(&o, 0, sizeof o);
  r.procs = procs;
  r.bytes = o.bytes = kb * 1024L;

  if (pipe(o.fds) < 0) return -1;
  if (o.bytes) {
    o.array = malloc(o.bytes);
    if (!o.array) return -1;
    memset(o.array, 1, o.bytes);
  }
  for (t = 0; t < lmb.ctx_trials; t++) {
    double us = lmb_time(op_overhead, &o, lmb.target_us);
    if (t == 0 || us < ov_best) ov_best = us;
  }
  close(o.fds[0]);
  close(o.fds[1]);
  free(o.array);

  if (r.bytes) {
    r.array = malloc(r.bytes);
    if (!r.array) return -1;
    memset(r.array, 0, r.bytes);
  }
  if (ring_open(&r) < 0) return -1;
  for (t = 0; t < lmb.ctx_trials; t++) {
    double us = lmb_time(op_ring, &r, lmb.target_us) / procs;
    if (t == 0 || us < best) best = us;
  }
  ring_close(&r);
  free(r.array);
  if (r.failed) return -1;
  snprintf(name, sizeof name, "lmb_ctx_%dp_%dk_us", procs, kb);
  lmb_report_us(name, best - ov_best);
  return 0;
}

int lmb_ctx(void) {
  static const int PROCS[] = {2, 8, 16};
  static const int KB[] = {0, 4, 16, 64};
  int p, k;
  for (p = 0; p < 3; p++) {
    if (PROCS[p] > lmb.ctx_max_p) continue;
    for (k = 0; k < 4; k++) {
      if (ctx_point(PROCS[p], KB[k]) < 0) {
        lmb_fail("ctx", "a ring of processes over pipes");
        return -1;
      }
    }
  }
  return 0;
}
