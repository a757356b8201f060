/* A program that dies from SIGSEGV: a store through a null pointer. What it printed
   before must arrive; its exit is by the signal. */
#include <stdio.h>

int main(void) {
  volatile int *volatile p = 0;
  printf("before the fault\n");
  *p = 42;
  printf("not reached\n");
  return 0;
}
