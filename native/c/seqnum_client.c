/* The sequence-number client (TLPI 44.8, fifo_seqnum_client.c): makes its
 * own FIFO named from its pid, sends {pid, seqLen} to the server's FIFO,
 * then opens its FIFO and reads {seqNum}, printing it.
 * Usage: seqnum_client [-s SERVER_FIFO] [-c CLIENT_TEMPLATE] [-t SECONDS]
 *                      [-x] [SEQLEN]
 * -x: vanish after sending the request, leaving the FIFO behind (a crash).
 * -t: give up after SECONDS (default 10) if no server answers. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seqnum.h"

static char client_fifo[4096];

static void remove_fifo(void) { unlink(client_fifo); }

static int template_ok(const char *t) {
  const char *p = strchr(t, '%');
  return p != NULL && strncmp(p, "%ld", 3) == 0 && strchr(p + 3, '%') == NULL;
}

int main(int argc, char *argv[]) {
  const char *server_fifo = SERVER_FIFO;
  const char *client_template = CLIENT_FIFO_TEMPLATE;
  int timeout = 10, vanish = 0;
  int opt;
  while ((opt = getopt(argc, argv, "s:c:t:x")) != -1) {
    switch (opt) {
      case 's': server_fifo = optarg; break;
      case 'c': client_template = optarg; break;
      case 't': timeout = atoi(optarg); break;
      case 'x': vanish = 1; break;
      default:
        fprintf(stderr, "usage: %s [-s FIFO] [-c TEMPLATE] [-t S] [-x] [SEQLEN]\n", argv[0]);
        return 2;
    }
  }
  if (!template_ok(client_template)) {
    fprintf(stderr, "seqnum_client: the client template needs one %%ld: %s\n", client_template);
    return 2;
  }
  struct request req = {getpid(), optind < argc ? atoi(argv[optind]) : 1};
  alarm((unsigned)timeout); /* SIGALRM's default action ends a client left waiting */

  umask(0);
  snprintf(client_fifo, sizeof client_fifo, client_template, (long)req.pid);
  if (mkfifo(client_fifo, S_IRUSR | S_IWUSR | S_IWGRP) == -1 && errno != EEXIST) {
    fprintf(stderr, "seqnum_client: mkfifo %s: %s\n", client_fifo, strerror(errno));
    return 1;
  }
  if (!vanish && atexit(remove_fifo) != 0) {
    fprintf(stderr, "seqnum_client: atexit failed\n");
    return 1;
  }

  int server_fd = open(server_fifo, O_WRONLY); /* blocks until the server reads */
  if (server_fd == -1) {
    fprintf(stderr, "seqnum_client: open %s: %s\n", server_fifo, strerror(errno));
    return 1;
  }
  if (write(server_fd, &req, sizeof req) != (ssize_t)sizeof req) {
    fprintf(stderr, "seqnum_client: write request: %s\n", strerror(errno));
    return 1;
  }
  if (close(server_fd) == -1) perror("close server fifo");
  if (vanish) _exit(0); /* no reply read, the FIFO left behind */

  int client_fd = open(client_fifo, O_RDONLY); /* blocks until the server opens it */
  if (client_fd == -1) {
    fprintf(stderr, "seqnum_client: open %s: %s\n", client_fifo, strerror(errno));
    return 1;
  }
  struct response resp;
  ssize_t n = read(client_fd, &resp, sizeof resp);
  if (n != (ssize_t)sizeof resp) {
    fprintf(stderr, "seqnum_client: no reply (read %zd bytes)\n", n);
    return 1;
  }
  close(client_fd);
  printf("%d\n", resp.seqNum);
  return 0;
}
