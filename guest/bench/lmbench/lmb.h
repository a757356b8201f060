/* Our implementation of the lmbench 1.x tests (see ../../README.md, "lmbench"):
   the shared harness and the tests' entry points. */
#ifndef LMB_H
#define LMB_H

/* What every test may read: the command-line options, with their defaults. */
struct lmb_opts {
  long target_us;   /* -t: a timed pass must last at least this long (lmbench 1.x: 1 s) */
  long net_factor;  /* -N: the network latency tests use target x this (1.x: 5 s, i.e. 5) */
  const char *bin;  /* -b: where hello, true and sh live ($GUEST_BIN, else /bin) */
  const char *tmp;  /* -d: a writable directory for scratch files (/tmp; lmbench 1.x: /usr/tmp) */
  long file_kb;     /* -f: the data file of mmap, pagefault and the reread tests */
  long mem_kb;      /* -m: the buffers of bw_mem */
  long fs_files;    /* -n: files created and deleted by one fs pass */
  long ctx_trials;  /* -c: trials of each ctx point (the minimum is reported) */
  long ctx_max_p;   /* -p: the largest ring of the ctx test (2, 8 and 16 by default) */
};
extern struct lmb_opts lmb;

/* The 1.x harness. `op(n, arg)` performs the operation n times; lmb_time calls it with
   growing n until one pass lasts at least `target_us` microseconds of gettimeofday, and
   returns microseconds per operation of that pass (elapsed / n). */
typedef void (*lmb_op)(long n, void *arg);
double lmb_time(lmb_op op, void *arg, long target_us);
/* The same, for operations whose pass has set-up that must not be timed: `op` returns
   the microseconds it measured itself for n operations. */
typedef double (*lmb_timed_op)(long n, void *arg);
double lmb_time_self(lmb_timed_op op, void *arg, long target_us);

long long lmb_now_us(void);

/* Result lines `name value unit` (contracts.md) */
void lmb_report_us(const char *name, double us);
void lmb_report_mbs(const char *name, double mb_per_s);
/* A test that cannot run prints `lmbench: <test> skipped: <what>: <strerror>` (not a
   result line) and the suite goes on with the next test. */
void lmb_fail(const char *test, const char *what);

/* scratch files: <tmp>/lmb.<pid>.<name> */
void lmb_path(char *buf, int size, const char *name);
/* the data file (file_kb KiB of words), created once per run */
const char *lmb_data_file(void);
void lmb_cleanup(void);
/* writes all of buf, or returns -1 */
int lmb_write_all(int fd, const void *buf, long n);
/* reads exactly n bytes, or returns -1 (EOF or error) */
int lmb_read_all(int fd, void *buf, long n);
/* sums every 32-bit word of buf (n bytes): the work of the reread and ctx tests */
unsigned lmb_sum_words(const void *buf, long n);
/* kept live so the compiler never drops a sum */
extern volatile unsigned lmb_sink;

/* the tests: each prints its result lines, returns 0, or -1 after lmb_fail */
int lmb_null(void);
int lmb_read(void);
int lmb_stat(void);
int lmb_open(void);
int lmb_sig(void);
int lmb_fork(void);
int lmb_exec(void);
int lmb_sh(void);
int lmb_ctx(void);
int lmb_pipe(void);
int lmb_unix(void);
int lmb_udp(void);
int lmb_tcp(void);
int lmb_rpc_udp(void);
int lmb_rpc_tcp(void);
int lmb_connect(void);
int lmb_mmap(void);
int lmb_pagefault(void);
int lmb_fs(void);
int lmb_bw_pipe(void);
int lmb_bw_tcp(void);
int lmb_bw_file(void);
int lmb_bw_mmap(void);
int lmb_bw_mem(void);

#endif
