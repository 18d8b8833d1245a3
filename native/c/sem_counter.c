/* Chapter 01's lost update, fixed: increments the int at offset 0 of a POSIX
 * shared-memory object N times, each increment a critical section guarded by
 * a semaphore. Offset 4 is the start flag (as in shm_increment); offset 8
 * holds an unnamed semaphore (a sem_t, 32 bytes) when one is used.
 * Usage: sem_counter SHM N none            no lock: updates are lost
 *        sem_counter SHM N named NAME      sem_open(NAME): a named semaphore
 *        sem_counter SHM N unnamed         the sem_t at offset 8 (sem_init pshared=1
 *                                          done by whoever created the object)
 *        sem_counter SHM N sysv SEMID      semaphore 0 of a System V set, SEM_UNDO
 *        sem_counter SHM init              sem_init(offset 8, pshared=1, 1) */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <time.h>
#include <unistd.h>

#define SIZE 64                                /* counter, flag, sem_t at 8 */

static const char *object;

static void fail(const char *call, const char *what) {
  fprintf(stderr, "%s: %s (%s) '%s'\n", call, strerrorname_np(errno), strerror(errno), what);
  exit(EXIT_FAILURE);
}

static void sysv_op(int id, short op) {
  struct sembuf sop = {.sem_num = 0, .sem_op = op, .sem_flg = SEM_UNDO};
  while (semop(id, &sop, 1) == -1)
    if (errno != EINTR) fail("semop", "set");
}

int main(int argc, char *argv[]) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s SHM N none|named NAME|unnamed|sysv SEMID  |  %s SHM init\n",
            argv[0], argv[0]);
    return 2;
  }
  object = argv[1];
  int fd = shm_open(object, O_RDWR, 0);
  if (fd == -1) fail("shm_open", object);
  char *base = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) fail("mmap", object);
  close(fd);
  volatile int *shared = (volatile int *)base;
  sem_t *unnamed = (sem_t *)(base + 8);
  if (strcmp(argv[2], "init") == 0) {
    if (sem_init(unnamed, 1, 1) == -1) fail("sem_init", object);
    return 0;
  }
  long n = atol(argv[2]);
  const char *mode = argc > 3 ? argv[3] : "none";
  sem_t *lock = NULL;
  int semid = -1;
  if (strcmp(mode, "named") == 0 && argc > 4) {
    lock = sem_open(argv[4], 0);
    if (lock == SEM_FAILED) fail("sem_open", argv[4]);
  } else if (strcmp(mode, "unnamed") == 0) {
    lock = unnamed;
  } else if (strcmp(mode, "sysv") == 0 && argc > 4) {
    semid = atoi(argv[4]);
  } else if (strcmp(mode, "none") != 0) {
    fprintf(stderr, "%s: unknown mode '%s'\n", argv[0], mode);
    return 2;
  }

  printf("ready\n");
  fflush(stdout);
  time_t give_up = time(NULL) + 30;            /* never spin forever if nobody says go */
  while (shared[1] == 0) {
    if (time(NULL) > give_up) {
      fprintf(stderr, "%s: nobody set the start flag\n", argv[0]);
      return 1;
    }
    sched_yield();
  }
  for (long i = 0; i < n; i++) {
    if (lock != NULL) {
      while (sem_wait(lock) == -1)
        if (errno != EINTR) fail("sem_wait", object);
    } else if (semid >= 0) {
      sysv_op(semid, -1);
    }
    shared[0]++;                               /* the critical section (임계 구역) */
    if (lock != NULL) {
      if (sem_post(lock) == -1) fail("sem_post", object);
    } else if (semid >= 0) {
      sysv_op(semid, +1);
    }
  }
  return 0;
}
