/* System-call backend: Linux i386 `int $0x80` (the out-of-line parts). */

/* long __syscall6(long n, long a, long b, long c, long d, long e, long f) */
__asm__(
    ".text\n"
    ".globl __syscall6\n"
    ".type __syscall6, @function\n"
    "__syscall6:\n"
    "  pushl %ebp\n"
    "  pushl %edi\n"
    "  pushl %esi\n"
    "  pushl %ebx\n"
    "  movl 20(%esp), %eax\n"
    "  movl 24(%esp), %ebx\n"
    "  movl 28(%esp), %ecx\n"
    "  movl 32(%esp), %edx\n"
    "  movl 36(%esp), %esi\n"
    "  movl 40(%esp), %edi\n"
    "  movl 44(%esp), %ebp\n"
    "  int $0x80\n"
    "  popl %ebx\n"
    "  popl %esi\n"
    "  popl %edi\n"
    "  popl %ebp\n"
    "  ret\n"
    ".size __syscall6, .-__syscall6\n");

/* The signal restorer: the handler returns here with the signal number on top of the
   stack (the old, non-RT frame: pretcode, sig, sigcontext). Pop the number so that ESP
   is 8 bytes past the frame start, as sys_sigreturn expects, and call sigreturn (119). */
__asm__(
    ".text\n"
    ".globl __sigreturn_restorer\n"
    ".type __sigreturn_restorer, @function\n"
    "__sigreturn_restorer:\n"
    "  popl %eax\n"
    "  movl $119, %eax\n"
    "  int $0x80\n"
    "  hlt\n"
    ".size __sigreturn_restorer, .-__sigreturn_restorer\n");
