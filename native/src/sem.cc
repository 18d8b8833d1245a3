// POSIX semaphores. Named ones: sem_open names one in /dev/shm ("sem.NAME").
// Unnamed ones: sem_init(pshared = 1) on a sem_t inside a shared-memory
// object. sem_post and sem_trywait never block; sem_wait and sem_timedwait
// do, so they run as blocking waits (blocking.h) and never park the event
// loop or libuv's pool. A handle owns its sem_t: a named one is sem_closed,
// an unnamed one lives in a mapping of its own (of the same pages as the
// caller's), unmapped only when no wait uses it any more, so a waiter thread
// never touches an address that is gone, whatever the caller unmaps.
#include <fcntl.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/mman.h>
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

struct Sem {
  sem_t* sem;
  std::string name;  // the name, or the object and offset of an unnamed one
  Sem(sem_t* s, std::string n) : sem(s), name(std::move(n)) {}
  Sem(const Sem&) = delete;  // one owner of the sem_t: it is released once
  Sem& operator=(const Sem&) = delete;
  virtual ~Sem() = default;
};

struct NamedSem : Sem {
  using Sem::Sem;
  ~NamedSem() override { sem_close(sem); }
};

// An unnamed semaphore: its own MAP_SHARED mapping of the page(s) that hold it.
struct UnnamedSem : Sem {
  void* base;
  size_t length;
  UnnamedSem(sem_t* s, std::string n, void* b, size_t l) : Sem(s, std::move(n)), base(b), length(l) {}
  ~UnnamedSem() override { munmap(base, length); }
};
using SemRef = std::shared_ptr<Sem>;

// The handle JS holds; close() drops its reference (the last user closes).
struct SemHandle {
  SemRef ref;
};

void FinalizeHandle(Napi::Env, SemHandle* handle) { delete handle; }

SemRef ArgSem(const Napi::CallbackInfo& info, size_t index) {
  if (index >= info.Length() || !info[index].IsExternal()) {
    ThrowTypeError(info.Env(), "semaphore must be a handle from semOpen or semInit");
  }
  SemHandle* handle = info[index].As<Napi::External<SemHandle>>().Data();
  if (!handle->ref) ThrowInvalidValue(info.Env(), "the semaphore is closed");
  return handle->ref;
}

// semOpen(name, flags, mode, value) -> handle
Napi::Value SemOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = ArgString(info, 0, "name");
  int flags = ArgInt(info, 1, "flags");
  int mode = ArgInt(info, 2, "mode");
  int value = ArgInt(info, 3, "value");
  sem_t* sem = sem_open(name.c_str(), flags, static_cast<mode_t>(mode), static_cast<unsigned>(value));
  if (sem == SEM_FAILED) ThrowErrno(env, errno, "sem_open", Path(name));
  SemHandle* handle = new SemHandle{std::make_shared<NamedSem>(sem, name)};
  return Napi::External<SemHandle>::New(env, handle, FinalizeHandle);
}

// semInit(fd, offset, pshared, value, init, label) -> handle: maps the
// page(s) of the shared-memory object `fd` that hold a sem_t at `offset`
// (MAP_SHARED, a mapping of the handle's own) and, if `init`, sem_inits it.
// Without `init` the sem_t is one another process initialised already.
Napi::Value SemInit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  size_t offset = ArgSize(info, 1, "offset");
  bool pshared = ArgBool(info, 2, "pshared");
  int value = ArgInt(info, 3, "value");
  bool init = ArgBool(info, 4, "init");
  std::string label = ArgString(info, 5, "label");
  if (offset % alignof(sem_t) != 0) {
    ThrowInvalidValue(env, "offset must be a multiple of " + std::to_string(alignof(sem_t)) +
                               " (a sem_t's alignment), got " + std::to_string(offset));
  }
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t start = offset - offset % page;
  size_t length = offset - start + sizeof(sem_t);
  void* base = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, static_cast<off_t>(start));
  if (base == MAP_FAILED) ThrowErrno(env, errno, "mmap", Path(label));
  sem_t* sem = reinterpret_cast<sem_t*>(static_cast<char*>(base) + (offset - start));
  if (init && sem_init(sem, pshared ? 1 : 0, static_cast<unsigned>(value)) < 0) {
    int err = errno;
    munmap(base, length);
    ThrowErrno(env, err, "sem_init", Path(label));
  }
  SemHandle* handle = new SemHandle{std::make_shared<UnnamedSem>(sem, label, base, length)};
  return Napi::External<SemHandle>::New(env, handle, FinalizeHandle);
}

