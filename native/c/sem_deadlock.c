/* Deadlock (교착 상태) with two named semaphores taken in opposite orders.
 * Usage: sem_deadlock A B [--ordered]
 * Takes A, sleeps 200 ms so that the other copy takes its first one too,
 * then asks for B, giving up after 2 s
 * (sem_timedwait) so that the demonstration ends. Started as
 * `sem_deadlock /a /b` and `sem_deadlock /b /a`, each holds what the other
 * wants: both give up. With --ordered each copy takes the two in one global
 * order (the smaller name first), so the second simply waits for the first.
 * A and B must exist with value 1. */
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void fail(const char *call, const char *name) {
  fprintf(stderr, "%s: %s (%s) '%s'\n", call, strerrorname_np(errno), strerror(errno), name);
  exit(EXIT_FAILURE);
}

static sem_t *open_sem(const char *name) {
  sem_t *sem = sem_open(name, 0);
  if (sem == SEM_FAILED) fail("sem_open", name);
  return sem;
}

/* sem_timedwait of `ms`: 0 if taken, -1 if the time ran out. */
static int take(sem_t *sem, const char *name, long ms) {
  struct timespec deadline;
  if (clock_gettime(CLOCK_REALTIME, &deadline) == -1) fail("clock_gettime", name);
  deadline.tv_sec += ms / 1000;
  deadline.tv_nsec += (ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  while (sem_timedwait(sem, &deadline) == -1) {
    if (errno == ETIMEDOUT) return -1;
    if (errno != EINTR) fail("sem_timedwait", name);
  }
  return 0;
}

int main(int argc, char *argv[]) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s A B [--ordered]\n", argv[0]);
    return 2;
  }
  const char *first = argv[1], *second = argv[2];
  int ordered = argc > 3 && strcmp(argv[3], "--ordered") == 0;
  if (ordered && strcmp(first, second) > 0) {  /* one global order for everyone */
    const char *swap = first;
    first = second;
    second = swap;
  }
  sem_t *a = open_sem(first), *b = open_sem(second);
  if (take(a, first, 10000) == -1) {
    printf("pid %d: could not take %s\n", getpid(), first);
    return 1;
  }
  printf("pid %d: holds %s, wants %s\n", getpid(), first, second);
  fflush(stdout);
  if (!ordered) usleep(200 * 1000);            /* let the other copy take its first one */
  if (take(b, second, 2000) == -1) {
    printf("pid %d: DEADLOCK: waited 2 s for %s while holding %s\n", getpid(), second, first);
    if (sem_post(a) == -1) fail("sem_post", first);
    return 1;
  }
  printf("pid %d: holds both\n", getpid());
  if (sem_post(b) == -1) fail("sem_post", second);
  if (sem_post(a) == -1) fail("sem_post", first);
  return 0;
}
