/* Process entry. Linux (and our kernel) start a static i386 ELF with ESP pointing at
   argc, followed by argv[0..argc-1], NULL, envp[...], NULL, then the aux vector.
   No register other than ESP is defined. */
        .text
        .globl _start
        .type _start, @function
_start:
        xorl %ebp, %ebp                 /* outermost frame */
        movl (%esp), %eax               /* argc */
        leal 4(%esp), %ecx              /* argv */
        leal 8(%esp,%eax,4), %edx       /* envp = argv + argc + 1 */
        andl $-16, %esp                 /* the i386 ABI as gcc assumes it: 16-byte aligned at the call */
        subl $4, %esp
        pushl %edx
        pushl %ecx
        pushl %eax
        call __libc_start_main
        hlt                             /* not reached: __libc_start_main exits */
        .size _start, .-_start
        .section .note.GNU-stack,"",@progbits
