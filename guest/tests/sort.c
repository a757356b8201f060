/* Sorting: qsort from the libc and our own sorts over the same data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

#define N 2000
static int a[N], b[N], c[N], d[N], e[N], tmp[N];

static int cmp_int(const void *x, const void *y) {
  int p = *(const int *)x, q = *(const int *)y;
  return (p > q) - (p < q);
}
static int cmp_str(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

struct rec {
  int key;
  char name[12];
  double weight;
};
static int cmp_rec(const void *x, const void *y) {
  const struct rec *p = x, *q = y;
  if (p->weight != q->weight) return p->weight < q->weight ? -1 : 1;
  return p->key - q->key;
}

static void insertion_sort(int *v, int n) {
  int i, j;
  for (i = 1; i < n; i++) {
    int x = v[i];
    for (j = i; j > 0 && v[j - 1] > x; j--) v[j] = v[j - 1];
    v[j] = x;
  }
}

static void merge_sort(int *v, int n) {
  int m = n / 2, i = 0, j = m, k = 0;
  if (n < 2) return;
  merge_sort(v, m);
  merge_sort(v + m, n - m);
  while (i < m && j < n) tmp[k++] = v[i] <= v[j] ? v[i++] : v[j++];
  while (i < m) tmp[k++] = v[i++];
  while (j < n) tmp[k++] = v[j++];
  memcpy(v, tmp, n * sizeof(int));
}

static void sift(int *v, int root, int n) {
  for (;;) {
    int child = 2 * root + 1, t;
    if (child >= n) return;
    if (child + 1 < n && v[child + 1] > v[child]) child++;
    if (v[root] >= v[child]) return;
    t = v[root];
    v[root] = v[child];
    v[child] = t;
    root = child;
  }
}
static void heap_sort(int *v, int n) {
  int i;
  for (i = n / 2 - 1; i >= 0; i--) sift(v, i, n);
  for (i = n - 1; i > 0; i--) {
    int t = v[0];
    v[0] = v[i];
    v[i] = t;
    sift(v, 0, i);
  }
}

static void shell_sort(int *v, int n) {
  int gap, i, j;
  for (gap = n / 2; gap > 0; gap /= 2)
    for (i = gap; i < n; i++) {
      int x = v[i];
      for (j = i; j >= gap && v[j - gap] > x; j -= gap) v[j] = v[j - gap];
      v[j] = x;
    }
}

static unsigned checksum(const int *v, int n) {
  unsigned h = 0;
  int i;
  for (i = 0; i < n; i++) h = h * 2654435761u + (unsigned)v[i];
  return h;
}

static int sorted(const int *v, int n) {
  int i;
  for (i = 1; i < n; i++)
    if (v[i - 1] > v[i]) return 0;
  return 1;
}

int main(void) {
  int i, n;
  static const int sizes[] = {0, 1, 2, 3, 7, 8, 9, 31, 100, 1000, N};
  for (n = 0; n < (int)(sizeof sizes / sizeof sizes[0]); n++) {
    int len = sizes[n];
    for (i = 0; i < len; i++) a[i] = (int)(lcg() % 1000) - 500; /* many duplicates */
    memcpy(b, a, sizeof a);
    memcpy(c, a, sizeof a);
    memcpy(d, a, sizeof a);
    memcpy(e, a, sizeof a);
    qsort(a, len, sizeof(int), cmp_int);
    insertion_sort(b, len);
    merge_sort(c, len);
    heap_sort(d, len);
    shell_sort(e, len);
    CHECK(sorted(a, len));
    CHECK(!memcmp(a, b, len * sizeof(int)) && !memcmp(a, c, len * sizeof(int)));
    CHECK(!memcmp(a, d, len * sizeof(int)) && !memcmp(a, e, len * sizeof(int)));
    printf("n=%d checksum %08x min %d max %d\n", len, checksum(a, len), len ? a[0] : 0, len ? a[len - 1] : 0);
  }
  /* already sorted, reverse sorted, all equal: the quicksort worst cases */
  for (i = 0; i < N; i++) a[i] = i;
  qsort(a, N, sizeof(int), cmp_int);
  CHECK(sorted(a, N));
  for (i = 0; i < N; i++) a[i] = N - i;
  qsort(a, N, sizeof(int), cmp_int);
  CHECK(sorted(a, N) && a[0] == 1);
  for (i = 0; i < N; i++) a[i] = 7;
  qsort(a, N, sizeof(int), cmp_int);
  CHECK(sorted(a, N));
  printf("special orders sorted\n");

  {
    static const char *words[] = {"pear", "apple", "fig", "banana", "kiwi", "cherry", "date", "apple", "grape", "elderberry"};
    const char *w[10];
    int nw = 10;
    memcpy(w, words, sizeof w);
    qsort(w, nw, sizeof w[0], cmp_str);
    for (i = 0; i < nw; i++) printf("%s%c", w[i], i + 1 < nw ? ' ' : '\n');
  }
  {
    struct rec r[50];
    for (i = 0; i < 50; i++) {
      r[i].key = i;
      sprintf(r[i].name, "r%02d", i);
      r[i].weight = (double)(lcg() % 10) / 4.0;
    }
    qsort(r, 50, sizeof r[0], cmp_rec);
    for (i = 0; i < 50; i += 7) printf("%s:%.2f ", r[i].name, r[i].weight);
    printf("\n");
  }
  {
    int key = 123, *found;
    for (i = 0; i < 500; i++) a[i] = i * 3;
    found = bsearch(&key, a, 500, sizeof(int), cmp_int);
    printf("bsearch 123 -> index %d; ", found ? (int)(found - a) : -1);
    key = 124;
    found = bsearch(&key, a, 500, sizeof(int), cmp_int);
    printf("124 -> %s\n", found ? "found" : "absent");
  }
  return CHECK_DONE();
}
