// Chapter 04's child routines: a forked child is single-threaded, so it can
// block a signal, see it pending, handle it with sigaction and show every
// default action, which Node itself cannot (it is multithreaded, and its
// threads take signals too). Everything here is async-signal-safe.
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "retry.h"
#include "routines.h"

namespace ipc {
namespace {

int ArgSignal(const RoutineArgs& args, size_t index, int fallback) {
  return args.count > index ? static_cast<int>(ParseLong(args.values[index])) : fallback;
}

void WriteInfo(const siginfo_t& info) {
  WriteStr(1, "signo=");
  WriteLong(1, info.si_signo);
  WriteStr(1, " code=");
  WriteStr(1, info.si_code == SI_QUEUE ? "SI_QUEUE" : info.si_code == SI_USER ? "SI_USER" : "other");
  WriteStr(1, " pid=");
  WriteLong(1, info.si_pid);
  WriteStr(1, " value=");
  WriteLong(1, info.si_code == SI_QUEUE ? info.si_value.sival_int : 0);
  WriteStr(1, "\n");
}

// Waits for one byte on fd 0 (the parent's "go").
void AwaitGo() {
  char go;
  RetryEintr([&] { return read(0, &go, 1); });
}

// block-pending SIG [LIMIT]: blocks SIG (and sets RLIMIT_SIGPENDING to
// LIMIT), says "ready", waits for a byte on fd 0, then takes every pending
// SIG with sigtimedwait and prints how many there were and each one's
// siginfo: ten standard signals sent while blocked are one, ten real-time
// signals are ten, in order, each with its value.
int BlockPending(const RoutineArgs& args) {
  int sig = ArgSignal(args, 0, SIGUSR2);
  if (args.count > 1) {
    struct rlimit limit;
    limit.rlim_cur = limit.rlim_max = static_cast<rlim_t>(ParseLong(args.values[1]));
    if (setrlimit(RLIMIT_SIGPENDING, &limit) < 0) return 2;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) < 0) return 2;
  WriteStr(1, "ready\n");
  AwaitGo();
  siginfo_t infos[64];
  int count = 0;
  struct timespec zero = {0, 0};
  siginfo_t info;
  while (sigtimedwait(&set, &info, &zero) == sig) {
    if (count < 64) infos[count] = info;
    ++count;
  }
  WriteStr(1, "pending: ");
  WriteLong(1, count);
  WriteStr(1, "\n");
  for (int i = 0; i < count && i < 64; ++i) WriteInfo(infos[i]);
  return 0;
}

volatile sig_atomic_t g_caught = 0;
siginfo_t g_infos[64];

void Record(int, siginfo_t* info, void*) {
  if (g_caught < 64) g_infos[g_caught] = *info;
  g_caught = g_caught + 1;
}

// handler SIG COUNT: a sigaction SA_SIGINFO handler that only records (the
// async-signal-safe way); main says "ready", sleeps in sigsuspend until
// COUNT signals were handled, then prints them.
int Handler(const RoutineArgs& args) {
  int sig = ArgSignal(args, 0, SIGUSR2);
  int want = ArgSignal(args, 1, 1);
  struct sigaction action = {};
  action.sa_sigaction = Record;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  if (sigaction(sig, &action, nullptr) < 0) return 2;
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, sig);
  sigprocmask(SIG_BLOCK, &block, &old);  // no signal between the test and the sleep
  WriteStr(1, "ready\n");
  while (g_caught < want) sigsuspend(&old);
  WriteStr(1, "handled: ");
  WriteLong(1, g_caught);
  WriteStr(1, "\n");
  for (int i = 0; i < g_caught && i < 64; ++i) WriteInfo(g_infos[i]);
  return 0;
}

// pause: says "ready" and waits for signals, forever: each default action
// (terminate, core, stop, continue, ignore) can be sent to it.
int Pause(const RoutineArgs&) {
  WriteStr(1, "ready\n");
  for (;;) pause();
}

// raise SIG: the process signals itself; if it survives (an ignored
// signal), it says so and exits 0.
int Raise(const RoutineArgs& args) {
  raise(ArgSignal(args, 0, SIGTERM));
  WriteStr(1, "still running after raise\n");
  return 0;
}

// divide: divides by zero; the CPU traps and the kernel sends SIGFPE.
int Divide(const RoutineArgs& args) {
  // Both volatile: a constant 1 / x would be compiled without a division.
  volatile int numerator = 1, zero = static_cast<int>(args.count);  // 0: no arguments
  volatile int result = numerator / zero;
  return result;
}

