// signal_receiver [--handler] SIGNAL COUNT: receives COUNT signals and prints
// each one's siginfo (signo, code, sender pid, value).
//   default:   blocks SIGNAL and takes each with sigwaitinfo(2): synchronous,
//              no handler, nothing async-signal-unsafe to worry about.
//   --handler: a sigaction(2) SA_SIGINFO handler that only copies the
//              siginfo (async-signal-safe); main sleeps in sigsuspend.
// It prints "ready PID" once it can receive, so a sender knows when to start.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX 1024
static siginfo_t infos[MAX];
static volatile sig_atomic_t caught = 0;

static void record(int sig, siginfo_t *info, void *context) {
  (void)sig;
  (void)context;
  if (caught < MAX) infos[caught] = *info;
  caught = caught + 1;
}

static int parse_signal(const char *text) {
  if (strncmp(text, "SIGRTMIN+", 9) == 0) return SIGRTMIN + atoi(text + 9);
  if (strcmp(text, "SIGRTMIN") == 0) return SIGRTMIN;
  if (strcmp(text, "SIGUSR2") == 0) return SIGUSR2;
  return atoi(text);
}

static const char *code_name(int code) {
  return code == SI_QUEUE ? "SI_QUEUE" : code == SI_USER ? "SI_USER" : "other";
}

int main(int argc, char **argv) {
  int handler = argc > 1 && strcmp(argv[1], "--handler") == 0;
  if (argc < 3 + handler) {
    fprintf(stderr, "usage: %s [--handler] SIGNAL COUNT\n", argv[0]);
    return 2;
  }
  int sig = parse_signal(argv[1 + handler]);
  int count = atoi(argv[2 + handler]);
  if (count > MAX) count = MAX;
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, sig);
  if (handler) {
    struct sigaction action = {0};
    action.sa_sigaction = record;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    if (sigaction(sig, &action, NULL) == -1) {
      perror("sigaction");
      return 1;
    }
  }
  // Blocked first, in both ways: nothing may arrive before we are ready.
  if (sigprocmask(SIG_BLOCK, &set, &old) == -1) {
    perror("sigprocmask");
    return 1;
  }
  printf("ready %d\n", (int)getpid());
  fflush(stdout);
  for (int i = 0; i < count; i++) {
    siginfo_t info;
    if (handler) {
      while (caught <= i) sigsuspend(&old);  // atomically unblock and sleep
      info = infos[i];
    } else if (sigwaitinfo(&set, &info) == -1) {
      if (errno == EINTR) {
        i--;
        continue;
      }
      perror("sigwaitinfo");
      return 1;
    }
    printf("signo=%d code=%s pid=%d value=%d\n", info.si_signo, code_name(info.si_code),
           (int)info.si_pid, info.si_code == SI_QUEUE ? info.si_value.sival_int : 0);
  }
  return 0;
}
