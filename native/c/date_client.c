/* The lecture's date client in C: resolve the host (getaddrinfo), socket,
 * connect (요청), read the server's line(s) until it closes, print them.
 * Usage: date_client [host (127.0.0.1)] [port (6013)] */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what) {
  fprintf(stderr, "date_client: %s: %s (%s)\n", what, strerrorname_np(errno), strerror(errno));
  exit(1);
}

int main(int argc, char *argv[]) {
  const char *host = argc > 1 ? argv[1] : "127.0.0.1";
  const char *port = argc > 2 ? argv[2] : "6013";
  struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM};
  struct addrinfo *found;
  int rc = getaddrinfo(host, port, &hints, &found);
  if (rc != 0) {
    fprintf(stderr, "date_client: getaddrinfo: %s: %s\n", host, gai_strerror(rc));
    return 1;
  }
  int sock = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  if (sock < 0) die("socket");
  if (connect(sock, found->ai_addr, found->ai_addrlen) < 0) die("connect");
  freeaddrinfo(found);
  char buffer[4096];
  ssize_t n;
  while ((n = read(sock, buffer, sizeof buffer)) > 0) {
    if (fwrite(buffer, 1, (size_t)n, stdout) != (size_t)n) die("fwrite");
  }
  if (n < 0) die("read");
  if (close(sock) < 0) die("close");
  return 0;
}
