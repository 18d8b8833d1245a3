// Signals: sigqueue with a value, and signals received as data through a
// signalfd, made reliable in a multithreaded Node.
//
// Why that takes more than signalfd(2): a process-directed signal is given to
// ANY thread that does not block it. signalfd only reads signals that stay
// pending, so the signal must be blocked in every thread, or the kernel hands
// it to one of V8's or libuv's threads (which do not block it) and the
// descriptor never sees it. JavaScript can only change its own thread's mask.
// signalfdOpen therefore:
//   1. installs a catcher (SA_SIGINFO | SA_RESTART) for the signal;
//   2. blocks it in the calling (JavaScript) thread with pthread_sigmask;
//   3. sends every other thread that does not block it yet (read from
//      /proc/self/task/TID/status, SigBlk) a marker, rt_tgsigqueueinfo with
//      a cookie: the catcher runs on that thread and adds the signal to the
//      mask the kernel restores when the handler returns (uc_sigmask), so the
//      thread blocks it from then on; repeated until every thread blocks it.
//      Threads made later inherit the mask of a thread that blocks it.
//   4. opens the signalfd (SFD_NONBLOCK | SFD_CLOEXEC), read on Node's loop.
// A real signal that reaches a thread during step 3 (before its marker) is
// not lost: the catcher writes its siginfo to a spill pipe and wakes the
// descriptor with a thread-directed tgkill to the JavaScript thread, which
// signalfdRead replaces by what the pipe holds. (Such a signal is not lost,
// but may be read after ones that stayed pending while it was caught.)
// signalRestore undoes it: reads away what is still pending, puts the old
// action back (unless someone replaced ours) and the calling thread's mask.
// Other threads keep the signal blocked: harmless, the JavaScript thread
// then takes it (a process-directed signal goes to a thread that does not
// block it), with the old action.
// kCancelSignal (SIGRTMAX - 1, blocking.cc) is never touched here.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "args.h"
#include "blocking.h"
#include "modules.h"

