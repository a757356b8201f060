/* lmbench: our implementation of the lmbench 1.x micro-benchmarks (the tests of the
   SOSP'97 paper's Figure 6), one program with a test name per argument.

   usage: lmbench [-t target_us] [-N net_factor] [-b bindir] [-d tmpdir] [-f file_kb]
                  [-m mem_kb] [-n fs_files] [-c ctx_trials] [-p ctx_max_procs] test... | all

   The 1.x harness: each operation runs in a loop whose count grows until one pass lasts
   at least the target time; the result is elapsed / count, the time read with
   gettimeofday. lmbench 1.x uses 1 s (5 s for the TCP/UDP tests); the target is an
   option here so the tests can run short on the emulated machine. Bandwidths are in
   MB/s with MB = 10^6 bytes. Results are lines `name value unit`; a test that cannot
   run (a system call the kernel lacks) says so and the others still run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include "lmb.h"

struct lmb_opts lmb = {
    .target_us = 1000000,
    .net_factor = 5,
    .bin = "/bin",
    .tmp = "/tmp",
    .file_kb = 8192,
    .mem_kb = 8192,
    .fs_files = 1000,
    .ctx_trials = 3,
    .ctx_max_p = 16,
};
volatile unsigned lmb_sink;

long long lmb_now_us(void) {
  struct timeval tv;
  gettimeofday(&tv, 0);
  return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* The next count: aim 10% past the target from the last pass, at least doubling (so a
   pass that was too short because of a clock tick cannot stall us), at most x10. */
static long next_count(long n, long long elapsed, long target) {
  double want = elapsed > 0 ? (double)n * (double)target * 1.1 / (double)elapsed : (double)n * 10;
  if (want < 2.0 * n) want = 2.0 * n;
  if (want > 10.0 * n) want = 10.0 * n;
  if (want > 1e9) want = 1e9;
  return (long)want;
}

double lmb_time(lmb_op op, void *arg, long target_us) {
  long n = 1;
  op(1, arg); /* warm-up: caches, TLBs, first-touch faults */
  for (;;) {
    long long t0 = lmb_now_us(), t;
    op(n, arg);
    t = lmb_now_us() - t0;
    if (t >= target_us || n >= 1000000000) return (double)t / (double)n;
    n = next_count(n, t, target_us);
  }
}

double lmb_time_self(lmb_timed_op op, void *arg, long target_us) {
  long n = 1;
  op(1, arg);
  for (;;) {
    double t = op(n, arg);
    if (t >= target_us || n >= 1000000000) return t / (double)n;
    n = next_count(n, (long long)t, target_us);
  }
}

void lmb_report_us(const char *name, double us) { printf("%s %.4f us\n", name, us); }
void lmb_report_mbs(const char *name, double mbs) { printf("%s %.2f MB/s\n", name, mbs); }

void lmb_fail(const char *test, const char *what) {
  printf("lmbench: %s skipped: %s: %s\n", test, what, strerror(errno));
}

void lmb_path(char *buf, int size, const char *name) { snprintf(buf, size, "%s/lmb.%d.%s", lmb.tmp, getpid(), name); }

int lmb_write_all(int fd, const void *buf, long n) {
  const char *p = buf;
  while (n > 0) {
    long w = write(fd, p, n);
    if (w <= 0) return -1;
    p += w;
    n -= w;
  }
  return 0;
}

int lmb_read_all(int fd, void *buf, long n) {
  char *p = buf;
  while (n > 0) {
    long r = read(fd, p, n);
    if (r <= 0) return -1;
    p += r;
    n -= r;
  }
  return 0;
}

unsigned lmb_sum_words(const void *buf, long n) {
  const unsigned *p = buf, *end = p + (n >> 2);
  unsigned s = 0;
  /* unrolled by four, as lmbench's readers are: the loop overhead stays small */
  while (p + 4 <= end) {
    s += p[0] + p[1] + p[2] + p[3];
    p += 4;
  }
  while (p < end) s += *p++;
  return s;
}

static char data_file[256];
static int data_created; /* the pid that created it: a forked child never removes it */

