// signal_unsafe broken|fixed: async-signal safety.
//   broken: a SIGALRM handler calls malloc/free (not async-signal-safe) while
//           main is inside malloc/free. malloc holds its arena lock; the
//           handler, on the same thread, waits for that lock forever: the
//           program hangs (a deadlock with itself).
//   fixed:  the handler only sets a volatile sig_atomic_t flag; main does
//           the work (the allocation) when it sees the flag.
// A second thread that only sleeps makes the program multithreaded, as most
// real programs are (glibc's malloc skips its lock in a single-threaded one).
// Both run for ROUNDS timer ticks (a 1 ms interval timer) and print "done".
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#define ROUNDS 2000

static volatile sig_atomic_t ticks = 0, flag = 0;
static int broken;

static void on_alarm(int sig) {
  (void)sig;
  if (ticks < ROUNDS) ticks = ticks + 1;  // the timer runs on until exit: count ROUNDS only
  if (broken) {
    void *p = malloc(4096);  // WRONG: malloc is not async-signal-safe
    free(p);
  } else {
    flag = 1;  // right: set a flag, nothing else
  }
}

static void *sleeper(void *arg) {
  (void)arg;
  for (;;) pause();
  return NULL;
}

int main(int argc, char **argv) {
  pthread_t thread;
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);  // the sleeper takes no signal
  if (pthread_create(&thread, NULL, sleeper, NULL) != 0) {
    fprintf(stderr, "pthread_create failed\n");
    return 1;
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  broken = argc > 1 && strcmp(argv[1], "broken") == 0;
  struct sigaction action = {0};
  action.sa_handler = on_alarm;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  if (sigaction(SIGALRM, &action, NULL) == -1) {
    perror("sigaction");
    return 1;
  }
  struct itimerval timer = {{0, 1000}, {0, 1000}};
  if (setitimer(ITIMER_REAL, &timer, NULL) == -1) {
    perror("setitimer");
    return 1;
  }
  printf("%s: running %d timer ticks\n", broken ? "broken" : "fixed", ROUNDS);
  fflush(stdout);
  unsigned long work = 0;
  while (ticks < ROUNDS) {
    // main allocates all the time (sizes past the per-thread cache, so
    // malloc takes its arena lock)
    void *p = malloc(2048 + (work % 4096));
    if (p == NULL) return 1;
    memset(p, 1, 16);
    free(p);
    if (flag) {
      flag = 0;
      void *q = malloc(4096);  // the handler's work, done safely here
      free(q);
    }
    work++;
  }
  printf("done: %d ticks handled\n", (int)ticks);
  return 0;
}
