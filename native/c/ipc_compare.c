/* Chapter 10's C side: every mechanism of the course measured the same way,
 * a parent and a forked child, for a fixed time rather than a fixed count.
 *   ipc_compare rt MECH MS          round trips of a 1-byte message for MS
 *                                   milliseconds; prints "µs per round trip"
 *   ipc_compare tp MECH SIZE MS     SIZE-byte messages from parent to child for
 *                                   about MS milliseconds; prints MB/s (10^6 B/s)
 *   ipc_compare memcpy SIZE MS      memcpy of SIZE bytes within one process, MB/s
 * MECH: pipe fifo posix-mq sysv-mq unix tcp udp signal shm-sem shm-spin mmap-spin
 * (tp: not signal, udp; posix-mq up to /proc/sys/fs/mqueue/msgsize_max),
 * and rt only: rpc-tcp rpc-udp, ONC RPC NULL calls between chapter 09's C
 * peers (libtirpc): sum_server started beside this program, sum_client
 * null-for MS timing itself; the round trip is a whole call and its reply.
 * A "tp" through shared memory hands one buffer over and back (copy in,
 * post, copy out, post back): it is a transfer, not just a store.
 * Every call is checked; every object it makes is removed before it exits. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void cleanup(void);

static void must(int ok, const char *call) {
  if (!ok) {
    fprintf(stderr, "%s: %s (%s)\n", call, strerrorname_np(errno), strerror(errno));
    cleanup();
    exit(EXIT_FAILURE);
  }
}

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* Reads or writes all of n bytes (a stream may return less). */
static void full(int fd, char *buf, size_t n, int writing) {
  while (n > 0) {
    ssize_t k = writing ? write(fd, buf, n) : read(fd, buf, n);
    must(k > 0, writing ? "write" : "read");
    buf += k;
    n -= (size_t)k;
  }
}

/* One channel, both ways: the parent's ends and the child's ends. */
struct chan {
  int down[2], up[2];    /* fds: [parent, child] for stream and datagram kinds */
  mqd_t mq_down, mq_up;  /* posix-mq */
  int msqid;             /* sysv-mq */
  char *shared;          /* shm / mmap: flags at 0 and 64, semaphores at 128 and 192, data at 4096 */
  pid_t parent, child;   /* signal */
  size_t msgsize;        /* posix-mq: mq_receive's buffer must hold mq_msgsize */
};

static const char *mech;
static char name_a[64], name_b[64];

static int is(const char *m) { return strcmp(mech, m) == 0; }

static struct chan *made; /* what setup() made, for cleanup() */

/* The parent removes what has a name or outlives it; a child dies with it. */
static void cleanup(void) {
  if (made == NULL || getpid() != made->parent) return;
  if (is("fifo")) unlink(name_a), unlink(name_b);
  if (is("sysv-mq")) msgctl(made->msqid, IPC_RMID, NULL);
  if (made->child > 0) kill(made->child, SIGKILL), waitpid(made->child, NULL, 0);
  made = NULL;
}

static void tcp_pair(int type, int fds[2]) {
  int listener = socket(AF_INET, type, 0);
  must(listener >= 0, "socket");
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  must(bind(listener, (struct sockaddr *)&addr, sizeof addr) == 0, "bind");
  socklen_t len = sizeof addr;
  must(getsockname(listener, (struct sockaddr *)&addr, &len) == 0, "getsockname");
  int client = socket(AF_INET, type, 0);
  must(client >= 0, "socket");
  if (type == SOCK_STREAM) {
    must(listen(listener, 1) == 0, "listen");
    must(connect(client, (struct sockaddr *)&addr, len) == 0, "connect");
    int server = accept(listener, NULL, NULL);
    must(server >= 0, "accept");
    close(listener);
    int one = 1;
    must(setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0, "setsockopt");
    must(setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0, "setsockopt");
    fds[0] = client;
    fds[1] = server;
  } else { /* UDP: two connected sockets */
    struct sockaddr_in other = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    must(bind(client, (struct sockaddr *)&other, sizeof other) == 0, "bind");
    len = sizeof other;
    must(getsockname(client, (struct sockaddr *)&other, &len) == 0, "getsockname");
    must(connect(client, (struct sockaddr *)&addr, sizeof addr) == 0, "connect");
    must(connect(listener, (struct sockaddr *)&other, sizeof other) == 0, "connect");
    fds[0] = client;
    fds[1] = listener;
  }
}

