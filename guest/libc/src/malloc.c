/* malloc on brk: boundary-tagged chunks, one first-fit free list, immediate
   coalescing, the heap grown with sbrk in steps of at least 16 KiB and never shrunk.

   chunk:  [prev_size][size | PREV_INUSE | INUSE][payload ...]
   prev_size is meaningful only when the previous chunk is free. A free chunk keeps
   its list links in the payload and its size in the next chunk's prev_size.
   Sizes are multiples of 8; payloads are 8-byte aligned. The heap ends with a
   zero-size in-use "epilogue" header. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdint.h>
#include <errno.h>

#define INUSE 1u
#define PREV_INUSE 2u
#define FLAGS 7u
#define HDR 8u
#define MIN_CHUNK 16u
#define GROW_MIN (16u << 10)

typedef struct chunk {
  size_t prev_size;
  size_t head;
  struct chunk *next; /* free chunks only */
  struct chunk *prev;
} chunk;

static chunk *free_list;
static chunk *epilogue;

#define SIZE(c) ((c)->head & ~FLAGS)
#define NEXT(c) ((chunk *)((char *)(c) + SIZE(c)))
#define MEM(c) ((void *)((char *)(c) + HDR))
#define CHUNK(p) ((chunk *)((char *)(p) - HDR))

static void list_remove(chunk *c) {
  if (c->prev) c->prev->next = c->next;
  else free_list = c->next;
  if (c->next) c->next->prev = c->prev;
}

static void list_push(chunk *c) {
  c->prev = 0;
  c->next = free_list;
  if (free_list) free_list->prev = c;
  free_list = c;
}

/* mark c free (size already set), tag it and link it */
static void make_free(chunk *c) {
  chunk *n = NEXT(c);
  c->head &= ~INUSE;
  n->prev_size = SIZE(c);
  n->head &= ~PREV_INUSE;
  list_push(c);
}

static size_t request_size(size_t n) {
  size_t s;
  if (n > 0x7fffff00u) return 0;
  s = (n + HDR + 7) & ~7u;
  return s < MIN_CHUNK ? MIN_CHUNK : s;
}

static int heap_init(void) {
  char *p = sbrk(0);
  size_t pad = (8 - ((uintptr_t)p & 7)) & 7;
  if (sbrk(pad + HDR) == (void *)-1) return -1;
  epilogue = (chunk *)(p + pad);
  epilogue->head = INUSE | PREV_INUSE;
  return 0;
}

/* grow the heap so that a free chunk of at least `need` bytes ends at the epilogue */
static chunk *heap_grow(size_t need) {
  chunk *c = epilogue;
  size_t have = 0, incr;
  char *p;
  if (!(epilogue->head & PREV_INUSE)) {
    /* the last chunk is free: extend it */
    have = epilogue->prev_size;
    c = (chunk *)((char *)epilogue - have);
    list_remove(c);
  }
  incr = need - have;
  if (incr < GROW_MIN) incr = GROW_MIN;
  incr = (incr + 4095) & ~4095u;
  p = sbrk((int)incr);
  if (p == (void *)-1) {
    if (have) list_push(c);
    errno = ENOMEM;
    return 0;
  }
  if (p != (char *)epilogue + HDR) {
    /* someone else moved the break: start a new region; the old epilogue stays a
       barrier. (The old last chunk, if free, goes back to the list.) */
    size_t pad = (8 - ((uintptr_t)p & 7)) & 7, usable;
    if (have) list_push(c);
    usable = (incr - pad - HDR) & ~7u;
    if (usable < need) {
      size_t more = (need - usable + 4095) & ~4095u;
      if (sbrk((int)more) != p + incr) {
        errno = ENOMEM;
        return 0;
      }
      usable += more;
    }
    c = (chunk *)(p + pad);
    c->head = usable | PREV_INUSE;
  } else {
    c->head = (have + incr) | (c->head & PREV_INUSE);
  }
  epilogue = NEXT(c);
  epilogue->head = INUSE;
  make_free(c);
  return c;
}

/* take `size` bytes from the front of free chunk c (already unlinked) */
static void *carve(chunk *c, size_t size) {
  size_t total = SIZE(c);
  if (total - size >= MIN_CHUNK) {
    chunk *rest = (chunk *)((char *)c + size);
    rest->head = (total - size) | PREV_INUSE;
    make_free(rest);
    c->head = size | (c->head & PREV_INUSE) | INUSE;
  } else {
    c->head |= INUSE;
    NEXT(c)->head |= PREV_INUSE;
  }
  return MEM(c);
}

void *malloc(size_t n) {
  size_t size = request_size(n);
  chunk *c;
  if (!size) {
    errno = ENOMEM;
    return 0;
  }
  if (!epilogue && heap_init() < 0) {
    errno = ENOMEM;
    return 0;
  }
  for (c = free_list; c; c = c->next)
    if (SIZE(c) >= size) break;
  if (!c) {
    c = heap_grow(size);
    if (!c) return 0;
  }
  list_remove(c);
  return carve(c, size);
}

void free(void *p) {
  chunk *c, *n;
  if (!p) return;
  c = CHUNK(p);
  n = NEXT(c);
  if (!(n->head & INUSE)) {
    list_remove(n);
    c->head += SIZE(n);
  }
  if (!(c->head & PREV_INUSE)) {
    chunk *prev = (chunk *)((char *)c - c->prev_size);
    list_remove(prev);
    prev->head += SIZE(c);
    c = prev;
  }
  make_free(c);
}

void *calloc(size_t n, size_t size) {
  void *p;
  if (size && n > 0xffffffffu / size) {
    errno = ENOMEM;
    return 0;
  }
  p = malloc(n * size);
  if (p) memset(p, 0, n * size);
  return p;
}

void *realloc(void *p, size_t n) {
  chunk *c, *next;
  size_t size, have;
  void *q;
  if (!p) return malloc(n);
  if (!n) {
    free(p);
    return 0;
  }
  size = request_size(n);
  if (!size) {
    errno = ENOMEM;
    return 0;
  }
  c = CHUNK(p);
  have = SIZE(c);
  next = NEXT(c);
  if (have < size && !(next->head & INUSE) && have + SIZE(next) >= size) {
    /* absorb the free neighbour */
    list_remove(next);
    have += SIZE(next);
    c->head = have | (c->head & FLAGS);
    NEXT(c)->head |= PREV_INUSE;
  }
  if (have >= size) {
    if (have - size >= MIN_CHUNK) {
      chunk *rest = (chunk *)((char *)c + size);
      c->head = size | (c->head & FLAGS);
      rest->head = (have - size) | PREV_INUSE | INUSE;
      free(MEM(rest));
    }
    return p;
  }
  q = malloc(n);
  if (!q) return 0;
  memcpy(q, p, have - HDR);
  free(p);
  return q;
}
