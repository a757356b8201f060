/* The printf engine.

   Conversions: d i u o x X c s p n % and f F e E g G; flags - + space # 0; width and
   precision (also as *); length modifiers hh h l ll q L j z t. %a is not supported.
   Output follows glibc: "(nil)" for a null %p, "(null)" for a null %s (nothing when
   the precision is below 6), "inf"/"nan" with their sign.

   Floating point is exact: the double is expanded into its full decimal value (every
   binary fraction has a finite decimal expansion) with base-1e9 arithmetic, and
   rounded once, to nearest with ties to even on that exact value, as glibc does in
   the default rounding mode. */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include "internal.h"

enum { F_MINUS = 1, F_PLUS = 2, F_SPACE = 4, F_HASH = 8, F_ZERO = 16 };

typedef struct {
  void (*put)(void *, const char *, int);
  void *ctx;
  int count;
} sink;

static void emit(sink *s, const char *p, int n) {
  if (n > 0) {
    s->put(s->ctx, p, n);
    s->count += n;
  }
}

static void pad(sink *s, char c, int n) {
  char b[32];
  int i;
  for (i = 0; i < 32; i++) b[i] = c;
  while (n > 0) {
    int k = n > 32 ? 32 : n;
    emit(s, b, k);
    n -= k;
  }
}

/* Padding before a field of `len` characters after the prefix: spaces (right
   justified) or zeros between prefix and body (0 flag). The caller then emits the
   body and calls field_end. */
static void field_start(sink *s, int flags, int width, const char *prefix, int plen, int len) {
  int fill = width - plen - len;
  if (!(flags & (F_MINUS | F_ZERO))) pad(s, ' ', fill);
  emit(s, prefix, plen);
  if ((flags & (F_MINUS | F_ZERO)) == F_ZERO) pad(s, '0', fill);
}

static void field_end(sink *s, int flags, int width, int total) {
  if (flags & F_MINUS) pad(s, ' ', width - total);
}

