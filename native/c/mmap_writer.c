/* A memory-mapped file's writer (the shm producer with a regular file):
 * open(O_CREAT | O_RDWR), ftruncate to one page if shorter, mmap MAP_SHARED,
 * copy TEXT to the start of the mapping with no write() call, msync(MS_SYNC)
 * so the file on disk has it, munmap, close.
 * Usage: mmap_writer PATH TEXT [OFFSET] */
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
  if (argc < 3) {
    fprintf(stderr, "usage: mmap_writer PATH TEXT [OFFSET]\n");
    return 2;
  }
  const char *path = argv[1], *text = argv[2];
  long offset = argc > 3 ? atol(argv[3]) : 0;
  long page = sysconf(_SC_PAGESIZE);
  size_t need = (size_t)offset + strlen(text) + 1;
  size_t size = (need + page - 1) / page * page;

  int fd = open(path, O_CREAT | O_RDWR, 0644);
  if (fd == -1) fail("open", path);
  struct stat st;
  if (fstat(fd, &st) == -1) fail("fstat", path);
  if ((size_t)st.st_size < size && ftruncate(fd, (off_t)size) == -1) fail("ftruncate", path);
  char *ptr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (ptr == MAP_FAILED) fail("mmap", path);
  if (close(fd) == -1) fail("close", path); /* the mapping outlives the descriptor */

  memcpy(ptr + offset, text, strlen(text) + 1); /* a store into the page cache: no write() */
  if (msync(ptr, size, MS_SYNC) == -1) fail("msync", path);
  printf("wrote %zu bytes at offset %ld of %s through a mapping\n", strlen(text), offset, path);
  if (munmap(ptr, size) == -1) fail("munmap", path);
  return 0;
}
