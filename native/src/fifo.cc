// Named pipes (FIFOs): mkfifo makes a file of type FIFO, stat shows it (the
// `p` of ls -l), unlink removes the name. Opening one blocks until the other
// end is opened too (a reader waits for a writer and vice versa), so the
// blocking open runs as a blocking wait (blocking.h) on a thread of its own,
// never on libuv's pool (Node's fs.open on a FIFO parks one of the pool's
// four threads: nodejs/node#23220). O_NONBLOCK and O_RDWR opens never block:
// fifoOpen does those at once. Reading and writing are fd.cc's; FIFOs take
// no RWF_NOWAIT (EOPNOTSUPP), so lib/fifo.ts sets O_NONBLOCK once open.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>

#include "args.h"
#include "blocking.h"
#include "modules.h"

namespace ipc {
namespace {

// mkfifo(path, mode): the new FIFO's permissions are mode less the umask.
Napi::Value Mkfifo(const Napi::CallbackInfo& info) {
  std::string path = ArgString(info, 0, "path");
  int mode = ArgInt(info, 1, "mode");
  if (mkfifo(path.c_str(), static_cast<mode_t>(mode)) < 0) {
    ThrowErrno(info.Env(), errno, "mkfifo", Path(path));
  }
  return info.Env().Undefined();
}

Napi::Value Unlink(const Napi::CallbackInfo& info) {
  std::string path = ArgString(info, 0, "path");
  if (unlink(path.c_str()) < 0) ThrowErrno(info.Env(), errno, "unlink", Path(path));
  return info.Env().Undefined();
}

// umask(mask) -> the previous mask (the call always sets one).
Napi::Value Umask(const Napi::CallbackInfo& info) {
  int mask = ArgInt(info, 0, "mask");
  return Napi::Number::New(info.Env(), umask(static_cast<mode_t>(mask)));
}

const char* TypeOf(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFIFO:
      return "fifo";
    case S_IFREG:
      return "file";
    case S_IFDIR:
      return "directory";
    case S_IFCHR:
      return "character device";
    case S_IFBLK:
      return "block device";
    case S_IFSOCK:
      return "socket";
    case S_IFLNK:
      return "symlink";
  }
  return "unknown";
}

Napi::Object StatObject(Napi::Env env, const struct stat& st) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("type", TypeOf(st.st_mode));
  out.Set("size", static_cast<double>(st.st_size));
  out.Set("mode", static_cast<double>(st.st_mode));
  out.Set("uid", static_cast<double>(st.st_uid));
  out.Set("gid", static_cast<double>(st.st_gid));
  out.Set("ino", static_cast<double>(st.st_ino));
  out.Set("nlink", static_cast<double>(st.st_nlink));
  out.Set("blocks", static_cast<double>(st.st_blocks));
  return out;
}

// stat(path) -> { type, size, mode (with the type bits), uid, gid, ino, nlink, blocks }.
Napi::Value Stat(const Napi::CallbackInfo& info) {
  std::string path = ArgString(info, 0, "path");
  struct stat st;
  if (stat(path.c_str(), &st) < 0) ThrowErrno(info.Env(), errno, "stat", Path(path));
  return StatObject(info.Env(), st);
}

// fifoOpen(path, flags) -> fd: one open(2) for the opens that never block
// (O_NONBLOCK, O_RDWR). O_CLOEXEC is the caller's to pass.
Napi::Value FifoOpen(const Napi::CallbackInfo& info) {
  std::string path = ArgString(info, 0, "path");
  int flags = ArgInt(info, 1, "flags");
  int fd = RetryEintr([&] { return open(path.c_str(), flags); });
  if (fd < 0) ThrowErrno(info.Env(), errno, "open", Path(path));
  return Napi::Number::New(info.Env(), fd);
}

// The name may refer to something else by now (replaced between stat and open).
Napi::Value CheckedFifo(Napi::Env env, int fd, const std::string& path) {
  struct stat st;
  if (fstat(fd, &st) < 0) {
    int err = errno;
    close(fd);
    ThrowErrno(env, err, "fstat", Fd(fd));
  }
  if (!S_ISFIFO(st.st_mode)) {
    close(fd);
    ThrowErrno(env, EINVAL, "open", Path(path), "it is a file that replaced the FIFO, not a FIFO");
  }
  return Napi::Number::New(env, fd);
}