/* 64-bit by 32-bit division in place; returns the remainder (two DIVLs at most) */
static uint32_t div64_32(uint64_t *n, uint32_t d) {
  uint32_t hi = (uint32_t)(*n >> 32), lo = (uint32_t)*n, qh = hi / d, r, q;
  hi %= d;
  __asm__("divl %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d));
  *n = ((uint64_t)qh << 32) | q;
  return r;
}

/* ---------- integers ---------- */

static void fmt_int(sink *s, uint64_t v, int neg, int flags, int width, int prec, int conv) {
  char digits[24], prefix[3];
  int nd = 0, plen = 0, zeros, len;
  unsigned base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X' || conv == 'p') ? 16 : 10;
  const char *alpha = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";

  if (v >> 32) {
    while (v) digits[nd++] = alpha[div64_32(&v, base)];
  } else {
    uint32_t w = (uint32_t)v;
    while (w) {
      digits[nd++] = alpha[w % base];
      w /= base;
    }
  }
  if (conv == 'd' || conv == 'i') {
    if (neg) prefix[plen++] = '-';
    else if (flags & F_PLUS) prefix[plen++] = '+';
    else if (flags & F_SPACE) prefix[plen++] = ' ';
  }
  if (((flags & F_HASH) && nd > 0 && (conv == 'x' || conv == 'X')) || conv == 'p') {
    prefix[plen++] = '0';
    prefix[plen++] = conv == 'X' ? 'X' : 'x';
  }
  if (prec < 0) prec = 1;
  else flags &= ~F_ZERO; /* a precision turns the 0 flag off */
  zeros = prec > nd ? prec - nd : 0;
  if (conv == 'o' && (flags & F_HASH) && zeros == 0 && (nd == 0 || digits[nd - 1] != '0')) zeros = 1;
  len = zeros + nd;
  field_start(s, flags, width, prefix, plen, len);
  pad(s, '0', zeros);
  while (nd) {
    char c = digits[--nd];
    emit(s, &c, 1);
  }
  field_end(s, flags, width, plen + len);
}

/* ---------- floating point ---------- */

/* room for 309 integer digits and the 1074 fraction digits of the smallest subnormal,
   plus a spare in front for a rounding carry and a group of 9 of overshoot */
#define DIGITS_MAX (1 + 309 + 1074 + 18)

typedef struct {
  char buf[DIGITS_MAX];
  char *d;     /* first digit (buf + 1, or buf after a carry) */
  int nint;    /* integer digits (0 when the integer part is 0) */
  int n;       /* digits present: integer digits, then fraction digits */
  int sticky;  /* nonzero digits follow the ones present */
} decimal;

static void put9(char *p, uint32_t v) {
  int i;
  for (i = 8; i >= 0; i--) {
    p[i] = (char)('0' + v % 10);
    v /= 10;
  }
}

/* Integer part m * 2^e (e >= 0) or m (e < 0 handled by the caller), as decimal digits. */
static void integer_digits(decimal *x, uint64_t m, int e) {
  uint32_t limb[36]; /* base 1e9, least significant first: 2^1024 < 10^309 */
  int nl = 0, i;
  char *p;
  while (m) limb[nl++] = div64_32(&m, 1000000000u);
  while (e > 0 && nl > 0) {
    int sh = e > 29 ? 29 : e; /* limb * 2^29 + carry < 2^59: the quotient fits in 32 bits */
    uint32_t carry = 0;
    for (i = 0; i < nl; i++) {
      uint64_t t = ((uint64_t)limb[i] << sh) + carry;
      limb[i] = div64_32(&t, 1000000000u);
      carry = (uint32_t)t;
      /* div64_32 left the quotient in t, the remainder is the new limb */
    }
    if (carry) limb[nl++] = carry;
    e -= sh;
  }
  x->nint = 0;
  if (nl == 0) return;
  p = x->d;
  /* most significant limb without leading zeros */
  {
    char t[9];
    int k = 0;
    uint32_t v = limb[nl - 1];
    put9(t, v);
    while (k < 8 && t[k] == '0') k++;
    memcpy(p, t + k, 9 - k);
    p += 9 - k;
  }
  for (i = nl - 2; i >= 0; i--) {
    put9(p, limb[i]);
    p += 9;
  }
  x->nint = (int)(p - x->d);
}

/* Expand |value| = m * 2^e. Stop once `frac_want` fraction digits are present, or (when
   sig_want > 0) once sig_want significant digits are; the exact fraction may end
   earlier. */
static void expand(decimal *x, uint64_t m, int e, int frac_want, int sig_want) {
  uint32_t w[36]; /* the fraction, as w / 2^(32*nw), least significant word first */
  int nw, lo = 0, k, sh, i, first = 0;
  uint64_t f;
  x->d = x->buf + 1;
  x->sticky = 0;
  if (e >= 0) {
    integer_digits(x, m, e);
    x->n = x->nint;
    return;
  }
  k = -e;
  if (k < 64) {
    integer_digits(x, m >> k, 0);
    f = m & ((1ULL << k) - 1);
  } else {
    x->nint = 0;
    f = m;
  }
  x->n = x->nint;
  if (f == 0) return;
  nw = (k + 31) / 32;
  sh = 32 * nw - k;
  for (i = 0; i < nw; i++) w[i] = 0;
  /* f < 2^53, so f << sh occupies at most the three lowest words */
  if (sh == 0) {
    w[0] = (uint32_t)f;
    if (nw > 1) w[1] = (uint32_t)(f >> 32);
  } else {
    w[0] = (uint32_t)f << sh;
    if (nw > 1) w[1] = (uint32_t)(f >> (32 - sh));
    if (nw > 2) w[2] = (uint32_t)(f >> (64 - sh));
  }
  for (;;) {
    int frac = x->n - x->nint, sig;
    uint32_t carry = 0;
    if (lo == nw) return; /* fraction exhausted: exact */
    if (frac >= frac_want) break;
    if (sig_want > 0) {
      /* significant digits so far: from the first nonzero digit */
      while (first < x->n && x->d[first] == '0') first++;
      sig = x->n - first;
      if (sig >= sig_want) break;
    }
    for (i = lo; i < nw; i++) {
      uint64_t t = (uint64_t)w[i] * 1000000000u + carry;
      w[i] = (uint32_t)t;
      carry = (uint32_t)(t >> 32);
    }
    while (lo < nw && w[lo] == 0) lo++;
    put9(x->d + x->n, carry);
    x->n += 9;
  }
  x->sticky = lo < nw;
}

/* Keep the first `keep` digits, rounding half to even on what follows. Returns 1 when
   the carry ran out of the first digit (the kept digits are then all zeros). */
static int round_at(decimal *x, int keep) {
  int i, up, rest = x->sticky;
  char rd;
  if (keep >= x->n) return 0;
  if (keep < 0) return 0; /* the rounding digit is a leading zero: rounds to zero */
  rd = x->d[keep];
  for (i = keep + 1; i < x->n && !rest; i++) rest = x->d[i] != '0';
  if (rd > '5') up = 1;
  else if (rd < '5') up = 0;
  else up = rest || (keep > 0 && ((x->d[keep - 1] - '0') & 1));
  x->n = keep;
  x->sticky = 0;
  if (!up) return 0;
  for (i = keep - 1; i >= 0 && x->d[i] == '9'; i--) x->d[i] = '0';
  if (i >= 0) {
    x->d[i]++;
    return 0;
  }
  return 1;
}

static char digit_at(const decimal *x, int i) { return i >= 0 && i < x->n ? x->d[i] : '0'; }

static void fmt_float(sink *s, double v, int flags, int width, int prec, int conv) {
  union {
    double d;
    uint64_t u;
  } bits;
  char prefix[2], expbuf[8];
  int plen = 0, upper = conv == 'F' || conv == 'E' || conv == 'G';
  int bexp, style, p, X = 0, nexp = 0, intlen, fraclen, len, i;
  uint64_t m;
  decimal x;

  bits.d = v;
  if (bits.u >> 63) prefix[plen++] = '-';
  else if (flags & F_PLUS) prefix[plen++] = '+';
  else if (flags & F_SPACE) prefix[plen++] = ' ';
  bexp = (int)((bits.u >> 52) & 0x7ff);
  m = bits.u & ((1ULL << 52) - 1);
  if (bexp == 0x7ff) {
    const char *t = m ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");
    flags &= ~F_ZERO;
    field_start(s, flags, width, prefix, plen, 3);
    emit(s, t, 3);
    field_end(s, flags, width, plen + 3);
    return;
  }
  if (bexp == 0) bexp = 1;
  else m |= 1ULL << 52;
  bexp -= 1075; /* value = m * 2^bexp */

  if (prec < 0) prec = 6;
  style = conv | 0x20; /* 'f', 'e' or 'g' */
  p = prec;
  if (style == 'g' || style == 'e') {
    /* the exponent X of the %e form after rounding to P significant digits */
    int P = style == 'g' ? (prec == 0 ? 1 : prec) : prec + 1, z;
    expand(&x, m, bexp, 0x7fffffff, P + 1);
    for (z = 0; z < x.n && x.d[z] == '0'; z++) {
    }
    if (z == x.n) {
      X = 0; /* zero */
      x.n = 0;
      z = 0;
    } else {
      X = x.nint - 1 - z;
      if (round_at(&x, z + P)) {
        /* 99..9 -> 100..0 with z == 0: the kept digits are zeros */
        x.d[z] = '1';
        X++;
      } else if (z > 0 && x.d[z - 1] != '0') {
        /* the carry reached the leading zero before the first digit */
        z--;
        X++;
      }
    }
    if (style == 'g') {
      if (P > X && X >= -4) {
        style = 'f';
        p = P - 1 - X;
      } else {
        style = 'e';
        p = P - 1;
      }
    }
    if (style == 'e') {
      /* digits: x.d[z .. z+p] (missing ones are zeros) */
      int d0 = z;
      char body_lead;
      if ((conv | 0x20) == 'g' && !(flags & F_HASH))
        while (p > 0 && digit_at(&x, d0 + p) == '0') p--;
      body_lead = digit_at(&x, d0);
      {
        unsigned ax = X < 0 ? -X : X;
        char t[8];
        int nt = 0;
        expbuf[nexp++] = upper ? 'E' : 'e';
        expbuf[nexp++] = X < 0 ? '-' : '+';
        do t[nt++] = (char)('0' + ax % 10); while ((ax /= 10));
        if (nt < 2) t[nt++] = '0';
        while (nt) expbuf[nexp++] = t[--nt];
      }
      len = 1 + ((p > 0 || (flags & F_HASH)) ? 1 + p : 0) + nexp;
      field_start(s, flags, width, prefix, plen, len);
      emit(s, &body_lead, 1);
      if (p > 0 || (flags & F_HASH)) emit(s, ".", 1);
      for (i = 1; i <= p; i++) {
        char c = digit_at(&x, d0 + i);
        emit(s, &c, 1);
      }
      emit(s, expbuf, nexp);
      field_end(s, flags, width, plen + len);
      return;
    }
  }
  /* %f with p fraction digits */
  expand(&x, m, bexp, p + 1, 0);
  if (round_at(&x, x.nint + p)) {
    x.d--;
    x.d[0] = '1';
    x.nint++;
    x.n++;
  }
  if ((conv | 0x20) == 'g' && !(flags & F_HASH))
    while (p > 0 && digit_at(&x, x.nint + p - 1) == '0') p--;
  intlen = x.nint > 0 ? x.nint : 1;
  fraclen = (p > 0 || (flags & F_HASH)) ? 1 + p : 0;
  len = intlen + fraclen;
  field_start(s, flags, width, prefix, plen, len);
  if (x.nint > 0) emit(s, x.d, x.nint);
  else emit(s, "0", 1);
  if (fraclen) {
    int have = x.n - x.nint;
    emit(s, ".", 1);
    if (have > p) have = p;
    if (have > 0) emit(s, x.d + x.nint, have);
    pad(s, '0', p - (have > 0 ? have : 0));
  }
  field_end(s, flags, width, plen + len);
}

/* ---------- the format loop ---------- */

int __vformat(void (*put)(void *, const char *, int), void *ctx, const char *fmt, va_list ap) {
  sink s = {put, ctx, 0};
  while (*fmt) {
    int flags = 0, width = 0, prec = -1, lmod = 0, conv;
    const char *start = fmt;
    if (*fmt != '%') {
      const char *q = fmt;
      while (*q && *q != '%') q++;
      emit(&s, fmt, (int)(q - fmt));
      fmt = q;
      continue;
    }
    fmt++;
    for (;; fmt++) {
      if (*fmt == '-') flags |= F_MINUS;
      else if (*fmt == '+') flags |= F_PLUS;
      else if (*fmt == ' ') flags |= F_SPACE;
      else if (*fmt == '#') flags |= F_HASH;
      else if (*fmt == '0') flags |= F_ZERO;
      else break;
    }
    if (*fmt == '*') {
      width = va_arg(ap, int);
      if (width < 0) {
        flags |= F_MINUS;
        width = -width;
      }
      fmt++;
    } else {
      while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    }
    if (*fmt == '.') {
      fmt++;
      if (*fmt == '*') {
        prec = va_arg(ap, int);
        if (prec < 0) prec = -1;
        fmt++;
      } else {
        prec = 0;
        while (*fmt >= '0' && *fmt <= '9') prec = prec * 10 + (*fmt++ - '0');
      }
    }
    /* lmod: 'H' hh, 'h', 'l', 'q' ll, 'L', 'j', 'z', 't' */
    if (*fmt == 'h') {
      lmod = 'h';
      if (*++fmt == 'h') {
        lmod = 'H';
        fmt++;
      }
    } else if (*fmt == 'l') {
      lmod = 'l';
      if (*++fmt == 'l') {
        lmod = 'q';
        fmt++;
      }
    } else if (*fmt == 'q' || *fmt == 'j') {
      lmod = 'q';
      fmt++;
    } else if (*fmt == 'L' || *fmt == 'z' || *fmt == 't') {
      lmod = *fmt++;
    }
    if (flags & F_MINUS) flags &= ~F_ZERO;
    if (flags & F_PLUS) flags &= ~F_SPACE;
    conv = *fmt++;
    switch (conv) {
    case 'd':
    case 'i': {
      int64_t v;
      if (lmod == 'q') v = va_arg(ap, long long);
      else v = va_arg(ap, int); /* int, long, size_t and ptrdiff_t are 32 bits */
      if (lmod == 'h') v = (short)v;
      else if (lmod == 'H') v = (signed char)v;
      fmt_int(&s, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0, flags, width, prec, conv);
      break;
    }
    case 'u':
    case 'o':
    case 'x':
    case 'X': {
      uint64_t v;
      if (lmod == 'q') v = va_arg(ap, unsigned long long);
      else v = va_arg(ap, unsigned int);
      if (lmod == 'h') v = (unsigned short)v;
      else if (lmod == 'H') v = (unsigned char)v;
      fmt_int(&s, v, 0, flags, width, prec, conv);
      break;
    }
    case 'p': {
      void *p = va_arg(ap, void *);
      if (!p) {
        flags &= ~F_ZERO;
        field_start(&s, flags, width, "", 0, 5);
        emit(&s, "(nil)", 5);
        field_end(&s, flags, width, 5);
      } else {
        fmt_int(&s, (uintptr_t)p, 0, flags & ~F_HASH, width, prec, 'p');
      }
      break;
    }
    case 'c': {
      char c = (char)va_arg(ap, int);
      field_start(&s, flags & ~F_ZERO, width, "", 0, 1);
      emit(&s, &c, 1);
      field_end(&s, flags, width, 1);
      break;
    }
    case 's': {
      const char *str = va_arg(ap, const char *);
      int n;
      if (!str) str = (prec < 0 || prec >= 6) ? "(null)" : "";
      n = prec < 0 ? (int)strlen(str) : (int)strnlen(str, prec);
      field_start(&s, flags & ~F_ZERO, width, "", 0, n);
      emit(&s, str, n);
      field_end(&s, flags, width, n);
      break;
    }
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      double v;
      if (lmod == 'L') v = (double)va_arg(ap, long double);
      else v = va_arg(ap, double);
      fmt_float(&s, v, flags, width, prec, conv);
      break;
    }
    case 'n': {
      void *p = va_arg(ap, void *);
      if (lmod == 'q') *(long long *)p = s.count;
      else if (lmod == 'h') *(short *)p = (short)s.count;
      else if (lmod == 'H') *(signed char *)p = (signed char)s.count;
      else *(int *)p = s.count;
      break;
    }
    case '%':
      emit(&s, "%", 1);
      break;
    default:
      /* unknown conversion (or the format ended): print it as written */
      if (conv == 0) fmt--;
      emit(&s, start, (int)(fmt - start));
      break;
    }
  }
  return s.count;
}
