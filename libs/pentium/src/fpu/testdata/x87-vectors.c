/*
 * Reference vectors for the x87 emulation, computed by a real x87 (the build host's).
 * Build and run on any x86-64 Linux:
 *   gcc -O1 -o /tmp/x87-vectors libs/pentium/src/fpu/testdata/x87-vectors.c
 *   /tmp/x87-vectors > libs/pentium/src/fpu/testdata/x87-vectors.txt
 * Each line: op cw a b result sw   (hex; a, b, result as 64-bit patterns; sw the status
 * word right after the operation, before the result is stored).
 * The x87 has kept these semantics from the 387 on; transcendental results (the last
 * group of ops) may differ in the last bits between generations and are compared within
 * a few ulps.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t bits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static double dbl(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }

enum { ADD, SUB, SUBR, MUL, DIV, DIVR, SQRT, RNDINT, PREM, PREM1, SCALE, XTRACT_SIG, XTRACT_EXP,
       COM, UCOM, TST, XAM, IST32, IST16, IST64, ST32,
       /* transcendentals: compared within a few ulps, not bit for bit */
       SIN, COS, TAN, SINCOS_COS, ATAN, F2XM1, YL2X, YL2XP1, NOPS };
static const char *names[NOPS] = {"fadd", "fsub", "fsubr", "fmul", "fdiv", "fdivr", "fsqrt", "frndint",
  "fprem", "fprem1", "fscale", "fxtract.sig", "fxtract.exp", "fcom", "fucom", "ftst", "fxam",
  "fist32", "fist16", "fist64", "fst32", "fsin", "fcos", "fptan", "fsincos.cos", "fpatan", "f2xm1",
  "fyl2x", "fyl2xp1"};

/* ST(0) = a, ST(1) = b where the operation needs two registers; memory forms take b from memory. */
#define BIN(insn)                                                                      \
  __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[a]\n\t" insn " %[b]\n\t"            \
                   "fnstsw %[sw]\n\tfstpl %[r]"                                          \
                   : [r] "=m"(r), [sw] "=m"(sw) : [cw] "m"(cw), [a] "m"(a), [b] "m"(b))
#define UN(insn)                                                                       \
  __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[a]\n\t" insn "\n\t"                 \
                   "fnstsw %[sw]\n\tfstpl %[r]"                                          \
                   : [r] "=m"(r), [sw] "=m"(sw) : [cw] "m"(cw), [a] "m"(a))
#define TWO(insn, store)                                                               \
  __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[b]\n\tfldl %[a]\n\t" insn "\n\t"     \
                   "fnstsw %[sw]\n\t" store                                              \
                   : [r] "=m"(r), [sw] "=m"(sw) : [cw] "m"(cw), [a] "m"(a), [b] "m"(b))

