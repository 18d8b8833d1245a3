/*
 * sum_server: the SUM service of sum.x in C, on libtirpc. rpcgen writes the
 * XDR filters (sum_xdr.c) and the dispatcher sum_prog_1 (sum_svc.c, -m: no
 * main); this file is the procedures and a main that listens where it is
 * told, so that tests need no portmapper:
 *   sum_server [-t PORT] [-u PORT] [-r]
 *     -t/-u  TCP/UDP port on 127.0.0.1 (default 0: any free one)
 *     -r     also register with the portmapper (pmap_set), unset on SIGTERM
 * Prints {"pid":N,"tcpPort":P,"udpPort":Q} once listening, serves until
 * SIGTERM or SIGINT.
 */
#include "sum.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <rpc/pmap_clnt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void sum_prog_1(struct svc_req *request, SVCXPRT *transport); /* sum_svc.c */

void *sum_null_1_svc(void *argp, struct svc_req *request) {
  static char nothing;
  (void)argp;
  (void)request;
  return &nothing;
}

quad_t *sum_1_svc(sum_part *part, struct svc_req *request) {
  static quad_t sum;
  (void)request;
  sum = 0;
  for (u_int i = 0; i < part->sum_part_len; i++) sum += part->sum_part_val[i];
  return &sum;
}

static volatile sig_atomic_t stopping;
static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

/* A socket bound to 127.0.0.1:port; returns it and the port it got. */
static int bound_socket(int type, int port, int *got) {
  int fd = socket(AF_INET, type, 0);
  if (fd == -1) {
    perror("socket");
    exit(1);
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == -1) {
    perror("bind");
    exit(1);
  }
  if (type == SOCK_STREAM && listen(fd, SOMAXCONN) == -1) {
    perror("listen");
    exit(1);
  }
  socklen_t len = sizeof addr;
  if (getsockname(fd, (struct sockaddr *)&addr, &len) == -1) {
    perror("getsockname");
    exit(1);
  }
  *got = ntohs(addr.sin_port);
  return fd;
}

int main(int argc, char *argv[]) {
  int tcp_port = 0, udp_port = 0, reg = 0, opt;
  while ((opt = getopt(argc, argv, "t:u:r")) != -1) {
    switch (opt) {
      case 't':
        tcp_port = atoi(optarg);
        break;
      case 'u':
        udp_port = atoi(optarg);
        break;
      case 'r':
        reg = 1;
        break;
      default:
        fprintf(stderr, "usage: %s [-t PORT] [-u PORT] [-r]\n", argv[0]);
        return 2;
    }
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  int tcp_got, udp_got;
  int tcp_fd = bound_socket(SOCK_STREAM, tcp_port, &tcp_got);
  int udp_fd = bound_socket(SOCK_DGRAM, udp_port, &udp_got);
  SVCXPRT *tcp = svctcp_create(tcp_fd, 0, 0);
  SVCXPRT *udp = svcudp_create(udp_fd);
  if (tcp == NULL || udp == NULL) {
    fprintf(stderr, "sum_server: cannot create the TCP or UDP service\n");
    return 1;
  }
  if (reg) pmap_unset(SUM_PROG, SUM_VERS);
  /* Protocol 0: served, but not registered with the portmapper. */
  if (!svc_register(tcp, SUM_PROG, SUM_VERS, sum_prog_1, reg ? IPPROTO_TCP : 0) ||
      !svc_register(udp, SUM_PROG, SUM_VERS, sum_prog_1, reg ? IPPROTO_UDP : 0)) {
    fprintf(stderr, "sum_server: unable to register (SUM_PROG, SUM_VERS)%s\n",
            reg ? " with the portmapper: is rpcbind running?" : "");
    return 1;
  }
  printf("{\"pid\":%d,\"tcpPort\":%d,\"udpPort\":%d}\n", (int)getpid(), tcp_got, udp_got);
  fflush(stdout);

  /*
   * svc_run(), but one that stops on a signal. Like libtirpc's own svc_run,
   * it polls a copy of svc_pollfd: serving a request may accept or destroy a
   * connection, and xprt_register/xprt_unregister then realloc svc_pollfd
   * while svc_getreq_poll is still walking the array it was given (polling
   * svc_pollfd itself crashed with SIGSEGV when clients came and went fast).
   */
  struct pollfd *fds = NULL;
  int capacity = 0;
  while (!stopping) {
    int count = svc_max_pollfd;
    if (count > capacity) {
      struct pollfd *bigger = realloc(fds, (size_t)count * sizeof *fds);
      if (bigger == NULL) {
        perror("realloc");
        return 1;
      }
      fds = bigger;
      capacity = count;
    }
    memcpy(fds, svc_pollfd, (size_t)count * sizeof *fds);
    int n = poll(fds, (nfds_t)count, -1);
    if (n == -1) {
      if (errno == EINTR) continue;
      perror("poll");
      return 1;
    }
    svc_getreq_poll(fds, n);
  }
  free(fds);
  if (reg) pmap_unset(SUM_PROG, SUM_VERS);
  return 0;
}
