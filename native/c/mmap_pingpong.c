/* Two unrelated processes sharing a file's pages while both run: maps PATH
 * MAP_SHARED, waits (polling the mapping, no read() call) until the C string
 * at offset 0 is PING, then stores PONG at offset 64 and exits. The other
 * process never calls msync: both map the same page-cache pages.
 * Usage: mmap_pingpong PATH [PING] [PONG]   (gives up after 10 s) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static void fail(const char *call, const char *path) {
  fprintf(stderr, "%s: %s (%s) '%s'\n", call, strerrorname_np(errno), strerror(errno), path);
  exit(EXIT_FAILURE);
}

int main(int argc, char *argv[]) {
  if (argc < 2) {
    fprintf(stderr, "usage: mmap_pingpong PATH [PING] [PONG]\n");
    return 2;
  }
  const char *path = argv[1];
  const char *ping = argc > 2 ? argv[2] : "ping";
  const char *pong = argc > 3 ? argv[3] : "pong";
  size_t size = (size_t)sysconf(_SC_PAGESIZE);
  int fd = open(path, O_RDWR);
  if (fd == -1) fail("open", path);
  volatile char *ptr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (ptr == MAP_FAILED) fail("mmap", path);
  if (close(fd) == -1) fail("close", path);
  printf("ready\n");
  fflush(stdout);
  struct timespec tick = {0, 1000000};
  for (int i = 0; strncmp((const char *)ptr, ping, strlen(ping) + 1) != 0; i++) {
    if (i == 10000) {
      fprintf(stderr, "mmap_pingpong: no \"%s\" at offset 0 after 10 s\n", ping);
      return EXIT_FAILURE;
    }
    nanosleep(&tick, NULL);
  }
  memcpy((char *)ptr + 64, pong, strlen(pong) + 1);
  printf("saw \"%s\", stored \"%s\" at offset 64\n", ping, pong);
  if (munmap((void *)ptr, size) == -1) fail("munmap", path);
  return 0;
}
