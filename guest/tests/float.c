/* Floating point on the x87 in double precision (the libc sets the control word to
   53-bit precision, round to nearest): arithmetic, sqrt, conversions, rounding,
   special values, single precision, and printf of the results. */
#include <stdio.h>
#include <math.h>
#include <stdint.h>
#include "check.h"

static volatile double vd[] = {0.0, -0.0, 1.0, -1.0, 0.5, 3.0, 0.1, 1.0 / 3.0, 2.5, -2.5, 1e10, 1e-10,
                               123456.789, -98765.4321, 1e300, 1e-300, 4503599627370496.0, 9007199254740993.0,
                               2.2250738585072014e-308, 1.7976931348623157e308};
#define NVD (int)(sizeof vd / sizeof vd[0])

static uint64_t bits(double d) {
  union { double d; uint64_t u; } u;
  u.d = d;
  return u.u;
}
static unsigned int hash32 = 2166136261u;
static void mix(uint32_t v) { hash32 = (hash32 ^ v) * 16777619u; }
static void mixd(double d) {
  uint64_t u = bits(d);
  mix((uint32_t)u);
  mix((uint32_t)(u >> 32));
}

int main(void) {
  int i, j;
  volatile double zero = 0.0, one = 1.0, inf, nan_;
  /* every pair through + - * / (bit patterns hashed: exact equality) */
  for (i = 0; i < NVD; i++)
    for (j = 0; j < NVD; j++) {
      double a = vd[i], b = vd[j];
      mixd(a + b);
      mixd(a - b);
      mixd(a * b);
      if (b != 0) mixd(a / b);
      mix((a < b) | (a == b) << 1 | (a > b) << 2);
    }
  printf("arith hash %08x\n", hash32);

  printf("0.1+0.2=%.17g 0.1*3=%.17g 1/3=%.17g\n", vd[6] + 0.2, vd[6] * 3, one / 3);
  printf("sqrt(2)=%.17g sqrt(1e-300)=%.17g sqrt(0.5)=%.17g\n", sqrt(2.0 * one), sqrt(vd[15]), sqrt(vd[4]));
  CHECK(sqrt(vd[5] * 3) == 3.0);
  printf("sqrt(-1)=%f sqrt(-0)=%g\n", sqrt(-one), sqrt(vd[1]));
  inf = one / zero;
  nan_ = zero / zero;
  printf("inf=%f -inf=%f nan=%f (x87 default NaN is negative) inf-inf=%f\n", inf, -inf, nan_, inf - inf);
  printf("nan==nan %d nan<1 %d nan!=nan %d inf>1e308 %d\n", nan_ == nan_, nan_ < 1, nan_ != nan_, inf > 1e308);
  printf("-0.0=%g 0*-1=%g signbit %d\n", vd[1], zero * -one, signbit(vd[1]) != 0);
  printf("1e308*10=%g -1e308*10=%g 1e-300*1e-300=%g\n", vd[19] * 10, -vd[19] * 10, vd[15] * vd[15]);

  /* conversions */
  {
    volatile double d[] = {2.5, -2.5, 2.9999, -2.9999, 1e9, -1e9, 4294967295.0, 1e18, -1e18, 0.49999999999999994};
    for (i = 0; i < 10; i++)
      printf("conv %.17g -> int %d ll %lld rint %g floor %g ceil %g trunc %g\n", d[i],
             (d[i] > -2147483649.0 && d[i] < 2147483648.0) ? (int)d[i] : 0, (long long)d[i], rint(d[i]), floor(d[i]),
             ceil(d[i]), trunc(d[i]));
  }
  {
    volatile long long ll[] = {0, 1, -1, 9007199254740993LL, -9007199254740993LL, INT64_MAX, INT64_MIN};
    volatile unsigned long long ull = 18446744073709551615ULL;
    for (i = 0; i < 7; i++) printf("ll %lld -> %.17g\n", ll[i], (double)ll[i]);
    printf("ull max -> %.17g; 1.8e19 -> ull %llu\n", (double)ull, (unsigned long long)(1.8e19 * one));
    printf("uint 4294967295 -> %.1f\n", (double)(unsigned)(ull & 0xffffffff));
  }
  /* single precision: rounding to float on store */
  {
    volatile float f = 0.1f, g = 3.0f, h;
    h = f / g;
    printf("float 0.1f=%.12g 0.1f/3=%.12g (double)h*3=%.12g 16777217f=%.1f\n", (double)f, (double)h,
           (double)h * 3, (double)(float)(16777217.0 * one));
  }
  /* library functions that are exact by definition */
  {
    double ip;
    int e;
    printf("fmod(10,3)=%g fmod(-10,3)=%g fmod(5.5,1.25)=%g\n", fmod(10 * one, 3), fmod(-10 * one, 3), fmod(5.5 * one, 1.25));
    printf("ldexp(1,-1074)=%g ldexp(0.75,10)=%g\n", ldexp(one, -1074), ldexp(0.75 * one, 10));
    double m = frexp(1000 * one, &e);
    printf("frexp(1000)=%g,%d ", m, e);
    m = frexp(5e-324 * one, &e);
    printf("frexp(5e-324)=%g,%d\n", m, e);
    m = modf(-3.75 * one, &ip);
    printf("modf(-3.75)=%g,%g fabs(-2)=%g\n", m, ip, fabs(-2 * one));
  }
  /* a computation with many dependent steps: Newton's method and a harmonic sum */
  {
    double x = 1.0, s = 0.0;
    for (i = 0; i < 30; i++) x = x - (x * x - 2.0) / (2.0 * x);
    for (i = 1; i <= 10000; i++) s += one / i;
    printf("newton sqrt2 %.17g harmonic(10000) %.17g\n", x, s);
  }
  /* subnormal results: the x87 rounds to 53 bits in the register, then again to the
     smaller subnormal precision on the store */
  {
    volatile double a = 2.2250738585072014e-308, b = 0.3, c;
    c = a * b;
    printf("subnormal %.17g %.17g %.17g\n", c, a / 3 * one, a * a * 1e300);
  }
  printf("%e %e %g %g\n", 1e-7, 123456789.0, 1e-5, 123456789.0);
  return CHECK_DONE();
}