namespace ipc {
namespace {

constexpr int kCookie = 0x1b5c0de;  // the marker's si_value: "block me"

struct Owned {
  bool owned = false;
  bool wasBlocked = false;  // in the JavaScript thread, before open
  struct sigaction old = {};
};
Owned owned[NSIG];

int spillRead = -1, spillWrite = -1;
pid_t jsTid = 0;
// What the catcher spilled, by signal, once read from the pipe: a SignalFd
// returns only its own signals' (another one may be open meanwhile).
std::deque<siginfo_t> spilled[NSIG];
// Each open SignalFd's signals, for spilled[] above.
std::map<int, sigset_t> fdSignals;

// The catcher: async-signal-safe only (write, tgkill), errno kept.
void Catch(int sig, siginfo_t* info, void* context) {
  int saved = errno;
  ucontext_t* uc = static_cast<ucontext_t*>(context);
  sigaddset(&uc->uc_sigmask, sig);  // this thread blocks it from now on
  bool marker = info->si_code == SI_QUEUE && info->si_pid == getpid() &&
                info->si_value.sival_int == kCookie;
  if (!marker && spillWrite >= 0) {
    ssize_t ignored = write(spillWrite, info, sizeof *info);
    (void)ignored;
    syscall(SYS_tgkill, getpid(), jsTid, sig);  // wakes the descriptor
  }
  errno = saved;
}

bool IsCatcher(const struct sigaction& action) {
  return (action.sa_flags & SA_SIGINFO) && action.sa_sigaction == Catch;
}

// SigBlk of /proc/self/task/TID/status has bit sig-1 set; false if gone.
bool ThreadBlocks(pid_t tid, int sig, bool* gone) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%d/status", static_cast<int>(tid));
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  *gone = fd < 0;
  if (fd < 0) return false;
  char buffer[4096];
  ssize_t n = RetryEintr([&] { return read(fd, buffer, sizeof buffer - 1); });
  close(fd);
  if (n <= 0) return false;
  buffer[n] = '\0';
  const char* line = strstr(buffer, "SigBlk:");
  if (line == nullptr) return false;
  unsigned long long mask = strtoull(line + 7, nullptr, 16);
  return (mask >> (sig - 1)) & 1ULL;
}

std::vector<pid_t> Threads() {
  std::vector<pid_t> tids;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return tids;
  while (struct dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') tids.push_back(static_cast<pid_t>(atoi(entry->d_name)));
  }
  closedir(dir);
  return tids;
}

// Step 3: true once every thread blocks `sig` (given up after about 2 s:
// a thread that never runs its handler, on a very busy machine).
bool BlockInEveryThread(int sig) {
  pid_t pid = getpid(), self = static_cast<pid_t>(syscall(SYS_gettid));
  for (int round = 0; round < 4000; ++round) {
    bool all = true;
    for (pid_t tid : Threads()) {
      bool gone;
      if (tid == self || ThreadBlocks(tid, sig, &gone) || gone) continue;
      all = false;
      if (round % 20 != 0) continue;  // the marker is on its way: look again
      siginfo_t info = {};
      info.si_signo = sig;
      info.si_code = SI_QUEUE;
      info.si_pid = pid;
      info.si_uid = getuid();
      info.si_value.sival_int = kCookie;
      syscall(SYS_rt_tgsigqueueinfo, pid, tid, sig, &info);
    }
    if (all) return true;
    usleep(500);
  }
  return false;
}

std::string Number(int sig) { return "signal " + std::to_string(sig); }

void CheckSignal(Napi::Env env, int sig, const char* syscall) {
  if (sig < 1 || sig >= NSIG) ThrowErrno(env, EINVAL, syscall, {}, Number(sig) + " does not exist");
  if (sig == CancelSignal()) {
    ThrowErrno(env, EBUSY, syscall, {}, Number(sig) + " (SIGRTMAX-1) is reserved by ipc-lab");
  }
}

// Undoes open for one signal: what is pending is read away, the old action
// and the calling thread's mask are put back. Returns how many were dropped.
int Restore(int sig) {
  if (!owned[sig].owned) return 0;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  struct timespec zero = {0, 0};
  int dropped = 0;
  while (sigtimedwait(&set, nullptr, &zero) == sig) ++dropped;
  struct sigaction current;
  sigaction(sig, nullptr, &current);
  if (IsCatcher(current)) sigaction(sig, &owned[sig].old, nullptr);
  if (!owned[sig].wasBlocked) pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  owned[sig] = Owned();
  dropped += static_cast<int>(spilled[sig].size());
  spilled[sig].clear();
  for (auto it = fdSignals.begin(); it != fdSignals.end();) {
    it = sigismember(&it->second, sig) == 1 ? fdSignals.erase(it) : std::next(it);
  }
  return dropped;
}

// signalfdOpen(signals) -> fd
Napi::Value SignalfdOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<int> signals = ArgIntArray(info, 0, "signals", 0);
  if (signals.empty()) ThrowInvalidValue(env, "signals must name at least one signal");
  sigset_t set;
  sigemptyset(&set);
  for (int sig : signals) {
    CheckSignal(env, sig, "sigaction");
    if (owned[sig].owned) {
      ThrowErrno(env, EBUSY, "signalfd", {}, Number(sig) + " is already read by another SignalFd");
    }
    struct sigaction current;
    if (sigaction(sig, nullptr, &current) < 0) ThrowErrno(env, errno, "sigaction", {}, Number(sig));
    if ((current.sa_flags & SA_SIGINFO) || (current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN)) {
      ThrowErrno(env, EBUSY, "sigaction", {},
                 Number(sig) + " already has a handler (Node's process.on, or libuv's)");
    }
    sigaddset(&set, sig);
  }
  if (spillRead < 0) {
    int ends[2];
    if (pipe2(ends, O_NONBLOCK | O_CLOEXEC) < 0) ThrowErrno(env, errno, "pipe2");
    spillRead = ends[0];
    spillWrite = ends[1];
  }
  jsTid = static_cast<pid_t>(syscall(SYS_gettid));
  sigset_t before;
  pthread_sigmask(SIG_BLOCK, nullptr, &before);
  for (size_t i = 0; i < signals.size(); ++i) {
    int sig = signals[i];
    struct sigaction action = {};
    action.sa_sigaction = Catch;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&action.sa_mask);
    Owned entry;
    if (sigaction(sig, &action, &entry.old) < 0) {
      int err = errno;
      for (size_t j = 0; j < i; ++j) Restore(signals[j]);
      ThrowErrno(env, err, "sigaction", {}, Number(sig));
    }
    entry.owned = true;
    entry.wasBlocked = sigismember(&before, sig) == 1;
    owned[sig] = entry;
  }
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  for (int sig : signals) {
    if (!BlockInEveryThread(sig)) {
      for (int s : signals) Restore(s);
      ThrowErrno(env, EAGAIN, "rt_tgsigqueueinfo", {},
                 "could not make every thread block " + Number(sig));
    }
  }
  int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    for (int s : signals) Restore(s);
    ThrowErrno(env, err, "signalfd");
  }
  fdSignals[fd] = set;
  return Napi::Number::New(env, fd);
}

