/* Baseline for bench/shm.ts: memcpy of 64 KiB chunks into a mapped POSIX
 * shared-memory object, as many MiB as asked, after one warm-up pass that
 * faults every page in. Prints "c MB/s=<rate>", the median of the rounds
 * (MB = 10^6 bytes).
 * Usage: shm_bench name MiB rounds (at most 1000) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

static void fail(const char *call, const char *name) {
  fprintf(stderr, "%s: %s (%s) '%s'\n", call, strerrorname_np(errno), strerror(errno), name);
  exit(EXIT_FAILURE);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* One pass over the whole region; `round` varies the bytes so no pass is a no-op. */
static void pass(char *region, size_t size, const char *chunk) {
  for (size_t at = 0; at < size; at += CHUNK) memcpy(region + at, chunk, CHUNK);
}

int main(int argc, char *argv[]) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s name MiB rounds\n", argv[0]);
    return 2;
  }
  const char *name = argv[1];
  size_t size = (size_t)atol(argv[2]) << 20;
  int rounds = atoi(argv[3]);
  int fd = shm_open(name, O_RDWR, 0);
  if (fd == -1) fail("shm_open", name);
  char *region = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (region == MAP_FAILED) fail("mmap", name);
  close(fd);

  static char chunk[CHUNK];
  memset(chunk, 'c', sizeof chunk);
  pass(region, size, chunk);                  /* warm-up: fault the pages in */
  if (rounds < 1 || rounds > 1000) rounds = 1;
  double rates[1000];
  for (int r = 0; r < rounds; r++) {
    chunk[0] = (char)r;
    double start = now();
    pass(region, size, chunk);
    rates[r] = size / (now() - start) / 1e6;
  }
  qsort(rates, rounds, sizeof rates[0], compare);
  /* The compiler may not drop the stores: the region is shared, and we read it back. */
  if (region[0] != chunk[0]) return 1;
  printf("c MB/s=%.0f\n", rates[rounds / 2]);
  munmap(region, size);
  return 0;
}
