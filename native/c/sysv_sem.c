/* System V semaphores, the textbook calls one per command, every call checked.
 * Usage: sysv_sem create KEY NSEMS         semget(IPC_CREAT | IPC_EXCL | 0600): prints semid
 *        sysv_sem op SEMID NUM OP [undo] [nowait]   one semop; prints "done"
 *        sysv_sem hold SEMID NUM [undo]    semop(-1), print "holding", sleep until killed
 *        sysv_sem get SEMID NUM            semctl(GETVAL)
 *        sysv_sem set SEMID NUM VALUE      semctl(SETVAL)
 *        sysv_sem rm SEMID                 semctl(IPC_RMID)
 * With `undo` the kernel keeps an adjustment for this process (SEM_UNDO) and
 * applies it when the process ends, however it ends. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <unistd.h>

union semun {                                  /* the caller defines it: semctl(2) */
  int val;
  struct semid_ds *buf;
  unsigned short *array;
};

static void fail(const char *call, int id) {
  fprintf(stderr, "%s: %s (%s) semid %d\n", call, strerrorname_np(errno), strerror(errno), id);
  exit(EXIT_FAILURE);
}

static int has(int argc, char *argv[], int from, const char *word) {
  for (int i = from; i < argc; i++)
    if (strcmp(argv[i], word) == 0) return 1;
  return 0;
}

static void do_op(int id, int num, int op, short flags) {
  struct sembuf sop = {.sem_num = (unsigned short)num, .sem_op = (short)op, .sem_flg = flags};
  while (semop(id, &sop, 1) == -1) {
    if (errno != EINTR) fail("semop", id);
  }
}

int main(int argc, char *argv[]) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s create KEY NSEMS | op SEMID NUM OP [undo] [nowait] | "
                    "hold SEMID NUM [undo] | get SEMID NUM | set SEMID NUM VALUE | rm SEMID\n",
            argv[0]);
    return 2;
  }
  const char *command = argv[1];
  if (strcmp(command, "create") == 0 && argc >= 4) {
    key_t key = (key_t)strtol(argv[2], NULL, 0);
    int id = semget(key, atoi(argv[3]), IPC_CREAT | IPC_EXCL | 0600);
    if (id == -1) fail("semget", -1);
    printf("%d\n", id);
    return 0;
  }
  int id = atoi(argv[2]);
  if (strcmp(command, "op") == 0 && argc >= 5) {
    short flags = (short)((has(argc, argv, 5, "undo") ? SEM_UNDO : 0) |
                          (has(argc, argv, 5, "nowait") ? IPC_NOWAIT : 0));
    do_op(id, atoi(argv[3]), atoi(argv[4]), flags);
    printf("done\n");
  } else if (strcmp(command, "hold") == 0 && argc >= 4) {
    do_op(id, atoi(argv[3]), -1, (short)(has(argc, argv, 4, "undo") ? SEM_UNDO : 0));
    printf("holding\n");
    fflush(stdout);
    for (;;) pause();                          /* until killed: it never gives back */
  } else if (strcmp(command, "get") == 0 && argc >= 4) {
    int value = semctl(id, atoi(argv[3]), GETVAL);
    if (value == -1) fail("semctl", id);
    printf("%d\n", value);
  } else if (strcmp(command, "set") == 0 && argc >= 5) {
    union semun arg = {.val = atoi(argv[4])};
    if (semctl(id, atoi(argv[3]), SETVAL, arg) == -1) fail("semctl", id);
  } else if (strcmp(command, "rm") == 0) {
    if (semctl(id, 0, IPC_RMID) == -1) fail("semctl", id);
  } else {
    fprintf(stderr, "%s: bad command\n", argv[0]);
    return 2;
  }
  return 0;
}
