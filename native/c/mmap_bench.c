/* The chapter's benchmark baseline: reads PATH sequentially REPS times and
 * sums it as 32-bit words (wrapping, as TypeScript's `(sum + w[i]) | 0`), either through one mapping (mmap +
 * MADV_SEQUENTIAL) or with read() into a 1 MiB buffer. The file is in the
 * page cache (warm): this measures copying vs mapping, not the disk.
 * Mode scan maps the file and looks for the byte 0xff with memchr (the
 * file has none): the same work as TypeScript's Buffer.indexOf(0xff).
 * Prints `mode=… bytes=… ns=… sum=…` (ns for all REPS).
 * Usage: mmap_bench PATH mmap|read|scan REPS */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void fail(const char *call, const char *path) {
  fprintf(stderr, "%s: %s (%s) '%s'\n", call, strerrorname_np(errno), strerror(errno), path);
  exit(EXIT_FAILURE);
}

static uint32_t sum_words(const uint32_t *words, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i < n; i++) sum += words[i];
  return sum;
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char *argv[]) {
  if (argc < 4) {
    fprintf(stderr, "usage: mmap_bench PATH mmap|read|scan REPS\n");
    return 2;
  }
  const char *path = argv[1], *mode = argv[2];
  int reps = atoi(argv[3]);
  int fd = open(path, O_RDONLY);
  if (fd == -1) fail("open", path);
  struct stat st;
  if (fstat(fd, &st) == -1) fail("fstat", path);
  size_t size = (size_t)st.st_size & ~(size_t)3;
  uint32_t sum = 0;
  double start = now_ns();
  for (int r = 0; r < reps; r++) {
    if (strcmp(mode, "scan") == 0) {
      unsigned char *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
      if (p == MAP_FAILED) fail("mmap", path);
      if (madvise(p, size, MADV_SEQUENTIAL) == -1) fail("madvise", path);
      sum += memchr(p, 0xff, size) == NULL ? 0 : 1;
      if (munmap(p, size) == -1) fail("munmap", path);
    } else if (strcmp(mode, "mmap") == 0) {
      uint32_t *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
      if (p == MAP_FAILED) fail("mmap", path);
      if (madvise(p, size, MADV_SEQUENTIAL) == -1) fail("madvise", path);
      sum += sum_words(p, size / 4);
      if (munmap(p, size) == -1) fail("munmap", path);
    } else {
      static uint32_t buffer[1 << 18]; /* 1 MiB */
      off_t at = 0;
      for (;;) {
        ssize_t n = pread(fd, buffer, sizeof buffer, at);
        if (n == -1) fail("pread", path);
        if (n == 0) break;
        sum += sum_words(buffer, (size_t)n / 4);
        at += n;
      }
    }
  }
  double ns = now_ns() - start;
  printf("mode=%s bytes=%zu ns=%.0f sum=%u\n", mode, size * reps, ns, (unsigned)sum);
  close(fd);
  return 0;
}
