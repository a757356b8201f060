/* The system-call stubs every backend shares: number in EAX, arguments in EBX, ECX,
   EDX, ESI, EDI, EBP; the result (or -errno) comes back in EAX; every other register
   is preserved. The backend header defines LIBC_SYSCALL_INSN, the one instruction that
   enters the system (sys/int80.h, sys/l4ipc.h), then includes this file. */
#ifndef _LIBC_SYS_SYSCALL_STUBS_H
#define _LIBC_SYS_SYSCALL_STUBS_H

static inline long __syscall0(long n) {
  long r;
  __asm__ volatile(LIBC_SYSCALL_INSN : "=a"(r) : "a"(n) : "memory");
  return r;
}
static inline long __syscall1(long n, long a) {
  long r;
  __asm__ volatile(LIBC_SYSCALL_INSN : "=a"(r) : "a"(n), "b"(a) : "memory");
  return r;
}
static inline long __syscall2(long n, long a, long b) {
  long r;
  __asm__ volatile(LIBC_SYSCALL_INSN : "=a"(r) : "a"(n), "b"(a), "c"(b) : "memory");
  return r;
}
static inline long __syscall3(long n, long a, long b, long c) {
  long r;
  __asm__ volatile(LIBC_SYSCALL_INSN : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
  return r;
}
static inline long __syscall4(long n, long a, long b, long c, long d) {
  long r;
  __asm__ volatile(LIBC_SYSCALL_INSN : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c), "S"(d) : "memory");
  return r;
}
static inline long __syscall5(long n, long a, long b, long c, long d, long e) {
  long r;
  __asm__ volatile(LIBC_SYSCALL_INSN : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e) : "memory");
  return r;
}
/* EBP cannot be named in a constraint: out of line, in sys/syscall-stubs.inc */
long __syscall6(long n, long a, long b, long c, long d, long e, long f);

#endif