double NowMs() {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// fifoOpenTimed(path, flags, ms) -> fd, or -1 when ms passed first (ms < 0:
// no limit): openFifoSync's whole open in one call, with openFifo's checks
// made here (no stat objects to build): a path that is not a FIFO is EINVAL
// before open, and a FIFO replaced by something else between stat and open
// is closed again, EINVAL. The blocking open is on the calling thread and
// gives up as C's seqnum server does with alarm(2): a POSIX timer of this
// thread's (made once, kept) sends it the library's cancel signal (a no-op
// handler without SA_RESTART, so open returns EINTR) when the time is up and
// every 10 ms after, so a signal that lands just before open starts cannot
// leave it blocked. The signal is unblocked only meanwhile; a tick that came
// after the open returned is taken off again (it can only have come once
// the time was up). A writer tries O_NONBLOCK first: with its reader there,
// the open is one call and no timer is armed.
Napi::Value FifoOpenTimed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = ArgString(info, 0, "path");
  int flags = ArgInt(info, 1, "flags");
  int ms = ArgInt(info, 2, "ms");
  struct stat st;
  if (stat(path.c_str(), &st) < 0) ThrowErrno(env, errno, "stat", Path(path));
  if (!S_ISFIFO(st.st_mode)) {
    ThrowErrno(env, EINVAL, "open", Path(path),
               std::string("it is a ") + TypeOf(st.st_mode) + ", not a FIFO");
  }
  if (ms < 0) {
    int fd = RetryEintr([&] { return open(path.c_str(), flags); });
    if (fd < 0) ThrowErrno(env, errno, "open", Path(path));
    return CheckedFifo(env, fd, path);
  }
  if ((flags & O_ACCMODE) == O_WRONLY && !(flags & O_NONBLOCK)) {
    // A writer whose reader is already there (a client waiting in its open)
    // needs no timer: O_NONBLOCK opens at once or fails with ENXIO (no reader
    // yet: wait below). The description is made blocking again, as asked.
    int fd = open(path.c_str(), flags | O_NONBLOCK);
    if (fd >= 0) {
      if (fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        int err = errno;
        close(fd);
        ThrowErrno(env, err, "fcntl", Path(path));
      }
      return CheckedFifo(env, fd, path);
    }
    if (errno != ENXIO) ThrowErrno(env, errno, "open", Path(path));
  }
  InstallCancelHandler();
  static thread_local timer_t timer;
  static thread_local bool made = false;
  if (!made) {
    struct sigevent event = {};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = CancelSignal();
    event._sigev_un._tid = static_cast<pid_t>(syscall(SYS_gettid));
    if (timer_create(CLOCK_MONOTONIC, &event, &timer) < 0) ThrowErrno(env, errno, "timer_create");
    made = true;
  }
  struct itimerspec when = {}, off = {};
  when.it_value.tv_sec = ms / 1000;
  when.it_value.tv_nsec = static_cast<long>(ms % 1000) * 1000000L + 1;  // 0 would disarm
  when.it_interval.tv_nsec = 10 * 1000000L;
  double deadline = NowMs() + ms;  // the timer fires after this
  if (timer_settime(timer, 0, &when, nullptr) < 0) ThrowErrno(env, errno, "timer_settime");
  sigset_t cancel, old;
  sigemptyset(&cancel);
  sigaddset(&cancel, CancelSignal());
  pthread_sigmask(SIG_UNBLOCK, &cancel, &old);
  int fd, err;
  for (;;) {
    fd = open(path.c_str(), flags);
    err = fd < 0 ? errno : 0;
    if (err != EINTR || NowMs() >= deadline) break;  // another signal: open again
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  timer_settime(timer, 0, &off, nullptr);
  if (NowMs() >= deadline) {
    struct timespec zero = {0, 0};
    while (sigtimedwait(&cancel, nullptr, &zero) > 0) {
    }
  }
  if (err == EINTR) return Napi::Number::New(env, -1);
  if (err != 0) ThrowErrno(env, err, "open", Path(path));
  return CheckedFifo(env, fd, path);
}

// The blocking open on its thread: cancelled by the library's signal, open
// returns EINTR (the FIFO's wait for a partner is interruptible).
class FifoOpenCall : public BlockingCall {
 public:
  FifoOpenCall(std::string path, int flags) : path_(std::move(path)), flags_(flags) {}
  int Run() override {
    fd_ = open(path_.c_str(), flags_);
    return fd_ < 0 ? errno : 0;
  }
  Napi::Value Result(Napi::Env env) override { return Napi::Number::New(env, fd_); }
  const char* Syscall() const override { return "open"; }
  Subject About() const override { return Path(path_); }

 private:
  std::string path_;
  int flags_;
  int fd_ = -1;
};

// fifoOpenWait(path, flags, callback) -> wait id; callback(error | null, fd).
// If the wait is cancelled just as open succeeds, the fd still reaches the
// callback: lib/fifo.ts closes it.
Napi::Value FifoOpenWait(const Napi::CallbackInfo& info) {
  std::string path = ArgString(info, 0, "path");
  int flags = ArgInt(info, 1, "flags");
  Napi::Function callback = ArgFunction(info, 2, "callback");
  return StartBlocking(info.Env(), std::make_unique<FifoOpenCall>(path, flags), callback);
}

}  // namespace

void InitFifo(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "mkfifo", Mkfifo, 2);
  Export(env, exports, "unlink", Unlink, 1);
  Export(env, exports, "umask", Umask, 1);
  Export(env, exports, "stat", Stat, 1);
  Export(env, exports, "fifoOpen", FifoOpen, 2);
  Export(env, exports, "fifoOpenWait", FifoOpenWait, 3);
  Export(env, exports, "fifoOpenTimed", FifoOpenTimed, 3);
}

}  // namespace ipc
