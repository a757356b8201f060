/* The runtime of the generated instruction tests (the .S files beside it, written by
   scripts/gen-instruction-tests.ts; this file is hand-written and linked into each).

   A generated program provides `instr_forms`: one descriptor per instruction form (a
   row of the instruction table at one operand size, with register or memory operands,
   and for immediate forms one immediate). Each form has a stub: optional set-up
   instructions, the instruction under test as raw bytes, then `jmp instr_back`.

   For every form the runtime runs the cross product of its operand slots' value tables
   (and of two flag states when the instruction reads flags): it builds the register,
   flag and memory state, enters the stub through instr_run (which loads every register
   and EFLAGS), and prints one line with all eight registers, EFLAGS (only the status
   flags, DF and ID; minus the bits Intel leaves undefined for the form) and the memory
   the form may have written. Values that the Intel manual leaves undefined for a given
   input (BSF/BSR destination of a zero source, CF of SHL/SHR by the operand width or
   more, SHLD/SHRD of 16-bit operands by more than 16) are hidden; inputs that would
   fault (#DE) are skipped. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct cpu_state {
  unsigned r[8]; /* EAX ECX EDX EBX ESP EBP ESI EDI */
  unsigned eflags;
};

struct form {
  const char *name;
  void (*stub)(void);
  unsigned slot[4];   /* kind | index << 8 | arg << 16 | table << 24; 0 = unused */
  unsigned special;   /* SP_* */
  unsigned aux;       /* the special's parameter: see run_form */
  unsigned undef;     /* EFLAGS bits Intel leaves undefined */
  unsigned show;      /* memory shown: offset (instr_mem, or instr_stack | 0x8000) | dwords << 16 */
  unsigned flagmode;  /* bit 0: both flag states for every case (else they alternate);
                         bit 1: the form may write memory (restored before every case) */
};

/* slot kinds */
enum { K_NONE, K_REG32, K_REG16, K_REG8, K_MEM, K_FLAGS, K_ADDR, K_SADDR };
/* K_REG8 index: 0-3 AL CL DL BL, 4-7 AH CH DH BH. K_MEM arg: byte offset in instr_mem,
   table width from the table. K_ADDR: register index = address of instr_mem + arg
   (the table is ignored); K_SADDR the same in instr_stack. */

enum { SP_NONE, SP_DIV8, SP_DIV16, SP_DIV32, SP_IDIV8, SP_IDIV16, SP_IDIV32, SP_BSF, SP_SHIFT8, SP_SHIFT16,
       SP_SHXD16, SP_STRING, SP_CX8B };

extern const struct form instr_forms[];
void instr_back(void);

struct cpu_state instr_in, instr_out;
unsigned char instr_mem[512] __attribute__((aligned(16)));
unsigned char instr_stack[1024] __attribute__((aligned(16)));
unsigned char instr_flag_stack[64] __attribute__((aligned(16)));
void (*instr_stub)(void);
unsigned instr_saved_esp;

#define STACK_TOP_OFF 512
#define TEST_MEM_OFF 64
#define SRC_OFF 256
#define DST_OFF 384

/* void instr_run(void (*stub)(void)): load the whole in-state, run the stub; the stub
   ends with `jmp instr_back`, which stores the whole out-state. Flags are loaded and
   stored on a stack of their own so that the test stack only sees the test. */
__asm__(".text\n"
        ".globl instr_run\n"
        "instr_run:\n"
        "  pushl %ebp\n  pushl %ebx\n  pushl %esi\n  pushl %edi\n"
        "  movl 20(%esp), %eax\n"
        "  movl %eax, instr_stub\n"
        "  movl %esp, instr_saved_esp\n"
        "  movl $instr_flag_stack+60, %esp\n"
        "  pushl instr_in+32\n"
        "  popfl\n"
        "  movl instr_in+16, %esp\n"
        "  movl instr_in+0, %eax\n"
        "  movl instr_in+4, %ecx\n"
        "  movl instr_in+8, %edx\n"
        "  movl instr_in+12, %ebx\n"
        "  movl instr_in+20, %ebp\n"
        "  movl instr_in+24, %esi\n"
        "  movl instr_in+28, %edi\n"
        "  jmp *instr_stub\n"
        ".globl instr_back\n"
        "instr_back:\n"
        "  movl %eax, instr_out+0\n"
        "  movl %ecx, instr_out+4\n"
        "  movl %edx, instr_out+8\n"
        "  movl %ebx, instr_out+12\n"
        "  movl %esp, instr_out+16\n"
        "  movl %ebp, instr_out+20\n"
        "  movl %esi, instr_out+24\n"
        "  movl %edi, instr_out+28\n"
        "  movl $instr_flag_stack+60, %esp\n"
        "  pushfl\n"
        "  popl instr_out+32\n"
        "  movl instr_saved_esp, %esp\n"
        "  cld\n"
        "  popl %edi\n  popl %esi\n  popl %ebx\n  popl %ebp\n"
        "  ret\n");
