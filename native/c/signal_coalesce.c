// signal_coalesce: block SIGUSR2 and SIGRTMIN, send each to ourselves ten
// times, look at what the kernel holds (SigPnd/ShdPnd in /proc/self/status),
// unblock, and count what the handler saw: standard signals merge into one
// pending bit; real-time signals queue, each with its value.
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t standard = 0, realtime = 0;

static void count(int sig) {
  if (sig == SIGUSR2) standard = standard + 1;
  else realtime = realtime + 1;
}

static void show_pending(void) {
  char line[256];
  FILE *status = fopen("/proc/self/status", "r");
  if (status == NULL) {
    perror("fopen");
    return;
  }
  while (fgets(line, sizeof line, status) != NULL) {
    if (strncmp(line, "SigQ", 4) == 0 || strncmp(line, "ShdPnd", 6) == 0 ||
        strncmp(line, "SigBlk", 6) == 0)
      fputs(line, stdout);
  }
  fclose(status);
}

int main(void) {
  struct sigaction action = {0};
  action.sa_handler = count;
  sigemptyset(&action.sa_mask);
  if (sigaction(SIGUSR2, &action, NULL) == -1 || sigaction(SIGRTMIN, &action, NULL) == -1) {
    perror("sigaction");
    return 1;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigaddset(&set, SIGRTMIN);
  if (sigprocmask(SIG_BLOCK, &set, NULL) == -1) {
    perror("sigprocmask");
    return 1;
  }
  for (int i = 0; i < 10; i++) {
    union sigval value = {.sival_int = i};
    if (sigqueue(getpid(), SIGUSR2, value) == -1 || sigqueue(getpid(), SIGRTMIN, value) == -1) {
      perror("sigqueue");
      return 1;
    }
  }
  printf("sent 10 x SIGUSR2 and 10 x SIGRTMIN while blocked:\n");
  show_pending();
  if (sigprocmask(SIG_UNBLOCK, &set, NULL) == -1) {
    perror("sigprocmask");
    return 1;
  }
  printf("after unblocking: SIGUSR2 handled %d time(s), SIGRTMIN handled %d time(s)\n",
         (int)standard, (int)realtime);
  return 0;
}
