/* System-call backend: Linux i386 `int $0x80`. Number in EAX, arguments in EBX, ECX,
   EDX, ESI, EDI, EBP; the result (or -errno) comes back in EAX.
   Every backend header provides __syscall0..__syscall6 with these signatures. */
#ifndef _LIBC_SYS_INT80_H
#define _LIBC_SYS_INT80_H

static inline long __syscall0(long n) {
  long r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(n) : "memory");
  return r;
}
static inline long __syscall1(long n, long a) {
  long r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a) : "memory");
  return r;
}
static inline long __syscall2(long n, long a, long b) {
  long r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b) : "memory");
  return r;
}
static inline long __syscall3(long n, long a, long b, long c) {
  long r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
  return r;
}
static inline long __syscall4(long n, long a, long b, long c, long d) {
  long r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c), "S"(d) : "memory");
  return r;
}
static inline long __syscall5(long n, long a, long b, long c, long d, long e) {
  long r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e) : "memory");
  return r;
}
/* EBP cannot be named in a constraint: out of line, in int80.c */
long __syscall6(long n, long a, long b, long c, long d, long e, long f);

#endif
