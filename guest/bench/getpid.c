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
      and, where the machine has phase counters (below), the per-call breakdown
        getpid_phase_<phase>_cycles <cycles per call> cycles      (one line per phase)
      whose values add up to getpid_cycles (exactly, in whole cycles per loop: checked).
   The program knows nothing about the system below it.

   Phase counters: mklab's emulated machine keeps, for a fixed list of named phases
   (user code, kernel entry, IPC with the call, ...: libs/pentium/src/clock/phases.ts),
   the cycles spent in each, as marked by the kernels; RDPMC with ECX = 0x4D4BFFFF
   latches them all and returns the TSC of that instant, ECX = 0x4D4B0000 + id reads
   phase `id` as latched (contracts.md "Phase accounting"). The program probes for them
   (elsewhere RDPMC with these indices faults: SIGSEGV/SIGILL) and times both loops with
   the latch, so each loop's phase deltas add up to its TSC delta; per phase, the empty
   loop's cycles are subtracted as for the total. */
#include <setjmp.h>
#include <signal.h>
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

/* ---- phase counters (the ids and names of libs/pentium/src/clock/phases.ts PHASES) */
#define PHASE_PMC_BASE 0x4d4b0000u
#define PHASE_PMC_LATCH 0x4d4bffffu
#define NPHASES 12
static const char *const phase_names[NPHASES] = {
    "none", "user", "entry", "kernel", "exit", "irq", "idle", "emu_enter", "ipc_call", "ipc_reply", "emu_leave", "reflect",
};
static int have_phases;

static inline unsigned long long rdpmc(unsigned counter) {
  unsigned long long v;
  __asm__ volatile("rdpmc" : "=A"(v) : "c"(counter));
  return v;
}

static jmp_buf probe_env;
static void probe_fault(int sig) {
  (void)sig;
  longjmp(probe_env, 1);
}

/* 1 when RDPMC reads the phase counters here; on any other machine it faults */
static int probe_phase_counters(void) {
  struct sigaction sa, old_segv, old_ill;
  volatile int ok = 0;
  sa.sa_handler = probe_fault;
  sa.sa_mask = 0;
  sa.sa_flags = SA_NODEFER; /* longjmp leaves the handler: keep the signal unblocked */
  sa.sa_restorer = 0;
  sigaction(SIGSEGV, &sa, &old_segv);
  sigaction(SIGILL, &sa, &old_ill);
  if (setjmp(probe_env) == 0) {
    (void)rdpmc(PHASE_PMC_LATCH);
    ok = 1;
  }
  sigaction(SIGSEGV, &old_segv, 0);
  sigaction(SIGILL, &old_ill, 0);
  return ok;
}

/* A time stamp: the latched TSC and every phase count of the same instant (or the TSC alone). */
struct stamp {
  unsigned long long tsc;
  unsigned long long phase[NPHASES];
};

static inline void take_stamp(struct stamp *s) {
  int p;
  if (!have_phases) {
    s->tsc = rdtsc();
    return;
  }
  s->tsc = rdpmc(PHASE_PMC_LATCH);
  for (p = 0; p < NPHASES; p++) s->phase[p] = rdpmc(PHASE_PMC_BASE + p);
}

/* The timed loops. noinline keeps the two loops identical apart from the call. */
static __attribute__((noinline)) void loop_getpid(int n, struct stamp *t0, struct stamp *t1) {
  int i;
  take_stamp(t0);
  for (i = 0; i < n; i++) {
    getpid();
    __asm__ volatile("" ::: "memory");
  }
  take_stamp(t1);
}

static __attribute__((noinline)) void loop_empty(int n, struct stamp *t0, struct stamp *t1) {
  int i;
  take_stamp(t0);
  for (i = 0; i < n; i++) __asm__ volatile("" ::: "memory");
  take_stamp(t1);
}

/* The phase deltas of one loop must add up to its TSC delta: the counters partition time. */
static void check_phases(const struct stamp *a, const struct stamp *b) {
  unsigned long long sum = 0;
  int p;
  for (p = 0; p < NPHASES; p++) sum += b->phase[p] - a->phase[p];
  if (sum != b->tsc - a->tsc) {
    fprintf(stderr, "getpid: the phase counters add up to %llu cycles, the TSC says %llu\n", sum, b->tsc - a->tsc);
    exit(1);
  }
}

int main(int argc, char **argv) {
  int iterations = argc > 1 ? atoi(argv[1]) : 10000;
  int repeats = argc > 2 ? atoi(argv[2]) : 5;
  double mhz;
  int r;
  struct stamp c0, c1, e0, e1;

  if (iterations < 1 || repeats < 1) {
    fprintf(stderr, "usage: getpid [iterations >= 1 [repeats >= 1]]\n");
    return 2;
  }
  have_phases = probe_phase_counters();
  mhz = calibrate_tsc(20000); /* 20 ms: two ticks of a 100 Hz clock */
  printf("tsc_mhz %.1f MHz\n", mhz);

  loop_getpid(iterations < 100 ? iterations : 100, &c0, &c1); /* warm-up */
  loop_empty(iterations < 100 ? iterations : 100, &e0, &e1);
  for (r = 0; r < repeats; r++) {
    double per_call;
    int p;
    loop_getpid(iterations, &c0, &c1);
    loop_empty(iterations, &e0, &e1);
    /* 4 decimals: exact per call for any divisor of 10000 iterations */
    per_call = ((double)(c1.tsc - c0.tsc) - (double)(e1.tsc - e0.tsc)) / iterations;
    printf("getpid_cycles %.4f cycles\n", per_call);
    printf("getpid_us %.3f us\n", per_call / mhz);
    if (!have_phases) continue;
    check_phases(&c0, &c1);
    check_phases(&e0, &e1);
    for (p = 0; p < NPHASES; p++) {
      double d = ((double)(c1.phase[p] - c0.phase[p]) - (double)(e1.phase[p] - e0.phase[p])) / iterations;
      printf("getpid_phase_%s_cycles %.4f cycles\n", phase_names[p], d);
    }
  }
  return 0;
}