// semDestroy(handle): sem_destroy, then the handle is closed like semClose.
Napi::Value SemDestroy(const Napi::CallbackInfo& info) {
  SemRef sem = ArgSem(info, 0);
  if (sem_destroy(sem->sem) < 0) ThrowErrno(info.Env(), errno, "sem_destroy", Path(sem->name));
  info[0].As<Napi::External<SemHandle>>().Data()->ref.reset();
  return info.Env().Undefined();
}

// semClose(handle): the sem_close happens when the last pending wait is done.
Napi::Value SemClose(const Napi::CallbackInfo& info) {
  ArgSem(info, 0);
  info[0].As<Napi::External<SemHandle>>().Data()->ref.reset();
  return info.Env().Undefined();
}

Napi::Value SemUnlink(const Napi::CallbackInfo& info) {
  std::string name = ArgString(info, 0, "name");
  if (sem_unlink(name.c_str()) < 0) ThrowErrno(info.Env(), errno, "sem_unlink", Path(name));
  return info.Env().Undefined();
}

Napi::Value SemPost(const Napi::CallbackInfo& info) {
  SemRef sem = ArgSem(info, 0);
  if (sem_post(sem->sem) < 0) ThrowErrno(info.Env(), errno, "sem_post", Path(sem->name));
  return info.Env().Undefined();
}

// semTrywait(handle) -> true if it took one, false if the value was 0 (EAGAIN).
Napi::Value SemTrywait(const Napi::CallbackInfo& info) {
  SemRef sem = ArgSem(info, 0);
  int rc = RetryEintr([&] { return sem_trywait(sem->sem); });
  if (rc < 0 && errno == EAGAIN) return Napi::Boolean::New(info.Env(), false);
  if (rc < 0) ThrowErrno(info.Env(), errno, "sem_trywait", Path(sem->name));
  return Napi::Boolean::New(info.Env(), true);
}

// semTrywaitYielding(handle, us) -> true once sem_trywait took one, false
// after `us` microseconds of trying: wait()'s spin. Between tries the CPU is
// given up (sched_yield), so a poster on the same CPU gets to run and post;
// a busy loop there would only delay it.
Napi::Value SemTrywaitYielding(const Napi::CallbackInfo& info) {
  SemRef sem = ArgSem(info, 0);
  int us = ArgInt(info, 1, "us");
  struct timespec now, until;
  clock_gettime(CLOCK_MONOTONIC, &until);
  until.tv_nsec += static_cast<long>(us) * 1000L;
  until.tv_sec += until.tv_nsec / 1000000000L;
  until.tv_nsec %= 1000000000L;
  for (;;) {
    int rc = RetryEintr([&] { return sem_trywait(sem->sem); });
    if (rc == 0) return Napi::Boolean::New(info.Env(), true);
    if (errno != EAGAIN) ThrowErrno(info.Env(), errno, "sem_trywait", Path(sem->name));
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > until.tv_sec || (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec)) {
      return Napi::Boolean::New(info.Env(), false);
    }
    sched_yield();
  }
}

Napi::Value SemGetvalue(const Napi::CallbackInfo& info) {
  SemRef sem = ArgSem(info, 0);
  int value = 0;
  if (sem_getvalue(sem->sem, &value) < 0) {
    ThrowErrno(info.Env(), errno, "sem_getvalue", Path(sem->name));
  }
  return Napi::Number::New(info.Env(), value);
}

class SemWaitCall : public BlockingCall {
 public:
  explicit SemWaitCall(SemRef sem) : sem_(std::move(sem)) {}
  int Run() override { return sem_wait(sem_->sem) == 0 ? 0 : errno; }
  const char* Syscall() const override { return "sem_wait"; }
  Subject About() const override { return Path(sem_->name); }

 private:
  SemRef sem_;  // keeps the sem_t open while the thread waits on it
};

