// signal_sender PID SIGNAL COUNT [FIRST]: sigqueue(3) COUNT signals to PID,
// the i-th carrying the value FIRST + i. Each call is checked: EAGAIN means
// the receiver's user has RLIMIT_SIGPENDING signals queued already.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_signal(const char *text) {
  if (strncmp(text, "SIGRTMIN+", 9) == 0) return SIGRTMIN + atoi(text + 9);
  if (strcmp(text, "SIGRTMIN") == 0) return SIGRTMIN;
  if (strcmp(text, "SIGUSR2") == 0) return SIGUSR2;
  if (strcmp(text, "SIGTERM") == 0) return SIGTERM;
  return atoi(text);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s PID SIGNAL COUNT [FIRST]\n", argv[0]);
    return 2;
  }
  pid_t pid = (pid_t)atoi(argv[1]);
  int sig = parse_signal(argv[2]);
  int count = atoi(argv[3]);
  int first = argc > 4 ? atoi(argv[4]) : 0;
  for (int i = 0; i < count; i++) {
    union sigval value = {.sival_int = first + i};
    if (sigqueue(pid, sig, value) == -1) {
      fprintf(stderr, "sigqueue %d of %d: %s\n", i + 1, count, strerror(errno));
      return 1;
    }
  }
  printf("sent %d\n", count);
  return 0;
}
