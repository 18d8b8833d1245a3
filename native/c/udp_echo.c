/* UDP: no connection, one datagram per recvfrom. Binds 127.0.0.1:PORT,
 * prints the port, then answers COUNT datagrams, each sent back upper-cased
 * to whoever sent it (recvfrom tells who). Message boundaries are kept: one
 * sendto, one recvfrom. Usage: udp_echo [port (0: any)] [count (1)] */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what) {
  fprintf(stderr, "udp_echo: %s: %s (%s)\n", what, strerrorname_np(errno), strerror(errno));
  exit(1);
}

int main(int argc, char *argv[]) {
  int port = argc > 1 ? atoi(argv[1]) : 0;
  long count = argc > 2 ? atol(argv[2]) : 1;
  int sock = socket(AF_INET, SOCK_DGRAM, 0);
  if (sock < 0) die("socket");
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(sock, (struct sockaddr *)&address, sizeof address) < 0) die("bind");
  socklen_t length = sizeof address;
  if (getsockname(sock, (struct sockaddr *)&address, &length) < 0) die("getsockname");
  printf("port %d\n", ntohs(address.sin_port));
  if (fflush(stdout) == EOF) die("fflush");
  for (long i = 0; i < count; i++) {
    char datagram[65536];
    struct sockaddr_in peer;
    socklen_t peer_length = sizeof peer;
    ssize_t n = recvfrom(sock, datagram, sizeof datagram, 0, (struct sockaddr *)&peer, &peer_length);
    if (n < 0) die("recvfrom");
    for (ssize_t k = 0; k < n; k++) datagram[k] = (char)toupper((unsigned char)datagram[k]);
    if (sendto(sock, datagram, (size_t)n, 0, (struct sockaddr *)&peer, peer_length) < 0) die("sendto");
  }
  if (close(sock) < 0) die("close");
  return 0;
}
