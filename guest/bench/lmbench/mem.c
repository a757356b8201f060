/* Memory bandwidth in user space (no kernel work once the buffers are faulted in):
   bcopy (the libc's memcpy, string moves as the libcs of the time), read (sum every
   word, unrolled), write (store every word, unrolled); mem_kb KiB buffers. */
#include <stdlib.h>
#include <string.h>
#include "lmb.h"

struct mem_arg {
  unsigned *a, *b;
  long bytes;
};

static void op_bcopy(long n, void *p) {
  struct mem_arg *m = p;
  while (n-- > 0) memcpy(m->b, m->a, m->bytes);
}

static void op_rd(long n, void *p) {
  struct mem_arg *m = p;
  while (n-- > 0) lmb_sink += lmb_sum_words(m->a, m->bytes);
}

static void op_wr(long n, void *p) {
  struct mem_arg *m = p;
  while (n-- > 0) {
    unsigned *q = m->b, *end = q + (m->bytes >> 2);
    while (q + 4 <= end) {
      q[0] = 1;
      q[1] = 2;
      q[2] = 3;
      q[3] = 4;
      q += 4;
    }
    __asm__ volatile("" ::: "memory");
  }
}

int lmb_bw_mem(void) {
  struct mem_arg m;
  m.bytes = lmb.mem_kb * 1024L;
  m.a = malloc(m.bytes);
  m.b = malloc(m.bytes);
  if (!m.a || !m.b) {
    lmb_fail("bw_mem", "malloc of the buffers");
    return -1;
  }
  memset(m.a, 1, m.bytes);
  memset(m.b, 2, m.bytes);
  lmb_report_mbs("lmb_bw_bcopy_mbs", m.bytes / lmb_time(op_bcopy, &m, lmb.target_us));
  lmb_report_mbs("lmb_bw_mem_read_mbs", m.bytes / lmb_time(op_rd, &m, lmb.target_us));
  lmb_report_mbs("lmb_bw_mem_write_mbs", m.bytes / lmb_time(op_wr, &m, lmb.target_us));
  free(m.a);
  free(m.b);
  return 0;
}
