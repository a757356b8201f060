/* getpid: the cost of the shortest system call, measured by the program itself.

   usage: getpid [iterations [repeats]]     (defaults 10000 and 5)

   1. Calibrates the time stamp counter against gettimeofday: the TSC rate comes from
      the clock of the system it runs on, not from a number we know.
   2. Warms up (caches, TLBs, branch targets), then per repetition times `iterations`
      getpid() calls with RDTSC, and the same loop without the call;
      per-call cost = (loop with call - empty loop) / iterations.
   3. Prints result lines `name value unit`: once
        tsc_mhz <MHz> MHz
      then for every repetition (the harness keeps them as samples)
        getpid_cycles <cycles per call> cycles
        getpid_us <microseconds per call> us
   The program knows nothing about the system below it. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/time.h>

static inline unsigned long long rdtsc(void) {
  unsigned long long t;
  __asm__ volatile("rdtsc" : "=A"(t));
  return t;
}

static long long now_us(void) {
  struct timeval tv;
  gettimeofday(&tv, 0);
  return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* Wait for the gettimeofday value to change, so that an interval starts on a clock
   edge whatever the clock's resolution; returns the new value and its TSC. */
static long long clock_edge(unsigned long long *tsc) {
  long long t0 = now_us(), t;
  do {
    t = now_us();
    *tsc = rdtsc();
  } while (t == t0);
  return t;
}

/* TSC ticks per microsecond over at least `min_us` microseconds of gettimeofday */
static double calibrate_tsc(long long min_us) {
  unsigned long long c0, c1;
  long long t0 = clock_edge(&c0), t1;
  do t1 = clock_edge(&c1);
  while (t1 - t0 < min_us);
  return (double)(c1 - c0) / (double)(t1 - t0);
}

/* The timed loops. noinline keeps the two loops identical apart from the call. */
static __attribute__((noinline)) unsigned long long loop_getpid(int n) {
  unsigned long long t0 = rdtsc(), t1;
  int i;
  for (i = 0; i < n; i++) {
    getpid();
    __asm__ volatile("" ::: "memory");
  }
  t1 = rdtsc();
  return t1 - t0;
}

static __attribute__((noinline)) unsigned long long loop_empty(int n) {
  unsigned long long t0 = rdtsc(), t1;
  int i;
  for (i = 0; i < n; i++) __asm__ volatile("" ::: "memory");
  t1 = rdtsc();
  return t1 - t0;
}

int main(int argc, char **argv) {
  int iterations = argc > 1 ? atoi(argv[1]) : 10000;
  int repeats = argc > 2 ? atoi(argv[2]) : 5;
  double mhz;
  int r;

  if (iterations < 1 || repeats < 1) {
    fprintf(stderr, "usage: getpid [iterations >= 1 [repeats >= 1]]\n");
    return 2;
  }
  mhz = calibrate_tsc(20000); /* 20 ms: two ticks of a 100 Hz clock */
  printf("tsc_mhz %.1f MHz\n", mhz);

  loop_getpid(iterations < 100 ? iterations : 100); /* warm-up */
  loop_empty(iterations < 100 ? iterations : 100);
  for (r = 0; r < repeats; r++) {
    unsigned long long with_call = loop_getpid(iterations);
    unsigned long long empty = loop_empty(iterations);
    double per_call = ((double)with_call - (double)empty) / iterations;
    printf("getpid_cycles %.1f cycles\n", per_call);
    printf("getpid_us %.3f us\n", per_call / mhz);
  }
  return 0;
}
