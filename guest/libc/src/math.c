/* Minimal libm on the x87. Only sqrt, fabs, floor, ceil, trunc, rint, fmod, ldexp,
   frexp and modf are exact by definition (correctly rounded or exact results); the
   transcendental functions return what FSIN/FCOS/FPATAN/F2XM1/FYL2X give. */
#include <math.h>

double sqrt(double x) {
  double r;
  __asm__("fsqrt" : "=t"(r) : "0"(x));
  return r;
}

double fabs(double x) {
  double r;
  __asm__("fabs" : "=t"(r) : "0"(x));
  return r;
}

/* FRNDINT under a temporary rounding mode (control word bits 10-11) */
static double round_with(double x, unsigned short rc) {
  unsigned short old, cw;
  double r;
  __asm__ volatile("fnstcw %0" : "=m"(old));
  cw = (unsigned short)((old & ~0x0C00) | rc);
  __asm__ volatile("fldcw %0" : : "m"(cw));
  __asm__ volatile("frndint" : "=t"(r) : "0"(x));
  __asm__ volatile("fldcw %0" : : "m"(old));
  return r;
}
double floor(double x) { return round_with(x, 0x0400); }
double ceil(double x) { return round_with(x, 0x0800); }
double trunc(double x) { return round_with(x, 0x0C00); }
double rint(double x) {
  double r;
  __asm__("frndint" : "=t"(r) : "0"(x));
  return r;
}

double fmod(double x, double y) {
  double r;
  unsigned short sw;
  /* FPREM: partial remainder with truncation, repeated until C2 is clear */
  __asm__ volatile("1: fprem\n\t"
                   "fnstsw %%ax\n\t"
                   "testw $0x400, %%ax\n\t"
                   "jnz 1b"
                   : "=t"(r), "=a"(sw)
                   : "0"(x), "u"(y));
  (void)sw;
  return r;
}

double ldexp(double x, int e) {
  double r, fe = e;
  __asm__("fscale" : "=t"(r) : "0"(x), "u"(fe));
  return r;
}

double frexp(double x, int *e) {
  union { double d; unsigned long long u; } v = {x};
  int ex = (int)((v.u >> 52) & 0x7ff);
  if (ex == 0) {
    if (x == 0) {
      *e = 0;
      return x;
    }
    v.d = x * 18446744073709551616.0; /* 2^64: normalise a subnormal */
    ex = (int)((v.u >> 52) & 0x7ff) - 64;
  } else if (ex == 0x7ff) {
    *e = 0;
    return x;
  }
  *e = ex - 1022;
  v.u = (v.u & ~(0x7ffULL << 52)) | (1022ULL << 52);
  return v.d;
}

double modf(double x, double *ip) {
  double t = trunc(x);
  *ip = t;
  if (isinf(x)) return x > 0 ? 0.0 : -0.0;
  return x - t;
}

double sin(double x) {
  double r;
  __asm__("fsin" : "=t"(r) : "0"(x));
  return r;
}
double cos(double x) {
  double r;
  __asm__("fcos" : "=t"(r) : "0"(x));
  return r;
}
double atan2(double y, double x) {
  double r;
  __asm__("fpatan" : "=t"(r) : "0"(x), "u"(y) : "st(1)");
  return r;
}
double atan(double x) { return atan2(x, 1.0); }

/* 2^t for any t: 2^frac(t) by F2XM1 (|frac| <= 1), then FSCALE by the integer part */
static double exp2_x87(double t) {
  double i = rint(t), f = t - i, r;
  __asm__("f2xm1" : "=t"(r) : "0"(f));
  return ldexp(r + 1.0, (int)i);
}
double exp(double x) { return exp2_x87(x * 1.4426950408889634); /* log2(e) */ }
double log(double x) {
  double r;
  /* FYL2X: st(1) * log2(st(0)); with st(1) = ln 2 */
  __asm__("fldln2\n\tfxch\n\tfyl2x" : "=t"(r) : "0"(x));
  return r;
}
double pow(double x, double y) {
  double r;
  if (y == 0) return 1.0;
  if (x == 0) return y > 0 ? 0.0 : HUGE_VAL;
  if (x < 0) {
    double t = trunc(y);
    if (t != y) return NAN;
    r = exp2_x87(y * (log(-x) * 1.4426950408889634));
    return fmod(t, 2.0) != 0 ? -r : r;
  }
  return exp2_x87(y * (log(x) * 1.4426950408889634));
}
