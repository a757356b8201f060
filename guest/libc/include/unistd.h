#ifndef _UNISTD_H
#define _UNISTD_H
#include <sys/types.h>
#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
extern char **environ;
ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
int close(int fd);
off_t lseek(int fd, off_t off, int whence);
pid_t fork(void);
int execve(const char *path, char *const argv[], char *const envp[]);
void _exit(int status) __attribute__((noreturn));
pid_t getpid(void);
pid_t getppid(void);
uid_t getuid(void);
int pipe(int fds[2]);
int dup(int fd);
int dup2(int fd, int fd2);
int unlink(const char *path);
int brk(void *addr);
void *sbrk(int incr);
int pause(void);
unsigned alarm(unsigned seconds);
int chdir(const char *path);
int fchdir(int fd);
int link(const char *from, const char *to);
int access(const char *path, int mode);
int truncate(const char *path, off_t len);
int ftruncate(int fd, off_t len);
void sync(void);
int fsync(int fd);
int fdatasync(int fd);
char *getcwd(char *buf, size_t size);
#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4
/* identities (root only: the set* calls succeed and change nothing), process groups
   and sessions, sleep, isatty (guest/libc/src/process.c) */
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
int setuid(uid_t uid);
int setgid(gid_t gid);
int setreuid(uid_t r, uid_t e);
int setregid(gid_t r, gid_t e);
int setpgid(pid_t pid, pid_t pgid);
pid_t getpgid(pid_t pid);
pid_t getpgrp(void);
pid_t setsid(void);
pid_t getsid(pid_t pid);
unsigned sleep(unsigned seconds);
int isatty(int fd);
#endif
