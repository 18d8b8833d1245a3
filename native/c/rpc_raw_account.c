/*
 * rpc_raw_account: the classic mistake of chapter 09. Sends a C struct to
 * another machine by writing its memory as it is: this machine's byte order
 * (little endian on x86-64), its sizes (long is 8 bytes here, 4 on 32-bit
 * Linux) and the compiler's padding, none of which the receiver knows.
 *   rpc_raw_account ID BALANCE   writes sizeof(struct account) bytes to stdout
 * Every call checked; prints the layout on stderr.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct account {
  int32_t id;   /* 4 bytes, then 4 bytes of padding so that balance is aligned */
  long balance; /* 8 bytes on x86-64 Linux (LP64), 4 on i386 (ILP32) */
};

int main(int argc, char *argv[]) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s ID BALANCE\n", argv[0]);
    return 2;
  }
  struct account a;
  memset(&a, 0, sizeof a); /* the padding is zero, not whatever the stack held */
  a.id = (int32_t)strtol(argv[1], NULL, 10);
  a.balance = strtol(argv[2], NULL, 10);
  fprintf(stderr, "sizeof(struct account) = %zu, offsetof(balance) = %zu, sizeof(long) = %zu\n",
          sizeof a, offsetof(struct account, balance), sizeof(long));
  ssize_t n = write(STDOUT_FILENO, &a, sizeof a); /* the mistake: raw memory on the wire */
  if (n == -1) {
    perror("write");
    return 1;
  }
  if ((size_t)n != sizeof a) {
    fprintf(stderr, "write: short write (%zd of %zu bytes)\n", n, sizeof a);
    return 1;
  }
  return 0;
}
