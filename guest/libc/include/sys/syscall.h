#ifndef _SYS_SYSCALL_H
#define _SYS_SYSCALL_H
/* Linux i386 system-call numbers (the 2.0 table) */
#define __NR_exit 1
#define __NR_fork 2
#define __NR_read 3
#define __NR_write 4
#define __NR_open 5
#define __NR_close 6
#define __NR_waitpid 7
#define __NR_creat 8
#define __NR_link 9
#define __NR_unlink 10
#define __NR_execve 11
#define __NR_chdir 12
#define __NR_time 13
#define __NR_lseek 19
#define __NR_getpid 20
#define __NR_getuid 24
#define __NR_alarm 27
#define __NR_pause 29
#define __NR_kill 37
#define __NR_dup 41
#define __NR_pipe 42
#define __NR_times 43
#define __NR_brk 45
#define __NR_signal 48
#define __NR_dup2 63
#define __NR_getppid 64
#define __NR_sigaction 67
#define __NR_sigsuspend 72
#define __NR_sigpending 73
#define __NR_gettimeofday 78
#define __NR_mmap 90
#define __NR_munmap 91
#define __NR_wait4 114
#define __NR_sigreturn 119
#define __NR_uname 122
#define __NR_mprotect 125
#define __NR_sigprocmask 126
#endif
