/* The heap: brk/sbrk growth and shrinking, every new page touched, malloc of many
   sizes with patterns checked after frees and reallocs, big blocks, calloc, and
   anonymous mmap/munmap. Addresses are never printed, only their relations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdint.h>
#include <sys/mman.h>
#include "check.h"

#define NBLK 400

int main(void) {
  char *start, *p, *q;
  int i, ok;
  static char *blk[NBLK];
  static unsigned sz[NBLK];

  /* 1. sbrk: grow in steps, touch every page, shrink back */
  start = sbrk(0);
  CHECK(start != (char *)-1);
  p = sbrk(64 * 1024);
  printf("sbrk(64K) returned the old break %d\n", p == start);
  for (i = 0; i < 64 * 1024; i += 4096) p[i] = (char)i;
  q = sbrk(0);
  printf("break moved by %d\n", (int)(q - start));
  ok = 1;
  for (i = 0; i < 64 * 1024; i += 4096) ok &= p[i] == (char)i;
  printf("pages kept their data %d, new memory was zero %d\n", ok, p[1] == 0 && p[4097] == 0);
  for (i = 0; i < 10; i++) {
    char *r = sbrk(4096 * (i + 1));
    memset(r, 0xa5, 4096 * (i + 1));
  }
  printf("after 10 more steps the break moved by %d\n", (int)((char *)sbrk(0) - start));
  CHECK(sbrk(-(int)((char *)sbrk(0) - start)) != (char *)-1);
  printf("shrunk back to start %d\n", (char *)sbrk(0) == start);
  p = sbrk(8192);
  printf("memory given again after shrinking is zero %d\n", p[0] == 0 && p[4096] == 0 && p[8191] == 0);
  CHECK(brk(start) == 0);
  printf("brk(start) restored %d\n", (char *)sbrk(0) == start);

  /* 2. malloc: many sizes, each filled with its own pattern */
  for (i = 0; i < NBLK; i++) {
    sz[i] = 1 + lcg() % (i % 10 == 9 ? 20000 : 300);
    blk[i] = malloc(sz[i]);
    CHECK(blk[i] != 0 && ((uintptr_t)blk[i] & 7) == 0);
    memset(blk[i], i & 0xff, sz[i]);
  }
  printf("heap grew %d\n", (char *)sbrk(0) > start);
  /* free every third, realloc every fifth, then check everything */
  for (i = 0; i < NBLK; i += 3) {
    free(blk[i]);
    blk[i] = 0;
  }
  for (i = 1; i < NBLK; i += 5) {
    unsigned nsz = 1 + lcg() % 5000;
    if (!blk[i]) continue;
    blk[i] = realloc(blk[i], nsz);
    CHECK(blk[i] != 0);
    if (nsz > sz[i]) memset(blk[i] + sz[i], i & 0xff, nsz - sz[i]);
    sz[i] = nsz;
  }
  for (i = 0; i < NBLK; i += 3) {
    sz[i] = 1 + lcg() % 1000;
    blk[i] = malloc(sz[i]);
    memset(blk[i], i & 0xff, sz[i]);
  }
  ok = 1;
  for (i = 0; i < NBLK; i++) {
    unsigned j;
    for (j = 0; j < sz[i]; j++)
      if ((unsigned char)blk[i][j] != (i & 0xff)) ok = 0;
  }
  printf("all %d blocks intact after free/realloc %d\n", NBLK, ok);
  CHECK(ok);
  for (i = 0; i < NBLK; i++) free(blk[i]);

  /* 3. a big block (several MiB), calloc, reuse after free */
  p = malloc(3 << 20);
  CHECK(p != 0);
  for (i = 0; i < (3 << 20); i += 4096) p[i] = 1;
  free(p);
  q = malloc(3 << 20);
  printf("3 MiB block reused after free %d\n", q == p);
  free(q);
  {
    int *z = calloc(10000, sizeof(int)), sum = 0;
    for (i = 0; i < 10000; i++) sum |= z[i];
    printf("calloc zeroed %d\n", sum == 0);
    free(z);
  }
  printf("malloc(0) %s, realloc(NULL,10) %s, huge malloc %s\n", "ok", realloc(0, 10) ? "ok" : "null",
         malloc(0xfffffff0u) ? "non-null" : "null");

  /* 4. anonymous mmap (old mmap, system call 90) */
  p = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(p != MAP_FAILED);
  printf("mmap page aligned %d, zero %d\n", ((uintptr_t)p & 4095) == 0, p[0] == 0 && p[3 * 4096 - 1] == 0);
  for (i = 0; i < 3 * 4096; i++) p[i] = (char)(i * 7);
  ok = 1;
  for (i = 0; i < 3 * 4096; i++) ok &= p[i] == (char)(i * 7);
  printf("mmap memory holds data %d, munmap %d\n", ok, munmap(p, 3 * 4096));
  return CHECK_DONE();
}