const char *lmb_data_file(void) {
  static char chunk[65536];
  long left, i;
  int fd;
  if (data_created) return data_file;
  lmb_path(data_file, sizeof data_file, "data");
  fd = open(data_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return 0;
  for (i = 0; i < (long)(sizeof chunk / 4); i++) ((unsigned *)chunk)[i] = (unsigned)i * 2654435761u;
  for (left = lmb.file_kb * 1024L; left > 0; left -= sizeof chunk) {
    long n = left < (long)sizeof chunk ? left : (long)sizeof chunk;
    if (lmb_write_all(fd, chunk, n) < 0) {
      close(fd);
      unlink(data_file);
      return 0;
    }
  }
  close(fd);
  data_created = getpid();
  return data_file;
}

void lmb_cleanup(void) {
  if (data_created == getpid()) unlink(data_file);
  data_created = 0;
}

struct test {
  const char *name;
  int (*run)(void);
};
static const struct test TESTS[] = {
    {"null", lmb_null},       {"read", lmb_read},         {"stat", lmb_stat},       {"open", lmb_open},
    {"sig", lmb_sig},         {"fork", lmb_fork},         {"exec", lmb_exec},       {"sh", lmb_sh},
    {"ctx", lmb_ctx},         {"pipe", lmb_pipe},         {"unix", lmb_unix},       {"udp", lmb_udp},
    {"tcp", lmb_tcp},         {"rpc_udp", lmb_rpc_udp},   {"rpc_tcp", lmb_rpc_tcp}, {"connect", lmb_connect},
    {"mmap", lmb_mmap},       {"pagefault", lmb_pagefault}, {"fs", lmb_fs},         {"bw_pipe", lmb_bw_pipe},
    {"bw_tcp", lmb_bw_tcp},   {"bw_file", lmb_bw_file},   {"bw_mmap", lmb_bw_mmap}, {"bw_mem", lmb_bw_mem},
};
#define NTESTS ((int)(sizeof TESTS / sizeof TESTS[0]))

static void usage(const char *why) {
  int i;
  fprintf(stderr, "lmbench: %s\nusage: lmbench [-t target_us] [-N net_factor] [-b bindir] [-d tmpdir] [-f file_kb]\n"
                  "               [-m mem_kb] [-n fs_files] [-c ctx_trials] [-p ctx_max_procs] test... | all\ntests:",
          why);
  for (i = 0; i < NTESTS; i++) fprintf(stderr, " %s", TESTS[i].name);
  fprintf(stderr, "\n");
  exit(2);
}

/* a positive number option */
static long number(const char *opt, const char *text, long min, long max) {
  char *end;
  long v = strtol(text, &end, 10);
  if (!*text || *end || v < min || v > max) {
    char msg[128];
    snprintf(msg, sizeof msg, "option %s wants a number from %ld to %ld, got '%s'", opt, min, max, text);
    usage(msg);
  }
  return v;
}

int main(int argc, char **argv) {
  int i, j, first = 1, selected[NTESTS], ran = 0, failed = 0;
  const char *bin = getenv("GUEST_BIN");
  if (bin && *bin) lmb.bin = bin;
  for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    const char *o = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : 0;
    if (o[2] || !v) usage("bad option");
    i++;
    switch (o[1]) {
      case 't': lmb.target_us = number(o, v, 1, 100000000); break;
      case 'N': lmb.net_factor = number(o, v, 1, 100); break;
      case 'b': lmb.bin = v; break;
      case 'd': lmb.tmp = v; break;
      case 'f': lmb.file_kb = number(o, v, 4, 65536); break;
      case 'm': lmb.mem_kb = number(o, v, 4, 65536); break;
      case 'n': lmb.fs_files = number(o, v, 1, 100000); break;
      case 'c': lmb.ctx_trials = number(o, v, 1, 100); break;
      case 'p': lmb.ctx_max_p = number(o, v, 2, 64); break;
      default: usage("unknown option");
    }
  }
  first = i;
  if (first >= argc) usage("no test named");
  for (j = 0; j < NTESTS; j++) selected[j] = 0;
  for (i = first; i < argc; i++) {
    int found = 0;
    for (j = 0; j < NTESTS; j++) {
      if (!strcmp(argv[i], "all") || !strcmp(argv[i], TESTS[j].name)) selected[j] = found = 1;
    }
    if (!found) {
      char msg[128];
      snprintf(msg, sizeof msg, "unknown test '%s'", argv[i]);
      usage(msg);
    }
  }
  /* a reader gone away must give EPIPE to the bandwidth writers, not kill them */
  signal(SIGPIPE, SIG_IGN);
  printf("lmbench_target %ld us\n", lmb.target_us);
  printf("lmbench: scratch files in %s\n", lmb.tmp);
  for (j = 0; j < NTESTS; j++) {
    if (!selected[j]) continue;
    ran++;
    fflush(stdout);
    if (TESTS[j].run() < 0) failed++;
    fflush(stdout);
  }
  lmb_cleanup();
  printf("lmbench: %d test(s) run, %d skipped\n", ran, failed);
  return 0;
}
