/* Integer arithmetic: 32- and 64-bit, signed and unsigned, division (incl. the
   64-bit helpers), wrap-around, shifts, rotates, bit operations, comparisons. */
#include <stdio.h>
#include <limits.h>
#include <stdint.h>
#include "check.h"

static volatile int32_t vi[] = {0, 1, -1, 2, -2, 3, 7, -7, 100, -100, 12345, -12345, 65535, 65536, -65536,
                                0x7fffffff, -0x7fffffff - 1, 0x40000000, 0x55555555, (int32_t)0xaaaaaaaa};
#define NVI (int)(sizeof vi / sizeof vi[0])
static volatile int64_t vl[] = {0, 1, -1, 3, -3, 10, -10, 1000000007LL, -1000000007LL, 0x100000000LL,
                                -0x100000000LL, 0xffffffffLL, 0x123456789abcdefLL, -0x123456789abcdefLL,
                                INT64_MAX, INT64_MIN, 0x7fffffff00000000LL, 0x8000000080000000ULL,
                                10000000000LL, 999999999999LL};
#define NVL (int)(sizeof vl / sizeof vl[0])

static unsigned int hash32;
static void mix(uint32_t v) { hash32 = (hash32 ^ v) * 16777619u; }
static void mix64(uint64_t v) {
  mix((uint32_t)v);
  mix((uint32_t)(v >> 32));
}

int main(void) {
  int i, j;
  /* 32-bit: every pair through every operator */
  hash32 = 2166136261u;
  for (i = 0; i < NVI; i++) {
    for (j = 0; j < NVI; j++) {
      int32_t a = vi[i], b = vi[j];
      uint32_t ua = (uint32_t)a, ub = (uint32_t)b;
      mix(ua + ub);
      mix(ua - ub);
      mix(ua * ub);
      mix((uint32_t)((int64_t)a * b >> 32)); /* high half of the signed product */
      mix((uint32_t)((uint64_t)ua * ub >> 32));
      mix(ua & ub);
      mix(ua | ub);
      mix(ua ^ ub);
      mix(a < b);
      mix(ua < ub);
      if (b != 0 && !(a == INT_MIN && b == -1)) {
        mix((uint32_t)(a / b));
        mix((uint32_t)(a % b));
        CHECK((a / b) * b + a % b == a);
      }
      if (ub != 0) {
        mix(ua / ub);
        mix(ua % ub);
      }
      mix(ua << (ub & 31));
      mix(ua >> (ub & 31));
      mix((uint32_t)(a >> (ub & 31)));
      mix((ua << (ub & 31)) | (ua >> ((32 - (ub & 31)) & 31)));
    }
  }
  printf("int32 hash %08x\n", hash32);

  /* 64-bit: the same, through __divdi3 and friends */
  hash32 = 2166136261u;
  for (i = 0; i < NVL; i++) {
    for (j = 0; j < NVL; j++) {
      int64_t a = vl[i], b = vl[j];
      uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
      mix64(ua + ub);
      mix64(ua - ub);
      mix64(ua * ub);
      mix64(ua & ub);
      mix64(ua ^ ub);
      mix(a < b);
      mix(ua < ub);
      if (b != 0 && !(a == INT64_MIN && b == -1)) {
        int64_t q = a / b, r = a % b;
        mix64((uint64_t)q);
        mix64((uint64_t)r);
        CHECK(q * b + r == a);
        CHECK(r == 0 || (r < 0) == (a < 0));
      }
      if (ub != 0) {
        uint64_t q = ua / ub, r = ua % ub;
        mix64(q);
        mix64(r);
        CHECK(q * ub + r == ua && r < ub);
      }
      mix64(ua << (ub & 63));
      mix64(ua >> (ub & 63));
      mix64((uint64_t)(a >> (ub & 63)));
    }
  }
  printf("int64 hash %08x\n", hash32);

  /* pseudo-random 64-bit division, checked against the defining identity */
  {
    int fails = 0;
    hash32 = 2166136261u;
    for (i = 0; i < 3000; i++) {
      uint64_t n = ((uint64_t)lcg() << 32) | lcg();
      uint64_t d = ((uint64_t)lcg() << 32) | lcg();
      d >>= lcg() % 64;
      if (d == 0) d = 1;
      {
        uint64_t q = n / d, r = n % d;
        if (!(q * d + r == n && r < d)) fails++;
        mix64(q);
        mix64(r);
      }
    }
    CHECK(fails == 0);
    printf("udiv64 random hash %08x fails %d\n", hash32, fails);
  }

  /* values a reader can check */
  printf("7/-2=%d 7%%-2=%d -7/2=%d -7%%2=%d\n", 7 / vi[4], 7 % vi[4], -7 / vi[3], -7 % vi[3]);
  printf("INT_MAX+1=%d (wraps) UINT_MAX+1=%u\n", (int)((unsigned)INT_MAX + 1u), UINT_MAX + (unsigned)vi[1]);
  printf("INT_MIN>>4=%d 0x80000000u>>4=%#x\n", vi[16] >> 4, (unsigned)vi[16] >> 4);
  printf("1e12/7=%lld 1e12%%7=%lld -1e12/7=%lld\n", 1000000000000LL / vl[3] * 3 / 7 * 7 / 3, 1000000000000LL % 7,
         -1000000000000LL / 7);
  printf("INT64_MIN/3=%lld INT64_MAX%%10=%lld\n", vl[15] / vl[3], vl[14] % vl[5]);
  printf("2^63/10=%llu\n", (unsigned long long)vl[15] / 10u);
  printf("u64max/0x100000001=%llu rem %llu\n", ~0ULL / 0x100000001ULL, ~0ULL % 0x100000001ULL);
  printf("mul 0x123456789*0x987654321=%#llx\n", 0x123456789ULL * 0x987654321ULL);
  printf("short wrap %d char wrap %d uchar %u\n", (short)(vi[12] + 1), (signed char)(vi[8] + 28), (unsigned char)(vi[8] + 200));
  printf("neg %d %lld\n", -vi[10], -vl[7]);
  {
    volatile unsigned short us = 0xfff0;
    volatile signed char sc = -5;
    printf("zero/sign extension %d %d %u\n", us + 0x20, sc * 3, (unsigned)(unsigned char)sc);
  }
  return CHECK_DONE();
}
