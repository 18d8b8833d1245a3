/* The sequence-number protocol (TLPI 44.8, fifo_seqnum.h): a client sends
 * {pid, seqLen} to the server's well-known FIFO; the server answers
 * {seqNum} on the client's own FIFO, named from the client's pid, and
 * advances its number by seqLen. Both messages are native ints, far below
 * PIPE_BUF, so many clients' requests never mix. */
#ifndef SEQNUM_H
#define SEQNUM_H
#include <sys/types.h>

#define SERVER_FIFO "/tmp/seqnum_sv"
/* printf template of a client's FIFO: the client's pid fills it in */
#define CLIENT_FIFO_TEMPLATE "/tmp/seqnum_cl.%ld"
#define CLIENT_FIFO_NAME_LEN (sizeof(CLIENT_FIFO_TEMPLATE) + 20)

struct request { /* client -> server */
  pid_t pid;     /* the client's pid: names its FIFO */
  int seqLen;    /* how many numbers it wants */
};

struct response { /* server -> client */
  int seqNum;     /* the first of them */
};

#endif
