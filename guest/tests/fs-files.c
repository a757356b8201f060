/* Files on the root file system (the disk when the root is ext2): multi-block and
   indirect-block files, holes, truncate/ftruncate, O_APPEND/O_TRUNC/O_EXCL/O_SYNC,
   link/unlink/rename, an unlinked open file, access, umask, utime, fsync/fdatasync/sync,
   /dev/null and /dev/zero, and the errors. Runs in a fresh directory of the current
   one (natively: the host's temporary directory); never prints inode numbers, devices,
   block counts or times that are not its own. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
#include <utime.h>
#include <sys/stat.h>
#include "check.h"

static unsigned char buf[65536], back[65536];

static unsigned sum(const unsigned char *p, int n) {
  unsigned s = 0;
  int i;
  for (i = 0; i < n; i++) s = s * 31 + p[i];
  return s;
}

static long fsize(const char *p) {
  struct stat st;
  if (stat(p, &st) < 0) return -errno;
  return (long)st.st_size;
}

static const char *err(int r) { return r >= 0 ? "ok" : strerror(errno); }

int main(void) {
  char dir[64], cwd[256];
  int fd, fd2, i, n, total;
  unsigned s1, s2;
  struct stat st;

  sprintf(dir, "mklab-fs-files-%d", getpid()); /* unique, never printed */
  CHECK(mkdir(dir, 0755) == 0);
  CHECK(chdir(dir) == 0);
  CHECK(getcwd(cwd, sizeof cwd) != 0);
  printf("getcwd ends with the directory: %d\n", strcmp(strrchr(cwd, '/') + 1, dir) == 0);

  /* a multi-block file written in odd-sized pieces */
  for (i = 0; i < 5000; i++) buf[i] = (unsigned char)(i * 7 + 1);
  fd = open("small", O_RDWR | O_CREAT | O_EXCL, 0644);
  CHECK(fd >= 0);
  for (total = 0; total < 5000; total += n) {
    n = 5000 - total < 777 ? 5000 - total : 777;
    CHECK(write(fd, buf + total, n) == n);
  }
  printf("small: size %ld\n", fsize("small"));
  printf("lseek 1020 -> %ld\n", (long)lseek(fd, 1020, SEEK_SET));
  n = read(fd, back, 10);
  printf("read across a block boundary: %d bytes, match %d\n", n, memcmp(back, buf + 1020, 10) == 0);
  lseek(fd, 0, SEEK_SET);
  n = read(fd, back, sizeof back);
  printf("read all: %d bytes, match %d\n", n, memcmp(back, buf, 5000) == 0);
  printf("read at EOF: %d\n", (int)read(fd, back, 10));
  /* overwrite in the middle, partial blocks on both sides */
  lseek(fd, 1500, SEEK_SET);
  memset(back, 'X', 60);
  CHECK(write(fd, back, 60) == 60);
  lseek(fd, 1490, SEEK_SET);
  n = read(fd, back, 80);
  printf("overwrite: %d bytes, X at 10..69 %d, old bytes around %d\n", n, back[10] == 'X' && back[69] == 'X', back[9] == buf[1499] && back[70] == buf[1560]);
  close(fd);

  /* a large file: direct, indirect and double indirect blocks (300 KiB) */
  fd = open("big", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  s1 = 0;
  for (total = 0; total < 300 * 1024; total += 4096) {
    for (i = 0; i < 4096; i++) buf[i] = (unsigned char)(lcg() >> 24);
    s1 = s1 * 7 + sum(buf, 4096);
    CHECK(write(fd, buf, 4096) == 4096);
  }
  CHECK(fsync(fd) == 0);
  CHECK(fdatasync(fd) == 0);
  close(fd);
  printf("big: size %ld\n", fsize("big"));
  fd = open("big", O_RDONLY);
  s2 = 0;
  while ((n = read(fd, back, 4096)) > 0) s2 = s2 * 7 + sum(back, n);
  close(fd);
  printf("big: read back equal %d, checksum %08x\n", s1 == s2, s2);

  /* a hole: bytes never written read as zeros */
  fd = open("holey", O_RDWR | O_CREAT, 0644);
  CHECK(write(fd, "head", 4) == 4);
  lseek(fd, 100000, SEEK_SET);
  CHECK(write(fd, "tail", 4) == 4);
  printf("holey: size %ld\n", fsize("holey"));
  lseek(fd, 50000, SEEK_SET);
  memset(back, 0x55, 100);
  n = read(fd, back, 100);
  for (i = 0; i < 100 && back[i] == 0; i++) {
  }
  printf("hole reads %d zero bytes of %d\n", i, n);
  /* truncate down, then grow: the cut tail must read as zeros */
  CHECK(ftruncate(fd, 2) == 0);
  printf("ftruncate 2: size %ld\n", fsize("holey"));
  CHECK(truncate("holey", 3000) == 0);
  lseek(fd, 0, SEEK_SET);
  n = read(fd, back, 4000);
  for (i = 2; i < n && back[i] == 0; i++) {
  }
  printf("grown to %d bytes: [%c%c] then %d zeros\n", n, back[0], back[1], i - 2);
  close(fd);

  /* O_APPEND, O_TRUNC, O_EXCL, creat, O_SYNC */
  fd = open("log", O_WRONLY | O_CREAT | O_APPEND, 0644);
  write(fd, "one\n", 4);
  lseek(fd, 0, SEEK_SET);
  write(fd, "two\n", 4);
  close(fd);
  fd = open("log", O_RDONLY);
  n = read(fd, back, 100);
  back[n > 0 ? n : 0] = 0;
  printf("append: [%s]\n", (char *)back);
  close(fd);
  fd = open("log", O_WRONLY | O_CREAT | O_EXCL, 0644);
  printf("O_EXCL on an existing file: %d %s\n", fd, err(fd));
  fd = creat("log", 0644);
  close(fd);
  printf("creat truncates: size %ld\n", fsize("log"));
  fd = open("synced", O_WRONLY | O_CREAT | O_SYNC, 0644);
  printf("O_SYNC write: %d\n", (int)write(fd, buf, 3000));
  close(fd);
  printf("synced: size %ld\n", fsize("synced"));

  /* links, unlink, rename */
  CHECK(link("small", "small.link") == 0);
  stat("small", &st);
  printf("after link: nlink %d\n", (int)st.st_nlink);
  CHECK(unlink("small") == 0);
  stat("small.link", &st);
  printf("after unlink: nlink %d size %ld, old name: %s\n", (int)st.st_nlink, (long)st.st_size, err(stat("small", &st)));
  CHECK(rename("small.link", "renamed") == 0);
  printf("rename: new %ld, old %s\n", fsize("renamed"), err(stat("small.link", &st)));
  CHECK(rename("log", "renamed") == 0); /* over an existing file */
  printf("rename over a file: %ld, log %s\n", fsize("renamed"), err(stat("log", &st)));
  printf("rename to itself: %s\n", err(rename("renamed", "renamed")));

  /* an unlinked file stays readable through its descriptor */
  fd = open("doomed", O_RDWR | O_CREAT, 0644);
  write(fd, "still here", 10);
  CHECK(unlink("doomed") == 0);
  lseek(fd, 0, SEEK_SET);
  n = read(fd, back, 20);
  back[n > 0 ? n : 0] = 0;
  fd2 = open("doomed", O_RDONLY);
  printf("unlinked open file: [%s], open by name %s\n", (char *)back, err(fd2));
  close(fd);

  /* access, umask, chmod-free modes, utime */
  printf("access F_OK %d, R_OK %d, missing %s\n", access("renamed", F_OK), access("renamed", R_OK), err(access("nope", F_OK)));
  umask(027);
  fd = open("masked", O_WRONLY | O_CREAT, 0666);
  close(fd);
  stat("masked", &st);
  printf("umask 027: mode %03o\n", st.st_mode & 0777);
  umask(022);
  {
    struct utimbuf ut;
    ut.actime = 1000000000;
    ut.modtime = 900000000;
    CHECK(utime("masked", &ut) == 0);
    stat("masked", &st);
    printf("utime: atime %ld mtime %ld\n", (long)st.st_atime, (long)st.st_mtime);
  }
  sync();

  /* devices */
  fd = open("/dev/null", O_WRONLY);
  printf("/dev/null write: %d\n", (int)write(fd, buf, 1234));
  close(fd);
  fd = open("/dev/zero", O_RDONLY);
  memset(back, 1, 300);
  n = read(fd, back, 300);
  for (i = 0; i < n && back[i] == 0; i++) {
  }
  printf("/dev/zero read: %d zeros\n", i);
  close(fd);

  /* errors */
  printf("open missing: %s\n", err(open("missing", O_RDONLY)));
  printf("open through a file: %s\n", err(open("renamed/x", O_RDONLY)));
  CHECK(mkdir("sub", 0755) == 0);
  printf("mkdir existing: %s\n", err(mkdir("sub", 0755)));
  printf("open a directory for writing: %s\n", err(open("sub", O_WRONLY)));
  printf("link to a directory: %s\n", err(link("sub", "sub.link")));
  printf("rename a directory into itself: %s\n", err(rename("sub", "sub/inner")));
  fd = open("sub/f", O_WRONLY | O_CREAT, 0644);
  close(fd);
  printf("rmdir a non-empty directory: %s\n", err(rmdir("sub")));
  printf("truncate a directory: %s\n", err(truncate("sub", 0)));

  /* clean up */
  CHECK(unlink("sub/f") == 0);
  CHECK(rmdir("sub") == 0);
  CHECK(unlink("big") == 0);
  CHECK(unlink("holey") == 0);
  CHECK(unlink("renamed") == 0);
  CHECK(unlink("masked") == 0);
  CHECK(unlink("synced") == 0);
  CHECK(chdir("..") == 0);
  printf("rmdir the test directory: %s\n", err(rmdir(dir)));
  return CHECK_DONE();
}
