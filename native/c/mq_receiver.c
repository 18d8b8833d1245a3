/* POSIX message queue receiver: opens (or creates, with -c) a queue, reads
 * its attributes, and receives COUNT messages, highest priority first.
 * The buffer must hold mq_msgsize bytes, or mq_receive fails with EMSGSIZE.
 * Usage: mq_receiver [-c] /NAME COUNT */
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  int create = argc > 1 && strcmp(argv[1], "-c") == 0;
  if (argc != 3 + create) {
    fprintf(stderr, "usage: %s [-c] /NAME COUNT\n", argv[0]);
    return 2;
  }
  const char *name = argv[1 + create];
  long count = atol(argv[2 + create]);
  struct mq_attr attr = {.mq_maxmsg = 10, .mq_msgsize = 128};
  mqd_t q = create ? mq_open(name, O_RDONLY | O_CREAT, 0600, &attr) : mq_open(name, O_RDONLY);
  if (q == (mqd_t)-1) {
    perror("mq_open");
    return 1;
  }
  if (mq_getattr(q, &attr) == -1) {
    perror("mq_getattr");
    return 1;
  }
  printf("ready: maxmsg %ld msgsize %ld curmsgs %ld\n", attr.mq_maxmsg, attr.mq_msgsize,
         attr.mq_curmsgs);
  fflush(stdout);
  char *buffer = malloc((size_t)attr.mq_msgsize);
  if (buffer == NULL) {
    perror("malloc");
    return 1;
  }
  for (long i = 0; i < count; ++i) {
    unsigned prio;
    ssize_t n = mq_receive(q, buffer, (size_t)attr.mq_msgsize, &prio);
    if (n == -1) {
      perror("mq_receive");
      return 1;
    }
    printf("priority %u: %.*s\n", prio, (int)n, buffer);
    fflush(stdout);
  }
  free(buffer);
  if (mq_close(q) == -1) {
    perror("mq_close");
    return 1;
  }
  return 0;
}
