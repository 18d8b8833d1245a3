/* Benchmark baseline for message queues, one process per side.
 *   mq_bench posix-echo /REQ /REP       answer each message on /REQ on /REP; "q" ends
 *   mq_bench posix-ping /REQ /REP N     N round trips of 1 byte; prints us per round trip
 *   mq_bench sysv-echo MSQID            answer type 1 with type 2; a 'q' ends
 *   mq_bench sysv-ping MSQID N          N round trips; prints us per round trip
 * and, each making its own queues and forking its own peer (for bench/mqueue.ts):
 *   mq_bench posix-roundtrip N          us per 1-byte round trip over two POSIX queues
 *   mq_bench posix-throughput N SIZE    messages per second, a child sending N of SIZE bytes
 *   mq_bench sysv-roundtrip N           us per round trip over one System V queue (mtype 1, 2)
 * Every call is checked. */
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

/* Two queues named after this pid, made fresh. */
static void make_names(char *a, char *b, size_t n) {
  snprintf(a, n, "/mq-bench-%d-a", (int)getpid());
  snprintf(b, n, "/mq-bench-%d-b", (int)getpid());
}

static mqd_t create_q(const char *name, int flags, long maxmsg, long msgsize) {
  struct mq_attr attr = {.mq_maxmsg = maxmsg, .mq_msgsize = msgsize};
  mqd_t q = mq_open(name, flags | O_CREAT | O_EXCL, 0600, &attr);
  must(q != (mqd_t)-1, "mq_open");
  return q;
}

static int self_contained(int argc, char **argv) {
  const char *mode = argv[1];
  long n = argc > 2 ? atol(argv[2]) : 0;
  char a[64], b[64], buf[8192];
  unsigned prio;
  double start = 0;
  if (strcmp(mode, "posix-roundtrip") == 0) {
    make_names(a, b, sizeof a);
    mqd_t down = create_q(a, O_RDWR, 10, 64), up = create_q(b, O_RDWR, 10, 64);
    pid_t pid = fork();
    must(pid >= 0, "fork");
    if (pid == 0) {
      for (;;) {
        ssize_t got = mq_receive(down, buf, sizeof buf, &prio);
        must(got >= 0, "mq_receive");
        if (buf[0] == 'q') _exit(0);
        must(mq_send(up, buf, (size_t)got, 0) == 0, "mq_send");
      }
    }
    for (long i = -1000; i < n; ++i) {
      if (i == 0) start = now_us();
      must(mq_send(down, "p", 1, 0) == 0, "mq_send");
      must(mq_receive(up, buf, sizeof buf, &prio) == 1, "mq_receive");
    }
    printf("%.3f\n", (now_us() - start) / n);
    must(mq_send(down, "q", 1, 0) == 0, "mq_send");
    must(waitpid(pid, NULL, 0) == pid, "waitpid");
    must(mq_unlink(a) == 0 && mq_unlink(b) == 0, "mq_unlink");
    return 0;
  }
  if (strcmp(mode, "posix-throughput") == 0 && argc == 4) {
    size_t size = (size_t)atol(argv[3]);
    make_names(a, b, sizeof a);
    mqd_t q = create_q(a, O_RDWR, 10, (long)size);
    pid_t pid = fork();
    must(pid >= 0, "fork");
    if (pid == 0) {
      memset(buf, 'x', size);
      for (long i = 0; i < n; ++i) must(mq_send(q, buf, size, 0) == 0, "mq_send");
      _exit(0);
    }
    for (long i = 0; i < n; ++i) {
      must(mq_receive(q, buf, sizeof buf, &prio) == (ssize_t)size, "mq_receive");
      if (i == 0) start = now_us();
    }
    printf("%.0f\n", (n - 1) / ((now_us() - start) / 1e6));
    must(waitpid(pid, NULL, 0) == pid, "waitpid");
    must(mq_unlink(a) == 0, "mq_unlink");
    return 0;
  }
  if (strcmp(mode, "sysv-roundtrip") == 0) {
    int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    must(id >= 0, "msgget");
    struct msg m = {.mtype = 1, .text = "p"};
    pid_t pid = fork();
    must(pid >= 0, "fork");
    if (pid == 0) {
      for (;;) {
        must(msgrcv(id, &m, sizeof m.text, 1, 0) >= 0, "msgrcv");
        if (m.text[0] == 'q') _exit(0);
        m.mtype = 2;
        must(msgsnd(id, &m, 1, 0) == 0, "msgsnd");
      }
    }
    for (long i = -1000; i < n; ++i) {
      if (i == 0) start = now_us();
      m.mtype = 1;
      m.text[0] = 'p';
      must(msgsnd(id, &m, 1, 0) == 0, "msgsnd");
      must(msgrcv(id, &m, sizeof m.text, 2, 0) == 1, "msgrcv");
    }
    printf("%.3f\n", (now_us() - start) / n);
    m.mtype = 1;
    m.text[0] = 'q';
    must(msgsnd(id, &m, 1, 0) == 0, "msgsnd");
    must(waitpid(pid, NULL, 0) == pid, "waitpid");
    must(msgctl(id, IPC_RMID, NULL) == 0, "msgctl");
    return 0;
  }
  return -1;
}

int main(int argc, char **argv) {
  if (argc >= 2) {
    int rc = self_contained(argc, argv);
    if (rc >= 0) return rc;
  }
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
