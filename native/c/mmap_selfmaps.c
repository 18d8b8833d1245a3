/* A program's own memory-mapped files: when it starts, the kernel and the
 * dynamic loader map the executable's segments (code r-xp, data rw-p) and
 * each shared library from their files. Prints the lines of
 * /proc/self/maps that are backed by a file.
 * Usage: mmap_selfmaps */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  FILE *maps = fopen("/proc/self/maps", "r");
  if (maps == NULL) {
    fprintf(stderr, "fopen: %s (%s) '/proc/self/maps'\n", strerrorname_np(errno), strerror(errno));
    return EXIT_FAILURE;
  }
  char line[512];
  while (fgets(line, sizeof line, maps) != NULL) {
    if (strchr(line, '/') != NULL) fputs(line, stdout); /* backed by a file */
  }
  fclose(maps);
  return 0;
}