/* Makes the channel before fork(); the FIFO kind opens its ends after. */
static void setup(struct chan *c, size_t size) {
  c->parent = getpid();
  made = c;
  snprintf(name_a, sizeof name_a, "/ipc-compare-%d-a", (int)getpid());
  snprintf(name_b, sizeof name_b, "/ipc-compare-%d-b", (int)getpid());
  if (is("pipe")) {
    int a[2], b[2];
    must(pipe(a) == 0 && pipe(b) == 0, "pipe");
    c->down[0] = a[1], c->down[1] = a[0], c->up[0] = b[0], c->up[1] = b[1];
  } else if (is("fifo")) {
    snprintf(name_a, sizeof name_a, "/tmp/ipc-compare-%d-a", (int)getpid());
    snprintf(name_b, sizeof name_b, "/tmp/ipc-compare-%d-b", (int)getpid());
    must(mkfifo(name_a, 0600) == 0 && mkfifo(name_b, 0600) == 0, "mkfifo");
  } else if (is("unix")) {
    int s[2];
    must(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0, "socketpair");
    c->down[0] = c->up[0] = s[0];
    c->down[1] = c->up[1] = s[1];
  } else if (is("tcp") || is("udp")) {
    int s[2];
    tcp_pair(is("tcp") ? SOCK_STREAM : SOCK_DGRAM, s);
    c->down[0] = c->up[0] = s[0];
    c->down[1] = c->up[1] = s[1];
  } else if (is("posix-mq")) {
    c->msgsize = size < 64 ? 64 : size;
    struct mq_attr attr = {.mq_maxmsg = 10, .mq_msgsize = (long)c->msgsize};
    c->mq_down = mq_open(name_a, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    must(c->mq_down != (mqd_t)-1, "mq_open");
    c->mq_up = mq_open(name_b, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    must(c->mq_up != (mqd_t)-1, "mq_open");
    must(mq_unlink(name_a) == 0 && mq_unlink(name_b) == 0, "mq_unlink");
  } else if (is("sysv-mq")) {
    c->msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    must(c->msqid >= 0, "msgget");
  } else if (is("signal")) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN);
    sigaddset(&set, SIGRTMIN + 1);
    must(sigprocmask(SIG_BLOCK, &set, NULL) == 0, "sigprocmask");
  } else if (is("shm-sem") || is("shm-spin") || is("mmap-spin")) {
    size_t length = 4096 + size;
    int fd;
    if (is("mmap-spin")) {
      snprintf(name_a, sizeof name_a, "/tmp/ipc-compare-%d.map", (int)getpid());
      fd = open(name_a, O_RDWR | O_CREAT | O_EXCL, 0600);
      must(fd >= 0, "open");
      must(unlink(name_a) == 0, "unlink");
    } else {
      fd = shm_open(name_a, O_RDWR | O_CREAT | O_EXCL, 0600);
      must(fd >= 0, "shm_open");
      must(shm_unlink(name_a) == 0, "shm_unlink");
    }
    must(ftruncate(fd, (off_t)length) == 0, "ftruncate");
    c->shared = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    must(c->shared != MAP_FAILED, "mmap");
    close(fd);
    if (is("shm-sem")) {
      must(sem_init((sem_t *)(c->shared + 128), 1, 0) == 0, "sem_init");
      must(sem_init((sem_t *)(c->shared + 192), 1, 0) == 0, "sem_init");
    }
  } else {
    fprintf(stderr, "ipc_compare: unknown mechanism %s\n", mech);
    exit(2);
  }
}