// The absolute CLOCK_REALTIME deadline sem_timedwait takes, `ms` from now.
struct timespec DeadlineIn(int ms) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += ms / 1000;
  deadline.tv_nsec += static_cast<long>(ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec += 1;
    deadline.tv_nsec -= 1000000000L;
  }
  return deadline;
}

// sem_timedwait's deadline is absolute, on CLOCK_REALTIME: computed once, so
// a retry after EINTR keeps the same deadline.
class SemTimedwaitCall : public BlockingCall {
 public:
  SemTimedwaitCall(SemRef sem, int ms) : sem_(std::move(sem)), deadline_(DeadlineIn(ms)) {}
  int Run() override { return sem_timedwait(sem_->sem, &deadline_) == 0 ? 0 : errno; }
  const char* Syscall() const override { return "sem_timedwait"; }
  Subject About() const override { return Path(sem_->name); }

 private:
  SemRef sem_;
  struct timespec deadline_;
};

// semTimedwait(handle, ms, callback) -> wait id; the kernel gives up after
// `ms` with ETIMEDOUT (and then took nothing).
Napi::Value SemTimedwait(const Napi::CallbackInfo& info) {
  SemRef sem = ArgSem(info, 0);
  int ms = ArgInt(info, 1, "ms");
  if (ms < 0) ThrowRangeError(info.Env(), "ms must be >= 0, got " + std::to_string(ms));
  Napi::Function callback = ArgFunction(info, 2, "callback");
  return StartBlocking(info.Env(), std::make_unique<SemTimedwaitCall>(sem, ms), callback);
}

// semWait(handle, callback) -> wait id; callback(error | null) when it returns.
Napi::Value SemWait(const Napi::CallbackInfo& info) {
  SemRef sem = ArgSem(info, 0);
  Napi::Function callback = ArgFunction(info, 1, "callback");
  return StartBlocking(info.Env(), std::make_unique<SemWaitCall>(sem), callback);
}

// semWaitSync(handle): sem_wait on the calling thread, blocking it; a signal
// handler that runs meanwhile (EINTR) does not end the wait.
Napi::Value SemWaitSync(const Napi::CallbackInfo& info) {
  SemRef sem = ArgSem(info, 0);
  if (RetryEintr([&] { return sem_wait(sem->sem); }) < 0) {
    ThrowErrno(info.Env(), errno, "sem_wait", Path(sem->name));
  }
  return info.Env().Undefined();
}

// semTimedwaitSync(handle, ms): sem_timedwait on the calling thread; the
// deadline is computed once, so a retry after EINTR keeps it. ETIMEDOUT when
// it passes (and then it took nothing).
Napi::Value SemTimedwaitSync(const Napi::CallbackInfo& info) {
  SemRef sem = ArgSem(info, 0);
  int ms = ArgInt(info, 1, "ms");
  if (ms < 0) ThrowRangeError(info.Env(), "ms must be >= 0, got " + std::to_string(ms));
  struct timespec deadline = DeadlineIn(ms);
  if (RetryEintr([&] { return sem_timedwait(sem->sem, &deadline); }) < 0) {
    int err = errno;
    // A time-out worded as the awaited wait's ("timed out after 30 ms").
    std::string reason = err == ETIMEDOUT ? "timed out after " + std::to_string(ms) + " ms" : "";
    throw ErrnoError(info.Env(), err, "sem_timedwait", Path(sem->name), "", reason);
  }
  return info.Env().Undefined();
}

}  // namespace

void InitSem(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "semOpen", SemOpen, 4);
  Export(env, exports, "semClose", SemClose, 1);
  Export(env, exports, "semUnlink", SemUnlink, 1);
  Export(env, exports, "semPost", SemPost, 1);
  Export(env, exports, "semTrywait", SemTrywait, 1);
  Export(env, exports, "semGetvalue", SemGetvalue, 1);
  Export(env, exports, "semTrywaitYielding", SemTrywaitYielding, 2);
  Export(env, exports, "semWait", SemWait, 2);
  Export(env, exports, "semTimedwait", SemTimedwait, 3);
  Export(env, exports, "semWaitSync", SemWaitSync, 1);
  Export(env, exports, "semTimedwaitSync", SemTimedwaitSync, 2);
  Export(env, exports, "semInit", SemInit, 6);
  Export(env, exports, "semDestroy", SemDestroy, 1);
}

}  // namespace ipc