// alarm MS: a timer (setitimer) the kernel turns into SIGALRM; no handler,
// so the default action ends the process.
int Alarm(const RoutineArgs& args) {
  struct itimerval timer = {};
  long ms = args.count > 0 ? ParseLong(args.values[0]) : 100;
  timer.it_value.tv_sec = ms / 1000;
  timer.it_value.tv_usec = (ms % 1000) * 1000;
  setitimer(ITIMER_REAL, &timer, nullptr);
  for (;;) pause();
}

void OnAlarm(int) { WriteStr(1, "handler: SIGALRM\n"); }

// eintr RESTART: a SIGALRM handler with or without SA_RESTART, and a read(0)
// nobody answers until the handler ran. The parent sends the SIGALRM once it
// sees this process asleep in read (/proc/PID/syscall), not a timer of its
// own, which could fire before read on a loaded machine: without SA_RESTART
// read fails with EINTR; with it, read goes on and returns the parent's byte.
int Eintr(const RoutineArgs& args) {
  bool restart = args.count > 0 && ParseLong(args.values[0]) != 0;
  struct sigaction action = {};
  action.sa_handler = OnAlarm;
  action.sa_flags = restart ? SA_RESTART : 0;
  sigemptyset(&action.sa_mask);
  sigaction(SIGALRM, &action, nullptr);
  char byte;
  ssize_t n = read(0, &byte, 1);  // no RetryEintr: the lesson is what read returns
  if (n < 0 && errno == EINTR) {
    WriteStr(1, "read: -1 EINTR (interrupted by the handler)\n");
  } else {
    WriteStr(1, "read: ");
    WriteLong(1, n);
    WriteStr(1, " byte (restarted after the handler)\n");
  }
  return 0;
}

volatile sig_atomic_t g_chldRuns = 0, g_reaped = 0;

void OnChild(int) {
  int saved = errno;
  g_chldRuns = g_chldRuns + 1;
  while (waitpid(-1, nullptr, WNOHANG) > 0) g_reaped = g_reaped + 1;  // reap all that ended
  errno = saved;
}

// sigchld N: forks N children that exit at once; a SIGCHLD handler reaps
// them in a loop. The handler runs at most N times (SIGCHLD is standard:
// several ends while one is pending are one signal) but reaps all N.
int Sigchld(const RoutineArgs& args) {
  int n = ArgSignal(args, 0, 5);
  struct sigaction action = {};
  action.sa_handler = OnChild;
  action.sa_flags = SA_NOCLDSTOP;
  sigemptyset(&action.sa_mask);
  sigaction(SIGCHLD, &action, nullptr);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGCHLD);
  sigprocmask(SIG_BLOCK, &block, &old);
  for (int i = 0; i < n; ++i) {
    pid_t pid = fork();
    if (pid == 0) _exit(i);
    if (pid < 0) return 2;
  }
  while (g_reaped < n) sigsuspend(&old);
  WriteStr(1, "children: ");
  WriteLong(1, n);
  WriteStr(1, ", reaped: ");
  WriteLong(1, g_reaped);
  WriteStr(1, ", handler runs: ");
  WriteLong(1, g_chldRuns);
  WriteStr(1, "\n");
  return 0;
}

const RoutineEntry kEntries[] = {
    {"sig-block-pending", BlockPending,
     "blocks SIG [and sets RLIMIT_SIGPENDING], says ready, on a byte on fd 0 takes and prints what is pending"},
    {"sig-handler", Handler, "a SA_SIGINFO handler for SIG; prints the siginfo of COUNT handled signals"},
    {"sig-pause", Pause, "says ready and waits in pause() for signals, forever"},
    {"sig-raise", Raise, "raise(SIG): signals itself; prints if it survives"},
    {"sig-divide", Divide, "divides by zero: the kernel sends SIGFPE"},
    {"sig-alarm", Alarm, "a timer of MS milliseconds: the kernel sends SIGALRM"},
    {"sig-eintr", Eintr, "read(0) interrupted by a SIGALRM handler (the parent sends it), without (0) or with (1) SA_RESTART"},
    {"sig-chld", Sigchld, "forks N children and reaps them from a SIGCHLD handler"},
};

}  // namespace

const RoutineTable kSignalRoutines = MakeTable("04-signals", kEntries);

}  // namespace ipc
