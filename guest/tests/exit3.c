/* A program that exits with status 3 through exit(): atexit handlers run in reverse
   order and buffered output is flushed. */
#include <stdio.h>
#include <stdlib.h>

static void first(void) { printf("atexit: registered first, runs last\n"); }
static void second(void) { printf("atexit: registered second, runs first\n"); }

int main(void) {
  atexit(first);
  atexit(second);
  printf("about to exit(3)\n");
  printf("unterminated line flushed at exit");
  exit(3);
}
