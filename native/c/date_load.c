/* The load of the date-server benchmark: THREADS clients at once, each
 * connecting, reading the date line to end of file and closing, again and
 * again until TOTAL requests are answered. Prints requests per second.
 * Usage: date_load PORT THREADS TOTAL */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in server;
static atomic_long remaining;
static atomic_long failures;

static void *client(void *unused) {
  (void)unused;
  while (atomic_fetch_sub(&remaining, 1) > 0) {
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock < 0 || connect(sock, (struct sockaddr *)&server, sizeof server) < 0) {
      fprintf(stderr, "date_load: socket/connect: %s\n", strerrorname_np(errno));
      atomic_fetch_add(&failures, 1);
      if (sock >= 0) close(sock);
      continue;
    }
    char buffer[256];
    size_t got = 0;
    ssize_t n;
    while ((n = read(sock, buffer + got, sizeof buffer - got)) > 0) got += (size_t)n;
    if (n < 0 || got == 0 || buffer[got - 1] != '\n') atomic_fetch_add(&failures, 1);
    if (close(sock) < 0) atomic_fetch_add(&failures, 1);
  }
  return NULL;
}

int main(int argc, char *argv[]) {
  if (argc != 4) {
    fprintf(stderr, "usage: date_load PORT THREADS TOTAL\n");
    return 2;
  }
  server.sin_family = AF_INET;
  server.sin_port = htons((unsigned short)atoi(argv[1]));
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int threads = atoi(argv[2]);
  long total = atol(argv[3]);
  atomic_store(&remaining, total);
  pthread_t ids[1024];
  if (threads < 1 || threads > 1024) return 2;
  struct timespec start, end;
  if (clock_gettime(CLOCK_MONOTONIC, &start) < 0) return 1;
  for (int i = 0; i < threads; i++) {
    int rc = pthread_create(&ids[i], NULL, client, NULL);
    if (rc != 0) {
      fprintf(stderr, "date_load: pthread_create: %s\n", strerror(rc));
      return 1;
    }
  }
  for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
  if (clock_gettime(CLOCK_MONOTONIC, &end) < 0) return 1;
  if (atomic_load(&failures) > 0) {
    fprintf(stderr, "date_load: %ld requests failed\n", atomic_load(&failures));
    return 1;
  }
  double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
  printf("%.1f\n", (double)total / seconds);
  return 0;
}
