/* printf formatting edge cases: flags, widths, precisions, length modifiers, and
   exact double conversion (rounding ties, huge and tiny values, %g switching). */
#include <stdio.h>
#include <string.h>
#include <limits.h>
#include <stdint.h>
#include "check.h"

int main(void) {
  int n1, n2;
  volatile double one = 1.0;
  printf("[%d] [%5d] [%-5d] [%05d] [%+d] [% d] [%+05d] [%-+6d]\n", 42, 42, 42, 42, 42, 42, -42, 42);
  printf("[%.0d] [%.3d] [%8.3d] [%-8.3d] [%08.3d] [%.0u]\n", 0, 7, -7, 7, 7, 0u);
  printf("[%d] [%d] [%u] [%i]\n", INT_MAX, INT_MIN, UINT_MAX, -1);
  printf("[%x] [%X] [%#x] [%#X] [%#o] [%o] [%#.0o] [%#x]\n", 255, 255, 255, 255, 8, 8, 0, 0);
  printf("[%hd] [%hu] [%hhd] [%hhu] [%hx]\n", 70000, 70000, 300, 300, -1);
  printf("[%ld] [%lu] [%lx] [%li]\n", -123456789L, 4000000000UL, 0xdeadbeefUL, LONG_MIN);
  printf("[%lld] [%llu] [%llx] [%#llo] [%lli]\n", LLONG_MIN, ULLONG_MAX, 0x0123456789abcdefLL, 01777LL, LLONG_MAX);
  printf("[%20lld] [%-20lld] [%020lld] [%.20lld]\n", -1234567890123LL, 1234567890123LL, -1234567890123LL, 5LL);
  printf("[%zu] [%jd] [%td]\n", sizeof(long long), (intmax_t)-5, (ptrdiff_t)12);
  printf("[%c] [%3c] [%-3c] [%%]\n", 'A', 'B', 'C');
  printf("[%s] [%10s] [%-10s] [%.2s] [%10.3s] [%s] [%.3s]\n", "str", "right", "left", "truncate", "abcdef", (char *)0,
         (char *)0);
  printf("[%p] [%10p] [%-10p|] [%p]\n", (void *)0x1234, (void *)0xbeef, (void *)0, (void *)0);
  printf("[%*d] [%-*d] [%.*d] [%*.*d] [%*d]\n", 6, 1, 6, 2, 4, 3, 8, 5, 4, -5, 9);
  printf("abc%ndef%n\n", &n1, &n2);
  printf("n1=%d n2=%d\n", n1, n2);
  printf("ret=%d\n", printf("%s\n", "counted"));

  /* doubles */
  printf("[%f] [%e] [%g] [%F] [%E] [%G]\n", 3.14159265, 3.14159265, 3.14159265, 1e20, 1e-20, 1e-20);
  printf("[%.0f] [%.0f] [%.0f] [%.0f] [%.0f] [%.0f]\n", 0.5, 1.5, 2.5, 3.5, -0.5, -1.5);
  printf("[%.1f] [%.1f] [%.1f] [%.2f] [%.2f] [%.3f]\n", 0.05, 0.15, 0.25, 1.005, 1.015, 2.0005);
  printf("[%.2e] [%.0e] [%#.0e] [%#.0f] [%e] [%e]\n", 12345.0, 15000.0, 25000.0, 3.0, 0.0, -0.0);
  printf("[%g] [%g] [%g] [%g] [%g] [%g] [%g]\n", 100000.0, 1000000.0, 1e-4, 1e-5, 0.00012345, 123456789.0, 0.0);
  printf("[%#g] [%#g] [%.3g] [%.10g] [%.1g] [%.0g] [%#.3g]\n", 1.0, 123456.0, 3.14159, 1.0 / 3, 0.95, 250.0, 1.0);
  printf("[%10.3f] [%-10.3f] [%010.3f] [%+.3f] [% .3f] [%+010.2e]\n", 3.14159, 3.14159, -3.14159, 3.14159, 3.14159, 12345.678);
  printf("[%f] [%F] [%e] [%g] [%5.1f] [%-6f|] [%06f]\n", one / 0, -one / 0, one / 0, -(one / 0), one / 0, one / 0, one / 0);
  printf("[%f] [%g] [%+f]\n", 0 / (one - 1), -(0 / (one - 1)), 0 / (one - 1));
  printf("max %.17g\nmax %f\n", 1.7976931348623157e308, 1.7976931348623157e308);
  printf("min normal %.17e\nmin subnormal %.17e\n", 2.2250738585072014e-308, 4.9406564584124654e-324);
  printf("exact 0.1 = %.60f\n", 0.1);
  printf("exact 2^-30 = %.30f\n", 1.0 / 1073741824.0);
  printf("2^64 = %.0f 2^100 = %.0f\n", 18446744073709551616.0, 1267650600228229401496703205376.0);
  printf("1e23 = %.0f  %.25e\n", 1e23, 1e23);
  printf("%.3g %.3g %.3g %.3g\n", 9.9949, 9.9951, 99950.0, 0.00099951);
  printf("%.15g %.16g %.17g\n", 0.1, 0.1, 0.1);
  {
    int i;
    double x = 1.0;
    for (i = 0; i < 25; i++, x *= -7.3) printf("%g|%.3e|%.4f\n", x, x, 1.0 / x);
  }
  {
    char b[64];
    snprintf(b, sizeof b, "%08.3f|%-8.2e|%+g", -1.5, 0.000123, 5.0);
    CHECK(!strcmp(b, "-001.500|1.23e-04|+5"));
    printf("%s\n", b);
  }
  return CHECK_DONE();
}