// One record as 7 int32s: signo, code, pid, uid, value, status, errno (one
// typed array for a whole read: building an object per signal in C++ costs
// more than the read itself).
constexpr size_t kFields = 7;

void PushInfo(std::vector<int32_t>& out, int signo, int code, int pid, int uid, int value,
              int status, int err) {
  out.insert(out.end(), {signo, code, pid, uid, value, status, err});
}

// What the catcher spilled for `fd`'s signals (after a wake-up), appended.
void TakeSpilled(int fd, std::vector<int32_t>& out) {
  siginfo_t caught;
  while (read(spillRead, &caught, sizeof caught) == sizeof caught) {
    if (caught.si_signo > 0 && caught.si_signo < NSIG) spilled[caught.si_signo].push_back(caught);
  }
  auto mine = fdSignals.find(fd);
  for (int sig = 1; sig < NSIG && mine != fdSignals.end(); ++sig) {
    if (sigismember(&mine->second, sig) != 1) continue;
    for (const siginfo_t& c : spilled[sig]) {
      PushInfo(out, c.si_signo, c.si_code, c.si_pid, c.si_uid, c.si_value.sival_int, c.si_status,
               c.si_errno);
    }
    spilled[sig].clear();
  }
}

// The catcher's wake-up: a thread-directed signal from this very process.
// (si_code first: getpid is a system call, and most signals are not SI_TKILL.)
bool IsWakeUp(int code, pid_t sender) { return code == SI_TKILL && sender == getpid(); }

// The records into `into` (the caller's Int32Array, kept from call to call:
// a fresh typed array per signal costs more than the system call), returning
// how many int32s; a fresh Int32Array only when they do not fit (a large
// spill).
Napi::Value ToRecords(Napi::Env env, const std::vector<int32_t>& out, Napi::Int32Array into) {
  if (out.size() <= into.ElementLength()) {
    std::copy(out.begin(), out.end(), into.Data());
    return Napi::Number::New(env, static_cast<double>(out.size()));
  }
  Napi::Int32Array array = Napi::Int32Array::New(env, out.size());
  std::copy(out.begin(), out.end(), array.Data());
  return array;
}

Napi::Int32Array ArgRecords(const Napi::CallbackInfo& info, size_t index) {
  if (index >= info.Length() || !info[index].IsTypedArray() ||
      info[index].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    ThrowTypeError(info.Env(), "records must be an Int32Array");
  }
  return info[index].As<Napi::Int32Array>();
}

