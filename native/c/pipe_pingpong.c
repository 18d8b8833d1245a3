/* Benchmark baseline: a 1-byte ping-pong between a parent and a forked child
 * over two pipes. Prints the mean round trip in microseconds.
 * Usage: pipe_pingpong [ROUNDS] */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void must(int ok, const char *what) {
  if (!ok) {
    perror(what);
    exit(1);
  }
}

int main(int argc, char **argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 100000;
  int down[2], up[2];
  must(pipe(down) == 0 && pipe(up) == 0, "pipe");
  pid_t pid = fork();
  must(pid >= 0, "fork");
  char byte = 'p';
  if (pid == 0) { /* child: answer every byte until end of file */
    close(down[1]);
    close(up[0]);
    while (read(down[0], &byte, 1) == 1) must(write(up[1], &byte, 1) == 1, "write");
    _exit(0);
  }
  close(down[0]);
  close(up[1]);
  struct timespec start, end;
  for (long i = -1000; i < rounds; ++i) { /* 1000 warm-up rounds */
    if (i == 0) clock_gettime(CLOCK_MONOTONIC, &start);
    must(write(down[1], &byte, 1) == 1, "write");
    must(read(up[0], &byte, 1) == 1, "read");
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  close(down[1]);
  waitpid(pid, NULL, 0);
  double us = (end.tv_sec - start.tv_sec) * 1e6 + (end.tv_nsec - start.tv_nsec) / 1e3;
  printf("%.3f\n", us / rounds);
  return 0;
}