void instr_run(void (*stub)(void));

/* ---- value tables (index = the table byte of a slot) ---- */
static const unsigned t_v8[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0x0f, 0x10, 0x55};
static const unsigned t_v16[] = {0x0000, 0x0001, 0x7fff, 0x8000, 0xffff, 0x00ff, 0x1234, 0xfffe};
static const unsigned t_v32[] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xff, 0x12345678, 0xfffffffe, 0x80000001};
static const unsigned t_v32s[] = {0, 1, 0x80000000, 0xffffffff};
static const unsigned t_cnt[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 255};
static const unsigned t_bitoff[] = {0, 5, 31, 32, 63, 100, (unsigned)-1, (unsigned)-33, (unsigned)-64};
static const unsigned t_flags2[] = {0x002, 0x8d7};
static const unsigned t_flagsj[] = {0x002, 0x003, 0x042, 0x082, 0x802, 0x882, 0x006, 0x043, 0x8c2, 0x8d7};
static const unsigned t_flagsdf[] = {0x002, 0x402, 0x8d7, 0xcd7};
static const unsigned t_ah[] = {0x00, 0xff, 0xd5, 0x2a, 0x41};
static const unsigned t_popf[] = {0x00000000, 0x00000cd5, 0x00200000, 0x00000400, 0x00200cd5, 0x0000002a};
static const unsigned t_bcd[] = {0x00, 0x09, 0x0a, 0x0f, 0x19, 0x50, 0x99, 0x9a, 0x9f, 0xa0, 0xf9, 0xff};
static const unsigned t_strcnt[] = {0, 1, 3, 7};
static const unsigned t_strval[] = {0x41, 0x44434241, 0xff};
static const unsigned t_loopcnt[] = {0, 1, 2, 0x10000};
static const unsigned t_divhi[] = {0, 1, 0xffffffff};
static const unsigned t_one[] = {0};
static const unsigned t_v8s[] = {0x00, 0x01, 0x80, 0xff};
static const unsigned t_v16s[] = {0x0000, 0x0001, 0x8000, 0xffff};

struct table {
  const unsigned *v;
  int n;
  int width; /* bytes written for K_MEM */
};
#define TAB(a, w) {a, (int)(sizeof a / sizeof a[0]), w}
static const struct table tables[] = {
    TAB(t_one, 4),     TAB(t_v8, 1),    TAB(t_v16, 2),      TAB(t_v32, 4),   TAB(t_v32s, 4),   TAB(t_cnt, 1),
    TAB(t_bitoff, 4),  TAB(t_flags2, 4), TAB(t_flagsj, 4),  TAB(t_flagsdf, 4), TAB(t_ah, 1),   TAB(t_popf, 4),
    TAB(t_bcd, 1),     TAB(t_strcnt, 4), TAB(t_strval, 4),  TAB(t_loopcnt, 4), TAB(t_divhi, 4),   TAB(t_v8s, 1),
    TAB(t_v16s, 2),
};

/* ---- output: hex into a buffer, written in large pieces ---- */
static char out[8192];
static int outlen;
static void flush_out(void) {
  int off = 0;
  while (off < outlen) {
    int n = write(1, out + off, outlen - off);
    if (n <= 0) break;
    off += n;
  }
  outlen = 0;
}
static void put_str(const char *s) {
  int n = strlen(s);
  if (outlen + n > (int)sizeof out) flush_out();
  memcpy(out + outlen, s, n);
  outlen += n;
}
static void put_hex(unsigned v, int digits) {
  static const char hex[] = "0123456789abcdef";
  char b[9];
  int i;
  for (i = digits - 1; i >= 0; i--) {
    b[i] = hex[v & 15];
    v >>= 4;
  }
  b[digits] = 0;
  put_str(b);
}
static void put_dec(unsigned v) {
  char b[12];
  int i = 11;
  b[i] = 0;
  do b[--i] = (char)('0' + v % 10); while ((v /= 10));
  put_str(b + i);
}

