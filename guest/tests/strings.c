/* String and memory routines, number parsing, and string building. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include "check.h"

static void reverse(char *s) {
  size_t i, n = strlen(s);
  for (i = 0; i < n / 2; i++) {
    char t = s[i];
    s[i] = s[n - 1 - i];
    s[n - 1 - i] = t;
  }
}

static int sign(int x) { return (x > 0) - (x < 0); }

int main(void) {
  char buf[256], big[4096];
  char *p, *tok;
  int i;
  long l;
  char *end;

  strcpy(buf, "Hello");
  strcat(buf, ", ");
  strncat(buf, "world!!!", 6);
  printf("[%s] len %u\n", buf, (unsigned)strlen(buf));
  CHECK(strlen(buf) == 13);
  printf("strchr o -> %s; strrchr o -> %s; strstr wor -> %s; strstr xyz -> %p\n", strchr(buf, 'o'), strrchr(buf, 'o'),
         strstr(buf, "wor"), (void *)strstr(buf, "xyz"));
  printf("strcmp %d %d %d %d\n", sign(strcmp("abc", "abd")), sign(strcmp("abc", "abc")), sign(strcmp("b", "abc")),
         sign(strcmp("ab", "abc")));
  printf("strncmp %d %d; memcmp %d %d\n", strncmp("abcdef", "abcxyz", 3), sign(strncmp("abcdef", "abcxyz", 4)),
         memcmp("\x01\x02", "\x01\x02", 2), sign(memcmp("\x01\x80", "\x01\x7f", 2)));
  printf("strspn %u strcspn %u\n", (unsigned)strspn("  \tabc", " \t"), (unsigned)strcspn("hello, world", ",;"));

  /* overlapping moves in both directions */
  strcpy(buf, "0123456789abcdef");
  memmove(buf + 4, buf, 8);
  printf("memmove up   %s\n", buf);
  strcpy(buf, "0123456789abcdef");
  memmove(buf, buf + 4, 8);
  printf("memmove down %s\n", buf);
  /* memcpy / memset at every alignment and length up to 40 */
  {
    unsigned sum = 0;
    int a, n;
    for (a = 0; a < 8; a++)
      for (n = 0; n <= 40; n++) {
        memset(big, 0x11, 128);
        memset(big + a, 0x5a + n, n);
        memcpy(big + 64 + a, big + a, n);
        CHECK(big[a + n] == 0x11 && big[64 + a + n] == 0x11);
        CHECK(n == 0 || (big[a + n - 1] == (char)(0x5a + n) && big[64 + a] == (char)(0x5a + n)));
        for (i = 0; i < 128; i++) sum = sum * 31 + (unsigned char)big[i];
      }
    printf("memset/memcpy alignment sum %08x\n", sum);
  }

  /* strtok */
  strcpy(buf, "  the quick,brown  fox,,jumps ");
  for (tok = strtok(buf, " ,"), i = 0; tok; tok = strtok(0, " ,"), i++) printf("tok%d=%s ", i, tok);
  printf("\n");

  /* number parsing */
  printf("atoi %d %d %d %d\n", atoi("42"), atoi("  -17xyz"), atoi("+8"), atoi("abc"));
  l = strtol("0x1F", &end, 0);
  printf("strtol 0x1F base0 = %ld rest '%s'\n", l, end);
  l = strtol("0755", &end, 0);
  printf("strtol 0755 base0 = %ld; ", l);
  l = strtol("zz", &end, 36);
  printf("zz base36 = %ld; ", l);
  l = strtol("101012", &end, 2);
  printf("101012 base2 = %ld rest '%s'\n", l, end);
  errno = 0;
  l = strtol("99999999999", &end, 10);
  printf("overflow %ld errno %d; ", l, errno);
  errno = 0;
  l = strtol("-99999999999", &end, 10);
  printf("underflow %ld errno %d; ", l, errno);
  printf("ul %lu; ull %llu; ll %lld\n", strtoul("4294967295", 0, 10), strtoull("18446744073709551615", 0, 0),
         strtoll("-9223372036854775808", 0, 10));
  {
    const char *blank = "   ";
    l = strtol(blank, &end, 10);
    printf("no digits: %ld, end at start %d\n", l, end == blank);
  }

  /* building strings */
  {
    int n = snprintf(buf, 10, "%s-%d", "truncated", 12345);
    printf("snprintf returns %d, buf [%s]\n", n, buf);
    n = snprintf(0, 0, "%d", 123456);
    printf("snprintf(NULL,0) returns %d\n", n);
    sprintf(buf, "%05d|%-5s|%c", 42, "ab", 'z');
    printf("sprintf [%s]\n", buf);
  }
  strcpy(buf, "stressed");
  reverse(buf);
  printf("reverse %s\n", buf);
  for (p = buf; *p; p++) *p = toupper((unsigned char)*p);
  printf("upper %s isalpha(5)=%d isdigit(5)=%d isspace(\\n)=%d\n", buf, isalpha('5') != 0, isdigit('5') != 0, isspace('\n') != 0);
  p = strdup("duplicate me");
  printf("strdup %s\n", p);
  free(p);

  /* a longer text: word count and a checksum */
  big[0] = 0;
  for (i = 0; i < 200; i++) {
    char w[32];
    sprintf(w, "w%u ", lcg() % 1000);
    strcat(big, w);
  }
  {
    int words = 0;
    unsigned h = 0;
    strcpy(buf, "");
    for (tok = strtok(big, " "); tok; tok = strtok(0, " ")) {
      words++;
      for (p = tok; *p; p++) h = h * 131 + (unsigned char)*p;
    }
    printf("words %d hash %08x\n", words, h);
  }
  printf("strerror(2)=%s strerror(9999)=%s\n", strerror(ENOENT), strerror(9999));
  return CHECK_DONE();
}