/* After fork(): each side keeps its own ends. */
static void open_side(struct chan *c, int child) {
  if (is("fifo")) {
    /* Both open a first, then b: neither waits for the other forever. */
    int a = open(name_a, child ? O_RDONLY : O_WRONLY);
    int b = open(name_b, child ? O_WRONLY : O_RDONLY);
    must(a >= 0 && b >= 0, "open");
    if (child) c->down[1] = a, c->up[1] = b;
    else c->down[0] = a, c->up[0] = b;
  } else if (is("pipe")) {
    if (child) close(c->down[0]), close(c->up[0]);
    else close(c->down[1]), close(c->up[1]);
  } else if (is("unix") || is("tcp") || is("udp")) {
    close(c->down[child ? 0 : 1]);
  }
}

/* Spins on a flag, yielding the CPU after a while (on one CPU a pure spin
 * would hold it for the whole time slice), and giving up after 10 s with no
 * word: the other side is gone (compare.mjs's spin does the same). */
static int spin_until(volatile int *flag, int want_not) {
  double began = 0;
  for (long i = 0;; i++) {
    int v = __atomic_load_n(flag, __ATOMIC_ACQUIRE);
    if (v != want_not) return v;
    if (i <= 2000) continue;
    if (i == 2001) began = now_us(); /* the clock only once the other side is slow */
    sched_yield();
    if (i % 1000 == 0 && now_us() - began > 10e6) {
      fprintf(stderr, "ipc_compare: %s: no word from the other side in 10 s\n", mech);
      exit(1);
    }
  }
}

/* One message of n bytes from one side to the other (down: parent to child). */
static void send_msg(struct chan *c, int down, char *buf, size_t n) {
  int fd = down ? c->down[0] : c->up[1];
  if (is("pipe") || is("fifo") || is("unix") || is("tcp")) full(fd, buf, n, 1);
  else if (is("udp")) must(send(fd, buf, n, 0) == (ssize_t)n, "send");
  else if (is("posix-mq")) must(mq_send(down ? c->mq_down : c->mq_up, buf, n, 0) == 0, "mq_send");
  else if (is("sysv-mq")) {
    long *mtype = (long *)(void *)(buf - sizeof(long)); /* struct msgbuf's first field */
    *mtype = down ? 1 : 2;
    must(msgsnd(c->msqid, mtype, n, 0) == 0, "msgsnd");
  } else if (is("signal")) {
    union sigval v = {.sival_int = buf[0]};
    must(sigqueue(down ? c->child : c->parent, down ? SIGRTMIN + 1 : SIGRTMIN, v) == 0,
         "sigqueue");
  } else { /* shared memory: the data, then the flag or the semaphore */
    memcpy(c->shared + 4096, buf, n);
    if (is("shm-sem")) must(sem_post((sem_t *)(c->shared + (down ? 128 : 192))) == 0, "sem_post");
    else __atomic_store_n((int *)(c->shared + (down ? 0 : 64)), buf[0] == 'q' ? 2 : 1,
                          __ATOMIC_RELEASE);
  }
}

static void recv_msg(struct chan *c, int down, char *buf, size_t n) {
  int fd = down ? c->down[1] : c->up[0];
  if (is("pipe") || is("fifo") || is("unix") || is("tcp")) full(fd, buf, n, 0);
  else if (is("udp")) must(recv(fd, buf, n, 0) == (ssize_t)n, "recv");
  else if (is("posix-mq"))
    must(mq_receive(down ? c->mq_down : c->mq_up, buf, c->msgsize, NULL) == (ssize_t)n,
         "mq_receive");
  else if (is("sysv-mq"))
    must(msgrcv(c->msqid, buf - sizeof(long), n, down ? 1 : 2, 0) == (ssize_t)n, "msgrcv");
  else if (is("signal")) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, down ? SIGRTMIN + 1 : SIGRTMIN);
    siginfo_t info;
    int sig;
    while ((sig = sigwaitinfo(&set, &info)) < 0 && errno == EINTR) {
    }
    must(sig > 0, "sigwaitinfo");
    buf[0] = (char)info.si_value.sival_int;
  } else {
    if (is("shm-sem")) {
      sem_t *sem = (sem_t *)(c->shared + (down ? 128 : 192));
      while (sem_wait(sem) != 0) must(errno == EINTR, "sem_wait");
    } else {
      int *flag = (int *)(c->shared + (down ? 0 : 64));
      spin_until(flag, 0);
      __atomic_store_n(flag, 0, __ATOMIC_RELAXED);
    }
    memcpy(buf, c->shared + 4096, n);
  }
}

