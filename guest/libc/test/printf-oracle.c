/* Host-side oracle for guest/libc/printf.spec.ts: formats many values with glibc's
   snprintf and with the guest engine (printf-shim.c) and counts the differences.
   One glibc bug is tolerated: with '#' and %g, a rounding carry that adds a digit makes
   glibc drop the fraction digits ("1.e+06" for 999999.5); C99 7.19.6.1 asks for
   "1.00000e+06", which the guest prints. */
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <stdlib.h>
int my_snprintf(char *s, unsigned n, const char *fmt, ...);
static uint64_t st = 88172645463325252ULL;
static uint64_t xr(void) { st ^= st << 13; st ^= st >> 7; st ^= st << 17; return st; }
int bad = 0, total = 0;
static void chk(const char *fmt, double v) {
  char a[2000], b[2000];
  int ra = snprintf(a, sizeof a, fmt, v), rb = my_snprintf(b, sizeof b, fmt, v);
  total++;
  if (strcmp(a, b) || ra != rb) {
    if (strchr(fmt, '#') && strchr(fmt, 'g') && strstr(a, ".e")) return; /* the glibc bug above */
    if (bad++ < 30) printf("MISMATCH %s [%a]: glibc '%s' (%d) ours '%s' (%d)\n", fmt, v, a, ra, b, rb);
  }
}
static void chki(const char *fmt, long long v) {
  char a[200], b[200];
  int ra = snprintf(a, sizeof a, fmt, (int)v), rb = my_snprintf(b, sizeof b, fmt, (int)v);
  total++;
  if (strcmp(a, b) || ra != rb) { if (bad++ < 30) printf("MISMATCH %s [%lld]: glibc '%s' ours '%s'\n", fmt, v, a, b); }
}
static void chkll(const char *fmt, long long v) {
  char a[200], b[200];
  int ra = snprintf(a, sizeof a, fmt, v), rb = my_snprintf(b, sizeof b, fmt, v);
  total++;
  if (strcmp(a, b) || ra != rb) { if (bad++ < 30) printf("MISMATCH %s [%lld]: glibc '%s' ours '%s'\n", fmt, v, a, b); }
}
int main(void) {
  const char *ff[] = {"%f","%e","%g","%.0f","%.0e","%.0g","%.1f","%.3e","%.17g","%.20f","%#.0f","%#g","%#.3g","%+012.4f","%-14.5e|","% g","%G","%E","%.10g","%.15g","%.16e","%12.3g|","%012g","%.40f","%.60e","%.1g","%.2g","%5.1f","%-8.3f|","%.330f","%.800e","%#.0e","%.999f","%a"};
  double sp[] = {0.0, -0.0, 1.0, 0.5, 1.5, 2.5, 0.125, 0.05, 0.15, 0.25, 0.35, 9.9999995, 0.0000005, 99.5, 999999.5, 1e21, 1e22, 1e23, 123456789012345678.0, 1e-5, 1e-4, 0.0001, 123456.0, 1234567.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1.0/3, 2.0/3, 3.14159265358979, 1e100, -1e-100, 0.1, 0.2, 0.3, 4.35, 0.995, 9.5, 10.5, 1e15, 1e16, 1e17, __builtin_inf(), -__builtin_inf(), __builtin_nan(""), -__builtin_nan("")};
  for (unsigned i = 0; i < sizeof ff / sizeof *ff; i++) {
    if (!strcmp(ff[i], "%a")) continue;
    for (unsigned j = 0; j < sizeof sp / sizeof *sp; j++) chk(ff[i], sp[j]);
    for (int k = 0; k < 3000; k++) { uint64_t u = xr(); double d; memcpy(&d, &u, 8); if (d != d) continue; chk(ff[i], d); }
    for (int k = 0; k < 2000; k++) { double d = (double)(int64_t)(xr() >> (xr() % 64)) / (double)(1ULL << (xr() % 40)); chk(ff[i], d); }
    for (int k = 0; k < 500; k++) { double d = (double)(xr() % 100000) / 1000.0; chk(ff[i], d); }
  }
  const char *fi[] = {"%d","%i","%5d","%-5d|","%05d","%+d","% d","%.3d","%.0d","%8.3d","%-+8.3d|","%u","%x","%X","%#x","%#X","%o","%#o","%#.0o","%.0x","%#08x","%hd","%hhd","%hu","%hhx","%c","%%d","%5c|","%-5c|"};
  long long iv[] = {0, 1, -1, 7, 42, -42, 255, 256, 65535, 65536, 2147483647LL, -2147483648LL, 123456, -987654, 97};
  for (unsigned i = 0; i < sizeof fi / sizeof *fi; i++) for (unsigned j = 0; j < sizeof iv / sizeof *iv; j++) chki(fi[i], iv[j]);
  const char *fl[] = {"%lld","%llu","%llx","%llX","%#llo","%20lld|","%-+20lld|","%.25lld","%020llu"};
  long long lv[] = {0, 1, -1, 9223372036854775807LL, -9223372036854775807LL-1, 4294967296LL, 1000000000000LL, -123456789012345LL, 0x123456789abcdefLL};
  for (unsigned i = 0; i < sizeof fl / sizeof *fl; i++) for (unsigned j = 0; j < sizeof lv / sizeof *lv; j++) chkll(fl[i], lv[j]);
  printf("%d/%d mismatches\n", bad, total);
  return bad != 0;
}
