/* MAP_PRIVATE and copy-on-write: maps PATH twice, MAP_SHARED and
 * MAP_PRIVATE, stores into the private one, and shows (1) the shared mapping
 * and the file do not see the store, (2) the kernel copied the page: the
 * private region's Private_Dirty in /proc/self/smaps goes from 0 to 4 kB.
 * Usage: mmap_private PATH  (PATH must hold at least one page) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void fail(const char *call, const char *path) {
  fprintf(stderr, "%s: %s (%s) '%s'\n", call, strerrorname_np(errno), strerror(errno), path);
  exit(EXIT_FAILURE);
}

/* The Private_Dirty line (kB) of the region that starts at addr. */
static long private_dirty(void *addr) {
  char start[32], line[256];
  snprintf(start, sizeof start, "%lx-", (unsigned long)addr);
  FILE *smaps = fopen("/proc/self/smaps", "r");
  if (smaps == NULL) fail("fopen", "/proc/self/smaps");
  long kb = -1;
  int inside = 0;
  while (fgets(line, sizeof line, smaps) != NULL) {
    if (strncmp(line, start, strlen(start)) == 0) inside = 1;
    else if (inside && sscanf(line, "Private_Dirty: %ld kB", &kb) == 1) break;
  }
  fclose(smaps);
  return kb;
}

int main(int argc, char *argv[]) {
  if (argc < 2) {
    fprintf(stderr, "usage: mmap_private PATH\n");
    return 2;
  }
  const char *path = argv[1];
  size_t size = (size_t)sysconf(_SC_PAGESIZE);
  int fd = open(path, O_RDWR);
  if (fd == -1) fail("open", path);
  char *shared = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (shared == MAP_FAILED) fail("mmap", path);
  char *private = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  if (private == MAP_FAILED) fail("mmap", path);

  printf("before: private reads \"%.16s\", Private_Dirty %ld kB\n", private, private_dirty(private));
  memcpy(private, "PRIVATE COPY", 12); /* the first store: the kernel copies the page */
  printf("after:  private reads \"%.16s\", Private_Dirty %ld kB\n", private, private_dirty(private));
  printf("        shared  reads \"%.16s\"\n", shared);
  char file[17] = {0};
  if (pread(fd, file, 16, 0) == -1) fail("pread", path);
  printf("        the file has  \"%.16s\"\n", file);

  if (munmap(private, size) == -1 || munmap(shared, size) == -1) fail("munmap", path);
  if (close(fd) == -1) fail("close", path);
  return 0;
}