/* rt rpc-tcp|rpc-udp MS: sum_server (the programs beside this one) as a
 * child, its ports read from its first line; sum_client null-for MS prints
 * the result on this program's stdout; the server is stopped (SIGTERM). */
static int rpc_rt(const char *transport, const char *ms) {
  char dir[4096], server[4200], client[4200];
  ssize_t k = readlink("/proc/self/exe", dir, sizeof dir - 1);
  must(k > 0, "readlink");
  dir[k] = 0;
  char *slash = strrchr(dir, '/');
  if (slash) *slash = 0;
  snprintf(server, sizeof server, "%s/sum_server", dir);
  snprintf(client, sizeof client, "%s/sum_client", dir);
  int out[2];
  must(pipe(out) == 0, "pipe");
  pid_t srv = fork();
  must(srv >= 0, "fork");
  if (srv == 0) {
    must(prctl(PR_SET_PDEATHSIG, SIGTERM) == 0, "prctl");
    must(dup2(out[1], 1) == 1, "dup2");
    close(out[0]);
    close(out[1]);
    execl(server, "sum_server", (char *)NULL);
    must(0, "execl");
  }
  close(out[1]);
  char line[256];
  size_t got = 0;
  while (got < sizeof line - 1) { /* the first line: {"pid":N,"tcpPort":P,"udpPort":Q} */
    ssize_t r = read(out[0], line + got, 1);
    must(r >= 0, "read");
    if (r == 0 || line[got] == '\n') break;
    got++;
  }
  line[got] = 0;
  close(out[0]);
  const char *key = strcmp(transport, "tcp") == 0 ? "\"tcpPort\":" : "\"udpPort\":";
  const char *at = strstr(line, key);
  int status = 1;
  if (at == NULL) {
    fprintf(stderr, "ipc_compare: sum_server said \"%s\"\n", line);
  } else {
    char port[16];
    snprintf(port, sizeof port, "%d", atoi(at + strlen(key)));
    pid_t cl = fork();
    must(cl >= 0, "fork");
    if (cl == 0) {
      execl(client, "sum_client", "-p", port, "-T", transport, "null-for", ms, (char *)NULL);
      must(0, "execl");
    }
    must(waitpid(cl, &status, 0) == cl, "waitpid");
  }
  kill(srv, SIGTERM);
  int ignored;
  must(waitpid(srv, &ignored, 0) == srv, "waitpid");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "rt") == 0 && strncmp(argv[2], "rpc-", 4) == 0) {
    if (strcmp(argv[2], "rpc-tcp") != 0 && strcmp(argv[2], "rpc-udp") != 0) {
      fprintf(stderr, "ipc_compare: unknown mechanism %s\n", argv[2]);
      return 2;
    }
    if (atof(argv[3]) <= 0) {
      fprintf(stderr, "ipc_compare: SIZE 1 .. 64 MiB and MS > 0\n");
      return 2;
    }
    return rpc_rt(argv[2] + 4, argv[3]);
  }
  if (argc >= 4 && strcmp(argv[1], "memcpy") == 0) {
    size_t size = (size_t)atol(argv[2]);
    double ms = atof(argv[3]);
    char *a = malloc(size), *b = malloc(size);
    must(a && b, "malloc");
    memset(a, 'x', size);
    memset(b, 'y', size);
    double start = now_us(), t;
    long n = 0;
    do {
      memcpy(n % 2 ? a : b, n % 2 ? b : a, size);
      n++;
    } while ((t = now_us()) - start < ms * 1e3);
    printf("%.1f\n", (double)n * (double)size / (t - start));
    return a[0] == 'z'; /* uses the copies */
  }
  int rt = argc == 4 && strcmp(argv[1], "rt") == 0;
  int tp = argc == 5 && strcmp(argv[1], "tp") == 0;
  if (!rt && !tp) {
    fprintf(stderr, "usage: ipc_compare rt MECH MS | tp MECH SIZE MS | memcpy SIZE MS\n");
    return 2;
  }
  mech = argv[2];
  size_t size = tp ? (size_t)atol(argv[3]) : 1;
  double ms = atof(argv[tp ? 4 : 3]);
  if (size < 1 || size > (64 << 20) || ms <= 0) {
    fprintf(stderr, "ipc_compare: SIZE 1 .. 64 MiB and MS > 0\n");
    return 2;
  }
  if (tp && (is("signal") || is("udp"))) {
    fprintf(stderr, "ipc_compare: no tp for %s (one int a signal; UDP may drop)\n", mech);
    return 2;
  }
  struct chan c = {0};
  setup(&c, size);
  /* room for a System V message's mtype before the data, and for mq_msgsize */
  char *space = malloc((size < 64 ? 64 : size) + sizeof(long)), *buf = space + sizeof(long);
  must(space != NULL, "malloc");
  memset(buf, 'p', size);
  pid_t pid = fork();
  must(pid >= 0, "fork");
  if (pid == 0) {
    must(prctl(PR_SET_PDEATHSIG, SIGKILL) == 0, "prctl");
    open_side(&c, 1);
    if (rt) { /* echo until 'q' */
      for (;;) {
        recv_msg(&c, 1, buf, 1);
        if (buf[0] == 'q') break;
        send_msg(&c, 0, buf, 1);
      }
    } else { /* take messages until one starts with 'q'; shared memory hands the buffer back */
      int shared = c.shared != NULL;
      for (;;) {
        recv_msg(&c, 1, buf, size);
        if (buf[0] == 'q') break;
        if (shared) send_msg(&c, 0, buf, 1);
      }
      buf[0] = 'd';
      send_msg(&c, 0, buf, 1); /* done */
    }
    _exit(0);
  }
  c.child = pid;
  open_side(&c, 0);
  double result;
  long n = 0;
  if (rt) {
    double warm = now_us();
    for (int i = 0; i < 200 && now_us() - warm < 10e3; i++) { /* warm-up: 200, at most 10 ms */
      buf[0] = 'p';
      send_msg(&c, 1, buf, 1);
      recv_msg(&c, 0, buf, 1);
    }
    double start = now_us(), t;
    do {
      for (int i = 0; i < 10; i++, n++) {
        buf[0] = 'p';
        send_msg(&c, 1, buf, 1);
        recv_msg(&c, 0, buf, 1);
      }
    } while ((t = now_us()) - start < ms * 1e3);
    result = (t - start) / (double)n;
  } else {
    int shared = c.shared != NULL;
    double start = now_us();
    do {
      buf[0] = 'p';
      send_msg(&c, 1, buf, size);
      if (shared) recv_msg(&c, 0, buf, 1);
      n++;
    } while (now_us() - start < ms * 1e3);
    buf[0] = 'q';
    send_msg(&c, 1, buf, size);
    recv_msg(&c, 0, buf, 1); /* the child has read everything */
    result = (double)n * (double)size / (now_us() - start);
  }
  if (rt) {
    buf[0] = 'q';
    send_msg(&c, 1, buf, 1);
  }
  int status;
  must(waitpid(pid, &status, 0) == pid, "waitpid");
  c.child = 0;
  cleanup();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "ipc_compare: the child failed\n");
    return 1;
  }
  printf("%.3f\n", result);
  return 0;
}
