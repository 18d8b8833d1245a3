/* The C baseline of `npm run bench -- socket`: two processes (fork) over a
 * real socket. Prints one number.
 *   socket_bench pingpong tcp|unix ROUNDS   µs per 1-byte round trip
 *   socket_bench throughput MIB CHUNK       MB/s of CHUNK-byte writes over TCP
 * TCP runs over 127.0.0.1 (a listener on port 0, TCP_NODELAY on both ends);
 * Unix over a listener in the abstract namespace. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
  fprintf(stderr, "socket_bench: %s: %s (%s)\n", what, strerrorname_np(errno), strerror(errno));
  exit(1);
}

static double now_us(void) {
  struct timespec t;
  if (clock_gettime(CLOCK_MONOTONIC, &t) < 0) die("clock_gettime");
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* A listener, and the address a client connects to. */
static int listener(int unix_domain, struct sockaddr_storage *address, socklen_t *length) {
  int sock = socket(unix_domain ? AF_UNIX : AF_INET, SOCK_STREAM, 0);
  if (sock < 0) die("socket");
  memset(address, 0, sizeof *address);
  if (unix_domain) {
    struct sockaddr_un *un = (struct sockaddr_un *)address;
    un->sun_family = AF_UNIX;
    int n = snprintf(un->sun_path + 1, sizeof un->sun_path - 1, "ipc-lab-bench-%d", (int)getpid());
    *length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
  } else {
    struct sockaddr_in *in = (struct sockaddr_in *)address;
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    *length = sizeof *in;
  }
  if (bind(sock, (struct sockaddr *)address, *length) < 0) die("bind");
  if (!unix_domain && getsockname(sock, (struct sockaddr *)address, length) < 0) die("getsockname");
  if (listen(sock, 1) < 0) die("listen");
  return sock;
}

static void nodelay(int sock, int unix_domain) {
  int on = 1;
  if (!unix_domain && setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) < 0) die("setsockopt");
}

static int client(int unix_domain, struct sockaddr_storage *address, socklen_t length) {
  int sock = socket(unix_domain ? AF_UNIX : AF_INET, SOCK_STREAM, 0);
  if (sock < 0) die("socket");
  if (connect(sock, (struct sockaddr *)address, length) < 0) die("connect");
  nodelay(sock, unix_domain);
  return sock;
}

static void reap(pid_t pid) {
  int status;
  if (waitpid(pid, &status, 0) < 0) die("waitpid");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "socket_bench: the peer failed\n");
    exit(1);
  }
}

static int pingpong(int unix_domain, long rounds) {
  struct sockaddr_storage address;
  socklen_t length;
  int sock = listener(unix_domain, &address, &length);
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) { /* the echo peer */
    int peer = client(unix_domain, &address, length);
    char byte;
    ssize_t n;
    while ((n = read(peer, &byte, 1)) == 1) {
      if (write(peer, &byte, 1) != 1) die("write");
    }
    if (n < 0) die("read");
    _exit(0);
  }
  int conn = accept(sock, NULL, NULL);
  if (conn < 0) die("accept");
  nodelay(conn, unix_domain);
  char byte = 'p';
  double start = 0;
  const long warmup = 1000;
  for (long i = -warmup; i < rounds; i++) {
    if (i == 0) start = now_us();
    if (write(conn, &byte, 1) != 1) die("write");
    if (read(conn, &byte, 1) != 1) die("read");
  }
  double elapsed = now_us() - start;
  if (close(conn) < 0 || close(sock) < 0) die("close");
  reap(pid);
  printf("%.3f\n", elapsed / (double)rounds);
  return 0;
}

static int throughput(long mib, long chunk) {
  struct sockaddr_storage address;
  socklen_t length;
  int sock = listener(0, &address, &length);
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) { /* the sink: reads until end of file, answers with the byte count */
    int peer = client(0, &address, length);
    char *buffer = malloc((size_t)chunk);
    if (buffer == NULL) die("malloc");
    double total = 0;
    ssize_t n;
    while ((n = read(peer, buffer, (size_t)chunk)) > 0) total += (double)n;
    if (n < 0) die("read");
    if (write(peer, &total, sizeof total) != (ssize_t)sizeof total) die("write");
    _exit(0);
  }
  int conn = accept(sock, NULL, NULL);
  if (conn < 0) die("accept");
  char *buffer = malloc((size_t)chunk);
  if (buffer == NULL) die("malloc");
  memset(buffer, 'x', (size_t)chunk);
  double total = (double)mib * 1024 * 1024;
  double start = now_us();
  for (double sent = 0; sent < total;) {
    ssize_t n = write(conn, buffer, (size_t)chunk);
    if (n < 0) die("write");
    sent += (double)n;
  }
  if (shutdown(conn, SHUT_WR) < 0) die("shutdown");
  double got = 0;
  if (read(conn, &got, sizeof got) != (ssize_t)sizeof got) die("read");
  double seconds = (now_us() - start) / 1e6;
  if (got != total) {
    fprintf(stderr, "socket_bench: the sink read %.0f of %.0f bytes\n", got, total);
    return 1;
  }
  if (close(conn) < 0 || close(sock) < 0) die("close");
  reap(pid);
  printf("%.3f\n", total / seconds / 1e6);
  return 0;
}

int main(int argc, char *argv[]) {
  if (argc == 4 && strcmp(argv[1], "pingpong") == 0) {
    return pingpong(strcmp(argv[2], "unix") == 0, atol(argv[3]));
  }
  if (argc == 4 && strcmp(argv[1], "throughput") == 0) return throughput(atol(argv[2]), atol(argv[3]));
  fprintf(stderr, "usage: socket_bench pingpong tcp|unix ROUNDS | throughput MIB CHUNK\n");
  return 2;
}
