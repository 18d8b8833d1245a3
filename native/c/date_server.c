/* The lecture's date server in C: socket, bind (주소 할당), listen (요청 대기),
 * then accept (수락) one client at a time, write the date, close. It prints
 * "I am listening" once and "New client is connected" for each client, and
 * survives clients that vanish (a reset, a closed peer: EPIPE is reported,
 * not fatal, because SIGPIPE is ignored).
 * Usage: date_server [port (6013; 0: any free one)] [clients (0: forever)] */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
  fprintf(stderr, "date_server: %s: %s (%s)\n", what, strerrorname_np(errno), strerror(errno));
  exit(1);
}

int main(int argc, char *argv[]) {
  int port = argc > 1 ? atoi(argv[1]) : 6013;
  long clients = argc > 2 ? atol(argv[2]) : 0;
  if (port < 0 || port > 65535) {
    fprintf(stderr, "date_server: port must be between 0 and 65535, got %s\n", argv[1]);
    return 2;
  }
  if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) die("signal");
  int sock = socket(AF_INET, SOCK_STREAM, 0);
  if (sock < 0) die("socket");
  int on = 1;
  if (setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0) die("setsockopt");
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                                .sin_addr.s_addr = htonl(INADDR_ANY)};
  if (bind(sock, (struct sockaddr *)&address, sizeof address) < 0) die("bind");
  if (listen(sock, 128) < 0) die("listen");
  socklen_t length = sizeof address;
  if (getsockname(sock, (struct sockaddr *)&address, &length) < 0) die("getsockname");
  printf("I am listening on port %d\n", ntohs(address.sin_port));
  if (fflush(stdout) == EOF) die("fflush");
  for (long served = 0; clients == 0 || served < clients; served++) {
    int client = accept(sock, NULL, NULL);
    if (client < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) {
        fprintf(stderr, "date_server: accept: %s (going on)\n", strerrorname_np(errno));
        served--;
        continue;
      }
      die("accept");
    }
    printf("New client is connected\n");
    if (fflush(stdout) == EOF) die("fflush");
    char date[64];
    time_t now = time(NULL);
    struct tm local;
    if (localtime_r(&now, &local) == NULL) die("localtime_r");
    /* The shape of Java's Date.toString(): Thu Dec 03 08:40:00 UTC 2026 */
    size_t n = strftime(date, sizeof date, "%a %b %d %H:%M:%S %Z %Y\n", &local);
    if (n == 0) die("strftime");
    if (write(client, date, n) < 0) {
      fprintf(stderr, "date_server: write: %s (client gone; going on)\n", strerrorname_np(errno));
    }
    if (close(client) < 0) die("close");
  }
  if (close(sock) < 0) die("close");
  return 0;
}
