/* cpubench: a compute-bound program for `npm run bench:cpu` (the emulator's speed, not a
   paper benchmark). Integer work of the kinds gcc -O2 emits most: a sieve, an insertion
   and a heap sort over pseudo-random data, CRC-32 over a buffer, an integer matrix
   multiply and a little double arithmetic. Prints checksums so that the native run, the
   qemu run and the emulated run can be compared.

   usage: cpubench [rounds]      (default 3) */
#include <stdio.h>
#include <stdlib.h>

#define N_SIEVE 65536
#define N_SORT 2048
#define N_CRC 32768
#define N_MAT 48

static unsigned char sieve_flags[N_SIEVE];
static int sort_data[N_SORT];
static unsigned char crc_buf[N_CRC];
static int mat_a[N_MAT][N_MAT], mat_b[N_MAT][N_MAT], mat_c[N_MAT][N_MAT];
static unsigned int crc_table[256];

static unsigned int lcg_state = 12345;
static unsigned int lcg(void) {
  lcg_state = lcg_state * 1103515245u + 12345u;
  return lcg_state >> 8;
}

static int sieve(void) {
  int i, j, count = 0;
  for (i = 0; i < N_SIEVE; i++) sieve_flags[i] = 1;
  for (i = 2; i < N_SIEVE; i++) {
    if (!sieve_flags[i]) continue;
    count++;
    for (j = i + i; j < N_SIEVE; j += i) sieve_flags[j] = 0;
  }
  return count;
}

static void sift_down(int *a, int start, int end) {
  int root = start;
  while (2 * root + 1 <= end) {
    int child = 2 * root + 1, swap = root;
    if (a[swap] < a[child]) swap = child;
    if (child + 1 <= end && a[swap] < a[child + 1]) swap = child + 1;
    if (swap == root) return;
    int t = a[root];
    a[root] = a[swap];
    a[swap] = t;
    root = swap;
  }
}

static unsigned int sorts(void) {
  int i, j;
  unsigned int sum = 0;
  for (i = 0; i < N_SORT; i++) sort_data[i] = (int)(lcg() % 100000);
  for (i = N_SORT / 2 - 1; i >= 0; i--) sift_down(sort_data, i, N_SORT - 1);
  for (i = N_SORT - 1; i > 0; i--) {
    int t = sort_data[0];
    sort_data[0] = sort_data[i];
    sort_data[i] = t;
    sift_down(sort_data, 0, i - 1);
  }
  /* an insertion sort over the first quarter, reversed, for a branchy inner loop */
  for (i = 0; i < N_SORT / 8; i++) sort_data[i] = -sort_data[i];
  for (i = 1; i < N_SORT / 4; i++) {
    int v = sort_data[i];
    for (j = i - 1; j >= 0 && sort_data[j] > v; j--) sort_data[j + 1] = sort_data[j];
    sort_data[j + 1] = v;
  }
  for (i = 0; i < N_SORT; i++) sum = sum * 31u + (unsigned int)sort_data[i];
  return sum;
}

static unsigned int crc32(void) {
  unsigned int c, i, k;
  for (i = 0; i < 256; i++) {
    c = i;
    for (k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
  for (i = 0; i < N_CRC; i++) crc_buf[i] = (unsigned char)lcg();
  c = 0xFFFFFFFFu;
  for (i = 0; i < N_CRC; i++) c = crc_table[(c ^ crc_buf[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

static int matmul(void) {
  int i, j, k, trace = 0;
  for (i = 0; i < N_MAT; i++)
    for (j = 0; j < N_MAT; j++) {
      mat_a[i][j] = (int)(lcg() % 17) - 8;
      mat_b[i][j] = (int)(lcg() % 13) - 6;
    }
  for (i = 0; i < N_MAT; i++)
    for (j = 0; j < N_MAT; j++) {
      int s = 0;
      for (k = 0; k < N_MAT; k++) s += mat_a[i][k] * mat_b[k][j];
      mat_c[i][j] = s;
    }
  for (i = 0; i < N_MAT; i++) trace += mat_c[i][i];
  return trace;
}

static double doubles(void) {
  double x = 0.5, s = 0;
  int i;
  for (i = 1; i <= 4000; i++) {
    x = x * 1.000001 + 1.0 / i;
    s += x / (i + 0.5);
  }
  return s;
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 3;
  int r;
  for (r = 0; r < rounds; r++) {
    int primes = sieve();
    unsigned int sorted = sorts();
    unsigned int crc = crc32();
    int trace = matmul();
    double d = doubles();
    printf("round %d: primes %d sort %08x crc %08x trace %d doubles %.6f\n", r, primes, sorted, crc, trace, d);
  }
  return 0;
}
