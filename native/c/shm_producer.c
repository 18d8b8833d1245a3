/* The textbook's POSIX shared-memory producer (OSC 3.16): creates the object
 * "/OS" of 4096 bytes and writes "Hello" then "Shared Memory" into it,
 * advancing the pointer like a seek. Usage: shm_producer [name]
 * Every call is checked, TLPI style: a failure names the call and the errno. */
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
  const int SIZE = 4096;                      /* the size of the object, in bytes */
  const char *name = argc > 1 ? argv[1] : "/OS";
  const char *message_0 = "Hello";
  const char *message_1 = "Shared Memory";

  int fd = shm_open(name, O_CREAT | O_RDWR, 0666);
  if (fd == -1) fail("shm_open", name);
  if (ftruncate(fd, SIZE) == -1) fail("ftruncate", name);
  char *ptr = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (ptr == MAP_FAILED) fail("mmap", name);

  sprintf(ptr, "%s", message_0);
  ptr += strlen(message_0);                   /* like a seek: the next write goes after */
  sprintf(ptr, "%s", message_1);
  ptr += strlen(message_1);
  return 0;
}