/* the memory every case starts from, built once and copied (REP MOVSD) per case */
static unsigned char pristine_mem[512], pristine_stack[1024];
static void build_pristine(void) {
  int i;
  for (i = 0; i < 512; i++) pristine_mem[i] = (unsigned char)(i * 7 + 3);
  for (i = 0; i < 64; i++) {
    pristine_mem[SRC_OFF + i] = (unsigned char)(0x41 + i);
    pristine_mem[DST_OFF + i] = (unsigned char)(i % 3 == 2 ? 0x30 + i : 0x41 + i);
  }
  for (i = 0; i < 1024; i++) pristine_stack[i] = (unsigned char)(0xa0 + i);
}
static void init_memory(void) {
  memcpy(instr_mem, pristine_mem, sizeof instr_mem);
  memcpy(instr_stack, pristine_stack, sizeof instr_stack);
}

static void set_slot(unsigned slot, unsigned v) {
  unsigned kind = slot & 0xff, idx = (slot >> 8) & 0xff, arg = (slot >> 16) & 0xff;
  const struct table *t = &tables[slot >> 24];
  switch (kind) {
  case K_REG32: instr_in.r[idx] = v; break;
  case K_REG16: instr_in.r[idx] = (instr_in.r[idx] & 0xffff0000u) | (v & 0xffff); break;
  case K_REG8:
    if (idx < 4) instr_in.r[idx] = (instr_in.r[idx] & ~0xffu) | (v & 0xff);
    else instr_in.r[idx - 4] = (instr_in.r[idx - 4] & ~0xff00u) | ((v & 0xff) << 8);
    break;
  case K_MEM: {
    int i;
    unsigned off = arg * 4; /* arg counts dwords so that every offset fits in 8 bits */
    for (i = 0; i < t->width; i++) instr_mem[off + i] = (unsigned char)(v >> (8 * i));
    break;
  }
  case K_FLAGS: instr_in.eflags = v | 2; break;
  case K_ADDR: instr_in.r[idx] = (unsigned)(instr_mem + arg * 4); break;
  case K_SADDR: instr_in.r[idx] = (unsigned)(instr_stack + arg * 4); break;
  }
}

static int slot_count(unsigned slot) {
  if (!slot || (slot & 0xff) == K_ADDR || (slot & 0xff) == K_SADDR) return 1;
  return tables[slot >> 24].n;
}
static unsigned slot_value(unsigned slot, int i) {
  if (!slot || (slot & 0xff) == K_ADDR || (slot & 0xff) == K_SADDR) return 0;
  return tables[slot >> 24].v[i];
}

/* 1 when the inputs would raise #DE (division by zero or quotient overflow); the
   most negative quotient is avoided as well */
static int div_faults(const struct form *f, unsigned divisor) {
  unsigned eax = instr_in.r[0], edx = instr_in.r[2];
  switch (f->special) {
  case SP_DIV8: divisor &= 0xff; return divisor == 0 || (eax & 0xffff) / divisor > 0xff;
  case SP_DIV16: divisor &= 0xffff; return divisor == 0 || (((edx & 0xffff) << 16) | (eax & 0xffff)) / divisor > 0xffff;
  case SP_DIV32:
    return divisor == 0 || (((unsigned long long)edx << 32) | eax) / divisor > 0xffffffffULL;
  case SP_IDIV8: {
    int d = (signed char)divisor, n = (short)eax, q;
    if (d == 0) return 1;
    q = n / d;
    return q < -127 || q > 127;
  }
  case SP_IDIV16: {
    int d = (short)divisor, n = (int)(((edx & 0xffff) << 16) | (eax & 0xffff));
    long long q;
    if (d == 0) return 1;
    q = (long long)n / d;
    return q < -32767 || q > 32767;
  }
  case SP_IDIV32: {
    long long n = (long long)(((unsigned long long)edx << 32) | eax), q;
    int d = (int)divisor;
    if (d == 0) return 1;
    if (n == (-0x7fffffffffffffffLL - 1) && d == -1) return 1;
    q = n / d;
    return q < -2147483647LL || q > 2147483647LL;
  }
  }
  return 0;
}

