/* The bounded buffer (Silberschatz's producer-consumer) between processes, in
 * a POSIX shared-memory object, with three unnamed semaphores in it:
 * `empty` counts free slots, `full` filled ones, `mutex` guards in/out.
 * Layout (bytes): 0 mutex, 32 empty, 64 full (sem_t each), 96 in, 100 out,
 * 104 capacity, 108 count (only the broken version uses it), 128 the slots
 * (int each).
 * Usage: bounded_buffer SHM init CAPACITY      shm_open(O_CREAT|O_EXCL) + sem_init x3
 *        bounded_buffer SHM produce FROM COUNT [--broken]   puts FROM..FROM+COUNT-1
 *        bounded_buffer SHM consume COUNT [--broken]        takes COUNT, one per line
 *        bounded_buffer SHM unlink
 * --give-up MS (after produce/consume's counts): every wait is a sem_timedwait
 * of MS ms, and the program stops (exit 3, "gave up" on stderr) when one
 * times out, so that a test whose partner died never waits forever. Each
 * item a consumer takes is printed and flushed at once: what it printed is
 * what it took, even if it is killed afterwards.
 * --broken: the textbook's first attempt, a shared `count` and busy waiting,
 * no semaphores: count++ and count-- race, items are lost or taken twice.
 * A sched_yield() sits inside each read-modify-write: what a timer interrupt
 * does at the worst moment, made to happen often, so the race shows even on
 * a busy machine whose processes rarely run at the same instant. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

struct buffer {
  sem_t mutex, empty, full;
  int in, out, capacity, count;
  char pad[128 - 3 * sizeof(sem_t) - 4 * sizeof(int)];
  int slots[];
};

static const char *object;

static void fail(const char *call) {
  fprintf(stderr, "%s: %s (%s) '%s'\n", call, strerrorname_np(errno), strerror(errno), object);
  exit(EXIT_FAILURE);
}

static long give_up_ms = -1;                   /* --give-up MS; -1: wait for ever */

static void take(sem_t *sem) {
  if (give_up_ms < 0) {
    while (sem_wait(sem) == -1)
      if (errno != EINTR) fail("sem_wait");
    return;
  }
  struct timespec deadline;
  if (clock_gettime(CLOCK_REALTIME, &deadline) == -1) fail("clock_gettime");
  deadline.tv_sec += give_up_ms / 1000;
  deadline.tv_nsec += (give_up_ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  while (sem_timedwait(sem, &deadline) == -1) {
    if (errno == ETIMEDOUT) {
      fprintf(stderr, "gave up: waited %ld ms\n", give_up_ms);
      exit(3);
    }
    if (errno != EINTR) fail("sem_timedwait");
  }
}

static void give(sem_t *sem) {
  if (sem_post(sem) == -1) fail("sem_post");
}

static struct buffer *map(int create, int capacity) {
  int fd = shm_open(object, create ? O_CREAT | O_EXCL | O_RDWR : O_RDWR, 0600);
  if (fd == -1) fail("shm_open");
  size_t size = sizeof(struct buffer) + (size_t)capacity * sizeof(int);
  if (create) {
    if (ftruncate(fd, (off_t)size) == -1) fail("ftruncate");
  } else {
    struct buffer head;
    if (pread(fd, &head, sizeof head, 0) != (ssize_t)sizeof head) fail("pread");
    size = sizeof(struct buffer) + (size_t)head.capacity * sizeof(int);
  }
  struct buffer *b = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (b == MAP_FAILED) fail("mmap");
  close(fd);
  return b;
}

static int timed_out(time_t give_up) {
  if (time(NULL) <= give_up) return 0;
  fprintf(stderr, "gave up: waited 3 s\n");
  return 1;
}

int main(int argc, char *argv[]) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s SHM init CAP | produce FROM COUNT [--broken] | "
                    "consume COUNT [--broken] | unlink\n", argv[0]);
    return 2;
  }
  object = argv[1];
  const char *command = argv[2];
  int broken = 0;
  for (int i = 3; i < argc; i++) {
    if (strcmp(argv[i], "--broken") == 0) broken = 1;
    if (strcmp(argv[i], "--give-up") == 0 && i + 1 < argc) give_up_ms = atol(argv[i + 1]);
  }
  if (strcmp(command, "init") == 0 && argc > 3) {
    int capacity = atoi(argv[3]);
    struct buffer *b = map(1, capacity);
    b->capacity = capacity;
    if (sem_init(&b->mutex, 1, 1) == -1) fail("sem_init");
    if (sem_init(&b->empty, 1, (unsigned)capacity) == -1) fail("sem_init");
    if (sem_init(&b->full, 1, 0) == -1) fail("sem_init");
  } else if (strcmp(command, "produce") == 0 && argc > 4) {
    struct buffer *b = map(0, 0);
    int from = atoi(argv[3]), count = atoi(argv[4]);
    time_t give_up = time(NULL) + 3;
    for (int item = from; item < from + count; item++) {
      if (broken) {
        while (b->count == b->capacity) {      /* busy wait: no semaphore */
          if (timed_out(give_up)) return 1;
          sched_yield();
        }
        int in = b->in;
        b->slots[in] = item;
        b->in = (in + 1) % b->capacity;
        int c = b->count;                      /* count++ is load, add, store: */
        sched_yield();                         /* the other side runs in between */
        b->count = c + 1;
      } else {
        take(&b->empty);                       /* wait for a free slot */
        take(&b->mutex);
        b->slots[b->in] = item;
        b->in = (b->in + 1) % b->capacity;
        give(&b->mutex);
        give(&b->full);                        /* one more item to take */
      }
    }
  } else if (strcmp(command, "consume") == 0 && argc > 3) {
    struct buffer *b = map(0, 0);
    int count = atoi(argv[3]);
    time_t give_up = time(NULL) + 3;
    for (int i = 0; i < count; i++) {
      int item;
      if (broken) {
        while (b->count == 0) {
          if (timed_out(give_up)) return 1;
          sched_yield();
        }
        int out = b->out;                      /* two consumers may read the same slot */
        sched_yield();
        item = b->slots[out];
        b->out = (out + 1) % b->capacity;
        int c = b->count;
        sched_yield();
        b->count = c - 1;
      } else {
        take(&b->full);                        /* wait for an item */
        take(&b->mutex);
        item = b->slots[b->out];
        b->out = (b->out + 1) % b->capacity;
        give(&b->mutex);
        give(&b->empty);                       /* one more free slot */
      }
      printf("%d\n", item);
      fflush(stdout);
    }
  } else if (strcmp(command, "unlink") == 0) {
    if (shm_unlink(object) == -1) fail("shm_unlink");
  } else {
    fprintf(stderr, "%s: bad command\n", argv[0]);
    return 2;
  }
  return 0;
}