// signalfdRead(fd, records) -> how many int32s it wrote into `records` (7
// per signal), 0 when nothing is pending (EAGAIN), or a fresh Int32Array of
// them if they do not fit.
Napi::Value SignalfdRead(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  Napi::Int32Array into = ArgRecords(info, 1);
  struct signalfd_siginfo records[32];
  ssize_t n = RetryEintr([&] { return read(fd, records, sizeof records); });
  if (n < 0 && errno == EAGAIN) return Napi::Number::New(env, 0);
  if (n < 0) ThrowErrno(env, errno, "read", Fd(fd));
  std::vector<int32_t> out;
  out.reserve(kFields * 32);
  for (size_t i = 0; i < static_cast<size_t>(n) / sizeof records[0]; ++i) {
    const signalfd_siginfo& r = records[i];
    if (IsWakeUp(r.ssi_code, static_cast<pid_t>(r.ssi_pid))) {
      TakeSpilled(fd, out);  // what it caught is in the spill pipe
      continue;
    }
    PushInfo(out, r.ssi_signo, r.ssi_code, r.ssi_pid, r.ssi_uid, r.ssi_int, r.ssi_status,
             r.ssi_errno);
  }
  return ToRecords(env, out, into);
}

// The kernel's sigset size (glibc's sigset_t is larger), for rt_sigtimedwait.
constexpr size_t kSigsetBytes = _NSIG / 8;

// A time-out's reason, as the library's awaited waits word it.
std::string TimedOut(int ms) { return "timed out after " + std::to_string(ms) + " ms"; }

double MonotonicMs() {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

// sigtimedwait(fd, ms, records) -> signalfdRead's result (never 0: one
// signal, or what the catcher spilled), taken by rt_sigtimedwait(2) (what sigwaitinfo and
// sigtimedwait call; ms < 0: no time-out) on the calling thread, for the signals of SignalFd `fd`:
// they are blocked here and pending for the process, the queue signalfd reads
// too. Blocks the thread. EINTR (a handler ran) waits again for what is left;
// the time-out is ETIMEDOUT (the kernel's EAGAIN).
Napi::Value Sigtimedwait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  int ms = ArgInt(info, 1, "ms");
  Napi::Int32Array into = ArgRecords(info, 2);
  auto mine = fdSignals.find(fd);
  if (mine == fdSignals.end()) ThrowErrno(env, EBADF, "sigtimedwait", Fd(fd), "not a SignalFd");
  const char* call = ms < 0 ? "sigwaitinfo" : "sigtimedwait";
  double deadline = ms < 0 ? 0 : MonotonicMs() + ms;
  std::vector<int32_t> out;
  while (out.empty()) {
    siginfo_t got;
    // The system call itself, not glibc's sigwaitinfo/sigtimedwait: they
    // report SI_TKILL as SI_USER, and the catcher's wake-up is SI_TKILL.
    struct timespec timeout = {0, 0};
    if (ms >= 0) {
      double left = std::max(0.0, deadline - MonotonicMs());
      timeout = {static_cast<time_t>(left / 1e3), static_cast<long>(std::fmod(left, 1e3) * 1e6)};
    }
    int sig = static_cast<int>(syscall(SYS_rt_sigtimedwait, &mine->second, &got,
                                       ms < 0 ? nullptr : &timeout, kSigsetBytes));
    if (sig < 0 && errno == EINTR) continue;
    if (sig < 0 && errno == EAGAIN) {
      throw ErrnoError(env, ETIMEDOUT, call, Fd(fd), "", TimedOut(ms));
    }
    if (sig < 0) ThrowErrno(env, errno, call, Fd(fd));
    if (IsWakeUp(got.si_code, got.si_pid)) {
      TakeSpilled(fd, out);  // may be empty (read already): wait on
      continue;
    }
    PushInfo(out, got.si_signo, got.si_code, got.si_pid, got.si_uid, got.si_value.sival_int,
             got.si_status, got.si_errno);
  }
  return ToRecords(env, out, into);
}

