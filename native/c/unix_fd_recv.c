/* Passing a descriptor (SCM_RIGHTS) over a Unix-domain socket: connects to
 * the listener at PATH, receives one descriptor with recvmsg, and writes a
 * line into it: the same open file the sender has, under a new number here.
 * With --hold it keeps the descriptor until the sender closes the connection
 * (so that /proc/PID/fd can be looked at meanwhile).
 * Usage: unix_fd_recv PATH [--hold] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *what) {
  fprintf(stderr, "unix_fd_recv: %s: %s (%s)\n", what, strerrorname_np(errno), strerror(errno));
  exit(1);
}

int main(int argc, char *argv[]) {
  int hold = argc == 3 && strcmp(argv[2], "--hold") == 0;
  if (argc != 2 && !hold) {
    fprintf(stderr, "usage: unix_fd_recv PATH [--hold]\n");
    return 2;
  }
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  if (strlen(argv[1]) >= sizeof address.sun_path) {
    fprintf(stderr, "unix_fd_recv: path too long\n");
    return 2;
  }
  strcpy(address.sun_path, argv[1]);
  int sock = socket(AF_UNIX, SOCK_STREAM, 0);
  if (sock < 0) die("socket");
  if (connect(sock, (struct sockaddr *)&address, sizeof address) < 0) die("connect");
  char byte;
  struct iovec iov = {.iov_base = &byte, .iov_len = 1};
  union {
    struct cmsghdr header;
    char space[CMSG_SPACE(sizeof(int))];
  } control;
  struct msghdr message = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.space,
                           .msg_controllen = sizeof control.space};
  ssize_t n = recvmsg(sock, &message, 0);
  if (n < 0) die("recvmsg");
  struct cmsghdr *header = CMSG_FIRSTHDR(&message);
  if (n == 0 || header == NULL || header->cmsg_type != SCM_RIGHTS) {
    fprintf(stderr, "unix_fd_recv: no descriptor came\n");
    return 1;
  }
  int fd;
  memcpy(&fd, CMSG_DATA(header), sizeof fd);
  char line[128];
  int length = snprintf(line, sizeof line, "written by C (pid %d) into the descriptor it got as fd %d\n",
                        (int)getpid(), fd);
  if (write(fd, line, (size_t)length) != length) die("write");
  while (hold && (n = read(sock, &byte, 1)) > 0) {
  }
  if (n < 0) die("read");
  if (close(fd) < 0) die("close");
  if (close(sock) < 0) die("close");
  return 0;
}
