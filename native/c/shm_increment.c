/* Two writers without synchronisation (the lost-update race): increments the
 * int at offset 0 of a POSIX shared-memory object N times. Offset 4 is a
 * start flag: it prints "ready", waits until the flag is set (so that two
 * copies really run at the same time), then counts.
 * Usage: shm_increment name N [--atomic]
 * Plain, `(*counter)++` is load, add, store: two processes interleave and
 * lose updates. --atomic uses one indivisible read-modify-write instead. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static void fail(const char *call, const char *name) {
  fprintf(stderr, "%s: %s (%s) '%s'\n", call, strerrorname_np(errno), strerror(errno), name);
  exit(EXIT_FAILURE);
}

int main(int argc, char *argv[]) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s name N [--atomic]\n", argv[0]);
    return 2;
  }
  const char *name = argv[1];
  long n = atol(argv[2]);
  int atomic = argc > 3 && strcmp(argv[3], "--atomic") == 0;
  int fd = shm_open(name, O_RDWR, 0);
  if (fd == -1) fail("shm_open", name);
  volatile int *shared = mmap(NULL, 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (shared == MAP_FAILED) fail("mmap", name);
  close(fd);

  printf("ready\n");
  fflush(stdout);
  time_t give_up = time(NULL) + 30;           /* never spin forever if nobody says go */
  while (shared[1] == 0) {
    if (time(NULL) > give_up) {
      fprintf(stderr, "%s: nobody set the start flag\n", argv[0]);
      return 1;
    }
    sched_yield();
  }
  for (long i = 0; i < n; i++) {
    if (atomic) __atomic_fetch_add(&shared[0], 1, __ATOMIC_SEQ_CST);
    else shared[0]++;                         /* load, add, store: not one step */
  }
  return 0;
}
