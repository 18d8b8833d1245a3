/* Benchmark baseline: a parent writes MIB mebibytes in CHUNK-byte writes to a
 * forked child that reads them. Prints MB/s (10^6 bytes per second), timed
 * from the first write until the child has read everything.
 * Usage: pipe_throughput [MIB] [CHUNK] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long mib = argc > 1 ? atol(argv[1]) : 1024;
  size_t chunk = argc > 2 ? (size_t)atol(argv[2]) : 65536;
  long long total = mib * 1024LL * 1024LL;
  char *buffer = malloc(chunk);
  memset(buffer, 'x', chunk);
  int fd[2], done[2];
  if (pipe(fd) != 0 || pipe(done) != 0) {
    perror("pipe");
    return 1;
  }
  pid_t pid = fork();
  if (pid == 0) { /* child: read until end of file, then report the count */
    close(fd[1]);
    long long got = 0;
    ssize_t n;
    while ((n = read(fd[0], buffer, chunk)) > 0) got += n;
    if (write(done[1], &got, sizeof got) != sizeof got) _exit(1);
    _exit(0);
  }
  close(fd[0]);
  close(done[1]);
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (long long sent = 0; sent < total;) {
    size_t size = total - sent < (long long)chunk ? (size_t)(total - sent) : chunk;
    ssize_t n = write(fd[1], buffer, size);
    if (n < 0) {
      perror("write");
      return 1;
    }
    sent += n;
  }
  close(fd[1]);
  long long got = 0;
  if (read(done[0], &got, sizeof got) != sizeof got || got != total) {
    fprintf(stderr, "child read %lld of %lld bytes\n", got, total);
    return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  waitpid(pid, NULL, 0);
  double seconds = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
  printf("%.1f\n", total / seconds / 1e6);
  return 0;
}
