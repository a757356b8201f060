/* setjmp/longjmp: direct and from deep recursion, the value 0 turned into 1,
   volatile locals kept, repeated jumps to one buffer. */
#include <stdio.h>
#include <setjmp.h>
#include "check.h"

static jmp_buf env, env2;
static int calls;

static void dive(int depth, int target) {
  char pad[64]; /* use stack so the jump must restore ESP */
  pad[0] = (char)depth;
  calls++;
  if (depth == target) longjmp(env, depth);
  dive(depth + 1, target);
  calls += pad[0]; /* not reached: the jump leaves from the deepest level */
}

static int second_level(int v) {
  if (setjmp(env2) == 0) {
    if (v) longjmp(env2, 0);
    return 10;
  }
  return 20;
}

int main(void) {
  volatile int counter = 0;
  int r;
  r = setjmp(env);
  printf("setjmp returned %d\n", r);
  if (r == 0) longjmp(env, 42);
  printf("after longjmp r=%d\n", r);

  r = setjmp(env);
  if (r < 5) {
    counter++;
    dive(0, r + 1);
  }
  printf("dive: r=%d counter=%d calls=%d\n", r, counter, calls);
  CHECK(r == 5 && counter == 5);

  printf("longjmp(env, 0) makes setjmp return %d; without a jump %d\n", second_level(1), second_level(0));
  {
    volatile double d = 1.5;
    volatile long long ll = 1LL << 40;
    if (setjmp(env) == 0) {
      d *= 3;
      ll += 7;
      longjmp(env, 1);
    }
    printf("volatile locals after the jump: %g %lld\n", d, ll);
  }
  return CHECK_DONE();
}
