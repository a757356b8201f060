/* A file system that survives. Modes:
     fs-persist write <file> <kib>   writes <kib> KiB of a fixed pattern, sync, prints its checksum
     fs-persist read <file>          prints the size and checksum of the file
     fs-persist mmap <file>          the same through a private mapping (page faults read the file)
     fs-persist kill <file>          a child writes <file> in a loop (O_SYNC every other chunk)
                                     and is killed with SIGKILL in the middle; then sync
   With no arguments: write, then read back in the same run (the differential test). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "check.h"

static unsigned char buf[8192];

static unsigned fill(int chunk) {
  unsigned s = 0;
  int i;
  for (i = 0; i < (int)sizeof buf; i++) {
    buf[i] = (unsigned char)((chunk * 131 + i * 7) ^ (i >> 5));
    s = s * 31 + buf[i];
  }
  return s;
}

static int do_write(const char *path, int kib) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644), i;
  unsigned s = 0;
  if (fd < 0) {
    printf("open %s failed\n", path);
    return 1;
  }
  for (i = 0; i < kib / 8; i++) {
    s = s * 7 + fill(i);
    CHECK(write(fd, buf, sizeof buf) == (int)sizeof buf);
  }
  CHECK(close(fd) == 0);
  sync();
  printf("wrote %d KiB, checksum %08x\n", kib, s);
  return 0;
}

static int do_read(const char *path) {
  int fd = open(path, O_RDONLY), n, chunk = 0;
  unsigned s = 0, t;
  long total = 0;
  if (fd < 0) {
    printf("open %s failed\n", path);
    return 1;
  }
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    int i;
    t = 0;
    for (i = 0; i < n; i++) t = t * 31 + buf[i];
    s = s * 7 + t;
    total += n;
    chunk++;
  }
  close(fd);
  printf("read %ld KiB, checksum %08x\n", total / 1024, s);
  return 0;
}

static int do_mmap(const char *path) {
  int fd = open(path, O_RDONLY);
  struct stat st;
  unsigned s = 0, t;
  long off, i;
  const unsigned char *p;
  if (fd < 0 || fstat(fd, &st) < 0) {
    printf("open %s failed\n", path);
    return 1;
  }
  p = mmap(0, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) {
    printf("mmap failed\n");
    return 1;
  }
  for (off = 0; off < (long)st.st_size; off += sizeof buf) {
    long n = (long)st.st_size - off < (long)sizeof buf ? (long)st.st_size - off : (long)sizeof buf;
    t = 0;
    for (i = 0; i < n; i++) t = t * 31 + p[off + i];
    s = s * 7 + t;
  }
  munmap((void *)p, st.st_size);
  close(fd);
  printf("read %ld KiB, checksum %08x\n", (long)st.st_size / 1024, s);
  return 0;
}

static int do_kill(const char *path) {
  int status;
  pid_t pid = fork();
  if (pid == 0) {
    int i, fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644), sfd = open(path, O_WRONLY | O_SYNC);
    for (i = 0;; i++) {
      fill(i);
      lseek(fd, (long)(i % 512) * sizeof buf, SEEK_SET);
      if (i & 1) {
        lseek(sfd, (long)(i % 512) * sizeof buf, SEEK_SET);
        write(sfd, buf, sizeof buf);
      } else
        write(fd, buf, sizeof buf);
      if (i % 64 == 63) ftruncate(fd, (long)(i % 300) * 1000);
    }
  }
  {
    struct timespec ts = {0, 300 * 1000 * 1000}; /* 0.3 s of writing */
    nanosleep(&ts, 0);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  printf("writer killed by signal %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  sync();
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 4 && !strcmp(argv[1], "write")) return do_write(argv[2], atoi(argv[3]));
  if (argc >= 3 && !strcmp(argv[1], "read")) return do_read(argv[2]);
  if (argc >= 3 && !strcmp(argv[1], "kill")) return do_kill(argv[2]);
  if (argc >= 3 && !strcmp(argv[1], "mmap")) return do_mmap(argv[2]);
  {
    char path[64];
    sprintf(path, "mklab-fs-persist-%d", getpid()); /* never printed */
    do_write(path, 200);
    do_read(path);
    CHECK(unlink(path) == 0);
  }
  return CHECK_DONE();
}
