/* Truncation under a mapping. The lecture note says a mapped file's size
 * cannot change while it is mapped; on Linux it can: ftruncate succeeds.
 * Then a page wholly past the new end has nothing behind it, and touching it
 * raises SIGBUS. This program maps 2 pages of PATH, truncates the file to
 * 100 bytes, and touches byte 0 (fine) and byte PAGE (SIGBUS) each in a
 * forked child, reporting how each child ended.
 * Usage: mmap_sigbus PATH  (PATH is created, and removed at the end) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void fail(const char *call, const char *path) {
  fprintf(stderr, "%s: %s (%s) '%s'\n", call, strerrorname_np(errno), strerror(errno), path);
  exit(EXIT_FAILURE);
}

/* Reads *at in a child and reports how the child ended. */
static void touch(volatile char *at, const char *what) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == -1) fail("fork", what);
  if (pid == 0) {
    char c = *at;
    printf("  child read byte %d at %s\n", c, what);
    fflush(stdout);
    _exit(0);
  }
  int status;
  if (waitpid(pid, &status, 0) == -1) fail("waitpid", what);
  if (WIFSIGNALED(status))
    printf("  child touching %s: killed by SIG%s\n", what, sigabbrev_np(WTERMSIG(status)));
  else
    printf("  child touching %s: exited %d\n", what, WEXITSTATUS(status));
}

int main(int argc, char *argv[]) {
  if (argc < 2) {
    fprintf(stderr, "usage: mmap_sigbus PATH\n");
    return 2;
  }
  const char *path = argv[1];
  long page = sysconf(_SC_PAGESIZE);
  int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
  if (fd == -1) fail("open", path);
  if (ftruncate(fd, 2 * page) == -1) fail("ftruncate", path);
  char *ptr = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (ptr == MAP_FAILED) fail("mmap", path);
  ptr[page] = 'x';
  printf("mapped 2 pages of %s; byte %ld is '%c'\n", path, page, ptr[page]);

  if (ftruncate(fd, 100) == -1) fail("ftruncate", path); /* while mapped: Linux allows it */
  printf("ftruncate(fd, 100) while mapped: succeeded\n");
  touch(ptr + 0, "byte 0 (page 0, inside the file)");
  touch(ptr + page, "byte 4096 (page 1, past the end)");

  if (munmap(ptr, 2 * page) == -1) fail("munmap", path);
  if (close(fd) == -1) fail("close", path);
  if (unlink(path) == -1) fail("unlink", path);
  return 0;
}
