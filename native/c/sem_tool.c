/* The textbook calls of a POSIX named semaphore, one per command, every call
 * checked (for the chapter and for the library's cross-process tests).
 * Usage: sem_tool NAME create VALUE   sem_open(O_CREAT | O_EXCL, 0600, VALUE)
 *        sem_tool NAME post           sem_post
 *        sem_tool NAME wait [MS]      sem_wait, or sem_timedwait of MS ms
 *        sem_tool NAME trywait        sem_trywait (exit 1 if it would block)
 *        sem_tool NAME value          sem_getvalue
 *        sem_tool NAME hold           sem_wait, print "holding", then sleep
 *                                     until killed (the holder that dies)
 *        sem_tool NAME unlink         sem_unlink
 * Errors print as the library prints them: "call: CODE (reason) 'NAME'". */
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *name;

static void fail(const char *call) {
  fprintf(stderr, "%s: %s (%s) '%s'\n", call, strerrorname_np(errno), strerror(errno), name);
  exit(EXIT_FAILURE);
}

static sem_t *open_existing(void) {
  sem_t *sem = sem_open(name, 0);
  if (sem == SEM_FAILED) fail("sem_open");
  return sem;
}

int main(int argc, char *argv[]) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s NAME create VALUE|post|wait [MS]|trywait|value|hold|unlink\n", argv[0]);
    return 2;
  }
  name = argv[1];
  const char *command = argv[2];
  if (strcmp(command, "create") == 0) {
    unsigned value = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 0;
    sem_t *sem = sem_open(name, O_CREAT | O_EXCL, 0600, value);
    if (sem == SEM_FAILED) fail("sem_open");
    if (sem_close(sem) == -1) fail("sem_close");
  } else if (strcmp(command, "post") == 0) {
    sem_t *sem = open_existing();
    if (sem_post(sem) == -1) fail("sem_post");
    printf("posted\n");
  } else if (strcmp(command, "wait") == 0) {
    sem_t *sem = open_existing();
    if (argc > 3) {
      long ms = atol(argv[3]);
      struct timespec deadline;                /* absolute, on CLOCK_REALTIME */
      if (clock_gettime(CLOCK_REALTIME, &deadline) == -1) fail("clock_gettime");
      deadline.tv_sec += ms / 1000;
      deadline.tv_nsec += (ms % 1000) * 1000000L;
      if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
      }
      while (sem_timedwait(sem, &deadline) == -1) {
        if (errno != EINTR) fail("sem_timedwait");
      }
    } else {
      while (sem_wait(sem) == -1) {
        if (errno != EINTR) fail("sem_wait");
      }
    }
    printf("took\n");
  } else if (strcmp(command, "trywait") == 0) {
    sem_t *sem = open_existing();
    if (sem_trywait(sem) == -1) {
      if (errno != EAGAIN) fail("sem_trywait");
      printf("would block\n");
      return 1;
    }
    printf("took\n");
  } else if (strcmp(command, "value") == 0) {
    sem_t *sem = open_existing();
    int value;
    if (sem_getvalue(sem, &value) == -1) fail("sem_getvalue");
    printf("%d\n", value);
  } else if (strcmp(command, "hold") == 0) {
    sem_t *sem = open_existing();
    while (sem_wait(sem) == -1) {
      if (errno != EINTR) fail("sem_wait");
    }
    printf("holding\n");
    fflush(stdout);
    for (;;) pause();                          /* until killed: it never posts */
  } else if (strcmp(command, "unlink") == 0) {
    if (sem_unlink(name) == -1) fail("sem_unlink");
  } else {
    fprintf(stderr, "%s: unknown command '%s'\n", argv[0], command);
    return 2;
  }
  return 0;
}