static void run_form(int fi, const struct form *f) {
  int n[4], idx[4], total = 1, c, k, s, nflag = (f->flagmode & 1) ? 2 : 1;
  unsigned show_off = f->show & 0xffff, show_n = (f->show >> 16) & 0xff;
  for (s = 0; s < 4; s++) {
    n[s] = slot_count(f->slot[s]);
    total *= n[s];
  }
  put_str("form ");
  put_dec(fi);
  put_str(": ");
  put_str(f->name);
  put_str("\n");
  for (c = 0; c < total * nflag; c++) {
    unsigned hide = 0, mask;
    int rest = c / nflag;
    for (s = 3; s >= 0; s--) {
      idx[s] = rest % n[s];
      rest /= n[s];
    }
    if (c == 0 || (f->flagmode & 2)) init_memory();
    for (k = 0; k < 8; k++) instr_in.r[k] = 0x11111111u * (k + 1);
    instr_in.r[4] = (unsigned)(instr_stack + STACK_TOP_OFF);
    instr_in.eflags = t_flags2[c & 1];
    for (s = 0; s < 4; s++)
      if (f->slot[s]) set_slot(f->slot[s], slot_value(f->slot[s], idx[s]));
    /* specials that shape the inputs or hide undefined outputs */
    switch (f->special) {
    case SP_DIV8: case SP_DIV16: case SP_DIV32: case SP_IDIV8: case SP_IDIV16: case SP_IDIV32:
      /* slot 0 is the divisor */
      if (div_faults(f, slot_value(f->slot[0], idx[0]))) continue;
      break;
    case SP_BSF:
      /* slot 0 is the source; the destination register (aux) is undefined for a zero
         source */
      if (slot_value(f->slot[0], idx[0]) == 0) hide |= 1u << (f->aux & 7);
      break;
    case SP_SHIFT8: case SP_SHIFT16: case SP_SHXD16: {
      /* the count: aux = 0x100 | slot index when it comes from a slot (CL), else the
         immediate. SHL/SHR by the width or more leave CF undefined; SHLD/SHRD of 16-bit
         operands by more than 16 leave everything undefined. */
      unsigned cnt = (f->aux & 0x100) ? slot_value(f->slot[f->aux & 3], idx[f->aux & 3]) : f->aux;
      if (f->special == SP_SHXD16) {
        if ((cnt & 31) > 16) continue;
      } else if ((cnt & 31) >= (f->special == SP_SHIFT8 ? 8u : 16u)) {
        hide |= 0x100; /* CF */
      }
      break;
    }
    case SP_STRING:
      /* ESI/EDI at the start of the buffers, or in the middle when DF is set */
      instr_in.r[6] = (unsigned)(instr_mem + SRC_OFF + ((instr_in.eflags & 0x400) ? 32 : 0));
      instr_in.r[7] = (unsigned)(instr_mem + DST_OFF + ((instr_in.eflags & 0x400) ? 32 : 0));
      break;
    case SP_CX8B:
      /* the high half of the memory operand equals EDX in every other case */
      set_slot(K_MEM | (((TEST_MEM_OFF + 4) / 4) << 16) | (3u << 24), (c / nflag) % 2 ? instr_in.r[2] : instr_in.r[2] ^ 1);
      break;
    }
    instr_run(f->stub);
    put_dec(fi);
    put_str(".");
    put_dec(c);
    for (k = 0; k < 8; k++) {
      put_str(" ");
      if (hide & (1u << k)) put_str("--------");
      else put_hex(instr_out.r[k], 8);
    }
    mask = 0x00200cd5u & ~(f->undef & 0xffff);
    if (hide & 0x100) mask &= ~1u;
    put_str(" f=");
    put_hex(instr_out.eflags & mask, 6);
    if (show_n) {
      put_str(" m=");
      for (k = 0; k < (int)show_n; k++) {
        unsigned v;
        memcpy(&v, (show_off >= 0x8000 ? instr_stack + (show_off - 0x8000) : instr_mem + show_off) + 4 * k, 4);
        if (k) put_str(",");
        put_hex(v, 8);
      }
    }
    put_str("\n");
  }
}

int main(void) {
  int i;
  build_pristine();
  for (i = 0; instr_forms[i].name; i++) {
    run_form(i, &instr_forms[i]);
    flush_out(); /* a crash then shows the form it happened in */
  }
  put_str("forms ");
  put_dec(i);
  put_str("\n");
  flush_out();
  return 0;
}
