/* System V message queue server: one queue for everyone. Clients send
 * requests of type 1 carrying their pid; the server answers each with a
 * message of type = that pid, so every client receives only its own reply.
 * A request "quit" ends the server, which then removes the queue.
 * Usage: msg_server KEYFILE PROJ   (the key is ftok(KEYFILE, PROJ[0])) */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/types.h>

struct request {
  long mtype; /* 1: a request */
  int pid;    /* whom to answer */
  char text[128];
};
struct reply {
  long mtype; /* the client's pid */
  char text[128];
};

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s KEYFILE PROJ\n", argv[0]);
    return 2;
  }
  key_t key = ftok(argv[1], argv[2][0]);
  if (key == -1) {
    perror("ftok");
    return 1;
  }
  int id = msgget(key, IPC_CREAT | 0600);
  if (id == -1) {
    perror("msgget");
    return 1;
  }
  printf("ready: key 0x%08x msqid %d\n", (unsigned)key, id);
  fflush(stdout);
  for (;;) {
    struct request req;
    ssize_t n = msgrcv(id, &req, sizeof req - sizeof req.mtype, 1, 0);
    if (n == -1) {
      perror("msgrcv");
      return 1;
    }
    req.text[sizeof req.text - 1] = '\0';
    if (strcmp(req.text, "quit") == 0) break;
    struct reply rep = {.mtype = req.pid};
    for (size_t i = 0; req.text[i] && i < sizeof rep.text - 1; ++i)
      rep.text[i] = (char)toupper((unsigned char)req.text[i]);
    if (msgsnd(id, &rep, strlen(rep.text) + 1, 0) == -1) {
      perror("msgsnd");
      return 1;
    }
    printf("answered %d: %s\n", req.pid, rep.text);
    fflush(stdout);
  }
  if (msgctl(id, IPC_RMID, NULL) == -1) {
    perror("msgctl");
    return 1;
  }
  printf("removed msqid %d\n", id);
  return 0;
}
