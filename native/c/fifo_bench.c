/* The C baseline of bench/fifo.ts, three modes:
 *   fifo_bench source PATH MIB   opens PATH for writing, writes MIB MiB in 64 KiB writes
 *   fifo_bench sink PATH         opens PATH for reading, reads to EOF, prints
 *                                "BYTES MICROSECONDS" (from the first byte to EOF)
 *   fifo_bench rt SERVER TEMPLATE ROUNDS [WARMUP]
 *                                ROUNDS whole seqnum requests (mkfifo, open the
 *                                server FIFO, write, open its own, read, close,
 *                                unlink) after WARMUP untimed ones (default 0),
 *                                prints the mean microseconds per request. The
 *                                TypeScript client's warm-up is made here too:
 *                                each request leaves an inode that ext4's
 *                                mkfifo scans past for a while, so both sides
 *                                time the same requests of the same history. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "seqnum.h"

#define CHUNK (64 * 1024)

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int fail(const char *what) {
  perror(what);
  return 1;
}

int main(int argc, char *argv[]) {
  static char buffer[CHUNK];
  if (argc == 4 && strcmp(argv[1], "source") == 0) {
    long total = strtol(argv[3], NULL, 10) * 1024 * 1024;
    int fd = open(argv[2], O_WRONLY);
    if (fd == -1) return fail("open");
    memset(buffer, 'x', sizeof buffer);
    for (long done = 0; done < total;) {
      ssize_t n = write(fd, buffer, sizeof buffer);
      if (n == -1) return fail("write");
      done += n;
    }
    return close(fd) == -1 ? fail("close") : 0;
  }
  if (argc == 3 && strcmp(argv[1], "sink") == 0) {
    int fd = open(argv[2], O_RDONLY);
    if (fd == -1) return fail("open");
    long total = 0;
    double start = 0;
    for (;;) {
      ssize_t n = read(fd, buffer, sizeof buffer);
      if (n == -1) return fail("read");
      if (n == 0) break;
      if (total == 0) start = now_us();
      total += n;
    }
    printf("%ld %.0f\n", total, now_us() - start);
    return close(fd) == -1 ? fail("close") : 0;
  }
  if ((argc == 5 || argc == 6) && strcmp(argv[1], "rt") == 0) {
    long rounds = strtol(argv[4], NULL, 10);
    long warmup = argc == 6 ? strtol(argv[5], NULL, 10) : 0;
    char mine[4096];
    struct request req = {getpid(), 1};
    /* argv[3] is checked by the bench: one %ld */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(mine, sizeof mine, argv[3], (long)req.pid);
    double start = now_us();
    for (long i = -warmup; i < rounds; i++) {
      if (i == 0) start = now_us();
      if (mkfifo(mine, S_IRUSR | S_IWUSR | S_IWGRP) == -1 && errno != EEXIST) return fail("mkfifo");
      int server = open(argv[2], O_WRONLY);
      if (server == -1) return fail("open server");
      if (write(server, &req, sizeof req) != (ssize_t)sizeof req) return fail("write");
      close(server);
      int reply = open(mine, O_RDONLY);
      if (reply == -1) return fail("open reply");
      struct response resp;
      if (read(reply, &resp, sizeof resp) != (ssize_t)sizeof resp) return fail("read");
      close(reply);
      if (unlink(mine) == -1) return fail("unlink");
    }
    printf("%.2f\n", (now_us() - start) / (double)rounds);
    return 0;
  }
  fprintf(stderr, "usage: %s source PATH MIB | sink PATH | rt SERVER TEMPLATE ROUNDS [WARMUP]\n", argv[0]);
  return 2;
}
