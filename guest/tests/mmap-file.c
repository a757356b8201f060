/* mmap of files: MAP_PRIVATE (copy-on-write: the file and other mappings never see
   the writes), MAP_SHARED (writes reach the file: through msync, munmap, and read()
   at once; write() shows through an existing mapping), a mapping shared with a child
   across fork, partial munmap, an offset mapping, the tail of the last page, errors.
   Twice: in /tmp (in memory in the emulated systems) and in /var/tmp (on their disk). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "check.h"

#define PAGE 4096
#define FILE_BYTES (3 * PAGE + 100)

static char name[64];
static char buf[4 * PAGE];

static void show(const char *what, const volatile char *p) {
  printf("%s: %.12s\n", what, (const char *)p);
}

static int file_read(int fd, long off, char *out, int n) {
  lseek(fd, off, SEEK_SET);
  return read(fd, out, n);
}

static int run_in(const char *dir) {
  int fd, i, r, status;
  volatile char *a, *b, *s;
  pid_t pid;

  printf("== %s\n", dir);
  snprintf(name, sizeof name, "%s/mmap-file-%d", dir, getpid());
  fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0);
  for (i = 0; i < FILE_BYTES; i++) buf[i] = 'A' + (i / PAGE) + (i % 7 == 0 ? 32 : 0);
  memcpy(buf, "page0-text..", 12);
  memcpy(buf + PAGE, "page1-text..", 12);
  memcpy(buf + 2 * PAGE, "page2-text..", 12);
  CHECK(write(fd, buf, FILE_BYTES) == FILE_BYTES);

  /* 1. private mapping: reads the file; writes stay private */
  a = mmap(0, FILE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  CHECK(a != MAP_FAILED);
  show("private page 1", a + PAGE);
  a[PAGE] = 'X';
  show("private after write", a + PAGE);
  file_read(fd, PAGE, buf, 12);
  show("file unchanged", buf);
  b = mmap(0, FILE_BYTES, PROT_READ, MAP_PRIVATE, fd, 0);
  show("second private mapping", b + PAGE);
  printf("tail of the last page: '%c' then %d %d\n", a[3 * PAGE + 99], a[3 * PAGE + 100], a[4 * PAGE - 1]);

  /* 2. shared mapping: a store shows in read() at once, in the other private mapping's
        untouched pages too */
  s = mmap(0, FILE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  CHECK(s != MAP_FAILED);
  memcpy((char *)s + 2 * PAGE, "SHARED-write", 12);
  file_read(fd, 2 * PAGE, buf, 12);
  show("read() after shared store", buf);
  CHECK(msync((void *)s, FILE_BYTES, MS_SYNC) == 0);
  show("private mapping (untouched page) sees it", b + 2 * PAGE);
  show("private mapping (own copy) does not", a + PAGE);

  /* 3. write() shows through the shared mapping */
  lseek(fd, 5, SEEK_SET);
  write(fd, "WRITE", 5);
  show("shared mapping after write()", s);

  /* 4. a child stores into the shared mapping; the parent sees it */
  pid = fork();
  if (pid == 0) {
    memcpy((char *)s + 3 * PAGE, "from-child!!", 12);
    a[3 * PAGE] = 'c'; /* private: the parent never sees this */
    _exit(0);
  }
  waitpid(pid, &status, 0);
  show("parent sees child's shared store", s + 3 * PAGE);
  show("parent private page, read before, still the cache page", a + 3 * PAGE);

  /* 5. munmap writes back; unmap the middle page only */
  CHECK(munmap((void *)(s + PAGE), PAGE) == 0);
  memcpy((char *)s + 3 * PAGE, "after-hole..", 12);
  CHECK(munmap((void *)s, FILE_BYTES) == 0);
  file_read(fd, 3 * PAGE, buf, 12);
  show("file after munmap", buf);
  pid = fork();
  if (pid == 0) {
    signal(SIGSEGV, SIG_DFL);
    printf("child: %d\n", s[0]);
    _exit(0);
  }
  waitpid(pid, &status, 0);
  printf("unmapped access: signal %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);

  /* 6. a mapping at a file offset; the size of the file never changes through a mapping */
  s = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 2 * PAGE);
  show("offset mapping", s);
  s[0] = 's';
  munmap((void *)s, PAGE);
  printf("file size %ld\n", (long)lseek(fd, 0, SEEK_END));
  file_read(fd, 2 * PAGE, buf, 12);
  show("file at offset", buf);

  /* 7. errors */
  r = (int)(long)mmap(0, PAGE, PROT_READ, MAP_SHARED, fd, 100);
  printf("unaligned offset: %d EINVAL %d\n", r, errno == EINVAL);
  r = (int)(long)mmap(0, PAGE, PROT_READ, MAP_SHARED, 99, 0);
  printf("bad fd: %d EBADF %d\n", r, errno == EBADF);
  {
    int ro = open(name, O_RDONLY);
    r = (int)(long)mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
    printf("shared writable of a read-only fd: %d EACCES %d\n", r, errno == EACCES);
    s = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    printf("private writable of a read-only fd works %d\n", s != MAP_FAILED);
    close(ro);
    /* the mapping outlives the descriptor */
    show("after close", s);
  }
  r = msync((void *)0x10000, PAGE, MS_SYNC);
  printf("msync of unmapped memory: %d ENOMEM %d\n", r, errno == ENOMEM);
  close(fd);
  unlink(name);
  show("mapping of an unlinked file", a);
  munmap((void *)a, FILE_BYTES);
  munmap((void *)b, FILE_BYTES);
  return 0;
}

int main(void) {
  run_in("/tmp");
  run_in("/var/tmp");
  return CHECK_DONE();
}