// signalRestore(signals) -> how many pending signals were read away.
Napi::Value SignalRestore(const Napi::CallbackInfo& info) {
  std::vector<int> signals = ArgIntArray(info, 0, "signals", 0);
  int dropped = 0;
  for (int sig : signals) {
    if (sig > 0 && sig < NSIG) dropped += Restore(sig);
  }
  return Napi::Number::New(info.Env(), dropped);
}

// sigqueue(pid, sig, value): a signal with a payload (si_value.sival_int).
Napi::Value Sigqueue(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = ArgInt(info, 0, "pid");
  int sig = ArgInt(info, 1, "signal");
  int value = ArgInt(info, 2, "value");
  union sigval payload;
  payload.sival_int = value;
  if (sigqueue(pid, sig, payload) < 0) ThrowErrno(env, errno, "sigqueue", Pid(pid));
  return env.Undefined();
}

std::vector<int> Members(const sigset_t& set) {
  std::vector<int> out;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sigismember(&set, sig) == 1) out.push_back(sig);
  }
  return out;
}

Napi::Array ToArray(Napi::Env env, const std::vector<int>& values) {
  Napi::Array out = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) out.Set(i, values[i]);
  return out;
}

// sigprocmaskGet() -> the calling thread's blocked signals.
Napi::Value SigprocmaskGet(const Napi::CallbackInfo& info) {
  sigset_t set;
  pthread_sigmask(SIG_BLOCK, nullptr, &set);
  return ToArray(info.Env(), Members(set));
}

// sigpending() -> signals pending for the calling thread or the process.
Napi::Value Sigpending(const Napi::CallbackInfo& info) {
  sigset_t set;
  if (sigpending(&set) < 0) ThrowErrno(info.Env(), errno, "sigpending");
  return ToArray(info.Env(), Members(set));
}

// signalDisposition(sig) -> "default" | "ignore" | "ipc-lab" | "handler"
Napi::Value SignalDisposition(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int sig = ArgInt(info, 0, "signal");
  struct sigaction current;
  if (sig < 1 || sig >= NSIG || sigaction(sig, nullptr, &current) < 0) {
    ThrowErrno(env, sig < 1 || sig >= NSIG ? EINVAL : errno, "sigaction", {}, Number(sig));
  }
  if (IsCatcher(current)) return Napi::String::New(env, "ipc-lab");
  if (current.sa_flags & SA_SIGINFO) return Napi::String::New(env, "handler");
  if (current.sa_handler == SIG_DFL) return Napi::String::New(env, "default");
  if (current.sa_handler == SIG_IGN) return Napi::String::New(env, "ignore");
  return Napi::String::New(env, "handler");
}

// signalStrayThread(sig, ms): for tests of the catcher's spill path: a
// thread that does not block `sig` (as one made before the SignalFd would
// not) for `ms` milliseconds, then ends. Only `sig` is unblocked in it.
Napi::Value SignalStrayThread(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int sig = ArgInt(info, 0, "signal");
  int ms = ArgInt(info, 1, "ms");
  CheckSignal(env, sig, "pthread_sigmask");
  std::thread([sig, ms] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
    struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&left, &left) < 0 && errno == EINTR) {
    }
  }).detach();
  return env.Undefined();
}

}  // namespace

void InitSignal(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "sigqueue", Sigqueue, 3);
  Export(env, exports, "signalfdOpen", SignalfdOpen, 1);
  Export(env, exports, "signalfdRead", SignalfdRead, 2);
  Export(env, exports, "sigtimedwait", Sigtimedwait, 3);
  Export(env, exports, "signalRestore", SignalRestore, 1);
  Export(env, exports, "sigprocmaskGet", SigprocmaskGet, 0);
  Export(env, exports, "sigpending", Sigpending, 0);
  Export(env, exports, "signalDisposition", SignalDisposition, 1);
  Export(env, exports, "signalStrayThread", SignalStrayThread, 2);
}

}  // namespace ipc
