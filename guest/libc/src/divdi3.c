/* The 64-bit helpers gcc calls on i386 (libgcc's names; there is no 32-bit libgcc on
   the build host). Division is the "divDu" scheme of Hacker's Delight (2nd ed., 9-5):
   at most two 64/32 DIVL instructions and a one-step correction. Division by zero
   executes DIVL with a zero divisor and so raises #DE (SIGFPE), as libgcc does. */
#include <stdint.h>

/* (hi:lo) / d with hi < d: one DIVL */
static inline uint32_t divlu(uint32_t hi, uint32_t lo, uint32_t d, uint32_t *rem) {
  uint32_t q, r;
  __asm__("divl %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d));
  *rem = r;
  return q;
}

uint64_t __udivmoddi4(uint64_t u, uint64_t v, uint64_t *rem) {
  uint32_t vh = (uint32_t)(v >> 32);
  uint32_t uh = (uint32_t)(u >> 32), ul = (uint32_t)u;
  uint64_t q;
  if (vh == 0) {
    uint32_t vl = (uint32_t)v, r, q1 = 0, q0;
    if (uh >= vl) {
      q1 = divlu(0, uh, vl, &r);
      uh = r;
    }
    q0 = divlu(uh, ul, vl, &r);
    if (rem) *rem = r;
    return ((uint64_t)q1 << 32) | q0;
  }
  {
    int n = __builtin_clz(vh);           /* 0..31 */
    uint32_t v1 = (uint32_t)((v << n) >> 32); /* divisor normalised: top bit set */
    uint64_t u1 = u >> 1;                 /* so that the quotient fits in 32 bits */
    uint32_t r, q1 = divlu((uint32_t)(u1 >> 32), (uint32_t)u1, v1, &r);
    q = ((uint64_t)q1 << n) >> 31;
    if (q != 0) q--;
    if (u - q * v >= v) q++;
  }
  if (rem) *rem = u - q * v;
  return q;
}

uint64_t __udivdi3(uint64_t u, uint64_t v) { return __udivmoddi4(u, v, 0); }

uint64_t __umoddi3(uint64_t u, uint64_t v) {
  uint64_t r;
  __udivmoddi4(u, v, &r);
  return r;
}

int64_t __divmoddi4(int64_t a, int64_t b, int64_t *rem) {
  int qneg = (a < 0) != (b < 0), rneg = a < 0;
  uint64_t ua = a < 0 ? 0 - (uint64_t)a : (uint64_t)a;
  uint64_t ub = b < 0 ? 0 - (uint64_t)b : (uint64_t)b;
  uint64_t r, q = __udivmoddi4(ua, ub, &r);
  if (rem) *rem = rneg ? (int64_t)(0 - r) : (int64_t)r;
  return qneg ? (int64_t)(0 - q) : (int64_t)q;
}

int64_t __divdi3(int64_t a, int64_t b) { return __divmoddi4(a, b, 0); }

int64_t __moddi3(int64_t a, int64_t b) {
  int64_t r;
  __divmoddi4(a, b, &r);
  return r;
}

/* double -> unsigned 64-bit (truncating); out-of-range values give what the
   libgcc routine gives for them on x87: modulo garbage, never relied upon. */
uint64_t __fixunsdfdi(double x) {
  const double two63 = 9223372036854775808.0;
  if (x < two63) return (uint64_t)(int64_t)x;
  return (uint64_t)(int64_t)(x - two63) ^ 0x8000000000000000ULL;
}
