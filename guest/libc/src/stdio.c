#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include "internal.h"

static FILE stdout_file = {1, 1, 0, 0, {0}};
static FILE stderr_file = {2, 0, 0, 0, {0}};
FILE *stdout = &stdout_file;
FILE *stderr = &stderr_file;

static void write_all(FILE *f, const char *p, int n) {
  while (n > 0) {
    int w = write(f->fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      f->error = 1;
      return;
    }
    p += w;
    n -= w;
  }
}

int fflush(FILE *f) {
  if (!f) {
    __stdio_flush_all();
    return 0;
  }
  if (f->len) write_all(f, f->buf, f->len);
  f->len = 0;
  return f->error ? EOF : 0;
}

void __stdio_flush_all(void) {
  fflush(stdout);
  fflush(stderr);
}

/* Append to the buffer; every call that writes ends with stream_done(). */
static void stream_put(void *ctx, const char *s, int n) {
  FILE *f = ctx;
  while (n > 0) {
    int k = BUFSIZ - f->len;
    if (k == 0) {
      fflush(f);
      k = BUFSIZ;
    }
    if (k > n) k = n;
    memcpy(f->buf + f->len, s, k);
    f->len += k;
    s += k;
    n -= k;
  }
}

/* unbuffered: write now; line-buffered: write when a newline is in the buffer */
static void stream_done(FILE *f) {
  if (f->mode == 0 || (f->mode == 1 && memchr(f->buf, '\n', f->len))) fflush(f);
}

int vfprintf(FILE *f, const char *fmt, va_list ap) {
  int n = __vformat(stream_put, f, fmt, ap);
  stream_done(f);
  return n;
}
int vprintf(const char *fmt, va_list ap) { return vfprintf(stdout, fmt, ap); }
int printf(const char *fmt, ...) {
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vfprintf(stdout, fmt, ap);
  va_end(ap);
  return n;
}
int fprintf(FILE *f, const char *fmt, ...) {
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vfprintf(f, fmt, ap);
  va_end(ap);
  return n;
}

struct strbuf {
  char *p;
  size_t cap; /* room for characters, not counting the terminating NUL */
  size_t len;
};
static void str_put(void *ctx, const char *s, int n) {
  struct strbuf *b = ctx;
  if (b->len < b->cap) {
    size_t k = b->cap - b->len;
    if (k > (size_t)n) k = n;
    memcpy(b->p + b->len, s, k);
  }
  b->len += n;
}
int vsnprintf(char *s, size_t n, const char *fmt, va_list ap) {
  struct strbuf b = {s, n ? n - 1 : 0, 0};
  int r = __vformat(str_put, &b, fmt, ap);
  if (n) s[b.len < b.cap ? b.len : b.cap] = 0;
  return r;
}
int vsprintf(char *s, const char *fmt, va_list ap) { return vsnprintf(s, 0x7fffffff, fmt, ap); }
int snprintf(char *s, size_t n, const char *fmt, ...) {
  va_list ap;
  int r;
  va_start(ap, fmt);
  r = vsnprintf(s, n, fmt, ap);
  va_end(ap);
  return r;
}
int sprintf(char *s, const char *fmt, ...) {
  va_list ap;
  int r;
  va_start(ap, fmt);
  r = vsnprintf(s, 0x7fffffff, fmt, ap);
  va_end(ap);
  return r;
}

int fputc(int c, FILE *f) {
  char ch = (char)c;
  stream_put(f, &ch, 1);
  stream_done(f);
  return f->error ? EOF : (unsigned char)c;
}
int putc(int c, FILE *f) { return fputc(c, f); }
int putchar(int c) { return fputc(c, stdout); }
int fputs(const char *s, FILE *f) {
  stream_put(f, s, strlen(s));
  stream_done(f);
  return f->error ? EOF : 0;
}
int puts(const char *s) {
  stream_put(stdout, s, strlen(s));
  stream_put(stdout, "\n", 1);
  stream_done(stdout);
  return stdout->error ? EOF : 0;
}
size_t fwrite(const void *p, size_t size, size_t n, FILE *f) {
  stream_put(f, p, size * n);
  stream_done(f);
  return f->error ? 0 : n;
}
void perror(const char *s) {
  if (s && *s) fprintf(stderr, "%s: %s\n", s, strerror(errno));
  else fprintf(stderr, "%s\n", strerror(errno));
}
