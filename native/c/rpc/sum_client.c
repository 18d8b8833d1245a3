/*
 * sum_client: the SUM client of sum.x in C, on libtirpc: rpcgen writes the
 * stubs sum_null_1() and sum_1() (sum_clnt.c); this file makes the CLIENT
 * and calls them.
 *   sum_client [-h HOST] [-p PORT] [-T tcp|udp] sum X Y Z...   one SUM of the numbers
 *   sum_client [-h HOST] [-p PORT] [-T tcp|udp] range N [PARTS] 1+2+...+N, split into
 *                                    PARTS parts (default: as few as SUM_MAX allows),
 *                                    one SUM each, the partial sums added here
 *   sum_client [-h HOST] [-p PORT] [-T tcp|udp] null N           N NULL calls, timed
 *   sum_client [-h HOST] [-p PORT] [-T tcp|udp] null-for MS      NULL calls for MS ms (after
 *                                    a warm-up of 200, at most 10 ms); prints the us per
 *                                    call alone (chapter 10's ipc_compare reads it)
 * Without -p it asks the portmapper on HOST (clnt_create). Prints the sum
 * (or "N calls X.XX us/call"); a failed call prints clnt_perror's words, exit 1.
 */
#include "sum.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static CLIENT *connect_to(const char *host, int port, const char *proto) {
  if (port == 0) {
    CLIENT *c = clnt_create(host, SUM_PROG, SUM_VERS, proto);
    if (c == NULL) clnt_pcreateerror(host);
    return c;
  }
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
    fprintf(stderr, "sum_client: %s is not an IPv4 address\n", host);
    return NULL;
  }
  int sock = RPC_ANYSOCK;
  CLIENT *c;
  if (strcmp(proto, "udp") == 0) {
    struct timeval retry = {1, 0};
    c = clntudp_create(&addr, SUM_PROG, SUM_VERS, retry, &sock);
  } else {
    c = clnttcp_create(&addr, SUM_PROG, SUM_VERS, &sock, 0, 0);
  }
  if (c == NULL) clnt_pcreateerror(host);
  return c;
}

/* One SUM call on part[0..n): the stub marshals, sends, waits, unmarshals. */
static int call_sum(CLIENT *c, int *part, u_int n, long long *out) {
  sum_part arg = {n, part};
  quad_t *result = sum_1(&arg, c);
  if (result == NULL) {
    clnt_perror(c, "sum_1");
    return -1;
  }
  *out = (long long)*result;
  return 0;
}

int main(int argc, char *argv[]) {
  const char *host = "127.0.0.1", *proto = "tcp";
  int port = 0, opt;
  while ((opt = getopt(argc, argv, "+h:p:T:")) != -1) {
    switch (opt) {
      case 'h':
        host = optarg;
        break;
      case 'p':
        port = atoi(optarg);
        break;
      case 'T':
        proto = optarg;
        break;
      default:
        goto usage;
    }
  }
  if (optind >= argc) goto usage;
  const char *what = argv[optind++];
  CLIENT *c = connect_to(host, port, proto);
  if (c == NULL) return 1;
  struct timeval timeout = {10, 0};
  clnt_control(c, CLSET_TIMEOUT, (char *)&timeout);

  if (strcmp(what, "sum") == 0) {
    u_int n = (u_int)(argc - optind);
    int *part = calloc(n ? n : 1, sizeof *part);
    for (u_int i = 0; i < n; i++) part[i] = atoi(argv[optind + (int)i]);
    long long sum;
    if (call_sum(c, part, n, &sum) != 0) return 1;
    printf("%lld\n", sum);
    free(part);
  } else if (strcmp(what, "range") == 0 && optind < argc) {
    long n = atol(argv[optind]);
    long parts = optind + 1 < argc ? atol(argv[optind + 1]) : (n + SUM_MAX - 1) / SUM_MAX;
    if (n < 0 || parts < 1 || (n + parts - 1) / parts > SUM_MAX) {
      fprintf(stderr, "sum_client: %ld numbers do not fit %ld parts of %d\n", n, parts, SUM_MAX);
      return 2;
    }
    int *all = malloc((size_t)(n ? n : 1) * sizeof *all);
    for (long i = 0; i < n; i++) all[i] = (int)(i + 1);
    long long total = 0;
    long size = (n + parts - 1) / parts;
    for (long from = 0; from < n; from += size) {
      long k = n - from < size ? n - from : size;
      long long partial;
      if (call_sum(c, all + from, (u_int)k, &partial) != 0) return 1;
      total += partial;
    }
    printf("%lld\n", total);
    free(all);
  } else if (strcmp(what, "null") == 0 && optind < argc) {
    long n = atol(argv[optind]);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++) {
      if (sum_null_1(NULL, c) == NULL) {
        clnt_perror(c, "sum_null_1");
        return 1;
      }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double us = ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3);
    printf("%ld calls %.2f us/call\n", n, n ? us / (double)n : 0.0);
  } else if (strcmp(what, "null-for") == 0 && optind < argc) {
    double ms = atof(argv[optind]);
    if (ms <= 0) goto usage;
    double warm = now_us();
    for (int i = 0; i < 200 && now_us() - warm < 10e3; i++) {
      if (sum_null_1(NULL, c) == NULL) {
        clnt_perror(c, "sum_null_1");
        return 1;
      }
    }
    long n = 0;
    double start = now_us(), t;
    do {
      for (int i = 0; i < 10; i++, n++) {
        if (sum_null_1(NULL, c) == NULL) {
          clnt_perror(c, "sum_null_1");
          return 1;
        }
      }
    } while ((t = now_us()) - start < ms * 1e3);
    printf("%.3f\n", (t - start) / (double)n);
  } else {
    goto usage;
  }
  clnt_destroy(c);
  return 0;

usage:
  fprintf(stderr,
          "usage: %s [-h HOST] [-p PORT] [-T tcp|udp] sum X... | range N [PARTS] | null N | null-for MS\n",
          argv[0]);
  return 2;
}