static void run(int op, uint16_t cw, double a, double b) {
  double r = 0;
  uint16_t sw = 0;
  uint64_t res = 0;
  int32_t i32 = 0;
  int16_t i16 = 0;
  int64_t i64 = 0;
  float f32 = 0;
  switch (op) {
  case ADD: BIN("faddl"); break;
  case SUB: BIN("fsubl"); break;
  case SUBR: BIN("fsubrl"); break;
  case MUL: BIN("fmull"); break;
  case DIV: BIN("fdivl"); break;
  case DIVR: BIN("fdivrl"); break;
  case SQRT: UN("fsqrt"); break;
  case RNDINT: UN("frndint"); break;
  case PREM: TWO("fprem", "fstpl %[r]\n\tfstp %%st(0)"); break;
  case PREM1: TWO("fprem1", "fstpl %[r]\n\tfstp %%st(0)"); break;
  case SCALE: TWO("fscale", "fstpl %[r]\n\tfstp %%st(0)"); break;
  case XTRACT_SIG: UN("fxtract\n\tfxch\n\tfstp %%st(0)"); break;
  case XTRACT_EXP: UN("fxtract\n\tfstp %%st(0)"); break;
  case COM: BIN("fcoml"); break;
  case UCOM: TWO("fucom", "fstpl %[r]\n\tfstp %%st(0)"); break;
  case TST: UN("ftst"); break;
  case XAM: UN("fxam"); break;
  case SIN: UN("fsin"); break;
  case COS: UN("fcos"); break;
  case TAN: UN("fptan\n\tfstp %%st(0)"); break;
  case SINCOS_COS: UN("fsincos\n\tfstp %%st(1)"); break;
  case ATAN: TWO("fpatan", "fstpl %[r]"); break;
  case F2XM1: UN("f2xm1"); break;
  case YL2X: TWO("fyl2x", "fstpl %[r]"); break;
  case YL2XP1: TWO("fyl2xp1", "fstpl %[r]"); break;
  case IST32:
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[a]\n\tfistpl %[i]\n\tfnstsw %[sw]"
                     : [i] "=m"(i32), [sw] "=m"(sw) : [cw] "m"(cw), [a] "m"(a));
    res = (uint32_t)i32;
    break;
  case IST16:
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[a]\n\tfistps %[i]\n\tfnstsw %[sw]"
                     : [i] "=m"(i16), [sw] "=m"(sw) : [cw] "m"(cw), [a] "m"(a));
    res = (uint16_t)i16;
    break;
  case IST64:
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[a]\n\tfistpll %[i]\n\tfnstsw %[sw]"
                     : [i] "=m"(i64), [sw] "=m"(sw) : [cw] "m"(cw), [a] "m"(a));
    res = (uint64_t)i64;
    break;
  case ST32:
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[a]\n\tfstps %[f]\n\tfnstsw %[sw]"
                     : [f] "=m"(f32), [sw] "=m"(sw) : [cw] "m"(cw), [a] "m"(a));
    { uint32_t u; memcpy(&u, &f32, 4); res = u; }
    break;
  }
  if (op < IST32 || op >= SIN) res = bits(r);
  printf("%s %04x %016llx %016llx %016llx %04x\n", names[op], cw, (unsigned long long)bits(a),
         (unsigned long long)bits(b), (unsigned long long)res, sw);
}

/* result as an 80-bit image: "se mantissa" printed as 20 hex digits */
static void run80(const char *name, uint16_t cw, double a, double b) {
  unsigned char x[10];
  uint16_t sw = 0;
  if (!strcmp(name, "fdiv.x"))
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[a]\n\tfdivl %[b]\n\tfnstsw %[sw]\n\tfstpt %[x]"
                     : [x] "=m"(x), [sw] "=m"(sw) : [cw] "m"(cw), [a] "m"(a), [b] "m"(b));
  else if (!strcmp(name, "fmul.x"))
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[a]\n\tfmull %[b]\n\tfnstsw %[sw]\n\tfstpt %[x]"
                     : [x] "=m"(x), [sw] "=m"(sw) : [cw] "m"(cw), [a] "m"(a), [b] "m"(b));
  else if (!strcmp(name, "fadd.x"))
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[a]\n\tfaddl %[b]\n\tfnstsw %[sw]\n\tfstpt %[x]"
                     : [x] "=m"(x), [sw] "=m"(sw) : [cw] "m"(cw), [a] "m"(a), [b] "m"(b));
  else if (!strcmp(name, "fsqrt.x"))
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[a]\n\tfsqrt\n\tfnstsw %[sw]\n\tfstpt %[x]"
                     : [x] "=m"(x), [sw] "=m"(sw) : [cw] "m"(cw), [a] "m"(a));
  else /* fdivmul.x: (a / b) · b, the second operation on a 64-bit register value */
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[a]\n\tfdivl %[b]\n\tfmull %[b]\n\tfnstsw %[sw]\n\tfstpt %[x]"
                     : [x] "=m"(x), [sw] "=m"(sw) : [cw] "m"(cw), [a] "m"(a), [b] "m"(b));
  uint64_t mant;
  uint16_t se;
  memcpy(&mant, x, 8);
  memcpy(&se, x + 8, 2);
  printf("%s %04x %016llx %016llx %04x%016llx %04x\n", name, cw, (unsigned long long)bits(a),
         (unsigned long long)bits(b), se, (unsigned long long)mant, sw);
}

