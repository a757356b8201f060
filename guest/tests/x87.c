/* The x87 beyond what C's double arithmetic shows: every result printed as its 80-bit
   image, under each precision control (24, 53, 64 bits) and rounding mode, with the
   status word's exception flags and condition codes. Arithmetic, square root,
   rounding to integer, integer stores, scaling, partial remainders, compares,
   constants, and loads and stores of every format. `test-x87 -v` prints every result
   of part 1 instead of their hash. Operands are finite values a double can hold;
   x87-ext.c builds the same program with infinities, NaNs and extended-only operands
   added. */
#include <stdio.h>
#include <string.h>
#include <stdint.h>

typedef struct {
  unsigned char b[10];
} ext80;

static void put80(const ext80 *x) {
  printf("%02x%02x:%02x%02x%02x%02x%02x%02x%02x%02x", x->b[9], x->b[8], x->b[7], x->b[6], x->b[5], x->b[4], x->b[3],
         x->b[2], x->b[1], x->b[0]);
}

static void set_cw(unsigned short cw) { __asm__ volatile("fldcw %0" : : "m"(cw)); }
static unsigned short get_sw(void) {
  unsigned short sw;
  __asm__ volatile("fnstsw %0" : "=m"(sw));
  return sw;
}
static void clear_ex(void) { __asm__ volatile("fnclex"); }

/* operands as 80-bit images: built from doubles and a few extended-only values */
static ext80 from_double(double d) {
  ext80 x;
  __asm__ volatile("fldl %1\n\tfstpt %0" : "=m"(x) : "m"(d));
  return x;
}
static ext80 make80(unsigned short se, uint64_t mant) {
  ext80 x;
  memcpy(x.b, &mant, 8);
  x.b[8] = (unsigned char)se;
  x.b[9] = (unsigned char)(se >> 8);
  return x;
}

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT, OP_RNDINT, OP_SCALE, OP_PREM, OP_PREM1, OP_XTRACT, OP_CHS_ABS, N_OPS };
static const char *const op_names[] = {"fadd", "fsub", "fmul", "fdiv", "fsqrt", "frndint", "fscale", "fprem", "fprem1", "fxtract", "fchs+fabs"};

/* run one operation on a, b (b = st(1) where used); result and status word */
static ext80 run(int op, const ext80 *a, const ext80 *b, unsigned short *sw, ext80 *second) {
  ext80 r, r2;
  memset(&r2, 0, sizeof r2);
  clear_ex();
  switch (op) {
  case OP_ADD: __asm__ volatile("fldt %2\n\tfldt %1\n\tfaddp\n\tfstpt %0" : "=m"(r) : "m"(*a), "m"(*b)); break;
  case OP_SUB: __asm__ volatile("fldt %2\n\tfldt %1\n\tfsubp %%st, %%st(1)\n\tfstpt %0" : "=m"(r) : "m"(*a), "m"(*b)); break;
  case OP_MUL: __asm__ volatile("fldt %2\n\tfldt %1\n\tfmulp\n\tfstpt %0" : "=m"(r) : "m"(*a), "m"(*b)); break;
  case OP_DIV: __asm__ volatile("fldt %2\n\tfldt %1\n\tfdivp %%st, %%st(1)\n\tfstpt %0" : "=m"(r) : "m"(*a), "m"(*b)); break;
  case OP_SQRT: __asm__ volatile("fldt %1\n\tfsqrt\n\tfstpt %0" : "=m"(r) : "m"(*a)); break;
  case OP_RNDINT: __asm__ volatile("fldt %1\n\tfrndint\n\tfstpt %0" : "=m"(r) : "m"(*a)); break;
  case OP_SCALE: __asm__ volatile("fldt %2\n\tfldt %1\n\tfscale\n\tfstpt %0\n\tfstp %%st(0)" : "=m"(r) : "m"(*a), "m"(*b)); break;
  case OP_PREM: __asm__ volatile("fldt %2\n\tfldt %1\n\tfprem\n\tfstpt %0\n\tfstp %%st(0)" : "=m"(r) : "m"(*a), "m"(*b)); break;
  case OP_PREM1: __asm__ volatile("fldt %2\n\tfldt %1\n\tfprem1\n\tfstpt %0\n\tfstp %%st(0)" : "=m"(r) : "m"(*a), "m"(*b)); break;
  case OP_XTRACT: __asm__ volatile("fldt %2\n\tfxtract\n\tfstpt %0\n\tfstpt %1" : "=m"(r), "=m"(r2) : "m"(*a)); break;
  case OP_CHS_ABS: __asm__ volatile("fldt %1\n\tfchs\n\tfstpt %0\n\tfldt %1\n\tfabs\n\tfstpt %2" : "=m"(r) : "m"(*a), "m"(r2)); break;
  }
  *sw = get_sw();
  if (second) *second = r2;
  return r;
}

