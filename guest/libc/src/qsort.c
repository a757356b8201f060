#include <stdlib.h>

/* Quicksort with median-of-three pivots and insertion sort below 8 elements; recursion
   on the smaller part only, so the stack stays O(log n). Not stable. */

static void swap_bytes(char *a, char *b, size_t size) {
  if (a == b) return;
  while (size >= 4) {
    int t = *(int *)a;
    *(int *)a = *(int *)b;
    *(int *)b = t;
    a += 4;
    b += 4;
    size -= 4;
  }
  while (size--) {
    char t = *a;
    *a++ = *b;
    *b++ = t;
  }
}

static void insertion_sort(char *base, size_t n, size_t size, int (*cmp)(const void *, const void *)) {
  size_t i;
  for (i = 1; i < n; i++) {
    char *p = base + i * size;
    while (p > base && cmp(p - size, p) > 0) {
      swap_bytes(p - size, p, size);
      p -= size;
    }
  }
}

void qsort(void *vbase, size_t n, size_t size, int (*cmp)(const void *, const void *)) {
  char *base = vbase;
  while (n >= 8) {
    char *lo = base, *hi = base + (n - 1) * size, *mid = base + (n / 2) * size;
    char *i, *j;
    size_t nl, nr;
    /* order lo <= mid <= hi, then park the pivot at hi - 1 */
    if (cmp(mid, lo) < 0) swap_bytes(mid, lo, size);
    if (cmp(hi, mid) < 0) {
      swap_bytes(hi, mid, size);
      if (cmp(mid, lo) < 0) swap_bytes(mid, lo, size);
    }
    swap_bytes(mid, hi - size, size);
    {
      char *pivot = hi - size;
      i = lo;
      j = pivot;
      for (;;) {
        do i += size; while (cmp(i, pivot) < 0);
        do j -= size; while (cmp(pivot, j) < 0);
        if (i >= j) break;
        swap_bytes(i, j, size);
      }
      swap_bytes(i, pivot, size);
    }
    nl = (size_t)(i - base) / size;
    nr = n - nl - 1;
    if (nl < nr) {
      qsort(base, nl, size, cmp);
      base = i + size;
      n = nr;
    } else {
      qsort(i + size, nr, size, cmp);
      n = nl;
    }
  }
  insertion_sort(base, n, size, cmp);
}
