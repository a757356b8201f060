#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <limits.h>
#include <errno.h>
#include <unistd.h>

int abs(int x) { return x < 0 ? -x : x; }
long labs(long x) { return x < 0 ? -x : x; }
long long llabs(long long x) { return x < 0 ? -x : x; }

/* The common part of the strto* family: magnitude up to `limit`, overflow flagged. */
static unsigned long long strtox(const char *s, char **end, int base, unsigned long long limit, int *neg,
                                 int *overflow) {
  const char *p = s, *digits_start;
  unsigned long long v = 0;
  *neg = 0;
  *overflow = 0;
  while (isspace((unsigned char)*p)) p++;
  if (*p == '-' || *p == '+') *neg = *p++ == '-';
  if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2])) {
    p += 2;
    base = 16;
  } else if (base == 0) {
    base = p[0] == '0' ? 8 : 10;
  }
  if (base < 2 || base > 36) {
    errno = EINVAL;
    if (end) *end = (char *)s;
    return 0;
  }
  digits_start = p;
  for (;; p++) {
    int c = (unsigned char)*p, d;
    if (isdigit(c)) d = c - '0';
    else if (islower(c)) d = c - 'a' + 10;
    else if (isupper(c)) d = c - 'A' + 10;
    else break;
    if (d >= base) break;
    if (v > (limit - d) / base) *overflow = 1;
    else v = v * base + d;
  }
  if (end) *end = (char *)(p == digits_start ? s : p);
  return v;
}

long long strtoll(const char *s, char **end, int base) {
  int neg, ovf;
  unsigned long long v = strtox(s, end, base, (unsigned long long)LLONG_MAX + 1, &neg, &ovf);
  if (ovf || (!neg && v > (unsigned long long)LLONG_MAX)) {
    errno = ERANGE;
    return neg ? LLONG_MIN : LLONG_MAX;
  }
  return neg ? (long long)(0 - v) : (long long)v;
}

unsigned long long strtoull(const char *s, char **end, int base) {
  int neg, ovf;
  unsigned long long v = strtox(s, end, base, ULLONG_MAX, &neg, &ovf);
  if (ovf) {
    errno = ERANGE;
    return ULLONG_MAX;
  }
  return neg ? 0 - v : v;
}

long strtol(const char *s, char **end, int base) {
  int neg, ovf;
  unsigned long long v = strtox(s, end, base, (unsigned long long)LONG_MAX + 1, &neg, &ovf);
  if (ovf || (!neg && v > LONG_MAX)) {
    errno = ERANGE;
    return neg ? LONG_MIN : LONG_MAX;
  }
  return neg ? (long)(0 - (unsigned long)v) : (long)v;
}

unsigned long strtoul(const char *s, char **end, int base) {
  int neg, ovf;
  unsigned long long v = strtox(s, end, base, ULONG_MAX, &neg, &ovf);
  if (ovf) {
    errno = ERANGE;
    return ULONG_MAX;
  }
  return neg ? 0 - (unsigned long)v : (unsigned long)v;
}

int atoi(const char *s) { return (int)strtol(s, 0, 10); }
long atol(const char *s) { return strtol(s, 0, 10); }

char *getenv(const char *name) {
  size_t n = strlen(name);
  char **e;
  if (!environ) return 0;
  for (e = environ; *e; e++)
    if (!strncmp(*e, name, n) && (*e)[n] == '=') return *e + n + 1;
  return 0;
}

/* rand: a 31-bit linear congruential generator (not glibc's sequence) */
static unsigned long rand_state = 1;
void srand(unsigned seed) { rand_state = seed; }
int rand(void) {
  rand_state = rand_state * 1103515245UL + 12345UL;
  return (int)((rand_state >> 1) & RAND_MAX);
}

void *bsearch(const void *key, const void *base, size_t n, size_t size, int (*cmp)(const void *, const void *)) {
  const char *b = base;
  while (n > 0) {
    const char *mid = b + (n / 2) * size;
    int c = cmp(key, mid);
    if (c == 0) return (void *)mid;
    if (c > 0) {
      b = mid + size;
      n = n - n / 2 - 1;
    } else {
      n = n / 2;
    }
  }
  return 0;
}
