/* The benchmark's C baseline: two processes pass a turn back and forth
 * through two unnamed semaphores in shared memory (ping, pong), and the
 * uncontended cost of sem_wait + sem_post in one process.
 * Usage: sem_pingpong pingpong N [CPU_A CPU_B]   prints "ns per round trip"
 *        sem_pingpong uncontended N [CPU]        prints "ns per wait+post"
 *        sem_pingpong serve SHM N                the other side of a ping-pong
 *                                                over SHM's sem_ts at 0 (ping) and 32 (pong)
 * CPUs given: each process is pinned (sched_setaffinity) to its own. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void fail(const char *call) {
  fprintf(stderr, "%s: %s (%s)\n", call, strerrorname_np(errno), strerror(errno));
  exit(EXIT_FAILURE);
}

static void pin(const char *cpu) {
  if (cpu == NULL) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(atoi(cpu), &set);
  if (sched_setaffinity(0, sizeof set, &set) == -1) fail("sched_setaffinity");
}

static void take(sem_t *sem) {
  while (sem_wait(sem) == -1)
    if (errno != EINTR) fail("sem_wait");
}

static void give(sem_t *sem) {
  if (sem_post(sem) == -1) fail("sem_post");
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char *argv[]) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s pingpong N [CPU_A CPU_B] | uncontended N [CPU] | serve SHM N\n",
            argv[0]);
    return 2;
  }
  if (strcmp(argv[1], "serve") == 0 && argc > 3) {
    int fd = shm_open(argv[2], O_RDWR, 0);
    if (fd == -1) fail("shm_open");
    sem_t *sems = mmap(NULL, 64, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (sems == MAP_FAILED) fail("mmap");
    long n = atol(argv[3]);
    printf("ready\n");
    fflush(stdout);
    for (long i = 0; i < n; i++) {
      take(&sems[0]);
      give(&sems[1]);
    }
    return 0;
  }
  long n = atol(argv[2]);
  if (strcmp(argv[1], "uncontended") == 0) {
    pin(argc > 3 ? argv[3] : NULL);
    sem_t sem;
    if (sem_init(&sem, 0, 1) == -1) fail("sem_init");
    double start = now_ns();
    for (long i = 0; i < n; i++) {
      take(&sem);
      give(&sem);
    }
    printf("%.1f ns per wait+post\n", (now_ns() - start) / (double)n);
    return 0;
  }
  /* pingpong: the semaphores in an anonymous shared mapping, a forked peer */
  sem_t *sems = mmap(NULL, 2 * sizeof(sem_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                     -1, 0);
  if (sems == MAP_FAILED) fail("mmap");
  if (sem_init(&sems[0], 1, 0) == -1 || sem_init(&sems[1], 1, 0) == -1) fail("sem_init");
  pid_t pid = fork();
  if (pid == -1) fail("fork");
  if (pid == 0) {
    pin(argc > 4 ? argv[4] : NULL);
    for (long i = 0; i < n; i++) {
      take(&sems[0]);
      give(&sems[1]);
    }
    _exit(0);
  }
  pin(argc > 3 ? argv[3] : NULL);
  double start = now_ns();
  for (long i = 0; i < n; i++) {
    give(&sems[0]);                            /* ping */
    take(&sems[1]);                            /* wait for pong */
  }
  double elapsed = now_ns() - start;
  if (waitpid(pid, NULL, 0) == -1) fail("waitpid");
  printf("%.1f ns per round trip\n", elapsed / (double)n);
  return 0;
}
