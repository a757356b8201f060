/* Directories on the root file system: many entries (several directory blocks),
   readdir through getdents, removal while listing, slot reuse, nested directories and
   their link counts, rename across directories, "..", getcwd and fchdir. Directory
   order is the file system's own (ext2's on-disk order in the emulator, the host's
   elsewhere): names are sorted before they are printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
#include <dirent.h>
#include <sys/stat.h>
#include "check.h"

static char names[400][64];
static int count;

static int cmp(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

/* the names in `path`, without "." and "..", sorted */
static int list(const char *path) {
  DIR *d = opendir(path);
  struct dirent *e;
  int dots = 0;
  count = 0;
  if (!d) return -1;
  while ((e = readdir(d)) != 0) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
      dots++;
      continue;
    }
    if (count < 400) strcpy(names[count++], e->d_name);
  }
  closedir(d);
  qsort(names, count, sizeof names[0], cmp);
  return dots;
}

static void touch(const char *p) {
  int fd = open(p, O_WRONLY | O_CREAT, 0644);
  CHECK(fd >= 0);
  close(fd);
}

static int nlink(const char *p) {
  struct stat st;
  return stat(p, &st) < 0 ? -errno : st.st_nlink;
}

int main(void) {
  char dir[64], p[128], cwd[256];
  int i, dots, fd;
  DIR *d;
  struct dirent *e;

  sprintf(dir, "mklab-fs-dirs-%d", getpid()); /* unique, never printed */
  CHECK(mkdir(dir, 0755) == 0);
  CHECK(chdir(dir) == 0);

  /* empty */
  dots = list(".");
  printf("empty: %d entries, . and .. %d\n", count, dots);

  /* 300 names of varying length: several directory blocks */
  for (i = 0; i < 300; i++) {
    sprintf(p, "f%03d-%.*s", i, i % 40, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    touch(p);
  }
  list(".");
  printf("300 files: %d listed, first %s, last %s\n", count, names[0], names[count - 1]);
  /* remove every third */
  for (i = 0; i < 300; i += 3) {
    sprintf(p, "f%03d-%.*s", i, i % 40, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    CHECK(unlink(p) == 0);
  }
  list(".");
  printf("after removing 100: %d, first %s\n", count, names[0]);
  /* new names reuse the freed room */
  for (i = 0; i < 50; i++) {
    sprintf(p, "g%02d", i);
    touch(p);
  }
  list(".");
  printf("after adding 50: %d, last %s\n", count, names[count - 1]);

  /* nested directories and link counts */
  CHECK(mkdir("a", 0755) == 0);
  CHECK(mkdir("a/b", 0755) == 0);
  CHECK(mkdir("a/c", 0755) == 0);
  CHECK(mkdir("a/b/d", 0755) == 0);
  printf("nlink: a %d, a/b %d, a/b/d %d\n", nlink("a"), nlink("a/b"), nlink("a/b/d"));
  touch("a/b/d/file");
  CHECK(rename("a/b/d", "a/c/d") == 0);
  printf("after moving d: a/b %d, a/c %d, file via new path %s\n", nlink("a/b"), nlink("a/c"), access("a/c/d/file", F_OK) == 0 ? "ok" : strerror(errno));
  CHECK(chdir("a/c/d") == 0);
  CHECK(getcwd(cwd, sizeof cwd) != 0);
  printf("getcwd tail: %s\n", strstr(cwd, "/a/c/d") ? strstr(cwd, "/a/c/d") : cwd);
  CHECK(chdir("../../b/..") == 0);
  CHECK(getcwd(cwd, sizeof cwd) != 0);
  printf("after ../../b/..: ends with /a %d\n", strlen(cwd) >= 2 && !strcmp(cwd + strlen(cwd) - 2, "/a"));
  dots = list(".");
  printf("a lists %d: %s %s\n", count, names[0], names[1]);
  fd = open("c", O_RDONLY);
  CHECK(fchdir(fd) == 0);
  close(fd);
  printf("fchdir into c: d is here %d\n", access("d/file", F_OK) == 0);
  CHECK(chdir("../..") == 0);
  CHECK(mkdir("a/c/e", 0755) == 0);
  printf("rename a directory over a non-empty one: %s\n", rename("a/b", "a/c/d") == 0 ? "ok" : strerror(errno));
  printf("rename a directory over an empty one: %s\n", rename("a/b", "a/c/e") == 0 ? "ok" : strerror(errno));
  printf("nlink after: a %d, a/c %d\n", nlink("a"), nlink("a/c"));
  printf("rename a directory to a new name: %s\n", rename("a/c", "a/x") == 0 ? "moved" : strerror(errno));

  /* remove everything while listing (as rm -r does) */
  d = opendir(".");
  i = 0;
  while ((e = readdir(d)) != 0) {
    if (e->d_name[0] == 'f' || e->d_name[0] == 'g') {
      CHECK(unlink(e->d_name) == 0);
      i++;
    }
  }
  closedir(d);
  list(".");
  printf("removed while listing: %d, left %d: %s\n", i, count, count ? names[0] : "-");
  CHECK(unlink("a/x/d/file") == 0);
  CHECK(rmdir("a/x/d") == 0);
  CHECK(rmdir("a/x/e") == 0);
  CHECK(rmdir("a/x") == 0);
  CHECK(rmdir("a") == 0);
  printf("rmdir of a removed directory: %s\n", rmdir("a") == 0 ? "ok" : strerror(errno));
  CHECK(chdir("..") == 0);
  printf("rmdir the test directory: %s\n", rmdir(dir) == 0 ? "ok" : strerror(errno));
  return CHECK_DONE();
}
