/* The simplest system calls: null (a 1-byte write to /dev/null, lmbench 1.x's null
   call), read (1 byte from /dev/zero), stat (an existing file), open+close, and the
   signal tests (sigaction; a caught SIGUSR1 sent to ourselves, minus kill(self, 0)). */
#include <unistd.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include "lmb.h"

struct fd_arg {
  int fd;
  char buf[4];
};

static void op_write(long n, void *a) {
  struct fd_arg *f = a;
  while (n-- > 0) write(f->fd, f->buf, 1);
}

static void op_read(long n, void *a) {
  struct fd_arg *f = a;
  while (n-- > 0) read(f->fd, f->buf, 1);
}

int lmb_null(void) {
  struct fd_arg f = {.fd = open("/dev/null", O_WRONLY)};
  if (f.fd < 0 || write(f.fd, f.buf, 1) != 1) {
    lmb_fail("null", "write of /dev/null");
    return -1;
  }
  lmb_report_us("lmb_null_us", lmb_time(op_write, &f, lmb.target_us));
  close(f.fd);
  return 0;
}

int lmb_read(void) {
  struct fd_arg f = {.fd = open("/dev/zero", O_RDONLY)};
  if (f.fd < 0 || read(f.fd, f.buf, 1) != 1) {
    lmb_fail("read", "read of /dev/zero");
    return -1;
  }
  lmb_report_us("lmb_read_us", lmb_time(op_read, &f, lmb.target_us));
  close(f.fd);
  return 0;
}

/* a file of our own to stat and open (lmbench names one on its command line) */
static int make_file(char *path, int size) {
  int fd;
  lmb_path(path, size, "file");
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return -1;
  close(fd);
  return 0;
}

static void op_stat(long n, void *a) {
  struct stat st;
  while (n-- > 0) stat((const char *)a, &st);
}

static void op_open(long n, void *a) {
  while (n-- > 0) close(open((const char *)a, O_RDONLY));
}

int lmb_stat(void) {
  char path[256];
  struct stat st;
  if (make_file(path, sizeof path) < 0 || stat(path, &st) < 0) {
    lmb_fail("stat", "stat of a scratch file");
    return -1;
  }
  lmb_report_us("lmb_stat_us", lmb_time(op_stat, path, lmb.target_us));
  unlink(path);
  return 0;
}

int lmb_open(void) {
  char path[256];
  int fd;
  if (make_file(path, sizeof path) < 0 || (fd = open(path, O_RDONLY)) < 0) {
    lmb_fail("open", "open of a scratch file");
    return -1;
  }
  close(fd);
  lmb_report_us("lmb_open_us", lmb_time(op_open, path, lmb.target_us));
  unlink(path);
  return 0;
}

static volatile long caught;
static void on_usr1(int sig) {
  (void)sig;
  caught++;
}

static void op_sigaction(long n, void *a) {
  struct sigaction *sa = a;
  while (n-- > 0) sigaction(SIGUSR1, sa, 0);
}

static void op_kill(long n, void *a) {
  int sig = *(int *)a;
  pid_t me = getpid();
  while (n-- > 0) kill(me, sig);
}

int lmb_sig(void) {
  struct sigaction sa;
  int sig;
  double with_handler, bare;
  sa.sa_handler = on_usr1;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  if (sigaction(SIGUSR1, &sa, 0) < 0) {
    lmb_fail("sig", "sigaction");
    return -1;
  }
  lmb_report_us("lmb_sig_install_us", lmb_time(op_sigaction, &sa, lmb.target_us));

  caught = 0;
  if (kill(getpid(), SIGUSR1) < 0 || caught != 1) {
    lmb_fail("sig", "catching SIGUSR1 sent to ourselves");
    return -1;
  }
  sig = SIGUSR1;
  with_handler = lmb_time(op_kill, &sig, lmb.target_us);
  sig = 0;
  bare = lmb_time(op_kill, &sig, lmb.target_us);
  lmb_report_us("lmb_sig_catch_us", with_handler - bare);
  signal(SIGUSR1, SIG_DFL);
  return 0;
}
