/* Benchmark baseline for message queues, one process per side.
 *   mq_bench posix-echo /REQ /REP       answer each message on /REQ on /REP; "q" ends
 *   mq_bench posix-ping /REQ /REP N     N round trips of 1 byte; prints us per round trip
 *   mq_bench posix-sink /NAME N         receive N messages; prints nothing
 *   mq_bench posix-flood /NAME N SIZE   send N messages of SIZE bytes; prints msgs per second
 *                                       measured until the sink has taken them all (the queue
 *                                       is unlinked by the caller)
 *   mq_bench sysv-echo MSQID            answer type 1 with type 2; a 'q' ends
 *   mq_bench sysv-ping MSQID N          N round trips; prints us per round trip
 * Every call is checked. */
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <time.h>

static void must(int ok, const char *what) {
  if (!ok) {
    perror(what);
    exit(1);
  }
}

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static mqd_t open_q(const char *name, int flags) {
  mqd_t q = mq_open(name, flags);
  must(q != (mqd_t)-1, "mq_open");
  return q;
}

struct msg {
  long mtype;
  char text[8];
};

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: see the comment at the top of mq_bench.c\n");
    return 2;
  }
  const char *mode = argv[1];
  char buf[65536];
  unsigned prio;
  if (strcmp(mode, "posix-echo") == 0 && argc == 4) {
    mqd_t req = open_q(argv[2], O_RDONLY), rep = open_q(argv[3], O_WRONLY);
    for (;;) {
      ssize_t n = mq_receive(req, buf, sizeof buf, &prio);
      must(n >= 0, "mq_receive");
      if (n == 1 && buf[0] == 'q') break;
      must(mq_send(rep, buf, (size_t)n, 0) == 0, "mq_send");
    }
  } else if (strcmp(mode, "posix-ping") == 0 && argc == 5) {
    mqd_t req = open_q(argv[2], O_WRONLY), rep = open_q(argv[3], O_RDONLY);
    long rounds = atol(argv[4]);
    double start = 0;
    for (long i = -1000; i < rounds; ++i) {
      if (i == 0) start = now_us();
      must(mq_send(req, "p", 1, 0) == 0, "mq_send");
      must(mq_receive(rep, buf, sizeof buf, &prio) == 1, "mq_receive");
    }
    printf("%.3f\n", (now_us() - start) / rounds);
    must(mq_send(req, "q", 1, 0) == 0, "mq_send");
  } else if (strcmp(mode, "posix-sink") == 0 && argc == 4) {
    mqd_t q = open_q(argv[2], O_RDONLY);
    long count = atol(argv[3]);
    for (long i = 0; i < count; ++i) must(mq_receive(q, buf, sizeof buf, &prio) >= 0, "mq_receive");
  } else if (strcmp(mode, "posix-flood") == 0 && argc == 5) {
    mqd_t q = open_q(argv[2], O_WRONLY);
    long count = atol(argv[3]);
    size_t size = (size_t)atol(argv[4]);
    memset(buf, 'x', size);
    double start = now_us();
    for (long i = 0; i < count; ++i) must(mq_send(q, buf, size, 0) == 0, "mq_send");
    /* The sink has taken them all when the queue is empty again. */
    struct mq_attr a;
    do must(mq_getattr(q, &a) == 0, "mq_getattr");
    while (a.mq_curmsgs > 0);
    printf("%.0f\n", count / ((now_us() - start) / 1e6));
  } else if (strcmp(mode, "sysv-echo") == 0 && argc == 3) {
    int id = atoi(argv[2]);
    struct msg m;
    for (;;) {
      must(msgrcv(id, &m, sizeof m.text, 1, 0) >= 0, "msgrcv");
      if (m.text[0] == 'q') break;
      m.mtype = 2;
      must(msgsnd(id, &m, 1, 0) == 0, "msgsnd");
    }
  } else if (strcmp(mode, "sysv-ping") == 0 && argc == 4) {
    int id = atoi(argv[2]);
    long rounds = atol(argv[3]);
    struct msg m = {.mtype = 1, .text = "p"};
    double start = 0;
    for (long i = -1000; i < rounds; ++i) {
      if (i == 0) start = now_us();
      m.mtype = 1;
      must(msgsnd(id, &m, 1, 0) == 0, "msgsnd");
      must(msgrcv(id, &m, sizeof m.text, 2, 0) == 1, "msgrcv");
    }
    printf("%.3f\n", (now_us() - start) / rounds);
    m.mtype = 1;
    m.text[0] = 'q';
    must(msgsnd(id, &m, 1, 0) == 0, "msgsnd");
  } else {
    fprintf(stderr, "usage: see the comment at the top of mq_bench.c\n");
    return 2;
  }
  return 0;
}
