/* Memory mapping of the data file (file_kb KiB, 8 MB in lmbench): mmap + munmap of
   half of it with no page touched; a page fault on a page of a mapped file (the
   mapping is new, so every first touch faults; the page is in the page cache); and
   the mmap reread bandwidth (open, mmap, sum every word, munmap, close). */
#include <unistd.h>
#include <fcntl.h>
#include <sys/mman.h>
#include "lmb.h"

#define PAGE 4096

struct map_arg {
  int fd;
  long bytes;
  int failed;
};

static void op_mmap(long n, void *a) {
  struct map_arg *m = a;
  while (n-- > 0) {
    void *p = mmap(0, m->bytes, PROT_READ, MAP_SHARED, m->fd, 0);
    if (p == MAP_FAILED) {
      m->failed = 1;
      return;
    }
    munmap(p, m->bytes);
  }
}

static int open_data(const char *test, int *fd) {
  const char *file = lmb_data_file();
  if (!file) {
    lmb_fail(test, "creating the data file");
    return -1;
  }
  *fd = open(file, O_RDONLY);
  if (*fd < 0) {
    lmb_fail(test, "opening the data file");
    return -1;
  }
  return 0;
}

int lmb_mmap(void) {
  struct map_arg m = {-1, lmb.file_kb * 1024L / 2, 0};
  double us;
  if (open_data("mmap", &m.fd) < 0) return -1;
  op_mmap(1, &m);
  us = m.failed ? 0 : lmb_time(op_mmap, &m, lmb.target_us);
  close(m.fd);
  if (m.failed) {
    lmb_fail("mmap", "mmap of the data file");
    return -1;
  }
  lmb_report_us("lmb_mmap_us", us);
  return 0;
}

/* n page faults: map the file, touch one page in every 64 KiB of it, in a scattered
   order (a stride prime to the count, so no two touches are neighbours), unmap, and
   again while faults remain; only the touching is timed. One page per 64 KiB because a
   modern kernel maps a fault's neighbours within 64 KiB too (fault-around): natively
   every touch still faults, as it does on Linux 2.0 whatever the spacing. */
#define FAULT_SPACING (16 * PAGE)
static long gcd(long a, long b) {
  while (b) {
    long t = a % b;
    a = b;
    b = t;
  }
  return a;
}
static double op_faults(long n, void *a) {
  struct map_arg *m = a;
  long slots = m->bytes / FAULT_SPACING, stride = 7;
  double us = 0;
  if (slots < 1) slots = 1;
  while (gcd(slots, stride) != 1) stride++;
  while (n > 0 && !m->failed) {
    long todo = n < slots ? n : slots, i, slot = 0;
    volatile char *p = mmap(0, m->bytes, PROT_READ, MAP_SHARED, m->fd, 0);
    long long t0;
    if (p == MAP_FAILED) {
      m->failed = 1;
      break;
    }
    t0 = lmb_now_us();
    for (i = 0; i < todo; i++) {
      (void)p[slot * FAULT_SPACING];
      slot = (slot + stride) % slots;
    }
    us += lmb_now_us() - t0;
    munmap((void *)p, m->bytes);
    n -= todo;
  }
  return us;
}

int lmb_pagefault(void) {
  struct map_arg m = {-1, lmb.file_kb * 1024L, 0};
  double us;
  if (open_data("pagefault", &m.fd) < 0) return -1;
  /* reading the file once puts every page in the page cache */
  {
    static char chunk[65536];
    while (read(m.fd, chunk, sizeof chunk) > 0) {
    }
  }
  op_faults(1, &m);
  us = m.failed ? 0 : lmb_time_self(op_faults, &m, lmb.target_us);
  close(m.fd);
  if (m.failed) {
    lmb_fail("pagefault", "mmap of the data file");
    return -1;
  }
  lmb_report_us("lmb_pagefault_us", us);
  return 0;
}

struct reread {
  const char *file;
  long bytes;
  int failed;
};

static void op_mmap_reread(long n, void *a) {
  struct reread *r = a;
  while (n-- > 0) {
    int fd = open(r->file, O_RDONLY);
    void *p = fd < 0 ? MAP_FAILED : mmap(0, r->bytes, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      r->failed = 1;
      if (fd >= 0) close(fd);
      return;
    }
    lmb_sink += lmb_sum_words(p, r->bytes);
    munmap(p, r->bytes);
    close(fd);
  }
}

int lmb_bw_mmap(void) {
  struct reread r = {lmb_data_file(), lmb.file_kb * 1024L, 0};
  double us;
  if (!r.file) {
    lmb_fail("bw_mmap", "creating the data file");
    return -1;
  }
  op_mmap_reread(1, &r);
  us = r.failed ? 0 : lmb_time(op_mmap_reread, &r, lmb.target_us);
  if (r.failed) {
    lmb_fail("bw_mmap", "mmap of the data file");
    return -1;
  }
  lmb_report_mbs("lmb_bw_mmap_mbs", r.bytes / us);
  return 0;
}
