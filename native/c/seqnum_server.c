/* The sequence-number server (TLPI 44.8, fifo_seqnum_server.c), hardened:
 * it reads {pid, seqLen} requests from its well-known FIFO, answers each
 * client with {seqNum} on the client's own FIFO and advances by seqLen.
 *  - It keeps a dummy writer of its own FIFO open, so read() never sees end
 *    of file between clients (-D leaves it out: then every last client's
 *    close is an EOF, and the server must reopen).
 *  - A stale FIFO left by a crashed server is reused; a live server (one
 *    that still reads the FIFO) is detected and refused.
 *  - A client that vanished before opening its FIFO cannot block it: the
 *    open of the client's FIFO gives up after -t seconds (alarm, EINTR); a
 *    client gone after opening is EPIPE (SIGPIPE ignored).
 * Usage: seqnum_server [-s SERVER_FIFO] [-c CLIENT_TEMPLATE] [-n START]
 *                      [-t SECONDS] [-m MAX_REQUESTS] [-D]
 * SIGINT or SIGTERM: removes the server FIFO and exits. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seqnum.h"

static volatile sig_atomic_t stop = 0;
static void on_stop(int sig) {
  (void)sig;
  stop = 1;
}
static void on_alarm(int sig) { (void)sig; /* only interrupts open() */ }

/* The template must hold one "%ld" and no other conversion. */
static int template_ok(const char *t) {
  const char *p = strchr(t, '%');
  return p != NULL && strncmp(p, "%ld", 3) == 0 && strchr(p + 3, '%') == NULL;
}

static void handle(int sig, void (*fn)(int)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fn;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; /* no SA_RESTART: a blocked open/read returns EINTR */
  if (sigaction(sig, &sa, NULL) == -1) {
    perror("sigaction");
    exit(1);
  }
}

int main(int argc, char *argv[]) {
  const char *server_fifo = SERVER_FIFO;
  const char *client_template = CLIENT_FIFO_TEMPLATE;
  int seq_num = 0, timeout = 2, dummy = 1;
  long max_requests = -1;
  int opt;
  while ((opt = getopt(argc, argv, "s:c:n:t:m:D")) != -1) {
    switch (opt) {
      case 's': server_fifo = optarg; break;
      case 'c': client_template = optarg; break;
      case 'n': seq_num = atoi(optarg); break;
      case 't': timeout = atoi(optarg); break;
      case 'm': max_requests = atol(optarg); break;
      case 'D': dummy = 0; break;
      default:
        fprintf(stderr, "usage: %s [-s FIFO] [-c TEMPLATE] [-n START] [-t S] [-m N] [-D]\n",
                argv[0]);
        return 2;
    }
  }
  if (!template_ok(client_template)) {
    fprintf(stderr, "seqnum_server: the client template needs one %%ld: %s\n", client_template);
    return 2;
  }
  handle(SIGINT, on_stop);
  handle(SIGTERM, on_stop);
  handle(SIGALRM, on_alarm);
  if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) { /* a vanished reader is EPIPE, not death */
    perror("signal");
    return 1;
  }

  umask(0); /* the FIFO gets exactly rw--w---- */
  if (mkfifo(server_fifo, S_IRUSR | S_IWUSR | S_IWGRP) == -1) {
    if (errno != EEXIST) {
      fprintf(stderr, "seqnum_server: mkfifo %s: %s\n", server_fifo, strerror(errno));
      return 1;
    }
    struct stat st;
    if (stat(server_fifo, &st) == -1) {
      fprintf(stderr, "seqnum_server: stat %s: %s\n", server_fifo, strerror(errno));
      return 1;
    }
    if (!S_ISFIFO(st.st_mode)) {
      fprintf(stderr, "seqnum_server: %s exists and is not a FIFO\n", server_fifo);
      return 1;
    }
    /* A writer can open without blocking only if someone reads: a live server. */
    int probe = open(server_fifo, O_WRONLY | O_NONBLOCK);
    if (probe != -1) {
      close(probe);
      fprintf(stderr, "seqnum_server: another server is reading %s\n", server_fifo);
      return 1;
    }
    if (errno != ENXIO) {
      fprintf(stderr, "seqnum_server: open %s: %s\n", server_fifo, strerror(errno));
      return 1;
    }
    printf("reusing stale %s\n", server_fifo);
  }
  printf("listening on %s\n", server_fifo);
  fflush(stdout);

  int server_fd = open(server_fifo, O_RDONLY); /* blocks until the first client */
  if (server_fd == -1) {
    if (!stop) perror("open server fifo");
    unlink(server_fifo);
    return stop ? 0 : 1;
  }
  int dummy_fd = -1;
  if (dummy) {
    dummy_fd = open(server_fifo, O_WRONLY); /* never EOF between clients */
    if (dummy_fd == -1) {
      perror("open dummy writer");
      unlink(server_fifo);
      return 1;
    }
  }

  long served = 0;
  while (!stop && (max_requests < 0 || served < max_requests)) {
    struct request req;
    ssize_t n = read(server_fd, &req, sizeof req);
    if (n == -1) {
      if (errno == EINTR) continue;
      perror("read");
      break;
    }
    if (n == 0) { /* only without the dummy writer: every writer has closed */
      printf("EOF: no writer left, reopening\n");
      fflush(stdout);
      close(server_fd);
      server_fd = open(server_fifo, O_RDONLY);
      if (server_fd == -1) break;
      continue;
    }
    if (n != (ssize_t)sizeof req) {
      fprintf(stderr, "seqnum_server: short request (%zd bytes), discarded\n", n);
      continue;
    }
    served++;
    char client_fifo[4096];
    snprintf(client_fifo, sizeof client_fifo, client_template, (long)req.pid);
    alarm((unsigned)timeout);
    int client_fd = open(client_fifo, O_WRONLY);
    int saved = errno;
    alarm(0);
    if (client_fd == -1) {
      printf("client pid=%ld gone: open %s: %s\n", (long)req.pid, client_fifo,
             saved == EINTR ? "timed out" : strerror(saved));
      fflush(stdout);
      continue;
    }
    struct response resp = {seq_num};
    if (write(client_fd, &resp, sizeof resp) != (ssize_t)sizeof resp) {
      printf("client pid=%ld gone: write: %s\n", (long)req.pid, strerror(errno));
    } else {
      printf("pid=%ld seqLen=%d seqNum=%d\n", (long)req.pid, req.seqLen, seq_num);
    }
    fflush(stdout);
    if (close(client_fd) == -1) perror("close client fifo");
    seq_num += req.seqLen;
  }
  close(server_fd);
  if (dummy_fd != -1) close(dummy_fd);
  if (unlink(server_fifo) == -1) perror("unlink");
  return 0;
}