/* D8 / DA / DE memory forms: the operand b as a float, int32 or int16 (its bits in column b) */
static void run_memop(const char *name, uint16_t cw, double a, double b) {
  uint16_t sw = 0;
  double r;
  float f = (float)b;
  int32_t i32 = (b > 2e9 || b < -2e9 || b != b) ? 12345 : (int32_t)b;
  int16_t i16 = (b > 30000 || b < -30000 || b != b) ? -77 : (int16_t)b;
  uint64_t bb = 0;
  if (!strcmp(name, "fsubs")) {
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[a]\n\tfsubs %[b]\n\tfnstsw %[sw]\n\tfstpl %[r]"
                     : [r] "=m"(r), [sw] "=m"(sw) : [cw] "m"(cw), [a] "m"(a), [b] "m"(f));
    memcpy(&bb, &f, 4);
  } else if (!strcmp(name, "fdivrs")) {
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[a]\n\tfdivrs %[b]\n\tfnstsw %[sw]\n\tfstpl %[r]"
                     : [r] "=m"(r), [sw] "=m"(sw) : [cw] "m"(cw), [a] "m"(a), [b] "m"(f));
    memcpy(&bb, &f, 4);
  } else if (!strcmp(name, "fimull")) {
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[a]\n\tfimull %[b]\n\tfnstsw %[sw]\n\tfstpl %[r]"
                     : [r] "=m"(r), [sw] "=m"(sw) : [cw] "m"(cw), [a] "m"(a), [b] "m"(i32));
    bb = (uint32_t)i32;
  } else {
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[a]\n\tfidivrs %[b]\n\tfnstsw %[sw]\n\tfstpl %[r]"
                     : [r] "=m"(r), [sw] "=m"(sw) : [cw] "m"(cw), [a] "m"(a), [b] "m"(i16));
    bb = (uint16_t)i16;
  }
  printf("%s %04x %016llx %016llx %016llx %04x\n", name, cw, (unsigned long long)bits(a), (unsigned long long)bb,
         (unsigned long long)bits(r), sw);
}

static void run_u64(uint64_t u) {
  uint16_t cw = 0x027f, sw = 0;
  float two64 = 18446744073709551616.0f;
  double r;
  __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfildll %[u]\n\tfadds %[k]\n\tfnstsw %[sw]\n\tfstpl %[r]"
                   : [r] "=m"(r), [sw] "=m"(sw) : [cw] "m"(cw), [u] "m"(u), [k] "m"(two64));
  printf("u64cvt %04x %016llx %016llx %016llx %04x\n", cw, (unsigned long long)u, 0ull,
         (unsigned long long)bits(r), sw);
}

static uint64_t lcg_state = 0x9e3779b97f4a7c15ull;
static double rnd_double(int emin, int emax) {
  lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
  uint64_t u = lcg_state;
  int e = emin + (int)((u >> 8) % (uint64_t)(emax - emin + 1));
  uint64_t frac = (u >> 12) ^ (u << 40);
  frac &= 0xfffffffffffffull;
  uint64_t sign = (u >> 63) & 1;
  return dbl((sign << 63) | ((uint64_t)(e + 1023) << 52) | frac);
}

