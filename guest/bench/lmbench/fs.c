/* The file system: create and delete fs_files files of 0, 1, 4 and 10 KiB in a fresh
   directory (µs per file for each phase), and the file reread bandwidth (open, read
   the cached data file in 64 KiB reads summing every word, close). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include "lmb.h"

static int fs_point(const char *dir, int kb) {
  static char data[10 * 1024];
  char name[300], metric[64];
  long i, n = lmb.fs_files;
  long long t0, t_create, t_delete;
  memset(data, 'f', sizeof data);

  t0 = lmb_now_us();
  for (i = 0; i < n; i++) {
    int fd;
    snprintf(name, sizeof name, "%s/%ld", dir, i);
    fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return -1;
    if (kb && write(fd, data, kb * 1024) != kb * 1024) {
      close(fd);
      return -1;
    }
    close(fd);
  }
  t_create = lmb_now_us() - t0;

  t0 = lmb_now_us();
  for (i = 0; i < n; i++) {
    snprintf(name, sizeof name, "%s/%ld", dir, i);
    if (unlink(name) < 0) return -1;
  }
  t_delete = lmb_now_us() - t0;

  snprintf(metric, sizeof metric, "lmb_fs_create_%dk_us", kb);
  lmb_report_us(metric, (double)t_create / n);
  snprintf(metric, sizeof metric, "lmb_fs_delete_%dk_us", kb);
  lmb_report_us(metric, (double)t_delete / n);
  return 0;
}

int lmb_fs(void) {
  static const int KB[] = {0, 1, 4, 10};
  char dir[256];
  int k;
  lmb_path(dir, sizeof dir, "fs");
  if (mkdir(dir, 0755) < 0) {
    lmb_fail("fs", "mkdir of the scratch directory");
    return -1;
  }
  for (k = 0; k < 4; k++) {
    if (fs_point(dir, KB[k]) < 0) {
      lmb_fail("fs", "creating or deleting a file");
      rmdir(dir);
      return -1;
    }
  }
  rmdir(dir);
  return 0;
}

struct reread {
  const char *file;
  long bytes;
  char *buf;
  int failed;
};

#define CHUNK 65536

static void op_file_reread(long n, void *a) {
  struct reread *r = a;
  while (n-- > 0) {
    int fd = open(r->file, O_RDONLY);
    long got;
    if (fd < 0) {
      r->failed = 1;
      return;
    }
    while ((got = read(fd, r->buf, CHUNK)) > 0) lmb_sink += lmb_sum_words(r->buf, got);
    close(fd);
  }
}

int lmb_bw_file(void) {
  struct reread r = {lmb_data_file(), lmb.file_kb * 1024L, malloc(CHUNK), 0};
  double us;
  if (!r.file || !r.buf) {
    lmb_fail("bw_file", "creating the data file");
    return -1;
  }
  op_file_reread(1, &r);
  us = r.failed ? 0 : lmb_time(op_file_reread, &r, lmb.target_us);
  free(r.buf);
  if (r.failed) {
    lmb_fail("bw_file", "opening the data file");
    return -1;
  }
  lmb_report_mbs("lmb_bw_file_mbs", r.bytes / us);
  return 0;
}
