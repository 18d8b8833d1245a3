/* The textbook's POSIX shared-memory consumer (OSC 3.16): maps "/OS"
 * read-only, prints what the producer wrote, and removes the object.
 * Usage: shm_consumer [--unchecked] [name]
 *
 * Checked (the default), a missing object is an error message and exit 1.
 * --unchecked is the textbook code as printed, without checks: run after the
 * object was unlinked, shm_open returns -1, mmap then fails and returns
 * MAP_FAILED ((void *) -1), and printf reads through it: SIGSEGV. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void fail(const char *call, const char *name) {
  fprintf(stderr, "%s: %s (%s) '%s'\n", call, strerrorname_np(errno), strerror(errno), name);
  exit(EXIT_FAILURE);
}

int main(int argc, char *argv[]) {
  const int SIZE = 4096;
  int checked = 1;
  const char *name = "/OS";
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--unchecked") == 0) checked = 0;
    else name = argv[i];
  }

  int fd = shm_open(name, O_RDONLY, 0666);
  if (checked && fd == -1) fail("shm_open", name);
  char *ptr = mmap(0, SIZE, PROT_READ, MAP_SHARED, fd, 0);
  if (checked && ptr == MAP_FAILED) fail("mmap", name);

  printf("%s\n", ptr);                        /* --unchecked: reads address -1 */
  fflush(stdout);
  if (shm_unlink(name) == -1 && checked) fail("shm_unlink", name);
  return 0;
}