int main(void) {
  const double specials[] = {0.0, -0.0, 1.0, -1.0, 1.5, 2.5, -2.5, 3.0, 0.1, 1.0 / 3.0, 7.0, 1e300, -1e-300,
                             4.9406564584124654e-324, 1.7976931348623157e308, 65535.5, -2147483648.5,
                             9.2233720368547758e18, 1.0 / 0.0, -1.0 / 0.0, dbl(0x7ff8000000000001ull)};
  const int ns = sizeof specials / sizeof specials[0];
  /* precision control: 53 bits in all four rounding modes, 24 bits nearest and chop */
  const uint16_t cws[] = {0x027f, 0x067f, 0x0a7f, 0x0e7f, 0x007f, 0x0c7f};
  double as[64], bs[64];
  int n = 0;
  for (int i = 0; i < 16; i++) { as[n] = rnd_double(-30, 30); bs[n] = rnd_double(-30, 30); n++; }
  for (int i = 0; i < 6; i++) { as[n] = rnd_double(-900, 900); bs[n] = rnd_double(-900, 900); n++; }
  for (int c = 0; c < 6; c++) {
    for (int op = 0; op < SIN; op++) {
      int binary = op <= DIVR || op == PREM || op == PREM1 || op == SCALE || op == COM || op == UCOM;
      if (binary) {
        /* half the pairs of specials at 53 bits/nearest; a sample of them in the other modes */
        for (int i = 0; i < ns; i += (c == 0 ? 1 : 4))
          for (int j = (i & 1); j < ns; j += (c == 0 ? 2 : 5)) run(op, cws[c], specials[i], specials[j]);
        for (int i = 0; i < n; i++) run(op, cws[c], as[i], op == SCALE ? (double)(int)(bs[i] * 8) : bs[i]);
      } else {
        for (int i = 0; i < ns; i++) run(op, cws[c], specials[i], 0);
        for (int i = 0; i < n; i++) run(op, cws[c], as[i] * (op >= IST32 && op <= IST64 ? 1e6 : 1), 0);
      }
    }
  }
  /* transcendentals at 53 bits, round to nearest, over their natural domains */
  for (int op = SIN; op < NOPS; op++) {
    for (int i = 0; i < ns; i++) run(op, 0x027f, specials[i], specials[(i * 7) % ns]);
    for (int i = 0; i < 60; i++) {
      double a, b = rnd_double(-10, 10);
      switch (op) {
      case F2XM1: a = rnd_double(-12, -1); break;                     /* |a| < 1 */
      case YL2X: a = b < 0 ? -b : b; b = rnd_double(-4, 4); break;    /* a > 0 */
      case YL2XP1: a = rnd_double(-12, -3); b = rnd_double(-4, 4); break; /* |a| < 1 − √2/2 */
      default: a = rnd_double(-12, 6); break;                          /* |a| < 128 */
      }
      run(op, 0x027f, a, b);
    }
  }
  /* 64-bit precision: results compared as 80-bit images (op names ending in .x) */
  const uint16_t cw64[] = {0x037f, 0x0f7f, 0x077f};
  for (int c = 0; c < 3; c++)
    for (int i = 0; i < n; i++) {
      run80("fdiv.x", cw64[c], as[i], bs[i]);
      run80("fmul.x", cw64[c], as[i], bs[i]);
      run80("fadd.x", cw64[c], as[i], bs[i] * 1e-9);
      run80("fsqrt.x", cw64[c], as[i] < 0 ? -as[i] : as[i], 0);
      run80("fdivmul.x", cw64[c], as[i], bs[i]);
    }
  /* m32 real and integer memory operands (b converted to the operand's type) */
  for (int c = 0; c < 6; c++)
    for (int i = 0; i < n + ns; i++) {
      double a = i < n ? as[i] : specials[i - n], b = i < n ? bs[i] : specials[(i * 5) % ns];
      run_memop("fsubs", cws[c], a, b);
      run_memop("fdivrs", cws[c], a, b);
      run_memop("fimull", cws[c], a, b * 1000);
      run_memop("fidivrs", cws[c], a, b * 100);
    }
  /* unsigned long long -> double as gcc -m32 emits it: fildll; fadds 2^64 (if negative) */
  for (int i = 0; i < 60; i++) {
    lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
    uint64_t u = lcg_state | (1ull << 63);
    if (i < 8) u = 0x8000000000000000ull + (uint64_t)(1023 + i); /* around a double-rounding tie */
    run_u64(u);
  }
  return 0;
}
