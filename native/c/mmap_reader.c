/* A memory-mapped file's reader (the shm consumer with a regular file):
 * open(O_RDONLY), fstat for the size, mmap PROT_READ MAP_SHARED, print the
 * C string at OFFSET, munmap, close.
 * Usage: mmap_reader PATH [OFFSET] */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void fail(const char *call, const char *path) {
  fprintf(stderr, "%s: %s (%s) '%s'\n", call, strerrorname_np(errno), strerror(errno), path);
  exit(EXIT_FAILURE);
}

int main(int argc, char *argv[]) {
  if (argc < 2) {
    fprintf(stderr, "usage: mmap_reader PATH [OFFSET]\n");
    return 2;
  }
  const char *path = argv[1];
  long offset = argc > 2 ? atol(argv[2]) : 0;
  int fd = open(path, O_RDONLY);
  if (fd == -1) fail("open", path);
  struct stat st;
  if (fstat(fd, &st) == -1) fail("fstat", path);
  if (st.st_size == 0) {
    fprintf(stderr, "mmap_reader: '%s' is empty: nothing to map\n", path);
    return EXIT_FAILURE;
  }
  if (offset < 0 || offset >= st.st_size) {
    fprintf(stderr, "mmap_reader: offset %ld is outside '%s' (%lld bytes)\n", offset, path,
            (long long)st.st_size);
    return EXIT_FAILURE;
  }
  char *ptr = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
  if (ptr == MAP_FAILED) fail("mmap", path);
  if (close(fd) == -1) fail("close", path);
  printf("%.*s\n", (int)strnlen(ptr + offset, (size_t)(st.st_size - offset)), ptr + offset);
  if (munmap(ptr, (size_t)st.st_size) == -1) fail("munmap", path);
  return 0;
}
