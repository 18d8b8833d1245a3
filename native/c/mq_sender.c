/* POSIX message queue sender: opens an existing queue for writing and sends
 * each TEXT with its PRIORITY (mq_send blocks while the queue is full).
 * Usage: mq_sender /NAME TEXT PRIORITY [TEXT PRIORITY ...] */
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc < 4 || argc % 2 != 0) {
    fprintf(stderr, "usage: %s /NAME TEXT PRIORITY [TEXT PRIORITY ...]\n", argv[0]);
    return 2;
  }
  mqd_t q = mq_open(argv[1], O_WRONLY);
  if (q == (mqd_t)-1) {
    perror("mq_open");
    return 1;
  }
  for (int i = 2; i + 1 < argc; i += 2) {
    unsigned prio = (unsigned)strtoul(argv[i + 1], NULL, 10);
    if (mq_send(q, argv[i], strlen(argv[i]), prio) == -1) {
      perror("mq_send");
      return 1;
    }
    printf("sent '%s' priority %u\n", argv[i], prio);
  }
  if (mq_close(q) == -1) {
    perror("mq_close");
    return 1;
  }
  return 0;
}
