#include <string.h>
#include <stdlib.h>
#include <stdint.h>

/* memcpy/memset move words with the string instructions, as the libcs of the time did. */
void *memcpy(void *d, const void *s, size_t n) {
  void *ret = d;
  size_t words = n >> 2;
  int d0, d1, d2;
  __asm__ volatile("rep movsl\n\t"
                   "movl %4, %%ecx\n\t"
                   "rep movsb"
                   : "=&c"(d0), "=&D"(d1), "=&S"(d2)
                   : "0"(words), "g"(n & 3), "1"(d), "2"(s)
                   : "memory");
  return ret;
}

void *memmove(void *d, const void *s, size_t n) {
  unsigned char *dp = d;
  const unsigned char *sp = s;
  if (dp == sp || n == 0) return d;
  if (dp < sp || dp >= sp + n) return memcpy(d, s, n);
  /* overlapping, destination above: copy backwards */
  dp += n;
  sp += n;
  while (n--) *--dp = *--sp;
  return d;
}

void *memset(void *d, int c, size_t n) {
  void *ret = d;
  uint32_t v = (unsigned char)c * 0x01010101u;
  int d0, d1;
  __asm__ volatile("rep stosl\n\t"
                   "movl %3, %%ecx\n\t"
                   "rep stosb"
                   : "=&c"(d0), "=&D"(d1)
                   : "a"(v), "g"(n & 3), "0"(n >> 2), "1"(d)
                   : "memory");
  return ret;
}

int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *p = a, *q = b;
  for (; n; n--, p++, q++)
    if (*p != *q) return *p - *q;
  return 0;
}

void *memchr(const void *s, int c, size_t n) {
  const unsigned char *p = s;
  for (; n; n--, p++)
    if (*p == (unsigned char)c) return (void *)p;
  return 0;
}

size_t strlen(const char *s) {
  const char *p = s;
  while (*p) p++;
  return p - s;
}

size_t strnlen(const char *s, size_t n) {
  size_t i = 0;
  while (i < n && s[i]) i++;
  return i;
}

char *strcpy(char *d, const char *s) {
  char *r = d;
  while ((*d++ = *s++)) {
  }
  return r;
}

char *strncpy(char *d, const char *s, size_t n) {
  size_t i = 0;
  for (; i < n && s[i]; i++) d[i] = s[i];
  for (; i < n; i++) d[i] = 0;
  return d;
}

char *strcat(char *d, const char *s) {
  strcpy(d + strlen(d), s);
  return d;
}

char *strncat(char *d, const char *s, size_t n) {
  char *p = d + strlen(d);
  while (n-- && *s) *p++ = *s++;
  *p = 0;
  return d;
}

int strcmp(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n) {
  for (; n; n--, a++, b++) {
    if (*a != *b) return (unsigned char)*a - (unsigned char)*b;
    if (!*a) return 0;
  }
  return 0;
}

char *strchr(const char *s, int c) {
  for (;; s++) {
    if (*s == (char)c) return (char *)s;
    if (!*s) return 0;
  }
}

char *strrchr(const char *s, int c) {
  const char *r = 0;
  for (;; s++) {
    if (*s == (char)c) r = s;
    if (!*s) return (char *)r;
  }
}

char *strstr(const char *h, const char *n) {
  size_t ln = strlen(n);
  if (!ln) return (char *)h;
  for (; *h; h++)
    if (*h == *n && !strncmp(h, n, ln)) return (char *)h;
  return 0;
}

size_t strspn(const char *s, const char *accept) {
  size_t i = 0;
  while (s[i] && strchr(accept, s[i])) i++;
  return i;
}

size_t strcspn(const char *s, const char *reject) {
  size_t i = 0;
  while (s[i] && !strchr(reject, s[i])) i++;
  return i;
}

char *strtok(char *s, const char *delim) {
  static char *next;
  char *tok;
  if (!s) s = next;
  if (!s) return 0;
  s += strspn(s, delim);
  if (!*s) {
    next = 0;
    return 0;
  }
  tok = s;
  s += strcspn(s, delim);
  if (*s) {
    *s = 0;
    next = s + 1;
  } else {
    next = 0;
  }
  return tok;
}

char *strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

char *strerror(int e) {
  static char unknown[32];
  static const char *const msgs[] = {
      "Success", "Operation not permitted", "No such file or directory", "No such process",
      "Interrupted system call", "Input/output error", "No such device or address",
      "Argument list too long", "Exec format error", "Bad file descriptor", "No child processes",
      "Resource temporarily unavailable", "Cannot allocate memory", "Permission denied",
      "Bad address", "Block device required", "Device or resource busy", "File exists",
      "Invalid cross-device link", "No such device", "Not a directory", "Is a directory",
      "Invalid argument", "Too many open files in system", "Too many open files",
      "Inappropriate ioctl for device", "Text file busy", "File too large",
      "No space left on device", "Illegal seek", "Read-only file system", "Too many links",
      "Broken pipe", "Numerical argument out of domain", "Numerical result out of range",
      "Resource deadlock avoided", "File name too long", "No locks available",
      "Function not implemented", "Directory not empty"};
  char *p;
  unsigned u;
  if (e >= 0 && e < (int)(sizeof msgs / sizeof msgs[0])) return (char *)msgs[e];
  strcpy(unknown, "Unknown error ");
  p = unknown + strlen(unknown);
  u = e < 0 ? -(unsigned)e : (unsigned)e;
  if (e < 0) *p++ = '-';
  {
    char t[12];
    int n = 0;
    do t[n++] = '0' + u % 10; while ((u /= 10));
    while (n) *p++ = t[--n];
  }
  *p = 0;
  return unknown;
}
