/* Shared by the differential test programs: a self-check that reports and counts
   failures, so that the native run alone already validates the guest libc. */
#ifndef GUEST_TESTS_CHECK_H
#define GUEST_TESTS_CHECK_H
#include <stdio.h>

static int check_failures;
#define CHECK(cond)                                                  \
  do {                                                               \
    if (!(cond)) {                                                   \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);         \
      check_failures++;                                              \
    }                                                                \
  } while (0)
#define CHECK_DONE() (check_failures ? (printf("%d checks failed\n", check_failures), 1) : 0)

/* a fixed-seed generator for test data (never the host's randomness) */
static unsigned int lcg_state = 12345;
static inline unsigned int lcg(void) {
  lcg_state = lcg_state * 1664525u + 1013904223u;
  return lcg_state;
}
#endif
