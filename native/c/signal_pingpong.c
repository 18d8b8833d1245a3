// signal_pingpong ROUNDS: the benchmark's C baseline. A parent and a forked
// child bounce a real-time signal ROUNDS times: the parent sigqueues
// SIGRTMIN+1 to the child with the round number, the child, waiting in
// sigwaitinfo, answers SIGRTMIN with the same value. Prints the mean round
// trip in microseconds.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int wait_for(const sigset_t *set, siginfo_t *info) {
  for (;;) {
    int sig = sigwaitinfo(set, info);
    if (sig > 0) return sig;
    // EINTR: try again
  }
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 20000;
  int warmup = 1000;
  sigset_t both;
  sigemptyset(&both);
  sigaddset(&both, SIGRTMIN);
  sigaddset(&both, SIGRTMIN + 1);
  if (sigprocmask(SIG_BLOCK, &both, NULL) == -1) {  // inherited by the child
    perror("sigprocmask");
    return 1;
  }
  pid_t parent = getpid();
  pid_t child = fork();
  if (child == -1) {
    perror("fork");
    return 1;
  }
  siginfo_t info;
  sigset_t ping, pong;
  sigemptyset(&ping);
  sigaddset(&ping, SIGRTMIN + 1);
  sigemptyset(&pong);
  sigaddset(&pong, SIGRTMIN);
  if (child == 0) {
    for (int i = 0; i < rounds + warmup; i++) {
      wait_for(&ping, &info);
      if (sigqueue(parent, SIGRTMIN, info.si_value) == -1) {
        perror("sigqueue");
        _exit(1);
      }
    }
    _exit(0);
  }
  double start = 0;
  for (int i = -warmup; i < rounds; i++) {
    if (i == 0) start = now_us();
    union sigval value = {.sival_int = i};
    if (sigqueue(child, SIGRTMIN + 1, value) == -1) {
      perror("sigqueue");
      return 1;
    }
    wait_for(&pong, &info);
    if (info.si_value.sival_int != i) {
      fprintf(stderr, "round %d: got value %d\n", i, info.si_value.sival_int);
      return 1;
    }
  }
  double elapsed = now_us() - start;
  int status;
  if (waitpid(child, &status, 0) == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "child failed\n");
    return 1;
  }
  printf("%.3f\n", elapsed / rounds);
  return 0;
}