int main(int argc, char **argv) {
  int verbose = argc > 1 && !strcmp(argv[1], "-v"); /* every result, for finding a difference */
  static const double dv[] = {1.0, -1.0, 3.0, 0.1, 1e300, 1e-300, 2.5, -2.5, 7.0 / 3.0, 0.0, -0.0, 1e-310, 65536.5, -0.75};
  ext80 vals[24];
  int nv = 0, i, j, op, pc, rc;
  static const unsigned short pcs[] = {0x0000, 0x0200, 0x0300}; /* 24, 53, 64 bits */
  static const char *const pc_names[] = {"24", "53", "64"};
  static const char *const rc_names[] = {"near", "down", "up", "zero"};

  for (i = 0; i < (int)(sizeof dv / sizeof dv[0]); i++) vals[nv++] = from_double(dv[i]);
#ifdef X87_EXTENDED_OPERANDS
  vals[nv++] = make80(0x7fff, 0x8000000000000000ULL);     /* +inf */
  vals[nv++] = make80(0xffff, 0xc000000000000000ULL);     /* -QNaN (the default NaN) */
  /* values a double cannot hold: a 64-bit significand, an exponent beyond double's */
  vals[nv++] = make80(0x3fff, 0xffffffffffffffffULL);     /* 2 - 2^-63 */
  vals[nv++] = make80(0x4000, 0x8000000000000001ULL);     /* 2 + 2^-62 */
  vals[nv++] = make80(0x0001, 0x8000000000000000ULL);     /* smallest normal extended */
  vals[nv++] = make80(0x403e, 0xfedcba9876543210ULL);     /* a 64-bit integer's worth */
  vals[nv++] = make80(0x4400, 0x8000000000000000ULL);     /* 2^1025 */
#endif

  /* 1. binary and unary operations under every precision and rounding control */
  for (pc = 0; pc < 3; pc++)
    for (rc = 0; rc < 4; rc++) {
      unsigned short cw = (unsigned short)(0x007f | pcs[pc] | (rc << 10));
      unsigned h = 2166136261u;
      set_cw(cw);
      for (op = 0; op < N_OPS; op++)
        for (i = 0; i < nv; i++)
          for (j = 0; j < ((op <= OP_DIV || op == OP_SCALE || op == OP_PREM || op == OP_PREM1) ? nv : 1); j++) {
            unsigned short sw;
            ext80 second, r = run(op, &vals[i], &vals[j], &sw, &second);
            int k;
            /* condition codes C0-C3 only where defined (FPREM/FPREM1: quotient bits and C2);
               exception flags always */
            sw &= (op == OP_PREM || op == OP_PREM1) ? 0x473f : 0x003f;
            for (k = 0; k < 10; k++) h = (h ^ r.b[k]) * 16777619u;
            for (k = 0; k < 10; k++) h = (h ^ second.b[k]) * 16777619u;
            h = (h ^ sw) * 16777619u;
            if (verbose || (i == 3 && (j == 2 || j == 0))) {
              printf("pc%s %s %s(v%d,v%d) = ", pc_names[pc], rc_names[rc], op_names[op], i, j);
              put80(&r);
              printf(" sw %04x\n", sw);
            }
          }
      printf("pc%s %s: hash of all results %08x\n", pc_names[pc], rc_names[rc], h);
    }
  set_cw(0x037f);

  /* 2. integer stores and loads: FIST/FISTP (16/32/64) under every rounding mode */
  for (rc = 0; rc < 4; rc++) {
    set_cw((unsigned short)(0x037f | (rc << 10)));
    for (i = 0; i < nv; i++) {
      short s16;
      int s32;
      long long s64;
      unsigned short sw16, sw32, sw64;
      clear_ex();
      __asm__ volatile("fldt %1\n\tfistps %0" : "=m"(s16) : "m"(vals[i]));
      sw16 = get_sw() & 0x3f;
      clear_ex();
      __asm__ volatile("fldt %1\n\tfistpl %0" : "=m"(s32) : "m"(vals[i]));
      sw32 = get_sw() & 0x3f;
      clear_ex();
      __asm__ volatile("fldt %1\n\tfistpll %0" : "=m"(s64) : "m"(vals[i]));
      sw64 = get_sw() & 0x3f;
      printf("%s v%d: %d(%02x) %d(%02x) %lld(%02x)\n", rc_names[rc], i, s16, sw16, s32, sw32, s64, sw64);
    }
  }
  set_cw(0x037f);
  {
    static const long long li[] = {0, 1, -1, 9007199254740993LL, -9223372036854775807LL - 1, 0x7fffffffffffffffLL};
    static const int si[] = {0, -7, 2147483647, -2147483647 - 1};
    static const short hi[] = {0, -32768, 32767, 12345};
    ext80 r;
    for (i = 0; i < 6; i++) {
      __asm__ volatile("fildll %1\n\tfstpt %0" : "=m"(r) : "m"(li[i]));
      printf("fild64 %lld = ", li[i]);
      put80(&r);
      printf("\n");
    }
    for (i = 0; i < 4; i++) {
      __asm__ volatile("fildl %1\n\tfstpt %0" : "=m"(r) : "m"(si[i]));
      printf("fild32 %d = ", si[i]);
      put80(&r);
      __asm__ volatile("filds %1\n\tfstpt %0" : "=m"(r) : "m"(hi[i]));
      printf(" fild16 %d = ", hi[i]);
      put80(&r);
      printf("\n");
    }
  }

  /* 3. stores to single and double precision: rounding, overflow, underflow */
  for (rc = 0; rc < 4; rc++) {
    set_cw((unsigned short)(0x037f | (rc << 10)));
    for (i = 0; i < nv; i++) {
      float f;
      double d;
      unsigned fu;
      uint64_t du;
      unsigned short swf, swd;
      clear_ex();
      __asm__ volatile("fldt %1\n\tfstps %0" : "=m"(f) : "m"(vals[i]));
      swf = get_sw() & 0x3f;
      clear_ex();
      __asm__ volatile("fldt %1\n\tfstpl %0" : "=m"(d) : "m"(vals[i]));
      swd = get_sw() & 0x3f;
      memcpy(&fu, &f, 4);
      memcpy(&du, &d, 8);
      printf("store %s v%d: float %08x(%02x) double %016llx(%02x)\n", rc_names[rc], i, fu, swf, (unsigned long long)du, swd);
    }
  }
  set_cw(0x037f);

  /* 4. compares: FCOM/FUCOM condition codes, FCOMI is not on the P5 */
  for (i = 0; i < nv; i++)
    for (j = 0; j < nv; j += 3) {
      unsigned short sw1, sw2;
      clear_ex();
      __asm__ volatile("fldt %1\n\tfldt %0\n\tfcompp" : : "m"(vals[i]), "m"(vals[j]));
      sw1 = get_sw() & 0x4701;
      clear_ex();
      __asm__ volatile("fldt %1\n\tfldt %0\n\tfucompp" : : "m"(vals[i]), "m"(vals[j]));
      sw2 = get_sw() & 0x4701;
      printf("cmp v%d v%d: fcom %04x fucom %04x\n", i, j, sw1, sw2);
    }
  {
    unsigned short sw;
    for (i = 0; i < nv; i++) {
      __asm__ volatile("fldt %0\n\tfxam\n\tfstp %%st(0)" : : "m"(vals[i]));
      sw = get_sw() & 0x4700;
      __asm__ volatile("fldt %0\n\tftst\n\tfstp %%st(0)" : : "m"(vals[i]));
      printf("fxam v%d %04x ftst %04x\n", i, sw, get_sw() & 0x4500);
    }
  }

  /* 5. constants, under each rounding mode (the x87 rounds its internal 66-bit constants) */
  for (rc = 0; rc < 4; rc++) {
    ext80 c[7];
    set_cw((unsigned short)(0x037f | (rc << 10)));
    __asm__ volatile("fld1\n\tfstpt %0\n\tfldl2t\n\tfstpt %1\n\tfldl2e\n\tfstpt %2\n\tfldpi\n\tfstpt %3\n\t"
                     "fldlg2\n\tfstpt %4\n\tfldln2\n\tfstpt %5\n\tfldz\n\tfstpt %6"
                     : "=m"(c[0]), "=m"(c[1]), "=m"(c[2]), "=m"(c[3]), "=m"(c[4]), "=m"(c[5]), "=m"(c[6]));
    printf("constants %s:", rc_names[rc]);
    for (i = 0; i < 7; i++) {
      printf(" ");
      put80(&c[i]);
    }
    printf("\n");
  }
  set_cw(0x027f);
  return 0;
}
