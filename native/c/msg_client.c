/* System V message queue client of msg_server: sends TEXT as a request of
 * type 1 with its pid, then receives only messages of type = its pid.
 * Usage: msg_client KEYFILE PROJ TEXT */
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

struct request {
  long mtype;
  int pid;
  char text[128];
};
struct reply {
  long mtype;
  char text[128];
};

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s KEYFILE PROJ TEXT\n", argv[0]);
    return 2;
  }
  key_t key = ftok(argv[1], argv[2][0]);
  if (key == -1) {
    perror("ftok");
    return 1;
  }
  int id = msgget(key, 0);
  if (id == -1) {
    perror("msgget");
    return 1;
  }
  struct request req = {.mtype = 1, .pid = getpid()};
  snprintf(req.text, sizeof req.text, "%s", argv[3]);
  if (msgsnd(id, &req, sizeof req.pid + strlen(req.text) + 1, 0) == -1) {
    perror("msgsnd");
    return 1;
  }
  if (strcmp(req.text, "quit") == 0) return 0;
  struct reply rep;
  ssize_t n = msgrcv(id, &rep, sizeof rep.text, getpid(), 0);
  if (n == -1) {
    perror("msgrcv");
    return 1;
  }
  rep.text[n < (ssize_t)sizeof rep.text ? n : (ssize_t)sizeof rep.text - 1] = '\0';
  printf("reply: %s\n", rep.text);
  return 0;
}
