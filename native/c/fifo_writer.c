/* One of several writers to one FIFO (TLPI 44.7, PIPE_BUF): opens the FIFO
 * by name, writes COUNT records of SIZE bytes, each record one write() of
 * one letter repeated, then closes. Records of at most PIPE_BUF bytes arrive
 * whole, never mixed with another writer's; larger ones can be split.
 * Usage: fifo_writer PATH LETTER SIZE COUNT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s PATH LETTER SIZE COUNT\n", argv[0]);
    return 2;
  }
  const char *path = argv[1];
  char letter = argv[2][0];
  long size = strtol(argv[3], NULL, 10);
  long count = strtol(argv[4], NULL, 10);
  if (size <= 0 || count <= 0) {
    fprintf(stderr, "fifo_writer: SIZE and COUNT must be positive\n");
    return 2;
  }
  char *record = malloc((size_t)size);
  if (record == NULL) {
    perror("malloc");
    return 1;
  }
  memset(record, letter, (size_t)size);
  int fd = open(path, O_WRONLY); /* blocks until a reader opens */
  if (fd == -1) {
    perror("open");
    return 1;
  }
  for (long i = 0; i < count; i++) {
    ssize_t n = write(fd, record, (size_t)size); /* one write per record */
    if (n == -1) {
      perror("write");
      return 1;
    }
    if (n != size) { /* a blocking write returns only when all is written */
      fprintf(stderr, "fifo_writer: short write %zd of %ld\n", n, size);
      return 1;
    }
  }
  if (close(fd) == -1) {
    perror("close");
    return 1;
  }
  free(record);
  return 0;
}
